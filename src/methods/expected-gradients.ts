/**
 * Expected Gradients / GradientSHAP: Integrated Gradients averaged over a distribution of
 * baselines, estimated by sampling one baseline x' and one point α ~ U(0, 1) per sample:
 * attr = mean_j (x̃_j − x'_j) ⊙ ∇f(x'_j + α_j (x̃_j − x'_j)), with x̃_j = x + optional Gaussian
 * noise (GradientSHAP's smoothing). Each input's draws come from its own seeded generator (see
 * example-rng.ts), in sample order, so results do not depend on how batches are split.
 */
import { z } from 'zod';
import type { NdArray } from '../core/ndarray.js';
import { sizeOf } from '../core/ndarray.js';
import { fail } from '../core/errors.js';
import { defineMethod, throwIfAborted } from './method.js';
import { BASELINE_KINDS, exampleRange, makeBaselines, rangeSchema } from './baselines.js';
import { targetScores } from './target-scores.js';
import { exampleRng } from './example-rng.js';

export const expectedGradientsOptions = z.strictObject({
  samples: z.number().int().min(1).max(100_000).default(64).describe('baseline/α draws per input'),
  baselines: z
    .union([z.enum(BASELINE_KINDS), z.array(z.number()), z.instanceof(Float32Array)])
    .default('uniform')
    .describe(
      'the baseline distribution: K example arrays drawn from uniformly (flattened, e.g. training samples), uniform noise in the range, or a fixed named baseline',
    ),
  noise: z
    .number()
    .min(0)
    .default(0)
    .describe(
      'std of Gaussian noise added to the input, as a fraction of its range (GradientSHAP)',
    ),
  range: rangeSchema,
  blurSigma: z.number().positive().optional(),
  internalBatchSize: z.number().int().min(1).default(64).describe('samples per gradient call'),
});

export const expectedGradients = defineMethod({
  name: 'expected-gradients',
  title: 'Expected Gradients / GradientSHAP',
  family: 'gradient',
  reference:
    'Erion et al. 2021, "Improving performance of deep learning models with axiomatic attribution priors and expected gradients"; Lundberg & Lee 2017 (GradientSHAP, as Captum: noise on the input, random α, random baseline). extras.delta = |Σ attr − mean_j (f(x̃_j) − f(x\'_j))|; signed, heatmap sums channels',
  needs: 'gradients',
  kinds: ['image', 'signal', 'table'],
  reduce: 'sum',
  signed: true,
  options: expectedGradientsOptions,
  async attribute(ctx, inputs, targets, o) {
    const n = inputs.shape[0];
    const tail = inputs.shape.slice(1);
    const per = sizeOf(tail);
    const rngs = Array.from({ length: n }, (_, i) => exampleRng(ctx.seed, inputs, i));
    let pool: Float32Array | undefined;
    let fixed: NdArray | undefined;
    if (typeof o.baselines !== 'string') {
      pool = o.baselines instanceof Float32Array ? o.baselines : Float32Array.from(o.baselines);
      if (pool.length === 0 || pool.length % per !== 0)
        fail(
          `baselines array has ${pool.length} values, not a whole number of examples of shape [${tail.join(', ')}] (${per} values each)`,
        );
    } else if (o.baselines !== 'uniform') {
      fixed = makeBaselines(inputs, o.baselines, { range: o.range, blurSigma: o.blurSigma });
    }
    const poolSize = pool ? pool.length / per : 0;
    const acc = new Float64Array(n * per);
    const scoreGap = new Float64Array(n);
    const rows = n * o.samples;
    for (let start = 0; start < rows; start += o.internalBatchSize) {
      throwIfAborted(ctx.signal);
      const end = Math.min(rows, start + o.internalBatchSize);
      const m = end - start;
      const points = new Float32Array(m * per);
      const noisy = new Float32Array(m * per);
      const base = new Float32Array(m * per);
      const rowTargets: number[] = [];
      for (let r = start; r < end; r++) {
        const i = Math.floor(r / o.samples);
        const off = (r - start) * per;
        const x = inputs.data.subarray(i * per, (i + 1) * per);
        const [lo, hi] = exampleRange(inputs, i, o.range);
        const rng = rngs[i];
        const alpha = rng.next();
        if (pool) {
          const k = rng.int(poolSize);
          base.set(pool.subarray(k * per, (k + 1) * per), off);
        } else if (fixed) base.set(fixed.data.subarray(i * per, (i + 1) * per), off);
        else for (let j = 0; j < per; j++) base[off + j] = rng.uniform(lo, hi);
        const sigma = o.noise * (hi - lo);
        for (let j = 0; j < per; j++)
          noisy[off + j] = sigma > 0 ? x[j] + rng.normal(0, sigma) : x[j];
        for (let j = 0; j < per; j++)
          points[off + j] = base[off + j] + alpha * (noisy[off + j] - base[off + j]);
        rowTargets.push(targets[i]);
      }
      const shape = [m, ...tail];
      const g = (
        await ctx.model.gradients({
          input: { data: points, shape },
          targets: rowTargets,
          score: ctx.score,
        })
      ).inputGradient!.data;
      const scores = await targetScores(
        ctx,
        { data: concat(noisy, base), shape: [2 * m, ...tail] },
        [...rowTargets, ...rowTargets],
      );
      for (let r = start; r < end; r++) {
        const i = Math.floor(r / o.samples);
        const off = (r - start) * per;
        for (let j = 0; j < per; j++)
          acc[i * per + j] += (noisy[off + j] - base[off + j]) * g[off + j];
        scoreGap[i] += scores[r - start] - scores[m + r - start];
      }
      ctx.onProgress?.(end, rows);
    }
    const attributions: NdArray = {
      data: Float32Array.from(acc, (v) => v / o.samples),
      shape: [...inputs.shape],
    };
    const extras = targets.map((_, i) => {
      let sum = 0;
      for (let j = i * per; j < (i + 1) * per; j++) sum += attributions.data[j];
      const difference = scoreGap[i] / o.samples;
      return {
        delta: Math.abs(sum - difference),
        attributionSum: sum,
        scoreDifference: difference,
      };
    });
    return { attributions, extras };
  },
});

function concat(a: Float32Array, b: Float32Array): Float32Array {
  const out = new Float32Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
