/**
 * MNIST-1D: a re-implementation of the generator published with Greydanus, "Scaling down deep
 * learning" (2020, repository greydanus/mnist1d, `make_dataset` and `transform`). Ten 12-point
 * templates, one per digit, are padded, dilated, scaled, translated, given correlated background
 * noise and iid noise, sheared and subsampled to 40 points. Same templates, defaults and order of
 * operations; the random numbers come from Glassbox's seeded generator, not NumPy's, so the
 * individual samples differ from the published pickle while following the same distribution.
 */
import { z } from 'zod';
import { createRng, type Rng } from '../../core/random.js';
import type { Dataset, Split } from './dataset.js';
import { carveValidation, commonOptionsShape, parseOptions } from './split.js';

/** The digit templates as published (before whitening). */
const RAW_TEMPLATES: number[][] = [
  [5, 6, 6.5, 6.75, 7, 7, 7, 7, 6.75, 6.5, 6, 5],
  [5, 3, 3, 3.4, 3.8, 4.2, 4.6, 5, 5.4, 5.8, 5, 5],
  [5, 6, 6.5, 6.5, 6, 5.25, 4.75, 4, 3.5, 3.5, 4, 5],
  [5, 6, 6.5, 6.5, 6, 5, 5, 6, 6.5, 6.5, 6, 5],
  [5, 4.4, 3.8, 3.2, 2.6, 2.6, 5, 5, 5, 5, 5, 5],
  [5, 3, 3, 3, 3, 5, 6, 6.5, 6.5, 6, 4.5, 5],
  [5, 4, 3.5, 3.25, 3, 3, 3, 3, 3.25, 3.5, 4, 5],
  [5, 7, 7, 6.6, 6.2, 5.8, 5.4, 5, 4.6, 4.2, 5, 5],
  [5, 4, 3.5, 3.5, 4, 5, 5, 4, 3.5, 3.5, 4, 5],
  [5, 4, 3.5, 3.5, 4, 5, 5, 5, 5, 4.7, 4.3, 5],
];

export const mnist1dOptionsSchema = z
  .object({
    ...commonOptionsShape,
    seed: z.number().int().default(42).describe('generator seed (the published default is 42)'),
    trainCount: z
      .number()
      .int()
      .positive()
      .default(4000)
      .describe('training examples (before validation)'),
    testCount: z.number().int().positive().default(1000).describe('test examples'),
    templateLength: z
      .number()
      .int()
      .min(2)
      .default(12)
      .describe('template length the padding is added to before dilation'),
    padding: z
      .tuple([z.number().int().min(0), z.number().int().min(0)])
      .default([36, 60])
      .describe('[low, high] zeros appended to the template'),
    scaleCoeff: z.number().min(0).default(0.4).describe('amplitude scaled by 1 ± scaleCoeff/2'),
    maxTranslation: z
      .number()
      .int()
      .positive()
      .default(48)
      .describe('circular shift drawn from 0 … maxTranslation−1'),
    corrNoiseScale: z
      .number()
      .min(0)
      .default(0.25)
      .describe('std of the smoothed (σ = 2) background noise'),
    iidNoiseScale: z.number().min(0).default(0.02).describe('std of the per-point noise'),
    shearScale: z
      .number()
      .min(0)
      .default(0.75)
      .describe('slope of the random linear ramp drawn from ±shearScale/2'),
    finalSeqLength: z.number().int().min(2).default(40).describe('length of the output signals'),
  })
  .strict()
  .refine((o) => o.padding[0] <= o.padding[1], {
    message: 'padding must be [low, high] with low ≤ high',
    path: ['padding'],
  })
  .refine((o) => o.maxTranslation <= o.templateLength + o.padding[1], {
    message: 'maxTranslation must not exceed templateLength + padding[1]',
    path: ['maxTranslation'],
  });
export type Mnist1dOptions = z.input<typeof mnist1dOptionsSchema>;
type Args = z.output<typeof mnist1dOptionsSchema>;

/** The ten templates after the published preprocessing: whitened, shifted to start at 0, /6. */
export function mnist1dTemplates(): Float64Array[] {
  return RAW_TEMPLATES.map((raw) => {
    const n = raw.length;
    const mean = raw.reduce((a, b) => a + b, 0) / n;
    const std = Math.sqrt(raw.reduce((a, v) => a + (v - mean) ** 2, 0) / n); // NumPy's std: ddof 0
    const w = raw.map((v) => (v - mean) / std);
    return Float64Array.from(w, (v) => (v - w[0]) / 6);
  });
}

/** Linear resampling of `x` onto `n` evenly spaced points spanning the same interval. */
export function interpolateLinear(x: ArrayLike<number>, n: number): Float64Array {
  const m = x.length;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const pos = n === 1 ? 0 : (i * (m - 1)) / (n - 1);
    const j = Math.min(Math.floor(pos), m - 2);
    const f = pos - j;
    out[i] = x[j] * (1 - f) + x[j + 1] * f;
  }
  return out;
}

/**
 * 1-D Gaussian smoothing with SciPy's `gaussian_filter` defaults: kernel radius ⌊4σ + 0.5⌋,
 * normalised weights, mode "reflect" (the edge sample repeated: d c b a | a b c d | d c b a).
 */
