/**
 * The causal metrics of RISE (Petsiuk, Das & Saenko 2018; eclique/RISE `evaluation.py`
 * `CausalMetric`), shared by deletion and insertion:
 *
 *   order  = positions by decreasing heatmap value (np.flip(np.argsort(map)), stable)
 *   nSteps = ceil(positions / step)
 *   del: start = x,         finish = substrate (zeros by default)
 *   ins: start = substrate (blurred x by default), finish = x
 *   for i in 0..nSteps: curve[i] = p(target | start); then copy `finish` into `start` at
 *     order[step·i : step·(i+1)], all channels of each position
 *   score = auc(curve) = (Σ curve − curve[0]/2 − curve[-1]/2) / (len − 1)
 *
 * p is the softmax of the model's logits (or its output, for models that output probabilities).
 */
import { z } from 'zod';
import type { Layout } from './layout.js';
import { PredictionQueue } from './predict.js';
import { auc, saliencyOrder } from './stats.js';
import { blurOptions, substrateFor, substrateOption, type Substrate } from './substrate.js';
import type { MetricBatch, MetricContext, MetricOutput } from '../metric.js';

export type CausalMode = 'deletion' | 'insertion';

export function causalOptions(mode: CausalMode) {
  return z.strictObject({
    step: z
      .number()
      .int()
      .positive()
      .optional()
      .describe(
        'positions changed per step; default: the image width (RISE: 224 at 224×224), 1 for signals and tables up to 128 positions, else positions/128',
      ),
    substrate: substrateOption
      .optional()
      .describe(
        mode === 'deletion'
          ? 'what deleted positions become: "zero" (default, RISE), "blur", "mean" or a number'
          : 'what insertion starts from: "blur" (default for images and signals, RISE), "zero" (default for tables), "mean" or a number',
      ),
    ...blurOptions,
    abs: z
      .boolean()
      .default(false)
      .describe('order positions by |heatmap| instead of the signed value'),
  });
}
export type CausalOptions = z.infer<ReturnType<typeof causalOptions>>;

export function defaultStep(layout: Layout): number {
  if (layout.kind === 'image') return layout.grid[1];
  return layout.positions <= 128 ? 1 : Math.ceil(layout.positions / 128);
}

/** RISE's substrates: zeros for deletion, blur for insertion (zeros for tables, which have no neighbours). */
function resolveSubstrate(
  mode: CausalMode,
  substrate: Substrate | undefined,
  layout: Layout,
): Substrate {
  if (substrate !== undefined) return substrate;
  return mode === 'deletion' || layout.kind === 'table' ? 'zero' : 'blur';
}

export async function causalCurves(
  mode: CausalMode,
  ctx: MetricContext,
  batch: MetricBatch,
  options: CausalOptions,
): Promise<MetricOutput> {
  const { layout, inputs, targets } = batch;
  const step = options.step ?? defaultStep(layout);
  const nSteps = Math.ceil(layout.positions / step);
  const c = layout.channels;
  const n = targets.length;
  const substrate = resolveSubstrate(mode, options.substrate, layout);
  const total = n * (nSteps + 1);
  const queue = new PredictionQueue(ctx.model, ctx.batchSize, ctx.signal, (done) =>
    ctx.onProgress?.(done, total),
  );
  for (let e = 0; e < n; e++) {
    const x = inputs.data.subarray(e * layout.size, (e + 1) * layout.size);
    const sub = substrateFor(x, layout, substrate, options.klen, options.sigma);
    const start = mode === 'deletion' ? Float32Array.from(x) : sub;
    const finish = mode === 'deletion' ? sub : x;
    const map = options.abs ? batch.maps[e].map(Math.abs) : batch.maps[e];
    const order = saliencyOrder(map);
    for (let i = 0; i <= nSteps; i++) {
      await queue.add(start, targets[e]);
      if (i === nSteps) break;
      const end = Math.min(step * (i + 1), layout.positions);
      for (let k = step * i; k < end; k++) {
        const p = order[k];
        for (let ch = 0; ch < c; ch++) start[p * c + ch] = finish[p * c + ch];
      }
    }
  }
  const { prob } = await queue.finish();
  const rows: number[][] = [];
  const scores: number[] = [];
  for (let e = 0; e < n; e++) {
    const curve = Array.from(prob.subarray(e * (nSteps + 1), (e + 1) * (nSteps + 1)));
    rows.push(curve);
    scores.push(auc(curve));
  }
  return {
    scores,
    curves: [
      {
        name: mode,
        xLabel:
          mode === 'deletion' ? 'fraction of positions deleted' : 'fraction of positions inserted',
        yLabel: 'target probability',
        x: Array.from({ length: nSteps + 1 }, (_, i) => i / nSteps),
        y: rows,
      },
    ],
  };
}
