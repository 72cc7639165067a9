/**
 * Integrated Gradients: (x − x') ⊙ ∫₀¹ ∇f(x' + α(x − x')) dα, the integral by a quadrature rule.
 * Completeness (Σ attributions = f(x) − f(x')) is the axiom that tells whether the steps were
 * enough, so its gap is returned with every result.
 */
import { z } from 'zod';
import type { NdArray } from '../core/ndarray.js';
import { concatBatches, sizeOf } from '../core/ndarray.js';
import { defineMethod, throwIfAborted, type MethodContext } from './method.js';
import { baselineSchema, makeBaselines, rangeSchema } from './baselines.js';
import { QUADRATURES, quadrature } from './quadrature.js';
import { targetScores } from './target-scores.js';

export const integratedGradientsOptions = z.strictObject({
  steps: z
    .number()
    .int()
    .min(1)
    .max(100_000)
    .default(50)
    .describe('points on the path from the baseline to the input'),
  method: z
    .enum(QUADRATURES)
    .default('gauss-legendre')
    .describe('quadrature rule for the path integral'),
  baseline: baselineSchema
    .default('zero')
    .describe(
      'zero, black (range low), white (range high), blurred, uniform noise (seeded), or an array',
    ),
  range: rangeSchema,
  blurSigma: z
    .number()
    .positive()
    .optional()
    .describe(
      'σ of the blurred baseline in positions; default: a tenth of the largest spatial size',
    ),
  internalBatchSize: z.number().int().min(1).default(64).describe('path points per gradient call'),
});

export const integratedGradients = defineMethod({
  name: 'integrated-gradients',
  title: 'Integrated Gradients',
  family: 'gradient',
  reference:
    'Sundararajan, Taly & Yan 2017, "Axiomatic Attribution for Deep Networks" (Riemann or Gauss–Legendre rule as Captum; extras.delta = |Σ attr − (f(x) − f(baseline))|; signed, heatmap sums channels)',
  needs: 'gradients',
  kinds: ['image', 'signal', 'table'],
  reduce: 'sum',
  signed: true,
  options: integratedGradientsOptions,
  async attribute(ctx, inputs, targets, o) {
    const baselines = makeBaselines(
      inputs,
      o.baseline,
      { range: o.range, blurSigma: o.blurSigma },
      ctx.seed,
    );
    const rule = quadrature(o.method, o.steps);
    const integral = await pathIntegral(
      ctx,
      inputs,
      baselines,
      targets,
      rule.alphas,
      rule.weights,
      o.internalBatchSize,
    );
    const attributions: NdArray = {
      data: new Float32Array(inputs.data.length),
      shape: [...inputs.shape],
    };
    for (let j = 0; j < attributions.data.length; j++)
      attributions.data[j] = (inputs.data[j] - baselines.data[j]) * integral[j];
    const extras = await completeness(ctx, attributions, [inputs], [baselines], targets);
    return { attributions, extras };
  },
});

/**
 * Σ_k w_k ∇f(x' + α_k (x − x')) per example (float64), evaluated `batchSize` path points per
 * gradient call, in example-then-step order.
 */
async function pathIntegral(
  ctx: MethodContext,
  inputs: NdArray,
  baselines: NdArray,
  targets: number[],
  alphas: Float64Array,
  weights: Float64Array,
  batchSize: number,
): Promise<Float64Array> {
  const n = inputs.shape[0];
  const steps = alphas.length;
  const per = sizeOf(inputs.shape.slice(1));
  const total = new Float64Array(n * per);
  const rows = n * steps;
  for (let start = 0; start < rows; start += batchSize) {
    throwIfAborted(ctx.signal);
    const end = Math.min(rows, start + batchSize);
    const batch = new Float32Array((end - start) * per);
    const rowTargets: number[] = [];
    for (let r = start; r < end; r++) {
      const i = Math.floor(r / steps);
      const a = alphas[r % steps];
      const o = (r - start) * per;
      for (let j = 0; j < per; j++) {
        const b = baselines.data[i * per + j];
        batch[o + j] = b + a * (inputs.data[i * per + j] - b);
      }
      rowTargets.push(targets[i]);
    }
    const g = await ctx.model.gradients({
      input: { data: batch, shape: [end - start, ...inputs.shape.slice(1)] },
      targets: rowTargets,
      score: ctx.score,
    });
    const grad = g.inputGradient!.data;
    for (let r = start; r < end; r++) {
      const i = Math.floor(r / steps);
      const w = weights[r % steps];
      const o = (r - start) * per;
      for (let j = 0; j < per; j++) total[i * per + j] += w * grad[o + j];
    }
    ctx.onProgress?.(end, rows);
  }
  return total;
}

/**
 * Completeness per example: Σ attr against mean_j f(x_j) − mean_j f(x'_j), where `ends` and
 * `starts` hold one or more [N, ...] batches of path ends and starts (several for sampled
 * baselines, as in Expected Gradients).
 */
export async function completeness(
  ctx: MethodContext,
  attributions: NdArray,
  ends: NdArray[],
  starts: NdArray[],
  targets: number[],
): Promise<Record<string, number>[]> {
  const n = attributions.shape[0];
  const per = sizeOf(attributions.shape.slice(1));
  const all = [...ends, ...starts];
  const scores = await targetScores(
    ctx,
    concatBatches(all),
    all.flatMap(() => targets),
  );
  return targets.map((_, i) => {
    let sum = 0;
    for (let j = i * per; j < (i + 1) * per; j++) sum += attributions.data[j];
    let end = 0;
    let start = 0;
    ends.forEach((_, e) => (end += scores[e * n + i]));
    starts.forEach((_, s) => (start += scores[(ends.length + s) * n + i]));
    const difference = end / ends.length - start / starts.length;
    return { delta: Math.abs(sum - difference), attributionSum: sum, scoreDifference: difference };
  });
}

export { pathIntegral };
