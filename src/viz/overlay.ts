/**
 * Heatmap overlays: the heatmap normalised (by its maximum, or symmetrically by its maximum
 * absolute value for signed maps), coloured and alpha-blended over the input image.
 */
import sharp from 'sharp';
import type { NdArray } from '../core/ndarray.js';
import { colour, type ColormapName } from './colormap.js';

export interface OverlayOptions {
  colormap?: ColormapName;
  /** Weight of the heatmap in the blend, 0..1. */
  opacity?: number;
  signed?: boolean;
  /** Nearest-neighbour upscaling so small inputs (28×28) stay visible; default: to ≥ 224 px. */
  minSize?: number;
}

/** Values mapped to [0,1]: x/max for unsigned maps, 0.5 + x/(2·max|x|) for signed ones. */
export function normaliseHeatmap(h: Float32Array, signed: boolean): Float32Array {
  let m = 0;
  for (const v of h) m = Math.max(m, signed ? Math.abs(v) : v);
  const out = new Float32Array(h.length);
  if (m <= 0 || !Number.isFinite(m)) return signed ? out.fill(0.5) : out;
  for (let i = 0; i < h.length; i++) out[i] = signed ? 0.5 + h[i] / (2 * m) : Math.max(0, h[i] / m);
  return out;
}

/** RGB bytes of the overlay, [H, W, 3]. */
export function overlayPixels(image: NdArray, heatmap: NdArray, opts: OverlayOptions = {}): Uint8Array {
  const [h, w, c] = image.shape;
  const alpha = opts.opacity ?? 0.5;
  const signed = opts.signed ?? false;
  const map = opts.colormap ?? (signed ? 'bwr' : 'viridis');
  const t = normaliseHeatmap(heatmap.data, signed);
  const out = new Uint8Array(h * w * 3);
  for (let p = 0; p < h * w; p++) {
    const rgb = colour(map, t[p]);
    for (let k = 0; k < 3; k++) {
      const base = image.data[p * c + (c === 1 ? 0 : k)];
      out[p * 3 + k] = Math.round(255 * Math.min(1, Math.max(0, (1 - alpha) * base + alpha * rgb[k])));
    }
  }
  return out;
}

export async function overlayPng(image: NdArray, heatmap: NdArray, opts: OverlayOptions = {}): Promise<Buffer> {
  const [h, w] = image.shape;
  const px = overlayPixels(image, heatmap, opts);
  const minSize = opts.minSize ?? 224;
  const scale = Math.max(1, Math.ceil(minSize / Math.min(h, w)));
  return sharp(Buffer.from(px), { raw: { width: w, height: h, channels: 3 } })
    .resize(w * scale, h * scale, { kernel: 'nearest' })
    .png()
    .toBuffer();
}
