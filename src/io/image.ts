/** Reading images into model-ready arrays, with errors that say what is wrong with the file. */
import fs from 'node:fs';
import sharp from 'sharp';
import type { NdArray } from '../core/ndarray.js';
import { fail } from '../core/errors.js';

export interface ImageSize {
  height: number;
  width: number;
  channels: number;
}

/** Decode an image file (PNG, JPEG, WebP, GIF, TIFF…) to [1, H, W, C] values in [0, 1]. */
export async function loadImage(file: string, size: ImageSize): Promise<NdArray> {
  if (!fs.existsSync(file)) fail(`input not found: ${file}`);
  return decodeImage(fs.readFileSync(file), size, file);
}

export async function decodeImage(bytes: Buffer, size: ImageSize, name = 'input'): Promise<NdArray> {
  if (size.channels !== 1 && size.channels !== 3) {
    fail(`${name}: the model expects ${size.channels} channels per pixel; images give 1 or 3 (pass a .npy array instead)`);
  }
  let pixels: Buffer;
  try {
    let img = sharp(bytes, { failOn: 'error' }).removeAlpha();
    img = size.channels === 1 ? img.grayscale() : img.toColourspace('srgb');
    pixels = await img.resize(size.width, size.height, { fit: 'fill' }).raw().toBuffer();
  } catch {
    fail(`${name} is not a readable image (PNG, JPEG, WebP, GIF or TIFF expected)`);
  }
  const expected = size.height * size.width * size.channels;
  if (pixels.length !== expected) fail(`${name}: decoded ${pixels.length} values, expected ${expected}`);
  const data = new Float32Array(expected);
  for (let i = 0; i < expected; i++) data[i] = pixels[i] / 255;
  return { data, shape: [1, size.height, size.width, size.channels] };
}

/** [H, W, C] values in [0, 1] → PNG bytes (C = 1 or 3). */
export async function encodePngFromUnit(image: NdArray): Promise<Buffer> {
  const [h, w, c] = image.shape;
  const bytes = Buffer.alloc(h * w * c);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Math.round(Math.min(1, Math.max(0, image.data[i])) * 255);
  return sharp(bytes, { raw: { width: w, height: h, channels: c as 1 | 3 } }).png().toBuffer();
}
