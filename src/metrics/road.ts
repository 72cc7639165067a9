/**
 * ROAD, RemOve And Debias (Rong, Leemann, Nguyen, Fiedler, Haghighi, Kasneci & Kasneci 2022;
 * tleemann/road_evaluation): at each percentage p, remove p% of the positions and fill them by
 * noisy linear imputation (common/imputation.ts), then ask the model again, without retraining.
 *   MoRF: the p% most relevant positions removed (a faithful map makes the probability fall);
 *   LeRF: the p% least relevant removed (a faithful map keeps it up).
 * As in ROAD's ImputedDataset the map is min–max rescaled and 1e-4·N(0, 1) (seeded) is added to
 * break ties, and floor(positions·p/100) positions are removed.
 * Score: mean over p of (LeRF − MoRF) target probability; the curves and the accuracies (target
 * still predicted) are kept for both orders.
 */
import { z } from 'zod';
import { createRng } from '../core/random.js';
import { defineMetric } from './metric.js';
import { noisyLinearImpute } from './common/imputation.js';
import { PredictionQueue } from './common/predict.js';
import { mean, saliencyOrder } from './common/stats.js';

const options = z.strictObject({
  percentages: z
    .array(z.number().gt(0).lt(100))
    .min(1)
    .default([10, 20, 30, 40, 50, 60, 70, 80, 90])
    .describe('percentages of positions removed'),
  noise: z
    .number()
    .min(0)
    .default(0.01)
    .describe('std of the noise added to imputed values (ROAD: 0.01)'),
});

export const road = defineMetric({
  name: 'road',
  title: 'ROAD (LeRF − MoRF)',
  family: 'faithfulness',
  reference:
    'Rong et al. 2022, "A Consistent and Efficient Evaluation Strategy for Attribution Methods" (tleemann/road_evaluation, NoisyLinearImputer): MoRF/LeRF removal with noisy linear imputation; score = mean over percentages of LeRF − MoRF target probability',
  direction: 'higher',
  kinds: ['image', 'signal'],
  needs: [],
  options,
  async evaluate(ctx, batch, o) {
    const { layout, inputs, targets } = batch;
    const n = targets.length;
    const ps = o.percentages;
    const total = n * ps.length * 2;
    const queue = new PredictionQueue(ctx.model, ctx.batchSize, ctx.signal, (done) =>
      ctx.onProgress?.(done, total),
    );
    const removed = new Uint8Array(layout.positions);
    for (let e = 0; e < n; e++) {
      const x = inputs.data.subarray(e * layout.size, (e + 1) * layout.size);
      const rng = createRng(`${ctx.seed}:road:${e}`);
      const order = saliencyOrder(tieBroken(batch.maps[e], () => rng.normal()));
      for (const p of ps) {
        const k = Math.floor((layout.positions * p) / 100);
        for (const morf of [true, false]) {
          removed.fill(0);
          for (let i = 0; i < k; i++) removed[order[morf ? i : layout.positions - 1 - i]] = 1;
          await queue.add(noisyLinearImpute(x, removed, layout, o.noise, rng), targets[e]);
        }
      }
    }
    const preds = await queue.finish();
    const morf: number[][] = [];
    const lerf: number[][] = [];
    const morfAcc: number[][] = [];
    const lerfAcc: number[][] = [];
    for (let e = 0; e < n; e++) {
      const m: number[] = [];
      const l: number[] = [];
      const ma: number[] = [];
      const la: number[] = [];
      ps.forEach((_, j) => {
        const i = (e * ps.length + j) * 2;
        m.push(preds.prob[i]);
        l.push(preds.prob[i + 1]);
        ma.push(preds.predicted[i] === targets[e] ? 1 : 0);
        la.push(preds.predicted[i + 1] === targets[e] ? 1 : 0);
      });
      morf.push(m);
      lerf.push(l);
      morfAcc.push(ma);
      lerfAcc.push(la);
    }
    const x = ps.map((p) => p / 100);
    const curve = (name: string, yLabel: string, y: number[][]) => ({
      name,
      xLabel: 'fraction of positions removed',
      yLabel,
      x,
      y,
    });
    return {
      scores: morf.map((m, e) => mean(lerf[e]) - mean(m)),
      details: {
        morf: morf.map(mean),
        lerf: lerf.map(mean),
        morfAccuracy: morfAcc.map(mean),
        lerfAccuracy: lerfAcc.map(mean),
      },
      curves: [
        curve('morf', 'target probability', morf),
        curve('lerf', 'target probability', lerf),
        curve('morf-accuracy', 'target still predicted', morfAcc),
        curve('lerf-accuracy', 'target still predicted', lerfAcc),
      ],
    };
  },
});

/** ROAD's tie breaking: the map rescaled to [0, 1] plus 1e-4 times a standard normal per position. */
function tieBroken(map: Float32Array, normal: () => number): Float64Array {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of map) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  const range = hi - lo;
  return Float64Array.from(map, (v) => (range > 0 ? (v - lo) / range : 0) + 1e-4 * normal());
}
