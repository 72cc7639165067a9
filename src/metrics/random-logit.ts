/**
 * Random logit test (Sixt, Granz & Landgraf 2020, "When Explanations Lie"; Quantus
 * `RandomLogit`): explain a different, randomly chosen class (seeded, never the target) and
 * compare that map with the target's by SSIM (on |h| / max|h|). A class-sensitive method gives a
 * different map: lower is better. Spearman correlation is reported as a detail.
 */
import { z } from 'zod';
import { createRng } from '../core/random.js';
import { fail } from '../core/errors.js';
import { defineMetric } from './metric.js';
import { mapSimilarity } from './model-randomisation.js';

export const randomLogit = defineMetric({
  name: 'random-logit',
  title: 'Random logit (SSIM)',
  family: 'randomisation',
  reference:
    'Sixt, Granz & Landgraf 2020, "When Explanations Lie: Why Many Modified BP Attributions Fail" (Quantus RandomLogit): SSIM between the maps of the target and of a random other class',
  direction: 'lower',
  kinds: ['image', 'signal', 'table'],
  needs: ['reexplain'],
  options: z.strictObject({
    abs: z
      .boolean()
      .default(true)
      .describe('compare |heatmap|; false compares signed maps scaled by max |h|'),
  }),
  async evaluate(ctx, batch, o) {
    const k = ctx.model.numClasses;
    if (k < 2) fail('the random logit test needs a model with at least two classes');
    const others = batch.targets.map((t, e) => {
      const r = createRng(`${ctx.seed}:random-logit:${e}`).int(k - 1);
      return r >= t ? r + 1 : r;
    });
    const again = await ctx.reexplain(batch.inputs, others);
    const sims = again.map((ex, e) =>
      mapSimilarity(batch.maps[e], ex.heatmap.data, batch.layout.grid, o.abs),
    );
    return {
      scores: sims.map((s) => s.ssim),
      details: { spearman: sims.map((s) => s.spearman), otherClass: others },
    };
  },
});
