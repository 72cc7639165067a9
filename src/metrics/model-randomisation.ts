/**
 * Model-parameter randomisation tests (Adebayo et al. 2018, "Sanity Checks for Saliency Maps";
 * Quantus `MPRT`). The layers holding weights are randomised from the output down:
 *   cascading:   step k randomises the top k layers together;
 *   independent: step k randomises layer k alone (the others keep their trained weights).
 * After each step the same method explains the same inputs on the randomised model, and the new
 * heatmap is compared with the original one by Spearman rank correlation and SSIM (on
 * |h| / max|h| by default, as the paper). A method that depends on the model must produce
 * different maps: low similarity passes, similarity near 1 fails (e.g. a map of the input alone).
 * Score: Spearman correlation averaged over the steps (lower is better).
 */
import { z } from 'zod';
import { defineMetric, type MetricBatch, type MetricContext, type MetricOutput } from './metric.js';
import {
  cloneLayersModel,
  copyWeights,
  layersModelOf,
  modelLike,
  randomiseLayer,
  setWeights,
  weightedLayers,
} from './randomise.js';
import { mean, normaliseAbs, spearman, ssim } from './common/stats.js';

const options = z.strictObject({
  randomise: z
    .enum(['reinit', 'permute'])
    .default('reinit')
    .describe(
      '"reinit" (Glorot-uniform kernels, permuted biases) or "permute" (shuffle every weight tensor)',
    ),
  abs: z
    .boolean()
    .default(true)
    .describe('compare |heatmap| (Adebayo et al.); false compares signed maps scaled by max |h|'),
  maxLayers: z
    .number()
    .int()
    .positive()
    .optional()
    .describe('randomise only the top this many weighted layers'),
});
type Options = z.infer<typeof options>;

/** Maps scaled for comparison: |h|/max|h| in [0, 1], or h/max|h| in [−1, 1]. */
export function comparable(map: ArrayLike<number>, abs: boolean): Float64Array {
  if (abs) return normaliseAbs(map);
  let m = 0;
  for (let i = 0; i < map.length; i++) m = Math.max(m, Math.abs(map[i]));
  return Float64Array.from(map, (v) => (m > 0 ? v / m : 0));
}

/** Spearman and SSIM of two maps on a grid, after `comparable`. */
export function mapSimilarity(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  grid: number[],
  abs: boolean,
): { spearman: number; ssim: number } {
  const ca = comparable(a, abs);
  const cb = comparable(b, abs);
  return { spearman: spearman(ca, cb), ssim: ssim(ca, cb, grid, abs ? 1 : 2) };
}

async function randomisationTest(
  ctx: MetricContext,
  batch: MetricBatch,
  o: Options,
  independent: boolean,
): Promise<MetricOutput> {
  const original = layersModelOf(
    ctx.model,
    `${independent ? 'independent' : 'cascading'} randomisation`,
  );
  const clone = await cloneLayersModel(original);
  try {
    const layers = weightedLayers(clone).reverse().slice(0, o.maxLayers);
    const randomised = modelLike(ctx.model, clone);
    const n = batch.targets.length;
    const sp: number[][] = Array.from({ length: n }, () => []);
    const ss: number[][] = Array.from({ length: n }, () => []);
    for (const [k, layer] of layers.entries()) {
      const saved = independent ? copyWeights(clone, layer) : undefined;
      randomiseLayer(clone, layer, ctx.seed, o.randomise);
      const again = await ctx.reexplain(batch.inputs, batch.targets, randomised);
      again.forEach((ex, e) => {
        const s = mapSimilarity(batch.maps[e], ex.heatmap.data, batch.layout.grid, o.abs);
        sp[e].push(s.spearman);
        ss[e].push(s.ssim);
      });
      if (saved) setWeights(clone, layer, saved);
      ctx.onProgress?.(k + 1, layers.length);
    }
    const x = layers.map((_, k) => k + 1);
    const xLabel = independent
      ? 'layer randomised (from the output)'
      : 'layers randomised (from the output)';
    return {
      scores: sp.map(mean),
      details: {
        ssim: ss.map(mean),
        spearmanLast: sp.map((r) => r[r.length - 1]),
        ssimLast: ss.map((r) => r[r.length - 1]),
      },
      curves: [
        {
          name: 'spearman',
          xLabel,
          yLabel: 'Spearman ρ with the original map',
          x,
          xNames: layers,
          y: sp,
        },
        { name: 'ssim', xLabel, yLabel: 'SSIM with the original map', x, xNames: layers, y: ss },
      ],
    };
  } finally {
    clone.dispose();
  }
}

const reference = (mode: string) =>
  `Adebayo et al. 2018, "Sanity Checks for Saliency Maps" (${mode} model-parameter randomisation; Quantus MPRT): Spearman rank correlation and SSIM between the original and the randomised model's maps`;

export const cascadingRandomisation = defineMetric({
  name: 'cascading-randomisation',
  title: 'Cascading model randomisation (Spearman)',
  family: 'randomisation',
  reference: reference('cascading'),
  direction: 'lower',
  kinds: ['image', 'signal', 'table'],
  needs: ['reexplain', 'tfjs'],
  options,
  evaluate: (ctx, batch, o) => randomisationTest(ctx, batch, o, false),
});

export const independentRandomisation = defineMetric({
  name: 'independent-randomisation',
  title: 'Independent layer randomisation (Spearman)',
  family: 'randomisation',
  reference: reference('independent'),
  direction: 'lower',
  kinds: ['image', 'signal', 'table'],
  needs: ['reexplain', 'tfjs'],
  options,
  evaluate: (ctx, batch, o) => randomisationTest(ctx, batch, o, true),
});
