import { z } from 'zod';
import { fail } from '../../core/errors.js';
import type { Rng } from '../../core/random.js';
import { exampleRng } from '../example-rng.js';
import { defineMethod, type MethodContext } from '../method.js';
import { segmentationOptions, segmentInput, type FeatureGroups } from '../superpixels/index.js';
import { classifierOperator, type Operator } from './common/operator.js';
import { gridOf, methodSeed, PassCounter, runOptions, scorePerturbations } from './common/runner.js';
import { baselineFor, blurSigmaOption, groupBaselineOption } from './common/baseline.js';
import { backgroundOption, parseBackground } from './common/background.js';
import { weightedRidge } from './common/linalg.js';
import { limeTabular, tabularExtras, tabularStats, type LimeFit } from './lime-tabular.js';

export const limeOptions = z.strictObject({
  samples: z.number().int().min(2).optional().describe('perturbed samples (the first is the input itself); default 1000, tables 5000'),
  kernelWidth: z.number().positive().optional().describe('width of the exponential kernel; default 0.25 on cosine distance (images, signals), 0.75·√F on Euclidean distance (tables)'),
  alpha: z.number().min(0).default(1).describe('ridge penalty of the surrogate (lime uses sklearn Ridge(alpha=1))'),
  ...segmentationOptions,
  baseline: groupBaselineOption.default('segment-mean').describe('value of switched-off segments (lime: each segment\'s mean colour)'),
  blurSigma: blurSigmaOption,
  topK: z.number().int().min(0).default(5).describe('how many segments to list, strongest positive weight first, in extras'),
  discretizer: z.enum(['quartile', 'decile', 'none']).default('quartile').describe('tables: how background data discretises features'),
  background: backgroundOption.describe('tables: training rows (needed for the discretiser and sampling)'),
  ...runOptions,
});
export type LimeOptions = z.infer<typeof limeOptions>;

/**
 * LIME over feature groups of one example (positions × channels): binary samples switch groups on
 * (the input) or off (`replacement`), weights √exp(−d²/w²) of the cosine distance to the all-on
 * row, weighted ridge regression on the indicators. Row 0 is the input itself.
 */
export async function limeGroups(
  x: Float32Array,
  exampleShape: number[],
  channels: number,
  groups: FeatureGroups,
  replacement: Float32Array,
  op: Operator,
  settings: { samples: number; kernelWidth: number; alpha: number; batchSize: number },
  rng: Rng,
  passes: PassCounter,
): Promise<LimeFit> {
  const m = groups.count;
  const n = settings.samples;
  const z = new Uint8Array(n * m);
  z.fill(1, 0, m);
  for (let i = m; i < z.length; i++) z[i] = rng.next() < 0.5 ? 1 : 0;
  const { labels } = groups;
  const y = await scorePerturbations(op, exampleShape, n, settings.batchSize, (i, out) => {
    const row = i * m;
    for (let p = 0; p < labels.length; p++) {
      const src = z[row + labels[p]] ? x : replacement;
      for (let c = 0; c < channels; c++) out[p * channels + c] = src[p * channels + c];
    }
  }, passes);
  const w = new Float64Array(n);
  const design = new Float64Array(n * m);
  for (let r = 0; r < n; r++) {
    let on = 0;
    for (let j = 0; j < m; j++) on += design[r * m + j] = z[r * m + j];
    // Cosine distance to the all-ones row; an all-zero row counts as distance 1 (sklearn).
    const d = on === 0 ? 1 : 1 - Math.sqrt(on / m);
    w[r] = Math.sqrt(Math.exp(-(d * d) / (settings.kernelWidth * settings.kernelWidth)));
  }
  const fit = weightedRidge(design, y, w, n, m, settings.alpha);
  let local = fit.intercept;
  for (let j = 0; j < m; j++) local += fit.coef[j];
  return { weights: fit.coef, intercept: fit.intercept, r2: fit.r2, localPrediction: local };
}

/**
 * lime's get_image_and_mask: the positions of the k segments with the largest weights (or only
 * positive ones), as a 0/1 mask over the grid.
 */
