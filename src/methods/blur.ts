/** Separable Gaussian blur over the spatial axes of [N, H, W, C] or [N, L, C] arrays. */
import type { NdArray } from '../core/ndarray.js';
import { fail } from '../core/errors.js';

/** Normalised 1-D Gaussian taps, radius ⌈3σ⌉. */
export function gaussianKernel(sigma: number): Float64Array {
  const r = Math.max(1, Math.ceil(3 * sigma));
  const k = new Float64Array(2 * r + 1);
  let s = 0;
  for (let i = -r; i <= r; i++) s += k[i + r] = Math.exp(-(i * i) / (2 * sigma * sigma));
  for (let i = 0; i < k.length; i++) k[i] /= s;
  return k;
}

/**
 * Blurs each example and channel along every spatial axis; borders replicate the edge value
 * (so a constant input stays constant). Tables have no spatial axis and are refused.
 */
export function gaussianBlur(a: NdArray, sigma: number): NdArray {
  const rank = a.shape.length;
  if (rank < 3)
    fail(
      'a blurred baseline needs inputs with a spatial axis (images or signals), not tables; choose another baseline',
    );
  const out: NdArray = { data: Float32Array.from(a.data), shape: [...a.shape] };
  if (sigma <= 0) return out;
  const k = gaussianKernel(sigma);
  for (let axis = 1; axis < rank - 1; axis++) out.data = blurAxis(out.data, a.shape, axis, k);
  return out;
}

function blurAxis(src: Float32Array, shape: number[], axis: number, k: Float64Array): Float32Array {
  const len = shape[axis];
  const inner = shape.slice(axis + 1).reduce((x, y) => x * y, 1);
  const outer = shape.slice(0, axis).reduce((x, y) => x * y, 1);
  const r = (k.length - 1) / 2;
  const dst = new Float32Array(src.length);
  for (let o = 0; o < outer; o++) {
    const base = o * len * inner;
    for (let i = 0; i < len; i++) {
      for (let j = 0; j < inner; j++) {
        let s = 0;
        for (let t = -r; t <= r; t++) {
          const p = Math.min(len - 1, Math.max(0, i + t));
          s += k[t + r] * src[base + p * inner + j];
        }
        dst[base + i * inner + j] = s;
      }
    }
  }
  return dst;
}
