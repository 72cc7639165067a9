import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initTf, tf } from '../../src/runtime/tf.js';
import { exportTfjsModel, exportTfjsToOnnx, saveOnnx } from '../../src/onnx/export-tfjs.js';
import { GlassboxError } from '../../src/core/errors.js';
import { reseedWeights, seeded, smallCnn } from '../helpers/models.js';
import { compareWithTfjs, decode, relError, runOnnx, withOutputs } from './helpers.js';

type S = tf.SymbolicTensor;
const L = tf.layers;
const TOL = 1e-4;

beforeAll(async () => {
  await initTf();
});

/** Odd spatial sizes so every 'same' conv and pool needs asymmetric padding. */
function imageZoo(): tf.LayersModel {
  const input = tf.input({ shape: [11, 13, 3], name: 'image' });
  const s2 = L.conv2d({ filters: 4, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', name: 'conv_s2' }).apply(input) as S;
  const dil = L.conv2d({ filters: 4, kernelSize: 3, dilationRate: 2, padding: 'same', activation: 'selu', name: 'conv_dil' }).apply(s2) as S;
  const valid = L.conv2d({ filters: 6, kernelSize: [2, 3], padding: 'valid', useBias: false, name: 'conv_valid' }).apply(dil) as S;
  const bn = L.batchNormalization({ name: 'bn' }).apply(valid) as S;
  const r6 = L.activation({ activation: 'relu6', name: 'act_relu6' }).apply(bn) as S;
  const dw = L.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, strides: 2, padding: 'same', activation: 'tanh', name: 'dw' }).apply(r6) as S;
  const dwValid = L.depthwiseConv2d({ kernelSize: 2, padding: 'valid', useBias: false, name: 'dw_valid' }).apply(dw) as S;
  const sep = L.separableConv2d({ filters: 5, kernelSize: 3, padding: 'same', activation: 'swish', name: 'sep' }).apply(dw) as S;
  const zp = L.zeroPadding2d({ padding: [[1, 0], [0, 2]], name: 'zp' }).apply(sep) as S;
  const mp = L.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same', name: 'mp' }).apply(zp) as S;
  const ap = L.averagePooling2d({ poolSize: 3, strides: 2, padding: 'same', name: 'ap' }).apply(zp) as S;
  const apValid = L.averagePooling2d({ poolSize: 2, name: 'ap_valid' }).apply(zp) as S;
  const mpValid = L.maxPooling2d({ poolSize: [2, 1], strides: [1, 2], name: 'mp_valid' }).apply(sep) as S;
  const add = L.add({ name: 'add' }).apply([mp, ap]) as S;
  const mul = L.multiply({ name: 'mul' }).apply([mp, ap]) as S;
  const catC = L.concatenate({ name: 'cat_c' }).apply([add, mul]) as S;
  const catH = L.concatenate({ axis: 1, name: 'cat_h' }).apply([add, mul]) as S;
  const gap = L.globalAveragePooling2d({ name: 'gap' }).apply(catC) as S;
  const gmp = L.globalMaxPooling2d({ name: 'gmp' }).apply(catC) as S;
  const flat = L.flatten({ name: 'flat' }).apply(catH) as S;
  const flat2 = L.flatten({ name: 'flat2' }).apply(apValid) as S;
  const flat3 = L.flatten({ name: 'flat3' }).apply(dwValid) as S;
  const flat4 = L.flatten({ name: 'flat4' }).apply(mpValid) as S;
  const all = L.concatenate({ name: 'cat_flat' }).apply([flat, gap, gmp, flat2, flat3, flat4]) as S;
  const drop = L.dropout({ rate: 0.5, name: 'drop' }).apply(all) as S;
  const fc = L.dense({ units: 8, activation: 'gelu', name: 'fc' }).apply(drop) as S;
  const logits = L.dense({ units: 5, name: 'logits' }).apply(fc) as S;
  const probs = L.softmax({ name: 'probs' }).apply(logits) as S;
  return tf.model({ inputs: input, outputs: probs });
}

