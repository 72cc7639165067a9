import { beforeAll, describe, expect, it } from 'vitest';
import { initTf, tf } from '../../src/runtime/tf.js';
import { TfjsModel } from '../../src/models/tfjs-model.js';
import { reseedWeights, seeded, smallCnn } from '../helpers/models.js';

beforeAll(async () => {
  await initTf();
});

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** A functional model touching every layer type the graph walker re-implements. */
function zooModel(): tf.LayersModel {
  const input = tf.input({ shape: [10, 10, 3] });
  const c1 = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', name: 'c1' }).apply(input) as tf.SymbolicTensor;
  const bn = tf.layers.batchNormalization({ name: 'bn' }).apply(c1) as tf.SymbolicTensor;
  const dw = tf.layers.depthwiseConv2d({ kernelSize: 3, padding: 'same', depthMultiplier: 1, name: 'dw', activation: 'relu6' }).apply(bn) as tf.SymbolicTensor;
  const add = tf.layers.add({ name: 'add' }).apply([bn, dw]) as tf.SymbolicTensor;
  const sep = tf.layers.separableConv2d({ filters: 5, kernelSize: 3, strides: 2, padding: 'same', name: 'sep', activation: 'elu' }).apply(add) as tf.SymbolicTensor;
  const zp = tf.layers.zeroPadding2d({ padding: [[1, 0], [0, 1]], name: 'zp' }).apply(sep) as tf.SymbolicTensor;
  const mp = tf.layers.maxPooling2d({ poolSize: 2, name: 'mp' }).apply(zp) as tf.SymbolicTensor;
  const ap = tf.layers.averagePooling2d({ poolSize: 2, strides: 1, padding: 'same', name: 'ap' }).apply(zp) as tf.SymbolicTensor;
  const gap = tf.layers.globalAveragePooling2d({ name: 'gap' }).apply(mp) as tf.SymbolicTensor;
  const gmp = tf.layers.globalMaxPooling2d({ name: 'gmp' }).apply(ap) as tf.SymbolicTensor;
  const cat = tf.layers.concatenate({ name: 'cat' }).apply([gap, gmp]) as tf.SymbolicTensor;
  const drop = tf.layers.dropout({ rate: 0.5, name: 'drop' }).apply(cat) as tf.SymbolicTensor;
  const d1 = tf.layers.dense({ units: 6, activation: 'swish', name: 'd1' }).apply(drop) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 3, activation: 'softmax', name: 'out' }).apply(d1) as tf.SymbolicTensor;
  const m = tf.model({ inputs: input, outputs: out });
  reseedWeights(m, 3);
  return m;
}

