/**
 * Lays per-channel pictures out as one grid, ready to encode as an image: the form feature maps
 * and filter visualisations are shown in.
 */
import type { NdArray } from '../../core/ndarray.js';

export interface TileOptions {
  /** Tiles per row; default ⌈√K⌉. */
  columns?: number;
  /** Positions between tiles. Default 1. */
  gap?: number;
  /** Value of the gaps (after normalisation). Default 1 (white). */
  fill?: number;
  /** Min–max normalise each tile to [0, 1] (default), all tiles together, or not at all. */
  normalise?: 'each' | 'together' | 'none';
}

/**
 * Tiles [K, H, W] or [K, H, W, C] into [rows·H + gaps, cols·W + gaps(, C)]. 1-D tiles [K, L]
 * (signals) become rows of a [K·(1 + gap) − gap, L] strip picture.
 */
export function tileGrid(tiles: NdArray, options: TileOptions = {}): NdArray {
  const [k, ...tail] = tiles.shape;
  const gap = options.gap ?? 1;
  const fill = options.fill ?? 1;
  const mode = options.normalise ?? 'each';
  const per = tail.reduce((a, b) => a * b, 1);
  const data = normalise(tiles.data, k, per, mode);
  const oneD = tail.length === 1;
  const h = oneD ? 1 : tail[0];
  const w = oneD ? tail[0] : tail[1];
  const c = tail.length === 3 ? tail[2] : 1;
  const columns = oneD ? 1 : Math.max(1, Math.min(k, options.columns ?? Math.ceil(Math.sqrt(k))));
  const rows = Math.ceil(k / columns);
  const outH = rows * h + (rows - 1) * gap;
  const outW = columns * w + (columns - 1) * gap;
  const out = new Float32Array(outH * outW * c).fill(fill);
  for (let t = 0; t < k; t++) {
    const y0 = Math.floor(t / columns) * (h + gap);
    const x0 = (t % columns) * (w + gap);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        for (let ch = 0; ch < c; ch++)
          out[((y0 + y) * outW + x0 + x) * c + ch] = data[t * per + (y * w + x) * c + ch];
      }
    }
  }
  return { data: out, shape: tail.length === 3 ? [outH, outW, c] : [outH, outW] };
}

function normalise(
  src: Float32Array,
  k: number,
  per: number,
  mode: 'each' | 'together' | 'none',
): Float32Array {
  if (mode === 'none') return src;
  const out = new Float32Array(src.length);
  const groups = mode === 'each' ? k : 1;
  const size = mode === 'each' ? per : k * per;
  for (let g = 0; g < groups; g++) {
    let lo = Infinity;
    let hi = -Infinity;
    for (let j = g * size; j < (g + 1) * size; j++) {
      lo = Math.min(lo, src[j]);
      hi = Math.max(hi, src[j]);
    }
    const span = hi - lo;
    for (let j = g * size; j < (g + 1) * size; j++) out[j] = span > 0 ? (src[j] - lo) / span : 0;
  }
  return out;
}