export function topSegmentsMask(labels: Int32Array, weights: ArrayLike<number>, k: number, positiveOnly = true): Uint8Array {
  const order = Array.from(weights, (w, j) => [w, j] as const)
    .filter(([w]) => !positiveOnly || w > 0)
    .sort((a, b) => b[0] - a[0])
    .slice(0, k)
    .map(([, j]) => j);
  const keep = new Set(order);
  return Uint8Array.from(labels, (g) => (keep.has(g) ? 1 : 0));
}

/** LIME: a local linear surrogate over superpixels, signal windows or discretised columns. */
export const lime = defineMethod({
  name: 'lime',
  title: 'LIME',
  family: 'perturbation',
  reference:
    'Ribeiro, Singh & Guestrin 2016, "Why Should I Trust You?" (as in the lime package: images split by quickshift or SLIC, ' +
    'segments switched off to their mean colour, kernel √exp(−d²/0.25²) on cosine distance, Ridge(alpha=1); ' +
    'tables discretised by quartiles of background data, kernel width 0.75·√F)',
  needs: 'predict',
  kinds: ['image', 'signal', 'table'],
  reduce: 'mean',
  signed: true,
  options: limeOptions,
  async attribute(ctx: MethodContext, inputs, targets, options) {
    const { model } = ctx;
    const seed = methodSeed(ctx, options);
    const n = inputs.shape[0];
    const per = inputs.data.length / n;
    const out = new Float32Array(inputs.data.length);
    const extras: Record<string, number>[] = [];
    const table = model.kind === 'table';
    const samples = options.samples ?? (table ? 5000 : 1000);
    const passes = new PassCounter(ctx, n * samples);
    const settings = { samples, alpha: options.alpha, batchSize: options.batchSize };

    if (table) {
      const bg = parseBackground(options.background, model.inputShape, 'lime');
      if (!bg) fail('lime on a table needs background rows to discretise and sample features: pass options.background (e.g. training data)');
      const stats = tabularStats(bg, options.discretizer);
      for (let i = 0; i < n; i++) {
        const x = inputs.data.subarray(i * per, (i + 1) * per);
        const op = classifierOperator(model, targets[i], ctx.score);
        const fit = await limeTabular(x, stats, options.discretizer, op, { ...settings, kernelWidth: options.kernelWidth }, exampleRng(seed, inputs, i), passes);
        out.set(Float32Array.from(fit.weights), i * per);
        extras.push({ intercept: fit.intercept, r2: fit.r2, localPrediction: fit.localPrediction, ...tabularExtras(stats, fit.bins, options.discretizer) });
      }
      return { attributions: { data: out, shape: [n, ...model.inputShape] }, extras };
    }

    const { grid, channels } = gridOf(model.inputShape, model.kind);
    for (let i = 0; i < n; i++) {
      const x = inputs.data.subarray(i * per, (i + 1) * per);
      const groups = segmentInput(x, model.inputShape, model.kind, options, 'quickshift', seed);
      const replacement = baselineFor(x, grid, channels, options.baseline, { blurSigma: options.blurSigma, labels: groups.labels, groupCount: groups.count });
      const op = classifierOperator(model, targets[i], ctx.score);
      const fit = await limeGroups(x, model.inputShape, channels, groups, replacement, op, { ...settings, kernelWidth: options.kernelWidth ?? 0.25 }, exampleRng(seed, inputs, i), passes);
      for (let p = 0; p < groups.labels.length; p++) {
        const v = fit.weights[groups.labels[p]];
        for (let c = 0; c < channels; c++) out[i * per + p * channels + c] = v;
      }
      const e: Record<string, number> = { intercept: fit.intercept, r2: fit.r2, localPrediction: fit.localPrediction, segments: groups.count };
      const ranked = Array.from(fit.weights, (w, j) => [w, j] as const).sort((a, b) => b[0] - a[0]).slice(0, options.topK);
      ranked.forEach(([w, j], r) => {
        e[`top${r + 1}.segment`] = j;
        e[`top${r + 1}.weight`] = w;
      });
      extras.push(e);
    }
    return { attributions: { data: out, shape: [n, ...model.inputShape] }, extras };
  },
});
