/**
 * Animated GIFs from RGB frames (npm gifenc). Frames made of at most 256 distinct colours (the
 * dynamics pictures are: a 200-step colour map plus a few annotation colours) are written
 * exactly, with one global palette; others are quantised to one palette shared by all frames, so
 * colours do not flicker between frames.
 */
import * as gifencModule from 'gifenc';
import { fail } from '../core/errors.js';
import type { RgbImage } from './raster.js';

// Node loads gifenc's CommonJS build (everything on `default`); bundlers and vitest its ESM build.
const gifenc: typeof gifencModule.default =
  typeof (gifencModule as { GIFEncoder?: unknown }).GIFEncoder === 'function' ? gifencModule : gifencModule.default;

export interface GifOptions {
  /** Milliseconds per frame (GIF stores hundredths of a second). */
  delayMs?: number;
  /** Extra time on the last frame, milliseconds. */
  lastDelayMs?: number;
  /** 0 = loop forever (default), -1 = play once. */
  repeat?: number;
}

export function encodeGif(frames: RgbImage[], options: GifOptions = {}): Uint8Array {
  if (frames.length === 0) fail('an animation needs at least one frame');
  const { width, height } = frames[0];
  for (const f of frames) {
    if (f.width !== width || f.height !== height) fail(`GIF frames must share one size: ${f.width}×${f.height} differs from ${width}×${height}`);
  }
  const delay = options.delayMs ?? 400;
  const { palette, index } = paletteFor(frames);
  const gif = gifenc.GIFEncoder();
  frames.forEach((f, i) => {
    const last = i === frames.length - 1;
    gif.writeFrame(index(f), width, height, {
      ...(i === 0 ? { palette, repeat: options.repeat ?? 0 } : {}),
      delay: last ? (options.lastDelayMs ?? delay) : delay,
    });
  });
  gif.finish();
  return gif.bytes();
}

function paletteFor(frames: RgbImage[]): { palette: number[][]; index: (f: RgbImage) => Uint8Array } {
  const colours = new Map<number, number>();
  for (const f of frames) {
    const p = f.rgb;
    for (let i = 0; i < p.length && colours.size <= 256; i += 3) {
      const key = (p[i] << 16) | (p[i + 1] << 8) | p[i + 2];
      if (!colours.has(key)) colours.set(key, colours.size);
    }
  }
  if (colours.size <= 256) {
    const palette = [...colours.keys()].map((k) => [(k >> 16) & 255, (k >> 8) & 255, k & 255]);
    // GIF colour tables have a power-of-two size of at least 2 entries.
    while (palette.length < 2 || (palette.length & (palette.length - 1)) !== 0) palette.push([0, 0, 0]);
    return {
      palette,
      index: (f) => {
        const out = new Uint8Array(f.width * f.height);
        for (let i = 0, j = 0; j < out.length; i += 3, j++) out[j] = colours.get((f.rgb[i] << 16) | (f.rgb[i + 1] << 8) | f.rgb[i + 2])!;
        return out;
      },
    };
  }
  // Too many colours: one quantised palette from (a sample of) every frame.
  const stride = Math.max(1, Math.floor(frames.length / 16));
  const sample = frames.filter((_, i) => i % stride === 0).map(rgba);
  const all = new Uint8Array(sample.reduce((n, s) => n + s.length, 0));
  let at = 0;
  for (const s of sample) {
    all.set(s, at);
    at += s.length;
  }
  const palette = gifenc.quantize(all, 256);
  return { palette, index: (f) => gifenc.applyPalette(rgba(f), palette) };
}

function rgba(f: RgbImage): Uint8Array {
  const out = new Uint8Array(f.width * f.height * 4);
  for (let i = 0, j = 0; i < f.rgb.length; i += 3, j += 4) {
    out[j] = f.rgb[i];
    out[j + 1] = f.rgb[i + 1];
    out[j + 2] = f.rgb[i + 2];
    out[j + 3] = 255;
  }
  return out;
}

/** Reads back the frame count and size of a GIF (tests, sanity checks); counts image descriptors. */
export function gifInfo(bytes: Uint8Array): { width: number; height: number; frames: number; delays: number[] } {
  const sig = String.fromCharCode(...bytes.subarray(0, 6));
  if (sig !== 'GIF89a' && sig !== 'GIF87a') fail('not a GIF file');
  const width = bytes[6] | (bytes[7] << 8);
  const height = bytes[8] | (bytes[9] << 8);
  let p = 13;
  if (bytes[10] & 0x80) p += 3 * (1 << ((bytes[10] & 7) + 1));
  let frames = 0;
  const delays: number[] = [];
  const skipBlocks = () => {
    while (bytes[p] !== 0) p += bytes[p] + 1;
    p++;
  };
  while (p < bytes.length) {
    const b = bytes[p];
    if (b === 0x3b) break;
    if (b === 0x21) {
      const label = bytes[p + 1];
      if (label === 0xf9) delays.push((bytes[p + 4] | (bytes[p + 5] << 8)) * 10);
      p += 2;
      skipBlocks();
    } else if (b === 0x2c) {
      frames++;
      const packed = bytes[p + 9];
      p += 10;
      if (packed & 0x80) p += 3 * (1 << ((packed & 7) + 1));
      p++; // LZW minimum code size
      skipBlocks();
    } else {
      fail(`corrupt GIF: unexpected byte 0x${b.toString(16)} at ${p}`);
    }
  }
  return { width, height, frames, delays };
}
