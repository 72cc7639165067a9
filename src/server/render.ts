/** Pictures the pages show, made on request from a job's stored arrays. */
import sharp from 'sharp';
import type { NdArray } from '../core/ndarray.js';
import { colour, type ColormapName } from '../viz/colormap.js';
import { normaliseHeatmap } from '../viz/overlay.js';

/** Nearest-neighbour scale factor that brings the short side to at least `minSize` px. */
export function upscale(h: number, w: number, minSize = 224): number {
  return Math.max(1, Math.ceil(minSize / Math.max(1, Math.min(h, w))));
}

/**
 * The heatmap alone, coloured, as a PNG the size of the overlay. Shown over the input with CSS
 * opacity α, it blends exactly as `overlayPng` does: (1 − α)·input + α·colour.
 */
export async function heatmapPng(heatmap: NdArray, signed: boolean, colormap: ColormapName): Promise<Buffer> {
  const [h, w] = heatmap.shape;
  const t = normaliseHeatmap(heatmap.data, signed);
  const px = Buffer.alloc(h * w * 3);
  for (let p = 0; p < h * w; p++) {
    const rgb = colour(colormap, t[p]);
    for (let k = 0; k < 3; k++) px[p * 3 + k] = Math.round(rgb[k] * 255);
  }
  const s = upscale(h, w);
  return sharp(px, { raw: { width: w, height: h, channels: 3 } }).resize(w * s, h * s, { kernel: 'nearest' }).png().toBuffer();
}

/** [H, W, C] (or [H, W]) values as a PNG, min–max scaled unless already in [0, 1], upscaled for small pictures. */
export async function picturePng(picture: NdArray, minSize = 224): Promise<Buffer> {
  const [h, w] = picture.shape;
  const c = picture.shape.length === 3 ? picture.shape[2] : 1;
  const data = toUnit(picture.data);
  const channels = c === 1 || c === 3 ? c : 1;
  const px = Buffer.alloc(h * w * channels);
  for (let p = 0; p < h * w; p++) for (let k = 0; k < channels; k++) px[p * channels + k] = Math.round(data[p * c + k] * 255);
  const s = upscale(h, w, minSize);
  return sharp(px, { raw: { width: w, height: h, channels: channels as 1 | 3 } }).resize(w * s, h * s, { kernel: 'nearest' }).png().toBuffer();
}

/** Values already in [0, 1] are kept; anything else is min–max scaled. */
export function toUnit(data: Float32Array): Float32Array {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of data) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo >= 0 && hi <= 1) return data;
  const span = hi - lo || 1;
  return Float32Array.from(data, (v) => (v - lo) / span);
}