export function gaussianFilter1d(x: ArrayLike<number>, sigma: number): Float64Array {
  const n = x.length;
  const radius = Math.floor(4 * sigma + 0.5);
  const w = new Float64Array(2 * radius + 1);
  let sum = 0;
  for (let k = -radius; k <= radius; k++)
    sum += w[k + radius] = Math.exp((-0.5 * k * k) / (sigma * sigma));
  for (let k = 0; k < w.length; k++) w[k] /= sum;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let acc = 0;
    for (let k = -radius; k <= radius; k++) acc += w[k + radius] * x[reflectIndex(i + k, n)];
    out[i] = acc;
  }
  return out;
}

function reflectIndex(i: number, n: number): number {
  const period = 2 * n;
  let j = ((i % period) + period) % period;
  if (j >= n) j = period - 1 - j;
  return j;
}

/** One sample: the published `transform(x, t, args)`, drawing its randomness from `rng`. */
export function transformTemplate(template: Float64Array, args: Args, rng: Rng): Float64Array {
  const eps = 1e-8;
  const [padLow, padHigh] = args.padding;
  // pad: the template (+eps, so it stays distinguishable from padding) followed by p zeros
  const p = padLow + Math.floor(rng.next() * (padHigh - padLow + 1));
  const padded = new Float64Array(template.length + p);
  for (let i = 0; i < template.length; i++) padded[i] = template[i] + eps;
  // dilate to a fixed length, then scale
  const len = args.templateLength + padHigh;
  let x = interpolateLinear(padded, len);
  const scale = 1 + args.scaleCoeff * (rng.next() - 0.5);
  for (let i = 0; i < len; i++) x[i] *= scale;
  // translate: circular shift right by k ∈ [0, maxTranslation)
  const k = rng.int(args.maxTranslation);
  const shifted = new Float64Array(len);
  for (let i = 0; i < len; i++) shifted[i] = x[(i - k + len) % len];
  x = shifted;
  // correlated noise where the signal is exactly zero (the padding), then iid noise everywhere
  const white = new Float64Array(len);
  for (let i = 0; i < len; i++) white[i] = args.corrNoiseScale * rng.normal();
  const corr = gaussianFilter1d(white, 2);
  for (let i = 0; i < len; i++) if (x[i] === 0) x[i] = corr[i];
  for (let i = 0; i < len; i++) x[i] += args.iidNoiseScale * rng.normal();
  // shear: subtract a random linear ramp over [-0.5, 0.5]
  const coeff = args.shearScale * (rng.next() - 0.5);
  for (let i = 0; i < len; i++) x[i] -= coeff * (len === 1 ? -0.5 : -0.5 + i / (len - 1));
  return interpolateLinear(x, args.finalSeqLength);
}

/**
 * Generates MNIST-1D: equal numbers of each digit (remainder spread over the first digits),
 * shuffled, standardised with the mean and std of all values (train and test, as published),
 * the first `trainCount` for training and the rest for test; validation carved from training.
 */
export function loadMnist1d(options: Mnist1dOptions = {}): Dataset {
  const args = parseOptions(mnist1dOptionsSchema, options, 'mnist1d');
  const rng = createRng(args.seed);
  const templates = mnist1dTemplates();
  const total = args.trainCount + args.testCount;
  const L = args.finalSeqLength;
  const xs = new Float64Array(total * L);
  const ys = new Int32Array(total);
  let row = 0;
  for (let label = 0; label < 10; label++) {
    const perClass = Math.floor(total / 10) + (label < total % 10 ? 1 : 0);
    for (let e = 0; e < perClass; e++, row++) {
      xs.set(transformTemplate(templates[label], args, rng), row * L);
      ys[row] = label;
    }
  }
  const order = rng.permutation(total);
  let mean = 0;
  for (let i = 0; i < xs.length; i++) mean += xs[i];
  mean /= xs.length;
  let variance = 0;
  for (let i = 0; i < xs.length; i++) variance += (xs[i] - mean) ** 2;
  const std = Math.sqrt(variance / xs.length);

  const take = (from: number, count: number): Split => {
    const x = new Float32Array(count * L);
    const y = new Int32Array(count);
    for (let r = 0; r < count; r++) {
      const src = order[from + r];
      for (let t = 0; t < L; t++) x[r * L + t] = (xs[src * L + t] - mean) / std;
      y[r] = ys[src];
    }
    return { x, y, count };
  };
  const inputShape = [L, 1];
  const { train, validation } = carveValidation(
    take(0, args.trainCount),
    inputShape,
    args.validationFraction,
    args.seed,
  );
  const ds: Dataset = {
    name: 'mnist1d',
    kind: 'signal',
    inputShape,
    classNames: Array.from({ length: 10 }, (_, i) => String(i)),
    train,
    test: take(args.trainCount, args.testCount),
    normalisation: { mean: [mean], std: [std] },
    provenance:
      `generated: Glassbox re-implementation of the MNIST-1D generator (Greydanus 2020, greydanus/mnist1d), ` +
      `seed ${args.seed}, ${args.trainCount} train / ${args.testCount} test, length ${L}, padding ${args.padding.join('–')}, ` +
      `max translation ${args.maxTranslation}, shear ${args.shearScale}, noise ${args.corrNoiseScale}/${args.iidNoiseScale}; ` +
      `Glassbox RNG, not NumPy's, so samples differ from the published pickle; ` +
      `validation ${validation?.count ?? 0} held out of train (stratified)`,
  };
  if (validation) ds.validation = validation;
  return ds;
}
