/**
 * The heuristic that ranks patches: Integrated Gradients by default for a white-box model, and
 * every heuristic hides or integrates from SAG's own baseline unless told otherwise.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initTf } from '../../src/runtime/tf.js';
import { TfjsModel } from '../../src/models/tfjs-model.js';
import { explain } from '../../src/methods/index.js';
import { PatchGrid, structuredAttentionGraph } from '../../src/sag/index.js';
import type { NdArray } from '../../src/core/ndarray.js';
import { seeded, smallCnn } from '../helpers/models.js';

const SIZE = 8;
const GRID = 4; // 2×2-pixel patches
let model: TfjsModel;
let image: NdArray;
let target: number;

beforeAll(async () => {
  await initTf();
  model = new TfjsModel(smallCnn('tanh', [SIZE, SIZE, 3], 'avg'));
  image = { data: seeded(SIZE * SIZE * 3, 11, 0.5).map((v) => v + 0.5), shape: [1, SIZE, SIZE, 3] };
  const logits = await model.predict(image);
  target = logits.data.indexOf(Math.max(...logits.data));
});

/** The per-channel mean image, built by hand. */
function meanImage(x: NdArray): Float32Array {
  const out = new Float32Array(x.data.length);
  for (let c = 0; c < 3; c++) {
    let s = 0;
    for (let p = 0; p < SIZE * SIZE; p++) s += x.data[p * 3 + c];
    for (let p = 0; p < SIZE * SIZE; p++) out[p * 3 + c] = s / (SIZE * SIZE);
  }
  return out;
}

async function logit(data: Float32Array): Promise<number> {
  const out = await model.predict({ data, shape: [1, SIZE, SIZE, 3] });
  return out.data[target];
}

describe('SAG heuristic', () => {
  it('a white-box model is ranked by Integrated Gradients from the blurred image (the default baseline)', async () => {
    const r = await structuredAttentionGraph(model, image, { grid: GRID, seed: 0 });
    expect(r.settings.baseline).toBe('blur');
    expect(r.heuristic.method).toBe('integrated-gradients');
    expect(r.heuristic.options).toEqual({ steps: 20, baseline: 'blur' });
    // IG's own blurred baseline; SAG's default σ for an 8-pixel image is 1, as IG's.
    const [e] = await explain(model, image, 'integrated-gradients', {
      targets: [target],
      options: { steps: 20, baseline: 'blurred', blurSigma: 1 },
    });
    const expected = new PatchGrid(SIZE, SIZE, GRID, GRID).patchMeans(e.heatmap.data);
    r.heuristic.patchScores.forEach((s, p) => expect(s).toBeCloseTo(expected[p], 6));
  });

  it('integrates from SAG\'s mean baseline: the patch scores add up to logit(image) − logit(mean image)', async () => {
    const r = await structuredAttentionGraph(model, image, { grid: GRID, baseline: 'mean', seed: 0 });
    expect(r.heuristic.options).toEqual({ steps: 20, baseline: 'mean' });
    // Each score is a mean over a 2×2 patch; completeness holds for the sum over all pixels.
    const total = r.heuristic.patchScores.reduce((s, v) => s + 4 * v, 0);
    const gap = (await logit(image.data)) - (await logit(meanImage(image)));
    expect(Math.abs(gap)).toBeGreaterThan(0.05);
    expect(total).toBeCloseTo(gap, 3);
  });

  it('RISE hides patches the way SAG does: black is 0, blur keeps its σ; a given baseline wins', async () => {
    const black = await structuredAttentionGraph(model, image, {
      grid: GRID,
      baseline: 'black',
      heuristic: 'rise',
      heuristicOptions: { masks: 50 },
    });
    expect(black.heuristic.options).toEqual({ masks: 50, baseline: 0 });
    const blur = await structuredAttentionGraph(model, image, {
      grid: GRID,
      baseline: 'blur',
      blurSigma: 2,
      heuristic: 'rise',
      heuristicOptions: { masks: 50 },
    });
    expect(blur.heuristic.options).toEqual({ masks: 50, baseline: 'blur', blurSigma: 2 });
    const given = await structuredAttentionGraph(model, image, {
      grid: GRID,
      baseline: 'blur',
      heuristic: 'rise',
      heuristicOptions: { masks: 50, baseline: 0.5 },
    });
    expect(given.heuristic.options).toEqual({ masks: 50, baseline: 0.5 });
    // The hidden value changes the ranking: the same masks give other scores.
    expect(blur.heuristic.patchScores).not.toEqual(black.heuristic.patchScores);
  });

  it('a heuristic without a baseline option gets none', async () => {
    const r = await structuredAttentionGraph(model, image, {
      grid: GRID,
      baseline: 'mean',
      heuristic: 'grad-cam',
    });
    expect(r.heuristic.method).toBe('grad-cam');
    expect('baseline' in r.heuristic.options).toBe(false);
  });
});
