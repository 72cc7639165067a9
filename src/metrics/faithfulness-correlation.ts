/**
 * Faithfulness correlation (Bhatt, Weller & Moura 2020; "MuFidelity" in Xplique; Quantus
 * `FaithfulnessCorrelation`): for `runs` random subsets S of `subsetSize` positions, set S to the
 * baseline and record f(x) − f(x with S removed) and Σ_{p∈S} heatmap[p]; the score is the
 * Pearson correlation of the two lists. f is the explained score (logit, or probability when the
 * explanation explains the probability).
 */
import { z } from 'zod';
import { createRng } from '../core/random.js';
import { defineMetric } from './metric.js';
import { PredictionQueue } from './common/predict.js';
import { pearson } from './common/stats.js';
import { substrateFor } from './common/substrate.js';

const options = z.strictObject({
  runs: z.number().int().min(2).default(50).describe('random subsets per input (Quantus: 100)'),
  subsetSize: z
    .number()
    .int()
    .positive()
    .optional()
    .describe('positions per subset; default: a tenth of the positions (at least 1)'),
  baseline: z
    .union([z.enum(['zero', 'mean']), z.number()])
    .default('zero')
    .describe('what removed positions become: "zero", "mean" (per channel) or a number'),
});

export const faithfulnessCorrelation = defineMetric({
  name: 'faithfulness-correlation',
  title: 'Faithfulness correlation (MuFidelity)',
  family: 'faithfulness',
  reference:
    'Bhatt, Weller & Moura 2020, "Evaluating and Aggregating Feature-based Model Explanations" (Quantus FaithfulnessCorrelation): Pearson correlation between heatmap sums of random subsets and the score drop when those subsets are removed',
  direction: 'higher',
  kinds: ['image', 'signal', 'table'],
  needs: [],
  options,
  async evaluate(ctx, batch, o) {
    const { layout, inputs, targets } = batch;
    const n = targets.length;
    const size = Math.min(
      layout.positions,
      o.subsetSize ?? Math.max(1, Math.round(layout.positions / 10)),
    );
    const c = layout.channels;
    const total = n * (o.runs + 1);
    const queue = new PredictionQueue(ctx.model, ctx.batchSize, ctx.signal, (done) =>
      ctx.onProgress?.(done, total),
    );
    const sums: Float64Array[] = [];
    const work = new Float32Array(layout.size);
    for (let e = 0; e < n; e++) {
      const x = inputs.data.subarray(e * layout.size, (e + 1) * layout.size);
      const base = substrateFor(x, layout, o.baseline);
      const map = batch.maps[e];
      const rng = createRng(`${ctx.seed}:faithfulness-correlation:${e}`);
      const idx = Int32Array.from({ length: layout.positions }, (_, i) => i);
      const s = new Float64Array(o.runs);
      await queue.add(x, targets[e]);
      for (let r = 0; r < o.runs; r++) {
        // Partial Fisher–Yates: the first `size` entries are a uniform subset without replacement.
        for (let i = 0; i < size; i++) {
          const j = i + rng.int(layout.positions - i);
          [idx[i], idx[j]] = [idx[j], idx[i]];
        }
        work.set(x);
        let sum = 0;
        for (let i = 0; i < size; i++) {
          const p = idx[i];
          sum += map[p];
          for (let ch = 0; ch < c; ch++) work[p * c + ch] = base[p * c + ch];
        }
        s[r] = sum;
        await queue.add(work, targets[e]);
      }
      sums.push(s);
    }
    const preds = await queue.finish();
    const scores: number[] = [];
    for (let e = 0; e < n; e++) {
      const explained = batch.explanations[e].scoreKind === 'probability' ? preds.prob : preds.raw;
      const off = e * (o.runs + 1);
      const drops = Array.from(
        { length: o.runs },
        (_, r) => explained[off] - explained[off + 1 + r],
      );
      scores.push(pearson(sums[e], drops));
    }
    return { scores };
  },
});
