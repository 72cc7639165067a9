import { z } from 'zod';
import { fail } from '../../core/errors.js';
import type { NdArray } from '../../core/ndarray.js';
import { createRng, type Rng } from '../../core/random.js';
import { exampleRng } from '../example-rng.js';
import { defineMethod, type MethodContext } from '../method.js';
import { segmentationOptions, segmentInput, type FeatureGroups } from '../superpixels/index.js';
import { classifierOperator, type Operator } from './common/operator.js';
import { gridOf, methodSeed, PassCounter, runOptions, scorePerturbations } from './common/runner.js';
import { baselineFor, blurSigmaOption, groupBaselineOption } from './common/baseline.js';
import { backgroundOption, parseBackground, subsampleBackground } from './common/background.js';
import { solveSymmetric, weightedNormalEquations } from './common/linalg.js';

export const kernelShapOptions = z.strictObject({
  samples: z.number().int().min(1).optional().describe('coalitions to evaluate; default 2M + 2048 (shap\'s "auto"); all 2^M − 2 are enumerated when that is no more'),
  ...segmentationOptions,
  baseline: groupBaselineOption.default('blur').describe('images/signals without background data: the value of absent segments'),
  blurSigma: blurSigmaOption,
  background: backgroundOption.describe('background examples whose average stands for "absent" features (required for tables)'),
  maxBackground: z.number().int().positive().default(100).describe('use at most this many background examples (seeded subsample)'),
  ...runOptions,
});
export type KernelShapOptions = z.infer<typeof kernelShapOptions>;

export interface Coalitions {
  /** count × M, 1 = feature present. */
  masks: Uint8Array;
  /** Shapley kernel weight of every coalition (any common scale). */
  weights: Float64Array;
  count: number;
  exact: boolean;
}

export function binomial(n: number, k: number): number {
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return r < 2 ** 53 ? Math.round(r) : r;
}

/** All subsets of {0…m-1} of size k, in lexicographic order, each passed as an index array. */
function forEachCombination(m: number, k: number, visit: (idx: Int32Array) => void): void {
  const idx = Int32Array.from({ length: k }, (_, i) => i);
  for (;;) {
    visit(idx);
    let i = k - 1;
    while (i >= 0 && idx[i] === m - k + i) i--;
    if (i < 0) return;
    idx[i]++;
    for (let j = i + 1; j < k; j++) idx[j] = idx[j - 1] + 1;
  }
}

/**
 * The coalitions KernelSHAP evaluates, as shap's KernelExplainer chooses them: subset sizes are
 * enumerated completely (with their complements) from the smallest while the budget covers them,
 * the rest is sampled by kernel weight in complementary pairs. With 2^M − 2 ≤ `samples`, every
 * coalition is enumerated and the result is the exact Shapley value.
 */