/** Layout-sensitive layers: reshape, permute, crop, dense on rank 3, norms along odd axes. */
function shapeZoo(): tf.LayersModel {
  const input = tf.input({ shape: [6, 8, 2], name: 'x' });
  const pw = L.conv2d({ filters: 3, kernelSize: 1, name: 'pw' }).apply(input) as S;
  const leaky = L.leakyReLU({ alpha: 0.2, name: 'leaky' }).apply(pw) as S;
  const capped = L.reLU({ maxValue: 0.5, name: 'relu_cap' }).apply(leaky) as S;
  const elu = L.elu({ name: 'elu' }).apply(pw) as S;
  const thr = L.thresholdedReLU({ theta: 0.1, name: 'thr' }).apply(pw) as S;
  const sum = L.add({ name: 'sum3' }).apply([capped, elu, thr]) as S;
  const crop = L.cropping2D({ cropping: [[1, 0], [2, 1]], name: 'crop' }).apply(sum) as S; // [5, 5, 3]
  const rs = L.reshape({ targetShape: [5, 15], name: 'reshape' }).apply(crop) as S;
  const perm = L.permute({ dims: [2, 1], name: 'permute' }).apply(rs) as S; // [15, 5]
  const ln = L.layerNormalization({ name: 'ln' }).apply(perm) as S;
  const da = L.dense({ units: 4, activation: 'sigmoid', name: 'd_a' }).apply(ln) as S;
  const db = L.dense({ units: 4, activation: 'hardSigmoid', name: 'd_b' }).apply(ln) as S;
  const mx = L.maximum({ name: 'max' }).apply([da, db]) as S;
  const mn = L.minimum({ name: 'min' }).apply([da, db]) as S;
  const avg = L.average({ name: 'avg' }).apply([da, db]) as S;
  const cat = L.concatenate({ axis: 1, name: 'cat_len' }).apply([mx, mn, avg]) as S; // [45, 4]
  const sm = L.softmax({ axis: -1, name: 'sm3' }).apply(cat) as S;
  const resc = L.rescaling({ scale: 2, offset: -0.25, name: 'resc' }).apply(sm) as S;
  const back = L.reshape({ targetShape: [9, 5, 4], name: 'to_image' }).apply(resc) as S;
  const bn4 = L.batchNormalization({ name: 'bn4', center: false }).apply(back) as S;
  const flat = L.flatten({ name: 'flat' }).apply(bn4) as S;
  const out = L.dense({ units: 3, activation: 'softsign', name: 'out' }).apply(flat) as S;
  return tf.model({ inputs: input, outputs: out });
}

