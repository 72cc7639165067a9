/**
 * Bench row: a Structured Attention Graph for one 224×224 image with the default settings
 * (7×7 grid, beam 3, 15 successors, threshold 0.9, RISE heuristic), seconds per image. Target:
 * under 15 s on the 2-core bench machine (the reference code took 40–210 s on VGG-19, GPU).
 * There is no PyTorch side: the reference is not a library call to time.
 *
 * Register it in bench/rows.ts: `import { SAG_ROW } from './rows/sag.js';` and add `SAG_ROW` to
 * `ROWS`.
 */
import type { BenchRow } from '../rows.js';
import { needModel, NotYetImplemented } from '../glassbox.js';

export const SAG_ROW: BenchRow = {
  id: 'sag',
  title: 'SAG, defaults (7×7, beam 3, 15 successors, RISE)',
  forwardOnly: true,
  timing: { warmup: 0, repeats: 3, budgetSeconds: 120, min: 1 },
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
      const last = await sag.structuredAttentionGraph(model, ctx.nhwc, { target: ctx.target, seed: 0 });
      if (noted) return last;
      noted = true;
      ctx.note(
        `SAG: ${last.heuristic.passes} RISE passes + ${last.forwardPasses} search/graph passes in ${last.predictCalls} batches; ` +
          `${last.candidates.length} roots found, ${last.nodes.length} graph nodes`,
      );
      return last;
    };
  },
};