export function shapleyCoalitions(m: number, samples: number, rng: Rng): Coalitions {
  const rows: Uint8Array[] = [];
  const weights: number[] = [];
  const add = (mask: Uint8Array, w: number) => {
    rows.push(mask);
    weights.push(w);
  };
  const total = m <= 30 ? 2 ** m - 2 : Infinity;
  const budget = Math.min(samples, total);
  const sizes = Math.ceil((m - 1) / 2);
  const paired = Math.floor((m - 1) / 2);
  const kernel = Array.from({ length: sizes }, (_, i) => (m - 1) / ((i + 1) * (m - i - 1)) * (i < paired ? 2 : 1));
  const ksum = kernel.reduce((a, b) => a + b, 0);
  const wv = kernel.map((k) => k / ksum);
  let left = budget;
  let full = 0;
  let remaining = [...wv];
  for (let size = 1; size <= sizes; size++) {
    let nsub = binomial(m, size);
    if (size <= paired) nsub *= 2;
    if (!((left * remaining[size - 1]) / nsub >= 1 - 1e-8)) break;
    full++;
    left -= nsub;
    if (remaining[size - 1] < 1) {
      const r = 1 - remaining[size - 1];
      remaining = remaining.map((v) => v / r);
    }
    let w = wv[size - 1] / binomial(m, size);
    if (size <= paired) w /= 2;
    forEachCombination(m, size, (idx) => {
      const mask = new Uint8Array(m);
      for (const j of idx) mask[j] = 1;
      add(mask, w);
      if (size <= paired) add(mask.map((v) => 1 - v), w);
    });
  }
  const fixed = rows.length;
  if (full !== sizes && left > 0) {
    const rest = wv.map((v, i) => (i < paired ? v / 2 : v)).slice(full);
    const restSum = rest.reduce((a, b) => a + b, 0);
    const probs = rest.map((v) => v / restSum);
    const seen = new Map<string, number>();
    let draws = 0;
    while (left > 0 && draws < 4 * budget) {
      draws++;
      let u = rng.next();
      let pick = 0;
      while (pick < probs.length - 1 && u >= probs[pick]) u -= probs[pick++];
      const size = pick + full + 1;
      const mask = new Uint8Array(m);
      const perm = rng.permutation(m);
      for (let j = 0; j < size; j++) mask[perm[j]] = 1;
      const key = mask.join('');
      const at = seen.get(key);
      if (at === undefined) {
        seen.set(key, rows.length);
        add(mask, 1);
        left--;
        if (left > 0 && size <= paired) {
          add(mask.map((v) => 1 - v), 1);
          left--;
        }
      } else {
        weights[at] += 1;
        if (size <= paired && at + 1 < rows.length) weights[at + 1] += 1;
      }
    }
    const weightLeft = wv.slice(full).reduce((a, b) => a + b, 0);
    let sampled = 0;
    for (let i = fixed; i < weights.length; i++) sampled += weights[i];
    for (let i = fixed; i < weights.length; i++) weights[i] *= weightLeft / sampled;
  }
  const masks = new Uint8Array(rows.length * m);
  rows.forEach((r, i) => masks.set(r, i * m));
  return { masks, weights: Float64Array.from(weights), count: rows.length, exact: budget === total };
}

/**
 * Solves KernelSHAP's weighted least squares under the constraint Σφ = f(x) − E[f(background)]
 * (shap's elimination of the last feature), given the expected score of every coalition.
 */
export function solveShapley(c: Coalitions, m: number, values: Float64Array, fx: number, fnull: number): Float64Array {
  const total = fx - fnull;
  const phi = new Float64Array(m);
  if (m === 1) {
    phi[0] = total;
    return phi;
  }
  const d = m - 1;
  const X = new Float64Array(c.count * d);
  const y = new Float64Array(c.count);
  for (let s = 0; s < c.count; s++) {
    const last = c.masks[s * m + d];
    y[s] = values[s] - fnull - last * total;
    for (let j = 0; j < d; j++) X[s * d + j] = c.masks[s * m + j] - last;
  }
  const { xtx, xty } = weightedNormalEquations(X, y, c.weights, c.count, d);
  const w = solveSymmetric(xtx, xty, d);
  let sum = 0;
  for (let j = 0; j < d; j++) sum += phi[j] = w[j];
  phi[d] = total - sum;
  return phi;
}

/**
 * KernelSHAP values of the feature groups of one example (positions × channels). "Absent" groups
 * take the values of each background example in turn (a [B, ...] array) and scores are averaged.
 */
export async function kernelShapGroups(
  x: Float32Array,
  exampleShape: number[],
  channels: number,
  groups: FeatureGroups,
  background: NdArray,
  op: Operator,
  coalitions: Coalitions,
  batchSize: number,
  passes: PassCounter,
): Promise<{ phi: Float64Array; fx: number; fnull: number }> {
  const m = groups.count;
  const b = background.shape[0];
  const per = x.length;
  const runs = groupRuns(groups.labels, m, channels);
  // Index 0: x; 1…B: background rows; then coalition s with background row r at 1 + B + s·B + r.
  const count = 1 + b + coalitions.count * b;
  const scores = await scorePerturbations(op, exampleShape, count, batchSize, (i, out) => {
    if (i === 0) return out.set(x);
    if (i <= b) return out.set(background.data.subarray((i - 1) * per, i * per));
    const s = Math.floor((i - 1 - b) / b);
    const r = (i - 1 - b) % b;
    const bg = background.data.subarray(r * per, (r + 1) * per);
    out.set(bg);
    for (let g = 0; g < m; g++) {
      if (!coalitions.masks[s * m + g]) continue;
      const run = runs[g];
      for (let k = 0; k < run.length; k += 2) {
        const a = run[k];
        const e = run[k + 1];
        if (e - a >= 64) out.set(x.subarray(a, e), a);
        else for (let q = a; q < e; q++) out[q] = x[q];
      }
    }
  }, passes);
  const fx = scores[0];
  let fnull = 0;
  for (let r = 1; r <= b; r++) fnull += scores[r];
  fnull /= b;
  const values = new Float64Array(coalitions.count);
  for (let s = 0; s < coalitions.count; s++) {
    let v = 0;
    for (let r = 0; r < b; r++) v += scores[1 + b + s * b + r];
    values[s] = v / b;
  }
  return { phi: solveShapley(coalitions, m, values, fx, fnull), fx, fnull };
}

