/**
 * Helpers every loader shares: picking rows out of a split, carving a stratified validation (or
 * test) split with a seed, and the options all loaders accept.
 */
import { z } from 'zod';
import { fail } from '../../core/errors.js';
import { createRng } from '../../core/random.js';
import { stratifiedHoldout } from '../kfold.js';
import { exampleSize, type Split } from './dataset.js';

/** Options every loader takes. */
export const commonOptionsShape = {
  seed: z.number().int().default(0).describe('seed for generation and for the validation split'),
  validationFraction: z
    .number()
    .min(0)
    .max(0.9)
    .default(0.1)
    .describe('fraction of the training examples held out as validation (stratified); 0 for none'),
};

/** Rows `indices` of `split` (x, y and, when present, masks and boxes), in that order. */
export function selectRows(split: Split, inputShape: number[], indices: ArrayLike<number>): Split {
  const size = exampleSize(inputShape);
  const n = indices.length;
  const x = new Float32Array(n * size);
  const y = new Int32Array(n);
  const maskSize = split.masks ? split.masks.length / Math.max(split.count, 1) : 0;
  const masks = split.masks ? new Uint8Array(n * maskSize) : undefined;
  const boxes = split.boxes ? new Float32Array(n * 4) : undefined;
  for (let r = 0; r < n; r++) {
    const i = indices[r];
    if (!(i >= 0 && i < split.count))
      throw new RangeError(`row ${i} outside split of ${split.count}`);
    x.set(split.x.subarray(i * size, (i + 1) * size), r * size);
    y[r] = split.y[i];
    if (masks) masks.set(split.masks!.subarray(i * maskSize, (i + 1) * maskSize), r * maskSize);
    if (boxes) boxes.set(split.boxes!.subarray(i * 4, i * 4 + 4), r * 4);
  }
  const out: Split = { x, y, count: n };
  if (masks) out.masks = masks;
  if (boxes) out.boxes = boxes;
  return out;
}

/**
 * Holds out a stratified `fraction` of `split` (seeded). Returns the rest and the held-out part;
 * `held` is undefined when the fraction is 0 or rounds to no example.
 */
export function holdOut(
  split: Split,
  inputShape: number[],
  fraction: number,
  seed: number | string,
): { rest: Split; held?: Split } {
  if (fraction <= 0) return { rest: split };
  const { kept, held } = stratifiedHoldout(split.y, fraction, seed);
  if (held.length === 0) return { rest: split };
  if (kept.length === 0)
    fail(
      `holding out ${fraction} of ${split.count} examples leaves none to train on: lower the fraction`,
    );
  return { rest: selectRows(split, inputShape, kept), held: selectRows(split, inputShape, held) };
}

/** Train and validation splits from a full training split; the seed is salted so it differs from other uses. */
export function carveValidation(
  train: Split,
  inputShape: number[],
  fraction: number,
  seed: number,
): { train: Split; validation?: Split } {
  const { rest, held } = holdOut(train, inputShape, fraction, `validation:${seed}`);
  return held ? { train: rest, validation: held } : { train: rest };
}

/** The rows of `split` in a seeded random order (sources that list examples class by class). */
export function shuffleRows(split: Split, inputShape: number[], seed: number): Split {
  return selectRows(split, inputShape, createRng(`order:${seed}`).permutation(split.count));
}

/** Number of examples of each class 0 … numClasses-1. */
export function classCounts(y: ArrayLike<number>, numClasses: number): number[] {
  const counts = new Array<number>(numClasses).fill(0);
  for (let i = 0; i < y.length; i++) counts[y[i]]++;
  return counts;
}

/** The first `limit` rows (all when limit is undefined or ≥ count). */
export function firstRows(split: Split, inputShape: number[], limit: number | undefined): Split {
  if (limit === undefined || limit >= split.count) return split;
  return selectRows(
    split,
    inputShape,
    Int32Array.from({ length: limit }, (_, i) => i),
  );
}

/** Parses loader options with `schema`; a bad option is a one-line GlassboxError. */
export function parseOptions<S extends z.ZodType>(
  schema: S,
  options: unknown,
  loader: string,
): z.output<S> {
  const r = schema.safeParse(options ?? {});
  if (!r.success) {
    const issues = r.error.issues
      .map((i) => `${i.path.join('.') || '(options)'}: ${i.message}`)
      .join('; ');
    fail(`invalid options for data set "${loader}": ${issues}`);
  }
  return r.data;
}
