/**
 * Background (reference) data: rows of training data for tables (LIME's discretiser statistics,
 * KernelSHAP's expectation), or reference inputs for images and signals. Given in the options as
 * nested arrays (one example per entry) or as an NdArray-like {data, shape}; the CLI can fill it
 * from a .npy file.
 */
import { z } from 'zod';
import type { NdArray } from '../../../core/ndarray.js';
import { sizeOf } from '../../../core/ndarray.js';
import { fail } from '../../../core/errors.js';
import type { Rng } from '../../../core/random.js';

type Nested = number | Nested[];
const nested: z.ZodType<Nested> = z.lazy(() => z.union([z.number(), z.array(nested)]));

export const backgroundOption = z
  .union([
    z.array(nested),
    z.object({ data: z.union([z.instanceof(Float32Array), z.array(z.number())]), shape: z.array(z.number().int().positive()) }),
  ])
  .optional()
  .describe('background examples (e.g. rows of training data), shaped [B, ...input shape]');

export type BackgroundOption = z.infer<typeof backgroundOption>;

/** The background as [B, ...inputShape], or undefined; fails with a fix when it does not fit. */
export function parseBackground(value: BackgroundOption, inputShape: number[], method: string): NdArray | undefined {
  if (value === undefined) return undefined;
  const per = sizeOf(inputShape);
  let data: Float32Array;
  if (Array.isArray(value)) {
    const flat = (value as Nested[]).flat(Infinity as 1) as unknown as number[];
    data = Float32Array.from(flat);
  } else {
    data = value.data instanceof Float32Array ? value.data : Float32Array.from(value.data);
    if (sizeOf(value.shape) !== data.length) fail(`${method}: background shape [${value.shape.join(', ')}] does not match its ${data.length} values`);
  }
  if (data.length === 0 || data.length % per !== 0) {
    fail(`${method}: background has ${data.length} values, not a whole number of examples of shape [${inputShape.join(', ')}]: give [B, ${inputShape.join(', ')}] data`);
  }
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) fail(`${method}: background contains NaN or infinite values: clean it first`);
  }
  return { data, shape: [data.length / per, ...inputShape] };
}

/** At most `max` examples, chosen without replacement by a seeded generator (all when fewer). */
export function subsampleBackground(bg: NdArray, max: number, rng: Rng): NdArray {
  const b = bg.shape[0];
  if (b <= max) return bg;
  const per = bg.data.length / b;
  const pick = rng.permutation(b).subarray(0, max).sort();
  const data = new Float32Array(max * per);
  pick.forEach((r, i) => data.set(bg.data.subarray(r * per, (r + 1) * per), i * per));
  return { data, shape: [max, ...bg.shape.slice(1)] };
}

/** Per-position mean over the background examples. */
export function backgroundMean(bg: NdArray): Float32Array {
  const b = bg.shape[0];
  const per = bg.data.length / b;
  const out = new Float64Array(per);
  for (let r = 0; r < b; r++) for (let i = 0; i < per; i++) out[i] += bg.data[r * per + i];
  return Float32Array.from(out, (v) => v / b);
}