describe('TfjsModel graph walker', () => {
  it('reproduces model.predict on a model using every re-implemented layer type', async () => {
    const lm = zooModel();
    const model = new TfjsModel(lm);
    expect(model.outputKind).toBe('probabilities');
    const x = { data: seeded(2 * 10 * 10 * 3, 11), shape: [2, 10, 10, 3] };
    const ours = await model.predict(x);
    const theirs = (lm.predict(tf.tensor(x.data, x.shape)) as tf.Tensor).dataSync();
    expect(maxAbsDiff(ours.data, theirs)).toBeLessThan(1e-5);
  });

  it('reproduces a 1-D signal model and lists spatial layers', async () => {
    const m = tf.sequential();
    m.add(tf.layers.conv1d({ inputShape: [20, 1], filters: 3, kernelSize: 5, activation: 'relu', name: 'c1' }));
    m.add(tf.layers.maxPooling1d({ poolSize: 2, name: 'p1' }));
    m.add(tf.layers.conv1d({ filters: 4, kernelSize: 3, strides: 2, padding: 'same', name: 'c2' }));
    m.add(tf.layers.globalAveragePooling1d({ name: 'gap' }));
    m.add(tf.layers.dense({ units: 4, name: 'logits' }));
    reseedWeights(m, 5);
    const model = new TfjsModel(m);
    expect(model.kind).toBe('signal');
    expect(model.layers().filter((l) => l.spatial).map((l) => l.name)).toEqual(['c1', 'p1', 'c2']);
    const x = { data: seeded(3 * 20, 2), shape: [3, 20, 1] };
    const ours = await model.predict(x);
    const theirs = (m.predict(tf.tensor(x.data, x.shape)) as tf.Tensor).dataSync();
    expect(maxAbsDiff(ours.data, theirs)).toBeLessThan(1e-5);
  });

  it('returns layer activations equal to a truncated model', async () => {
    const lm = smallCnn();
    const model = new TfjsModel(lm);
    const x = { data: seeded(8 * 8 * 2, 4), shape: [1, 8, 8, 2] };
    const acts = await model.activations(x, ['conv2']);
    const sub = tf.model({ inputs: lm.inputs, outputs: lm.getLayer('conv2').output as tf.SymbolicTensor });
    const expected = (sub.predict(tf.tensor(x.data, x.shape)) as tf.Tensor).dataSync();
    expect(acts.get('conv2')!.shape).toEqual([1, 6, 6, 3]);
    expect(maxAbsDiff(acts.get('conv2')!.data, expected)).toBeLessThan(1e-5);
  });

  it('gives layer and input gradients from one call that match the separate calls', async () => {
    const model = new TfjsModel(smallCnn());
    const x = { data: seeded(2 * 8 * 8 * 2, 9), shape: [2, 8, 8, 2] };
    const both = await model.gradients({ input: x, targets: [1, 3], layer: 'conv1' });
    const inputOnly = await model.gradients({ input: x, targets: [1, 3] });
    const layerOnly = await model.gradients({ input: x, targets: [1, 3], layer: 'conv1', inputGradient: false });
    expect(maxAbsDiff(both.inputGradient!.data, inputOnly.inputGradient!.data)).toBeLessThan(1e-6);
    expect(maxAbsDiff(both.layerGradient!.data, layerOnly.layerGradient!.data)).toBeLessThan(1e-6);
    expect(maxAbsDiff(both.scores, layerOnly.scores)).toBeLessThan(1e-6);
  });

  it('rejects wrong shapes, NaNs, bad targets and unknown layers with clear messages', async () => {
    const model = new TfjsModel(smallCnn());
    const good = { data: seeded(8 * 8 * 2, 1), shape: [1, 8, 8, 2] };
    await expect(model.predict({ data: new Float32Array(8 * 8 * 3), shape: [1, 8, 8, 3] })).rejects.toThrow(/expects \[8, 8, 2\]/);
    const nan = { data: good.data.slice(), shape: good.shape };
    nan.data[3] = NaN;
    await expect(model.predict(nan)).rejects.toThrow(/NaN/);
    await expect(model.gradients({ input: good, targets: [7] })).rejects.toThrow(/out of range/);
    await expect(model.gradients({ input: good, targets: [0], layer: 'nope' })).rejects.toThrow(/unknown layer "nope".*conv1/);
  });
});

describe('scores of a model declared to output probabilities', () => {
  it('explains its sigmoid outputs as they are, with no second softmax', async () => {
    // y_k = σ(w_k·x): dy_k/dx = σ'(w_k·x) w_k, by hand.
    const w = [
      [0.5, -1, 2],
      [1.5, 0.25, -0.75],
    ];
    const m = tf.sequential({
      layers: [tf.layers.dense({ inputShape: [3], units: 2, useBias: false, activation: 'sigmoid', name: 'out' })],
    });
    m.getLayer('out').setWeights([tf.tensor2d([0, 1, 2].map((i) => [w[0][i], w[1][i]]))]);
    const model = new TfjsModel(m, { outputKind: 'probabilities' });
    const x = [0.3, -0.2, 0.4];
    const r = await model.gradients({ input: { data: Float32Array.from(x), shape: [1, 3] }, targets: [1], score: 'probability' });
    const z = w[1].reduce((s, v, i) => s + v * x[i], 0);
    const sig = 1 / (1 + Math.exp(-z));
    expect(r.scores[0]).toBeCloseTo(sig, 6);
    expect(maxAbsDiff(r.inputGradient!.data, w[1].map((v) => sig * (1 - sig) * v))).toBeLessThan(1e-6);
    model.dispose();
  });
});
