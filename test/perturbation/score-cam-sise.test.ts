import { beforeAll, describe, expect, it } from 'vitest';
import { initTf } from '../../src/runtime/tf.js';
import { TfjsModel } from '../../src/models/tfjs-model.js';
import { explain } from '../../src/methods/index.js';
import { resizeBilinear } from '../../src/core/resize.js';
import { blockEndLayers, fuseLayerMaps, otsuThreshold } from '../../src/methods/sise.js';
import { gaussianBlur } from '../../src/methods/blur.js';
import type { Model } from '../../src/models/model.js';
import { smallCnn } from '../helpers/models.js';
import { functionModel, maxAbsDiff, uniform } from './helpers.js';

let model: TfjsModel;
beforeAll(async () => {
  await initTf();
  model = new TfjsModel(smallCnn('relu'));
});

function softmaxAt(row: Float32Array, k: number): number {
  const m = Math.max(...row);
  const e = Array.from(row, (v) => Math.exp(v - m));
  return e[k] / e.reduce((a, b) => a + b, 0);
}

describe('Score-CAM', () => {
  it('equals a direct computation: w_k = p(x⊙H_k) − p(0), map = ReLU(Σ w_k A_k) upsampled', async () => {
    const x = { data: Float32Array.from(uniform(8 * 8 * 2, 31, 0, 1)), shape: [1, 8, 8, 2] };
    const [e] = await explain(model, x, 'score-cam', { targets: [2], options: { layer: 'conv2', batchSize: 2 } });
    const act = (await model.activations(x, ['conv2'])).get('conv2')!.data; // 6×6×3
    const base = softmaxAt((await model.predict({ data: new Float32Array(128), shape: [1, 8, 8, 2] })).data, 2);
    const cam = new Float32Array(36);
    for (let k = 0; k < 3; k++) {
      const a = Float32Array.from({ length: 36 }, (_, p) => act[p * 3 + k]);
      const lo = Math.min(...a);
      const hi = Math.max(...a);
      if (hi === lo) continue;
      const up = resizeBilinear(a, 6, 6, 8, 8);
      const ulo = Math.min(...up);
      const uhi = Math.max(...up);
      const masked = Float32Array.from(x.data, (v, i) => (v * (up[i >> 1] - ulo)) / (uhi - ulo));
      const p = softmaxAt((await model.predict({ data: masked, shape: [1, 8, 8, 2] })).data, 2);
      for (let q = 0; q < 36; q++) cam[q] += (p - base) * a[q];
    }
    const expected = resizeBilinear(cam.map((v) => Math.max(0, v)), 6, 6, 8, 8);
    expect(maxAbsDiff(e.heatmap.data, expected)).toBeLessThan(1e-6);
    expect(Math.max(...expected)).toBeGreaterThan(0);
    expect(e.layer).toBe('conv2');
  });

  it('has a pytorch-grad-cam variant whose channel weights sum to one', async () => {
    const x = { data: Float32Array.from(uniform(8 * 8 * 2, 32, 0, 1)), shape: [1, 8, 8, 2] };
    const [e] = await explain(model, x, 'score-cam', { targets: [0], options: { variant: 'softmax', relu: false } });
    expect(e.extras.masks).toBeGreaterThan(0);
    expect(e.heatmap.data.every(Number.isFinite)).toBe(true);
  });
});

/**
 * A model whose answer is known by hand: it outputs probabilities [f(x), 1 − f(x)] with
 * f(x) = Σ_p w_p x_p (one channel), and its one layer "maps" returns the fixed activations
 * `acts` (positions × channels on the input grid, so upsampling is the identity). Score-CAM's
 * weights are then w_k = f(x⊙H_k + b⊙(1 − H_k)) − f(b) = Σ_p w_p H_k[p] (x_p − b_p).
 */
function handModel(h: number, w: number, weights: number[], acts: number[][]): Model {
  const f = (x: Float32Array) => x.reduce((s, v, p) => s + weights[p] * v, 0);
  const base = functionModel([h, w, 1], 2, (x) => [f(x), 1 - f(x)], { outputKind: 'probabilities', name: 'hand' });
  const channels = acts[0].length;
  return {
    ...base,
    layers: () => [{ name: 'maps', type: 'Const', outputShape: [h, w, channels], spatial: true }],
    async activations(input) {
      const n = input.shape[0];
      const one = Float32Array.from(acts.flat());
      const data = new Float32Array(n * one.length);
      for (let i = 0; i < n; i++) data.set(one, i * one.length);
      return new Map([['maps', { data, shape: [n, h, w, channels] }]]);
    },
  };
}

