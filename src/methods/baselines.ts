/**
 * Reference inputs for path methods (Integrated Gradients, Expected Gradients): the "absence of
 * signal" an attribution is measured against. Sturmfels, Lundberg & Lee 2020, "Visualizing the
 * Impact of Feature Attribution Baselines", compares these choices.
 */
import { z } from 'zod';
import type { NdArray } from '../core/ndarray.js';
import { sizeOf } from '../core/ndarray.js';
import { fail } from '../core/errors.js';
import { gaussianBlur } from './blur.js';
import { exampleRng } from './example-rng.js';

export const BASELINE_KINDS = ['zero', 'black', 'white', 'blurred', 'uniform'] as const;
export type BaselineKind = (typeof BASELINE_KINDS)[number];

/** A named baseline, or a user array (one example's values, flattened, or one per input). */
export const baselineSchema = z.union([
  z.enum(BASELINE_KINDS),
  z.array(z.number()),
  z.instanceof(Float32Array),
]);
export type BaselineOption = z.infer<typeof baselineSchema>;

export const rangeSchema = z
  .tuple([z.number(), z.number()])
  .refine(([lo, hi]) => lo < hi, 'range must be [low, high] with low < high')
  .optional()
  .describe(
    "input value range [low, high] for black/white/uniform baselines; default: each input's own min and max",
  );

export interface BaselineSettings {
  range?: [number, number];
  /** Gaussian blur σ in positions; default: a tenth of the largest spatial size (at least 1). */
  blurSigma?: number;
}

/** [low, high] of example i: the given range, or the example's own min and max. */
export function exampleRange(
  inputs: NdArray,
  i: number,
  range?: [number, number],
): [number, number] {
  if (range) return range;
  const per = sizeOf(inputs.shape.slice(1));
  let lo = Infinity;
  let hi = -Infinity;
  for (let j = i * per; j < (i + 1) * per; j++) {
    const v = inputs.data[j];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}

/**
 * One baseline per input, [N, ...inputShape]. Uniform noise is drawn per example from `seed`
 * and the example (see example-rng.ts), so a seed reproduces it exactly.
 */
export function makeBaselines(
  inputs: NdArray,
  option: BaselineOption,
  settings: BaselineSettings,
  seed = 0,
): NdArray {
  const n = inputs.shape[0];
  const per = sizeOf(inputs.shape.slice(1));
  const out = new Float32Array(n * per);
  if (typeof option !== 'string') {
    if (option.length === per) for (let i = 0; i < n; i++) out.set(option, i * per);
    else if (option.length === n * per) out.set(option);
    else
      fail(
        `baseline array has ${option.length} values; give ${per} (one example of shape [${inputs.shape.slice(1).join(', ')}]) or ${n * per} (one per input)`,
      );
    return { data: out, shape: [...inputs.shape] };
  }
  if (option === 'blurred') {
    const sigma = settings.blurSigma ?? Math.max(1, Math.max(...inputs.shape.slice(1, -1)) / 10);
    return gaussianBlur(inputs, sigma);
  }
  for (let i = 0; i < n; i++) {
    const [lo, hi] = exampleRange(inputs, i, settings.range);
    const row = out.subarray(i * per, (i + 1) * per);
    if (option === 'black') row.fill(lo);
    else if (option === 'white') row.fill(hi);
    else if (option === 'uniform') {
      const rng = exampleRng(seed, inputs, i);
      for (let j = 0; j < per; j++) row[j] = rng.uniform(lo, hi);
    }
  }
  return { data: out, shape: [...inputs.shape] };
}