function signalZoo(): tf.LayersModel {
  const input = tf.input({ shape: [21, 3], name: 'signal' });
  const c1 = L.conv1d({ filters: 4, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', name: 'c1' }).apply(input) as S;
  const c2 = L.conv1d({ filters: 4, kernelSize: 3, dilationRate: 2, padding: 'same', activation: 'elu', name: 'c2' }).apply(c1) as S;
  const c3 = L.conv1d({ filters: 5, kernelSize: 2, padding: 'valid', activation: 'mish', name: 'c3' }).apply(c2) as S;
  const sd = L.spatialDropout1d({ rate: 0.3, name: 'sdrop' }).apply(c3) as S;
  const mp = L.maxPooling1d({ poolSize: 3, strides: 2, padding: 'same', name: 'mp1' }).apply(sd) as S;
  const ap = L.averagePooling1d({ poolSize: 3, strides: 2, padding: 'same', name: 'ap1' }).apply(sd) as S;
  const apv = L.averagePooling1d({ poolSize: 2, name: 'ap1_valid' }).apply(sd) as S;
  const gap = L.globalAveragePooling1d({ name: 'gap1' }).apply(mp) as S;
  const gmp = L.globalMaxPooling1d({ name: 'gmp1' }).apply(ap) as S;
  const flat = L.flatten({ name: 'flat1' }).apply(apv) as S;
  const cat = L.concatenate({ name: 'cat' }).apply([gap, gmp, flat]) as S;
  const out = L.dense({ units: 4, activation: 'softmax', name: 'out' }).apply(cat) as S;
  return tf.model({ inputs: input, outputs: out });
}

const ACTIVATIONS = ['linear', 'relu', 'relu6', 'sigmoid', 'hardSigmoid', 'tanh', 'elu', 'selu', 'softplus', 'softsign', 'swish', 'mish', 'gelu', 'gelu_new', 'softmax', 'logSoftmax'];

/** One dense branch per activation, fed with values wide enough to reach relu6's clip. */
function activationZoo(): tf.LayersModel {
  const input = tf.input({ shape: [7], name: 'features' });
  const wide = L.rescaling({ scale: 3, name: 'wide' }).apply(input) as S;
  const wider = L.rescaling({ scale: 30, name: 'wider' }).apply(input) as S;
  const branches = ACTIVATIONS.map((a) => L.dense({ units: 6, activation: a as any, name: `act_${a}` }).apply(a === 'relu6' ? wider : wide) as S);
  const cat = L.concatenate({ name: 'cat' }).apply(branches) as S;
  const out = L.dense({ units: 3, name: 'out' }).apply(cat) as S;
  return tf.model({ inputs: input, outputs: out });
}

/** A Sequential inside a functional model, and a layer applied twice. */
function nested(): { model: tf.LayersModel; block: tf.Sequential } {
  const block = tf.sequential({ name: 'block' });
  block.add(L.conv2d({ inputShape: [8, 8, 2], filters: 3, kernelSize: 3, padding: 'same', activation: 'relu', name: 'inner_conv' }));
  block.add(L.batchNormalization({ name: 'inner_bn' }));
  const input = tf.input({ shape: [8, 8, 2], name: 'img' });
  const y = block.apply(input) as S;
  const shared = L.conv2d({ filters: 3, kernelSize: 1, name: 'shared' });
  const a = shared.apply(y) as S;
  const b = shared.apply(a) as S;
  const gap = L.globalAveragePooling2d({ name: 'gap' }).apply(L.add({ name: 'sum' }).apply([a, b]) as S) as S;
  return { model: tf.model({ inputs: input, outputs: L.dense({ units: 2, name: 'out' }).apply(gap) as S }), block };
}

/** TF.js output of `layer` for input x, through a sub-model. */
function tfjsActivation(model: tf.LayersModel, layer: string, x: tf.Tensor): { data: Float32Array; shape: number[] } {
  return tf.tidy(() => {
    const sub = tf.model({ inputs: model.inputs, outputs: model.getLayer(layer).output as S });
    const y = sub.predict(x) as tf.Tensor;
    return { data: y.dataSync() as Float32Array, shape: y.shape };
  });
}

/** NCHW / NCL → NHWC / NLC (what a channels-first ONNX tensor is in TF.js order). */
function toChannelsLast(data: Float32Array, dims: number[]): Float32Array {
  if (dims.length < 3) return data;
  const perm = [0, ...dims.slice(2).map((_, i) => i + 2), 1];
  return tf.tidy(() => tf.transpose(tf.tensor(data, dims), perm).dataSync() as Float32Array);
}

describe('exportTfjsToOnnx: ONNX Runtime agrees with TF.js predict', () => {
  const cases: [string, () => tf.LayersModel, number][] = [
    ['image layers (conv, depthwise, separable, BN, pools with same padding, merges, flatten)', imageZoo, 11],
    ['layout-sensitive layers (reshape, permute, crop, rank-3 dense, layer norm, batch norm on rank 4 without centre)', shapeZoo, 12],
    ['1-D layers (conv1d strided/dilated/valid, 1-D pools, global pools)', signalZoo, 13],
    ['every activation', activationZoo, 14],
    ['the Sequential test CNN', () => smallCnn('relu'), 16],
  ];
  for (const [what, build, seed] of cases) {
    it(what, async () => {
      const model = build();
      const r = await compareWithTfjs(model, seed, 3);
      expect(r.onnx.length).toBe(r.tfjs.length);
      expect(r.error).toBeLessThan(TOL);
      // The comparison must see real signal, not all-zero or saturated outputs.
      const spread = Math.max(...r.tfjs) - Math.min(...r.tfjs);
      expect(spread).toBeGreaterThan(1e-2);
    });
  }

  it('nested Sequential and a shared layer', async () => {
    const { model, block } = nested();
    // The outer reseed sees the block as one layer; reseed it again so its batch norm stays valid.
    const r = await compareWithTfjs(model, 15, 3, (m) => {
      reseedWeights(m, 15);
      reseedWeights(block, 16);
    });
    expect(r.error).toBeLessThan(TOL);
    expect(Math.max(...r.tfjs) - Math.min(...r.tfjs)).toBeGreaterThan(1e-2);
  });

  it('every activation branch matches on its own, relu6 reaching its clip', async () => {
    const model = activationZoo();
    reseedWeights(model, 21);
    const bytes = withOutputs(exportTfjsToOnnx(model), ACTIVATIONS.map((a) => `act_${a}`));
    const x = seeded(4 * 7, 5);
    const got = await runOnnx(bytes, { features: { data: x, shape: [4, 7] } });
    const xt = tf.tensor(x, [4, 7]);
    for (const a of ACTIVATIONS) {
      const expected = tfjsActivation(model, `act_${a}`, xt);
      expect(relError(got[`act_${a}`].data as Float32Array, expected.data), a).toBeLessThan(TOL);
    }
    const r6 = tfjsActivation(model, 'act_relu6', xt).data;
    expect(r6.some((v) => v === 6)).toBe(true);
    expect(r6.some((v) => v > 0 && v < 6)).toBe(true);
    xt.dispose();
  });
});

describe('batch norm along a non-channel axis', () => {
  // TF.js's own batch-norm kernels index their parameters as if they ran along the last axis
  // (cpu and wasm alike), so predict() is wrong here; the export follows the layer's definition,
  // (x − mean) / √(var + ε) · γ + β along `axis`, checked directly.
  it('normalises along the layer axis', async () => {
    const input = tf.input({ shape: [5, 4], name: 'seq' });
    const bn = L.batchNormalization({ axis: 1, epsilon: 0.01, name: 'bn_len' }).apply(input) as S;
    const model = tf.model({ inputs: input, outputs: bn });
    reseedWeights(model, 51);
    const [gamma, beta, mean, variance] = model.getLayer('bn_len').getWeights().map((w) => w.dataSync());
    const x = seeded(2 * 5 * 4, 52);
    const expected = new Float32Array(x.length);
    for (let i = 0; i < x.length; i++) {
      const c = Math.floor(i / 4) % 5;
      expected[i] = ((x[i] - mean[c]) / Math.sqrt(variance[c] + 0.01)) * gamma[c] + beta[c];
    }
    const got = await runOnnx(exportTfjsToOnnx(model), { seq: { data: x, shape: [2, 5, 4] } });
    expect(relError(Object.values(got)[0].data as Float32Array, expected)).toBeLessThan(TOL);
  });
});

describe('exported graph structure', () => {
  it('keeps the input in NHWC and starts with a Transpose to NCHW', () => {
    const model = imageZoo();
    const proto = decode(exportTfjsToOnnx(model));
    const input = proto.graph!.input![0];
    expect(input.name).toBe('image');
    const dims = input.type!.tensorType!.shape!.dim!.map((d) => (d.dimParam ? d.dimParam : Number(d.dimValue)));
    expect(dims).toEqual(['N', 11, 13, 3]);
    const first = proto.graph!.node![0];
    expect(first.opType).toBe('Transpose');
    expect(first.input).toEqual(['image']);
    expect(first.attribute![0].ints!.map(Number)).toEqual([0, 3, 1, 2]);
    expect(Number(proto.opsetImport![0].version)).toBe(13);
  });

  it('names each layer output after the layer, and those tensors equal the TF.js layer outputs', async () => {
    const model = imageZoo();
    reseedWeights(model, 31);
    const { bytes, layers } = exportTfjsModel(model);
    const proto = decode(bytes);
    const producers = new Map(proto.graph!.node!.map((n) => [n.output![0], n.name]));
    const identities = new Set(['drop']);
    for (const layer of model.layers) {
      if (layer.getClassName() === 'InputLayer' || identities.has(layer.name)) continue;
      expect(producers.get(layer.name), layer.name).toBe(layer.name);
    }
    // Dropout adds no node; the metadata points its name at its input.
    expect(layers.find((l) => l.name === 'drop')?.tensor).toBe('cat_flat');
    const meta = JSON.parse(proto.metadataProps!.find((p) => p.key === 'glassbox.layers')!.value!);
    expect(meta.find((l: { name: string }) => l.name === 'conv_s2')).toEqual({ name: 'conv_s2', className: 'Conv2D', tensor: 'conv_s2', shape: [-1, 4, 6, 7] });

    const probe = ['conv_s2', 'bn', 'dw', 'sep', 'zp', 'mp', 'ap', 'cat_h', 'gap', 'flat', 'fc'];
    const x = seeded(2 * 11 * 13 * 3, 8);
    const got = await runOnnx(withOutputs(bytes, probe), { image: { data: x, shape: [2, 11, 13, 3] } });
    const xt = tf.tensor(x, [2, 11, 13, 3]);
    for (const name of probe) {
      const expected = tfjsActivation(model, name, xt);
      const t = got[name];
      const info = layers.find((l) => l.name === name)!;
      expect(t.dims.slice(1), name).toEqual(info.shape.slice(1));
      expect(relError(toChannelsLast(t.data as Float32Array, t.dims as number[]), expected.data), name).toBeLessThan(TOL);
    }
    xt.dispose();
  });

  it('keeps a rank-4 model output in NHWC', async () => {
    const input = tf.input({ shape: [5, 4, 2] });
    const y = L.conv2d({ filters: 3, kernelSize: 3, padding: 'same', name: 'feat' }).apply(input) as S;
    const model = tf.model({ inputs: input, outputs: y });
    const r = await compareWithTfjs(model, 41, 2);
    expect(r.error).toBeLessThan(TOL);
  });

  it('saveOnnx writes the same bytes, loadable by ONNX Runtime', async () => {
    const model = smallCnn('tanh');
    const dir = await mkdtemp(path.join(os.tmpdir(), 'gb-onnx-'));
    try {
      const file = path.join(dir, 'm.onnx');
      await saveOnnx(model, file);
      const bytes = new Uint8Array(await readFile(file));
      expect(Buffer.from(bytes).equals(Buffer.from(exportTfjsToOnnx(model)))).toBe(true);
      const x = seeded(8 * 8 * 2, 3);
      const got = await runOnnx(bytes, { [decode(bytes).graph!.input![0].name!]: { data: x, shape: [1, 8, 8, 2] } });
      const expected = tf.tidy(() => (model.predict(tf.tensor(x, [1, 8, 8, 2])) as tf.Tensor).dataSync());
      expect(relError(Object.values(got)[0].data as Float32Array, expected)).toBeLessThan(TOL);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('unsupported models fail clearly', () => {
  it('names an unsupported layer and its class', () => {
    const m = tf.sequential();
    m.add(L.lstm({ inputShape: [5, 3], units: 4, name: 'my_lstm' }));
    m.add(L.dense({ units: 2 }));
    expect(() => exportTfjsToOnnx(m)).toThrow(GlassboxError);
    expect(() => exportTfjsToOnnx(m)).toThrow(/layer "my_lstm" \(LSTM\)/);
  });

  it('rejects channelsFirst convolutions', () => {
    const m = tf.sequential();
    m.add(L.inputLayer({ inputShape: [4, 4, 2] }));
    m.add(L.upSampling2d({ size: [2, 2], name: 'up' }));
    expect(() => exportTfjsToOnnx(m)).toThrow(/layer "up" \(UpSampling2D\)/);
    const c = tf.sequential();
    c.add(L.globalAveragePooling2d({ inputShape: [2, 4, 4], dataFormat: 'channelsFirst', name: 'gp_cf' }));
    expect(() => exportTfjsToOnnx(c)).toThrow(/"gp_cf".*channelsFirst/);
  });

  it('rejects a conv whose input size is not fixed (it needs TF same-padding amounts)', () => {
    const m = tf.sequential();
    m.add(L.conv2d({ inputShape: [null, null, 3] as any, filters: 2, kernelSize: 3, padding: 'same', name: 'free_conv' }));
    expect(() => exportTfjsToOnnx(m)).toThrow(/"free_conv".*not fixed/);
  });
});