/**
 * The value ranges [start, end) of each group in a positions × channels layout, as maximal runs of
 * consecutive positions: a coalition is then the background with its present groups copied over
 * run by run, instead of a label lookup per position.
 */
export function groupRuns(labels: Int32Array, count: number, channels: number): Int32Array[] {
  const runs: number[][] = Array.from({ length: count }, () => []);
  for (let p = 0; p < labels.length; ) {
    const g = labels[p];
    let e = p + 1;
    while (e < labels.length && labels[e] === g) e++;
    runs[g].push(p * channels, e * channels);
    p = e;
  }
  return runs.map((r) => Int32Array.from(r));
}

/** KernelSHAP: Shapley values of feature groups by weighted linear regression over coalitions. */
export const kernelShap = defineMethod({
  name: 'kernel-shap',
  title: 'KernelSHAP',
  family: 'perturbation',
  reference:
    'Lundberg & Lee 2017, "A Unified Approach to Interpreting Model Predictions" (Shapley kernel weights, paired sampling and ' +
    'the constrained least squares of shap\'s KernelExplainer, so values sum to f(x) − E[f(background)]; no l1 feature selection; ' +
    'every position of a group carries the group\'s value, as Captum does)',
  needs: 'predict',
  kinds: ['image', 'signal', 'table'],
  reduce: 'mean',
  signed: true,
  options: kernelShapOptions,
  async attribute(ctx: MethodContext, inputs, targets, options) {
    const { model } = ctx;
    const seed = methodSeed(ctx, options);
    const n = inputs.shape[0];
    const per = inputs.data.length / n;
    const { grid, channels } = gridOf(model.inputShape, model.kind);
    let background = parseBackground(options.background, model.inputShape, 'kernel-shap');
    if (!background && model.kind === 'table') {
      fail('kernel-shap on a table needs background rows to stand for absent features: pass options.background (e.g. up to 100 training rows)');
    }
    if (background) background = subsampleBackground(background, options.maxBackground, createRng(`kernel-shap:background:${seed}`));
    // Segment every example first so the progress total is known.
    const plans = Array.from({ length: n }, (_, i) => {
      const x = inputs.data.subarray(i * per, (i + 1) * per);
      const groups = segmentInput(x, model.inputShape, model.kind, options, 'slic', seed);
      const m = groups.count;
      const coalitions = shapleyCoalitions(m, options.samples ?? 2 * m + 2048, exampleRng(seed, inputs, i));
      const bg = background ?? {
        data: baselineFor(x, grid, channels, options.baseline, { blurSigma: options.blurSigma, labels: groups.labels, groupCount: m }),
        shape: [1, ...model.inputShape],
      };
      return { x, groups, coalitions, bg };
    });
    const passes = new PassCounter(ctx, plans.reduce((t, p) => t + 1 + p.bg.shape[0] * (1 + p.coalitions.count), 0));
    const out = new Float32Array(inputs.data.length);
    const extras: Record<string, number>[] = [];
    for (let i = 0; i < n; i++) {
      const { x, groups, coalitions, bg } = plans[i];
      const op = classifierOperator(model, targets[i], ctx.score);
      const { phi, fx, fnull } = await kernelShapGroups(x, model.inputShape, channels, groups, bg, op, coalitions, options.batchSize, passes);
      for (let p = 0; p < groups.labels.length; p++) {
        const v = phi[groups.labels[p]];
        for (let c = 0; c < channels; c++) out[i * per + p * channels + c] = v;
      }
      const sum = phi.reduce((a, v) => a + v, 0);
      extras.push({ baseValue: fnull, fx, sumOfValues: sum, groups: groups.count, coalitions: coalitions.count, exact: coalitions.exact ? 1 : 0 });
    }
    return { attributions: { data: out, shape: [n, ...model.inputShape] }, extras };
  },
});
