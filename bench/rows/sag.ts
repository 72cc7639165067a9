/**
 * Bench rows: a Structured Attention Graph for one 224×224 image with the default settings
 * (7×7 grid, beam 3, 15 successors, threshold 0.9, RISE heuristic), seconds per image. Target:
 * under 15 s on the 2-core bench machine (the reference code took 40–210 s on VGG-19).
 * There is no PyTorch side: the reference is a script, not a call to time.
 *
 * The bench's random-weight networks on a noise image have no localised evidence: the
 * probability grows with the visible area, roots need ~30 of 49 patches, and SAG does the most
 * work it can (`sag-noise`, a worst case). `sag` keeps the same image only inside a centred
 * 96×96 window (3×3 patches) on the mean colour, so the decision depends on a small region, as
 * it does for a trained classifier, and explains the class predicted for that image.
 *
 * Register them in bench/rows.ts: `import { SAG_ROWS } from './rows/sag.js';` and append
 * `...SAG_ROWS` to `ROWS`.
 */
import type { NdArray } from '../../src/core/ndarray.js';
import { argmaxRows } from '../../src/core/ndarray.js';
import type { BenchRow, RowContext } from '../rows.js';
import { needModel, NotYetImplemented } from '../glassbox.js';

/** The image kept only inside a centred window; 0 (the ImageNet mean after normalisation) elsewhere. */
export function windowed(x: NdArray, window: number): NdArray {
  const [, h, w, c] = x.shape;
  const out = new Float32Array(x.data.length);
  const top = Math.floor((h - window) / 2);
  const left = Math.floor((w - window) / 2);
  for (let y = top; y < top + window; y++) {
    const start = (y * w + left) * c;
    out.set(x.data.subarray(start, start + window * c), start);
  }
  return { data: out, shape: [...x.shape] };
}

function sagRow(
  id: string,
  title: string,
  input: (ctx: RowContext) => NdArray,
  ownTarget: boolean,
): BenchRow {
  return {
    id,
    title,
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
      const x = input(ctx);
      const target = ownTarget ? argmaxRows(await model.predict(x))[0] : ctx.target;
      let noted = false;
      return async () => {
        // Inputs are ImageNet-normalised, so the "black" baseline (0) is the mean colour.
        const r = await sag.structuredAttentionGraph(model, x, { target, seed: 0 });
        if (!noted) {
          noted = true;
          ctx.note(
            `${id}: ${r.heuristic.passes} RISE passes + ${r.forwardPasses} search/graph passes in ${r.predictCalls} batches; ` +
              `${r.candidates.length} roots of mean size ${(r.candidates.reduce((s, c) => s + c.patches.length, 0) / Math.max(1, r.candidates.length)).toFixed(1)}, ${r.nodes.length} graph nodes`,
          );
        }
        return r;
      };
    },
  };
}

export const SAG_ROWS: BenchRow[] = [
  sagRow('sag', 'SAG, defaults, evidence in a 96×96 window', (ctx) => windowed(ctx.nhwc, 96), true),
  sagRow('sag-noise', 'SAG, defaults, full noise image (worst case)', (ctx) => ctx.nhwc, false),
];
