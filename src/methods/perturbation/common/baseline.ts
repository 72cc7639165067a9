/**
 * What "removed" means for a perturbation method: the values a hidden part of the input takes.
 * A constant, the input's own per-channel mean, a Gaussian blur of the input (removes detail but
 * keeps colour and layout), or, for superpixel methods, each segment's mean colour (lime's
 * default `hide_color=None`).
 */
import { z } from 'zod';
import { fail } from '../../../core/errors.js';

export type Baseline = number | 'mean' | 'blur' | 'segment-mean';

export const baselineOption = z
  .union([z.number(), z.enum(['mean', 'blur'])])
  .describe('value of hidden parts: a number, "mean" (per-channel mean of the input) or "blur" (Gaussian blur of the input)');

export const groupBaselineOption = z
  .union([z.number(), z.enum(['mean', 'blur', 'segment-mean'])])
  .describe('value of hidden segments: a number, "mean", "blur", or "segment-mean" (each segment\'s own mean colour)');

export const blurSigmaOption = z
  .number()
  .positive()
  .optional()
  .describe('standard deviation in positions of the "blur" baseline; default: the smallest grid side / 20, at least 1');

/**
 * The baseline for one example `x` laid out as positions × channels over `grid`.
 * `labels`/`groupCount` are needed only for 'segment-mean'.
 */
export function baselineFor(
  x: Float32Array,
  grid: number[],
  channels: number,
  baseline: Baseline,
  options: { blurSigma?: number; labels?: Int32Array; groupCount?: number } = {},
): Float32Array {
  const positions = x.length / channels;
  const out = new Float32Array(x.length);
  if (typeof baseline === 'number') return out.fill(baseline);
  if (baseline === 'mean') {
    for (let c = 0; c < channels; c++) {
      let s = 0;
      for (let p = 0; p < positions; p++) s += x[p * channels + c];
      const m = s / positions;
      for (let p = 0; p < positions; p++) out[p * channels + c] = m;
    }
    return out;
  }
  if (baseline === 'blur') {
    const sigma = options.blurSigma ?? Math.max(1, Math.min(...grid) / 20);
    return gaussianBlur(x, grid, channels, sigma);
  }
  const { labels, groupCount } = options;
  if (!labels || groupCount === undefined) fail('baseline "segment-mean" needs segments: use it with LIME or KernelSHAP');
  const sums = new Float64Array(groupCount * channels);
  const counts = new Float64Array(groupCount);
  for (let p = 0; p < positions; p++) {
    const g = labels[p];
    counts[g]++;
    for (let c = 0; c < channels; c++) sums[g * channels + c] += x[p * channels + c];
  }
  for (let p = 0; p < positions; p++) {
    const g = labels[p];
    for (let c = 0; c < channels; c++) out[p * channels + c] = sums[g * channels + c] / counts[g];
  }
  return out;
}

/** Separable Gaussian blur over every grid axis, borders reflected (scipy's mode 'reflect'). */
export function gaussianBlur(x: Float32Array, grid: number[], channels: number, sigma: number): Float32Array {
  const radius = Math.max(1, Math.ceil(3 * sigma));
  const kernel = new Float64Array(2 * radius + 1);
  let total = 0;
  for (let i = -radius; i <= radius; i++) total += kernel[i + radius] = Math.exp((-0.5 * i * i) / (sigma * sigma));
  for (let i = 0; i < kernel.length; i++) kernel[i] /= total;
  let cur = Float64Array.from(x);
  // Axis a has stride = product of later grid sides × channels.
  for (let a = 0; a < grid.length; a++) {
    const n = grid[a];
    let stride = channels;
    for (let b = a + 1; b < grid.length; b++) stride *= grid[b];
    const next = new Float64Array(cur.length);
    const outer = cur.length / (n * stride);
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < n; i++) {
        for (let s = 0; s < stride; s++) {
          let v = 0;
          for (let k = -radius; k <= radius; k++) v += kernel[k + radius] * cur[(o * n + reflect(i + k, n)) * stride + s];
          next[(o * n + i) * stride + s] = v;
        }
      }
    }
    cur = next;
  }
  return Float32Array.from(cur);
}

/** Half-sample symmetric reflection of an index into [0, n): d c b a | a b c d | d c b a. */
function reflect(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * n;
  let j = ((i % period) + period) % period;
  if (j >= n) j = period - 1 - j;
  return j;
}
