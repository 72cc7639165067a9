/** Vanilla gradient, saliency and Grad-CAM against independent computations. */
import { beforeAll, describe, expect, it } from 'vitest';
import { initTf, tf } from '../../src/runtime/tf.js';
import { TfjsModel } from '../../src/models/tfjs-model.js';
import { explain } from '../../src/methods/index.js';
import { reseedWeights, seeded, smallCnn } from '../helpers/models.js';

beforeAll(async () => {
  await initTf();
});

/** Central finite differences of logit `target`, through TF.js's own predict (not our walker). */
function finiteDifference(lm: tf.LayersModel, x: Float32Array, shape: number[], target: number, eps = 1e-2): Float32Array {
  const g = new Float32Array(x.length);
  const f = (v: Float32Array) => tf.tidy(() => (lm.predict(tf.tensor(v, shape)) as tf.Tensor).dataSync()[target]);
  for (let i = 0; i < x.length; i++) {
    const plus = x.slice();
    const minus = x.slice();
    plus[i] += eps;
    minus[i] -= eps;
    g[i] = (f(plus) - f(minus)) / (2 * eps);
  }
  return g;
}

describe('vanilla gradient and saliency', () => {
  it('equal central finite differences on a small CNN', async () => {
    const lm = smallCnn('tanh', [8, 8, 2], 'avg');
    const model = new TfjsModel(lm);
    const shape = [1, 8, 8, 2];
    const x = seeded(128, 21);
    const [e] = await explain(model, { data: x, shape }, 'gradient', { targets: [2] });
    const fd = finiteDifference(lm, x, shape, 2);
    let maxErr = 0;
    let maxRef = 0;
    for (let i = 0; i < fd.length; i++) {
      maxErr = Math.max(maxErr, Math.abs(e.attribution.data[i] - fd[i]));
      maxRef = Math.max(maxRef, Math.abs(fd[i]));
    }
    expect(maxRef).toBeGreaterThan(1e-2);
    expect(maxErr / maxRef).toBeLessThan(1e-2);
    expect(e.attribution.shape).toEqual([8, 8, 2]);
    // Heatmap sums the channels of the signed gradient.
    expect(e.heatmap.shape).toEqual([8, 8]);
    expect(e.heatmap.data[5]).toBeCloseTo(e.attribution.data[10] + e.attribution.data[11], 6);

    const [s] = await explain(model, { data: x, shape }, 'saliency', { targets: [2] });
    for (let i = 0; i < x.length; i++) expect(s.attribution.data[i]).toBeCloseTo(Math.abs(e.attribution.data[i]), 6);
    // Saliency heatmap is the max over channels of |gradient| (Simonyan et al.).
    expect(s.heatmap.data[5]).toBeCloseTo(Math.max(Math.abs(e.attribution.data[10]), Math.abs(e.attribution.data[11])), 6);
  });

  it('explains the predicted class by default, and each example of a batch independently', async () => {
    const lm = smallCnn('relu');
    const model = new TfjsModel(lm);
    const x = seeded(3 * 128, 5);
    const batch = await explain(model, { data: x, shape: [3, 8, 8, 2] }, 'gradient');
    const logits = (lm.predict(tf.tensor(x, [3, 8, 8, 2])) as tf.Tensor).arraySync() as number[][];
    for (let i = 0; i < 3; i++) {
      const pred = logits[i].indexOf(Math.max(...logits[i]));
      expect(batch[i].target).toBe(pred);
      expect(batch[i].score).toBeCloseTo(logits[i][pred], 4);
      const [single] = await explain(model, { data: x.slice(i * 128, (i + 1) * 128), shape: [1, 8, 8, 2] }, 'gradient');
      expect(Array.from(single.attribution.data)).toEqual(Array.from(batch[i].attribution.data));
    }
  });
});

describe('Grad-CAM', () => {
  it('equals w_k = W[k,c]/(h·w), map = ReLU(Σ_k w_k A_k) on conv → GAP → dense', async () => {
    const m = tf.sequential();
    m.add(tf.layers.conv2d({ inputShape: [6, 6, 1], filters: 3, kernelSize: 3, padding: 'same', activation: 'relu', name: 'conv' }));
    m.add(tf.layers.globalAveragePooling2d({ name: 'gap' }));
    m.add(tf.layers.dense({ units: 2, name: 'logits' }));
    reseedWeights(m, 13, 1);
    const model = new TfjsModel(m);
    const x = seeded(36, 3, 1);
    const [e] = await explain(model, { data: x, shape: [1, 6, 6, 1] }, 'grad-cam', { targets: [1] });
    expect(e.layer).toBe('conv');
    // Activations from TF.js's own sub-model, weights read from the dense layer: no code shared with Glassbox.
    const sub = tf.model({ inputs: m.inputs, outputs: m.getLayer('conv').output as tf.SymbolicTensor });
    const a = (sub.predict(tf.tensor(x, [1, 6, 6, 1])) as tf.Tensor).dataSync();
    const w = m.getLayer('logits').getWeights()[0].arraySync() as number[][];
    for (let p = 0; p < 36; p++) {
      let v = 0;
      for (let k = 0; k < 3; k++) v += (w[k][1] / 36) * a[p * 3 + k];
      expect(e.heatmap.data[p]).toBeCloseTo(Math.max(0, v), 5);
    }
  });

  it('picks the last spatial layer by default and upsamples to the input', async () => {
    const model = new TfjsModel(smallCnn('relu'));
    const logs: string[] = [];
    const [e] = await explain(model, { data: seeded(128, 8), shape: [1, 8, 8, 2] }, 'grad-cam', { log: (m) => logs.push(m) });
    expect(e.layer).toBe('pool');
    expect(logs[0]).toMatch(/using layer pool/);
    expect(e.attribution.shape).toEqual([8, 8, 2]);
    expect(e.heatmap.shape).toEqual([8, 8]);
    await expect(explain(model, { data: seeded(128, 8), shape: [1, 8, 8, 2] }, 'grad-cam', { options: { layer: 'logits' } })).rejects.toThrow(/no spatial grid/);
  });
});

describe('explain runner', () => {
  it('keeps the tensor count flat over 50 repeated explains of each method', async () => {
    const model = new TfjsModel(smallCnn('relu'));
    const input = { data: seeded(2 * 128, 4), shape: [2, 8, 8, 2] };
    for (const method of ['gradient', 'saliency', 'grad-cam']) {
      await explain(model, input, method);
      const before = tf.memory().numTensors;
      for (let i = 0; i < 50; i++) await explain(model, input, method);
      expect(tf.memory().numTensors).toBe(before);
    }
  });

  it('rejects unknown methods and bad options by name', async () => {
    const model = new TfjsModel(smallCnn('relu'));
    const input = { data: seeded(128, 4), shape: [1, 8, 8, 2] };
    await expect(explain(model, input, 'magic')).rejects.toThrow(/unknown method "magic".*grad-cam/);
    await expect(explain(model, input, 'grad-cam', { options: { relu: 'yes' } })).rejects.toThrow(/options for grad-cam: relu/);
  });
});
