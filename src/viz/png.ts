/** PNG encoding of raw 8-bit pixels, over sharp (libvips). */
import sharp from 'sharp';
import { GlassboxError } from '../core/errors.js';

/**
 * Encodes row-major interleaved pixels (`[h, w, channels]`, 1 grey, 2 grey+alpha, 3 RGB,
 * 4 RGBA) as a PNG file.
 */
export async function encodePng(
  pixels: Uint8Array,
  width: number,
  height: number,
  channels: number,
): Promise<Buffer> {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new GlassboxError(`PNG size must be positive integers, got ${width}×${height}`);
  }
  if (channels !== 1 && channels !== 2 && channels !== 3 && channels !== 4) {
    throw new GlassboxError(`PNG channels must be 1, 2, 3 or 4, got ${channels}`);
  }
  if (pixels.length !== width * height * channels) {
    throw new GlassboxError(
      `PNG pixel buffer has ${pixels.length} bytes, expected ${width}×${height}×${channels} = ${width * height * channels}`,
    );
  }
  const input = Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength);
  const image = sharp(input, { raw: { width, height, channels } });
  // Without this sharp widens grey input to RGB, tripling the file.
  if (channels <= 2) image.toColourspace('b-w');
  return image.png().toBuffer();
}
