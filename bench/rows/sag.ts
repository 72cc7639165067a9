/**
 * Bench row: a Structured Attention Graph for one 224×224 image with the default settings
 * (7×7 grid, beam 3, 15 successors, threshold 0.9, RISE heuristic with 500 masks), seconds per
 * image. Target: under 15 s on the 2-core bench machine (the reference code took 40–210 s per
 * image on VGG-19). There is no PyTorch side: the reference is a script, not a call to time.
 *
 * Caveat: the bench's random-weight networks on a noise image have no localised evidence — the
 * probability grows with the visible area, roots need ~30 of the 49 patches and the search runs
 * ~34 steps — so this row is SAG's worst case (≈ 3900 forward passes). A trained classifier has
 * roots of 2–5 patches (≈ 900 passes per image on the shapes CNN, RISE included); see
 * docs/sag.md. The note under the table gives the passes of the measured run.
 *
 * Register it in bench/rows.ts: `import { SAG_ROW } from './rows/sag.js';` and add `SAG_ROW` to
 * `ROWS`.
 */
import type { BenchRow } from '../rows.js';
import { needModel, NotYetImplemented } from '../glassbox.js';

export const SAG_ROW: BenchRow = {
  id: 'sag',
  title: 'SAG, defaults (7×7, beam 3, 15 successors, RISE 500)',
  forwardOnly: true,
  timing: { warmup: 0, repeats: 2, budgetSeconds: 120, min: 1 },
  torch: null,
  models: ['resnet18'],
  async glassbox(ctx) {
    const model = needModel(ctx.side);
    let sag: typeof import('../../src/sag/index.js');
    try {
      sag = await import('../../src/sag/index.js');
    } catch (e) {
      throw new NotYetImplemented(`SAG unavailable: ${(e as Error).message}`);
    }
    let noted = false;
    return async () => {
      // The bench input is ImageNet-normalised, so the "black" baseline (0) is the mean colour.
      const r = await sag.structuredAttentionGraph(model, ctx.nhwc, {
        target: ctx.target,
        seed: 0,
      });
      if (!noted) {
        noted = true;
        const size =
          r.candidates.reduce((s, c) => s + c.patches.length, 0) / Math.max(1, r.candidates.length);
        ctx.note(
          `SAG: ${r.heuristic.passes} RISE passes + ${r.forwardPasses} search/graph passes in ${r.predictCalls} batches; ` +
            `${r.candidates.length} roots of mean size ${size.toFixed(1)} patches, ${r.nodes.length} graph nodes`,
        );
      }
      return r;
    };
  },
};
