import { beforeAll, describe, expect, it } from 'vitest';
import { initTf } from '../../src/runtime/tf.js';
import { TfjsModel } from '../../src/models/tfjs-model.js';
import { explain } from '../../src/methods/index.js';
import { resizeBilinear } from '../../src/core/resize.js';
import { blockEndLayers, fuseLayerMaps, otsuThreshold } from '../../src/methods/sise.js';
import { smallCnn } from '../helpers/models.js';
import { maxAbsDiff, uniform } from './helpers.js';

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