describe('Score-CAM baselines', () => {
  // 2×2 image x = [1, 2; 3, 6] (mean 3), f weights [1, 2, 0, 1]; maps: pixel 0, pixel 1, bottom row.
  const x = { data: Float32Array.from([1, 2, 3, 6]), shape: [1, 2, 2, 1] };
  const acts = [
    [1, 0, 0],
    [0, 1, 0],
    [0, 0, 1],
    [0, 0, 1],
  ];
  const model = handModel(2, 2, [1, 2, 0, 1], acts);
  const run = (baseline: unknown) => explain(model, x, 'score-cam', { targets: [0], options: { layer: 'maps', baseline } });

  it('"mean" masks towards the per-channel mean of the input', async () => {
    // b = 3 everywhere: w = [1·(1−3), 2·(2−3), 0·(3−3) + 1·(6−3)] = [−2, −2, 3]; map = ReLU(w·A).
    const [e] = await run('mean');
    expect(Array.from(e.heatmap.data)).toEqual([0, 0, 3, 3]);
    expect(e.extras.baselineScore).toBeCloseTo(1 * 3 + 2 * 3 + 0 + 1 * 3, 5);
  });

  it('"zero" is the x⊙M of the paper and equals baseline 0', async () => {
    // b = 0: w = [1, 4, 6]; map = [1, 4, 6, 6].
    const [zero] = await run('zero');
    const [numeric] = await run(0);
    expect(Array.from(zero.heatmap.data)).toEqual([1, 4, 6, 6]);
    expect(Array.from(numeric.heatmap.data)).toEqual([1, 4, 6, 6]);
    expect(zero.extras.baselineScore).toBe(0);
  });

  it('"blur" masks towards the shared Gaussian blur of the input', async () => {
    const h = 6;
    const img = { data: Float32Array.from(uniform(h * h, 41, 0, 1)), shape: [1, h, h, 1] };
    const weights = Array.from(uniform(h * h, 42, -1, 1));
    const maps = Array.from({ length: h * h }, (_, p) => [p % h < 3 ? 1 : 0, Math.floor(p / h) < 3 ? 1 : 0]);
    const blurModel = handModel(h, h, weights, maps);
    const [e] = await explain(blurModel, img, 'score-cam', { targets: [0], options: { layer: 'maps', baseline: 'blur', blurSigma: 1.5 } });
    const b = gaussianBlur(img, 1.5).data;
    const f = (v: ArrayLike<number>) => weights.reduce((s, wp, p) => s + wp * v[p], 0);
    expect(e.extras.baselineScore).toBeCloseTo(f(b), 5);
    const wk = [0, 1].map((k) => weights.reduce((s, wp, p) => s + wp * maps[p][k] * (img.data[p] - b[p]), 0));
    const expected = maps.map(([a0, a1]) => Math.max(0, wk[0] * a0 + wk[1] * a1));
    expect(maxAbsDiff(e.heatmap.data, expected)).toBeLessThan(1e-5);
    expect(Math.max(...expected)).toBeGreaterThan(0);
  });
});

describe('SISE', () => {
  it('finds Otsu\'s threshold between the two modes of a bimodal map', () => {
    const values = Float32Array.from({ length: 1000 }, (_, i) => (i < 700 ? 0.1 + 0.05 * Math.sin(i) : 0.8 + 0.05 * Math.cos(i)));
    const t = otsuThreshold(values);
    expect(t).toBeGreaterThan(0.15);
    expect(t).toBeLessThan(0.75);
  });

  it('fuses maps by (previous + current) × gate(current)', () => {
    const shallow = Float32Array.from([0.2, 0.4, 0.6, 0.8]);
    const deep = Float32Array.from([0, 0, 1, 1]);
    expect(Array.from(fuseLayerMaps([shallow, deep], 'otsu'))).toEqual([0, 0, Math.fround(1.6), Math.fround(1.8)]);
    expect(Array.from(fuseLayerMaps([shallow, deep], 'simple'))).toEqual([0, 0, Math.fround(1.6), Math.fround(1.8)]);
    const soft = fuseLayerMaps([shallow, Float32Array.from([0, 0.1, 0.9, 1])], 'soft-otsu');
    expect(soft[0]).toBeLessThan(1e-3);
    expect(soft[3]).toBeGreaterThan(1.79);
  });

  it('samples masks from the end of every block and returns a finite, non-negative map', async () => {
    expect(blockEndLayers(model).map((l) => l.name)).toEqual(['conv1', 'conv2', 'pool']);
    const x = { data: Float32Array.from(uniform(8 * 8 * 2, 33, 0, 1)), shape: [1, 8, 8, 2] };
    const [e] = await explain(model, x, 'sise', { targets: [1] });
    expect(e.layer).toBe('conv1,conv2,pool');
    expect(e.extras.masks).toBeGreaterThan(0);
    expect(e.extras.masks).toBeLessThanOrEqual(4 + 3 + 3);
    expect(e.heatmap.data.every((v) => Number.isFinite(v) && v >= 0)).toBe(true);
  });
});
