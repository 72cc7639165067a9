/**
 * What "removed" means for a perturbation method: the values a hidden part of the input takes.
 * A constant, the input's own per-channel mean, a Gaussian blur of the input (removes detail but
 * keeps colour and layout), or, for superpixel methods, each segment's mean colour (lime's
 * default `hide_color=None`).
 */
import { z } from 'zod';
import { fail } from '../../../core/errors.js';
import { gaussianBlur } from '../../blur.js';

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
  .describe('standard deviation in positions of the "blur" baseline; default: the largest grid side / 10, at least 1');

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
    // Same default σ as the path methods' blurred baseline (baselines.ts).
    const sigma = options.blurSigma ?? Math.max(1, Math.max(...grid) / 10);
    return gaussianBlur({ data: x, shape: [1, ...grid, channels] }, sigma).data;
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
