/** GIF encoding checked with an independent decoder (libvips through sharp). */
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/core/random.js';
import { encodeGif, gifInfo } from '../../src/dynamics/gif.js';
import type { RgbImage } from '../../src/dynamics/raster.js';

function frames(count: number, colours: number, seed: string): RgbImage[] {
  const rng = createRng(seed);
  const palette = Array.from({ length: colours }, () => [rng.int(256), rng.int(256), rng.int(256)]);
  return Array.from({ length: count }, () => {
    const rgb = new Uint8Array(24 * 16 * 3);
    for (let p = 0; p < 24 * 16; p++) rgb.set(palette[rng.int(colours)], p * 3);
    return { width: 24, height: 16, rgb };
  });
}

async function decode(gif: Uint8Array): Promise<{ data: Buffer; channels: number; pages: number }> {
  const { data, info } = await sharp(Buffer.from(gif), { pages: -1 }).raw().toBuffer({ resolveWithObject: true });
  return { data, channels: info.channels, pages: info.height / 16 };
}

describe('GIF encoder', () => {
  it('writes frames of ≤ 256 colours exactly, with their delays', async () => {
    const f = frames(3, 200, 'exact');
    const gif = encodeGif(f, { delayMs: 120, lastDelayMs: 500 });
    expect(gifInfo(gif)).toEqual({ width: 24, height: 16, frames: 3, delays: [120, 120, 500] });
    const d = await decode(gif);
    expect(d.pages).toBe(3);
    f.forEach((frame, i) => {
      for (let p = 0; p < 24 * 16; p++) {
        const at = (i * 24 * 16 + p) * d.channels;
        expect([d.data[at], d.data[at + 1], d.data[at + 2]]).toEqual(Array.from(frame.rgb.subarray(p * 3, p * 3 + 3)));
      }
    });
  });

  it('quantises frames with more colours to one shared palette, staying close', async () => {
    const f = frames(2, 1000, 'many');
    const d = await decode(encodeGif(f));
    expect(d.pages).toBe(2);
    let err = 0;
    f.forEach((frame, i) => {
      for (let p = 0; p < 24 * 16; p++) for (let c = 0; c < 3; c++) err += Math.abs(d.data[(i * 24 * 16 + p) * d.channels + c] - frame.rgb[p * 3 + c]);
    });
    expect(err / (2 * 24 * 16 * 3)).toBeLessThan(20); // mean absolute error per channel, of 255
  });

  it('refuses frames of different sizes', () => {
    expect(() => encodeGif([{ width: 1, height: 1, rgb: new Uint8Array(3) }, { width: 2, height: 1, rgb: new Uint8Array(6) }])).toThrow(/one size/);
  });
});
