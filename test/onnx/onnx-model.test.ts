/**
 * OnnxModel end to end on a small CNN (Conv+BN+ReLU+MaxPool+Conv+ReLU+Gemm), NCHW inside,
 * ImageNet normalisation at the boundary. References are computed independently: the original
 * bytes run directly on ONNX Runtime, with the layout change and normalisation done here in JS.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OnnxModel } from '../../src/models/onnx-model.js';
import { IMAGENET } from '../../src/onnx/boundary.js';
import { seeded } from '../helpers/models.js';
import { CNN_CLASSES, CNN_SHAPES, gapCnn, reluMlp, tinyCnn } from './models.js';
import { countNaN, finiteDifferences, forward, rawSession, relativeError, toChannelsFirst } from './fd.js';
import type * as ort from 'onnxruntime-node';

const N = 3;
const SHAPE = [8, 8, 3];
const PER = 8 * 8 * 3;
const x = Float32Array.from(seeded(N * PER, 5, 0.5), (v) => v + 0.5); // [0, 1] like an image
const targets = [0, 3, 4];

/** What the adapter should compute: normalise per channel, go channels-first, run the model. */
function toModelInput(batch: Float32Array, m: number): Float32Array {
  const normed = batch.map((v, i) => (v - IMAGENET.mean[i % 3]) / IMAGENET.std[i % 3]);
  return toChannelsFirst(normed, [m, 8, 8, 3]);
}

let model: OnnxModel;
let raw: ort.InferenceSession;
const rawScores = async (batch: Float32Array, m: number) => (await forward(raw, toModelInput(batch, m), [m, 3, 8, 8])).data;

beforeAll(async () => {
  const bytes = tinyCnn();
  model = await OnnxModel.fromBytes(bytes, { name: 'tiny', preprocess: 'imagenet', batchSize: 2, threads: 1 });
  raw = await rawSession(bytes);
});

afterAll(async () => {
  model.dispose();
  await raw.release();
});

describe('OnnxModel on a small CNN', () => {
  it('detects NCHW, reports canonical shapes and lists layers by node name', () => {
    expect(model.inputShape).toEqual(SHAPE);
    expect(model.kind).toBe('image');
    expect(model.numClasses).toBe(CNN_CLASSES);
    expect(model.outputKind).toBe('logits');
    const layers = model.layers();
    expect(layers.map((l) => l.name)).toEqual(['conv1', 'bn1', 'relu1', 'pool1', 'conv2', 'relu2', expect.stringMatching(/^t\d+$/), 'fc']);
    expect(layers.find((l) => l.name === 'pool1')).toEqual({ name: 'pool1', type: 'MaxPool', outputShape: [4, 4, 4], spatial: true });
    expect(layers.find((l) => l.name === 'fc')).toEqual({ name: 'fc', type: 'Gemm', outputShape: [5], spatial: false });
  });

  it('predicts like the raw model, in batches', async () => {
    const ours = await model.predict({ data: x, shape: [N, ...SHAPE] });
    const theirs = await rawScores(x, N);
    expect(ours.shape).toEqual([N, CNN_CLASSES]);
    expect(relativeError(ours.data, theirs, 1)).toBeLessThan(1e-6);
  });

  it('returns activations channels-last, equal to the raw intermediate tensors', async () => {
    const acts = await model.activations({ data: x, shape: [N, ...SHAPE] }, ['relu1', 'fc']);
    // Reference: the tail model fed the activation reproduces the logits.
    const relu1 = acts.get('relu1')!;
    expect(relu1.shape).toEqual([N, 8, 8, 4]);
    const tail = await rawSession(tinyCnn({}, 'relu1'));
    const fromTail = await forward(tail, toChannelsFirst(relu1.data, relu1.shape), [N, ...CNN_SHAPES.relu1]);
    await tail.release();
    expect(relativeError(fromTail.data, await rawScores(x, N), 1)).toBeLessThan(1e-5);
    expect(relativeError(acts.get('fc')!.data, await rawScores(x, N), 1)).toBeLessThan(1e-6);
    expect(relu1.data.every((v) => v >= 0)).toBe(true);
  });

  it('gives the input gradient through normalisation and layout (finite differences)', async () => {
    const r = await model.gradients({ input: { data: x, shape: [N, ...SHAPE] }, targets });
    const fd = await finiteDifferences(rawScores, x, N, targets, CNN_CLASSES, 1e-3, 1e-3);
    const skipped = countNaN(fd);
    expect(skipped / fd.length).toBeLessThan(0.1);
    expect(r.inputGradient!.shape).toEqual([N, ...SHAPE]);
    expect(relativeError(r.inputGradient!.data, fd)).toBeLessThan(2e-3);
    const logits = await rawScores(x, N);
    expect(Array.from(r.scores)).toEqual(targets.map((t, i) => expect.closeTo(logits[i * CNN_CLASSES + t], 5)));
  });

  it.each(['relu1', 'pool1'] as const)('gives the %s activation and layer gradient (finite differences on the tail)', async (layer) => {
    const r = await model.gradients({ input: { data: x, shape: [N, ...SHAPE] }, targets, layer });
    const [c, ...grid] = CNN_SHAPES[layer];
    expect(r.activation!.shape).toEqual([N, ...grid, c]);
    expect(r.layerGradient!.shape).toEqual([N, ...grid, c]);
    const tail = await rawSession(tinyCnn({}, layer));
    const act = toChannelsFirst(r.activation!.data, r.activation!.shape);
    const fd = await finiteDifferences(async (batch, m) => (await forward(tail, batch, [m, ...CNN_SHAPES[layer]])).data, act, N, targets, CNN_CLASSES, 1e-2, 1e-3);
    await tail.release();
    expect(countNaN(fd) / fd.length).toBeLessThan(0.1);
    const ours = toChannelsFirst(r.layerGradient!.data, r.layerGradient!.shape);
    expect(relativeError(ours, fd)).toBeLessThan(2e-3);
    // Asking for the layer alone (head-only backward pass) gives the same numbers.
    const head = await model.gradients({ input: { data: x, shape: [N, ...SHAPE] }, targets, layer, inputGradient: false });
    expect(head.inputGradient).toBeUndefined();
    expect(relativeError(head.layerGradient!.data, r.layerGradient!.data, 1e-6)).toBeLessThan(1e-5);
  });

  it('explains the softmax probability on request (finite differences)', async () => {
    const r = await model.gradients({ input: { data: x, shape: [N, ...SHAPE] }, targets, score: 'probability' });
    const probs = async (batch: Float32Array, m: number) => {
      const logits = await rawScores(batch, m);
      const out = new Float32Array(logits.length);
      for (let i = 0; i < m; i++) {
        const row = logits.subarray(i * CNN_CLASSES, (i + 1) * CNN_CLASSES);
        const max = Math.max(...row);
        const e = Array.from(row, (v) => Math.exp(v - max));
        const s = e.reduce((a, b) => a + b, 0);
        e.forEach((v, j) => (out[i * CNN_CLASSES + j] = v / s));
      }
      return out;
    };
    const fd = await finiteDifferences(probs, x, N, targets, CNN_CLASSES, 1e-3, 3e-2);
    expect(countNaN(fd) / fd.length).toBeLessThan(0.1);
    expect(relativeError(r.inputGradient!.data, fd)).toBeLessThan(2e-3);
    const p = await probs(x, N);
    expect(Array.from(r.scores)).toEqual(targets.map((t, i) => expect.closeTo(p[i * CNN_CLASSES + t], 5)));
  });

  it('gives channel gradients of a layer (activation maximisation)', async () => {
    const channels = [0, 2, 3];
    const r = await model.channelGradient!({ input: { data: x, shape: [N, ...SHAPE] }, layer: 'relu1', channels });
    // Reference: mean of the channel over positions, from the adapter's own activations, by FD.
    const meanOfChannel = async (batch: Float32Array, m: number) => {
      const acts = await model.activations({ data: batch, shape: [m, ...SHAPE] }, ['relu1']);
      const a = acts.get('relu1')!.data;
      const out = new Float32Array(m * 4);
      for (let i = 0; i < m; i++) for (let p = 0; p < 64; p++) for (let ch = 0; ch < 4; ch++) out[i * 4 + ch] += a[(i * 64 + p) * 4 + ch] / 64;
      return out;
    };
    const fd = await finiteDifferences(meanOfChannel, x, N, channels, 4, 1e-3, 1e-3);
    expect(countNaN(fd) / fd.length).toBeLessThan(0.1);
    expect(relativeError(r.inputGradient.data, fd)).toBeLessThan(2e-3);
    const means = await meanOfChannel(x, N);
    expect(Array.from(r.values)).toEqual(channels.map((c, i) => expect.closeTo(means[i * 4 + c], 5)));
  });
});

describe('OnnxModel variants', () => {
  it('detects a final Softmax: outputs probabilities, "logit" means the Softmax input', async () => {
    const m = await OnnxModel.fromBytes(tinyCnn({ softmax: true }), { threads: 1 });
    const plain = await OnnxModel.fromBytes(tinyCnn(), { threads: 1 });
    expect(m.outputKind).toBe('probabilities');
    const input = { data: x, shape: [N, ...SHAPE] };
    const logit = await m.gradients({ input, targets, score: 'logit' });
    const reference = await plain.gradients({ input, targets });
    expect(relativeError(logit.inputGradient!.data, reference.inputGradient!.data, 1e-6)).toBeLessThan(1e-5);
    expect(relativeError(logit.scores, reference.scores, 1e-6)).toBeLessThan(1e-6);
    const prob = await m.gradients({ input, targets, score: 'probability' });
    const probRef = await plain.gradients({ input, targets, score: 'probability' });
    expect(relativeError(prob.inputGradient!.data, probRef.inputGradient!.data, 1e-6)).toBeLessThan(1e-4);
    const out = await m.predict(input);
    for (let i = 0; i < N; i++) expect(out.data.slice(i * 5, i * 5 + 5).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    m.dispose();
    plain.dispose();
  });

  it('runs a model with a fixed batch size of 1 on any batch', async () => {
    const fixed = await OnnxModel.fromBytes(tinyCnn({ batch: 1 }), { threads: 1 });
    const free = await OnnxModel.fromBytes(tinyCnn(), { threads: 1 });
    const input = { data: x, shape: [N, ...SHAPE] };
    const a = await fixed.gradients({ input, targets, layer: 'pool1' });
    const b = await free.gradients({ input, targets, layer: 'pool1' });
    expect(relativeError(a.inputGradient!.data, b.inputGradient!.data, 1e-6)).toBeLessThan(1e-5);
    expect(relativeError(a.layerGradient!.data, b.layerGradient!.data, 1e-6)).toBeLessThan(1e-5);
    fixed.dispose();
    free.dispose();
  });

  it('needs a size for a model with a free input size, and then works', async () => {
    await expect(OnnxModel.fromBytes(tinyCnn({ dynamicSize: true }))).rejects.toThrow(/any input size; give the size to use \(--size NxN\)/);
    const m = await OnnxModel.fromBytes(tinyCnn({ dynamicSize: true }), { size: [8, 8], threads: 1 });
    expect(m.inputShape).toEqual(SHAPE);
    const out = await m.predict({ data: x, shape: [N, ...SHAPE] });
    const ref = await forward(raw, toChannelsFirst(x, [N, 8, 8, 3]), [N, 3, 8, 8]);
    expect(relativeError(out.data, ref.data, 1)).toBeLessThan(1e-6);
    m.dispose();
  });

  it('takes an NHWC layout override and custom mean/std', async () => {
    const m = await OnnxModel.fromBytes(tinyCnn(), { layout: 'nhwc', preprocess: { mean: [0.5], std: [2] }, threads: 1 });
    expect(m.inputShape).toEqual([3, 8, 8]);
    const xin = seeded(2 * 3 * 64, 8, 1);
    const out = await m.predict({ data: xin, shape: [2, 3, 8, 8] });
    const ref = await forward(raw, xin.map((v) => (v - 0.5) / 2), [2, 3, 8, 8]);
    expect(relativeError(out.data, ref.data, 1)).toBeLessThan(1e-6);
    m.dispose();
  });

  it('does not call a 1×1 grid spatial (ONNX GlobalAveragePool keeps [N, C, 1, 1])', async () => {
    const m = await OnnxModel.fromBytes(gapCnn(12), { threads: 1 });
    const byName = new Map(m.layers().map((l) => [l.name, l]));
    expect(byName.get('gap')).toEqual({ name: 'gap', type: 'GlobalAveragePool', outputShape: [1, 1, 8], spatial: false });
    expect(byName.get('relu2')).toEqual({ name: 'relu2', type: 'Relu', outputShape: [6, 6, 8], spatial: true });
    const acts = await m.activations({ data: seeded(2 * 12 * 12 * 3, 4, 1), shape: [2, 12, 12, 3] }, ['gap', 'relu2']);
    expect(acts.get('gap')!.shape).toEqual([2, 1, 1, 8]);
    // The pooled map is the mean of relu2 over positions, channel by channel.
    const r2 = acts.get('relu2')!.data;
    for (let ch = 0; ch < 8; ch++) {
      let mean = 0;
      for (let p = 0; p < 36; p++) mean += r2[p * 8 + ch] / 36;
      expect(acts.get('gap')!.data[ch]).toBeCloseTo(mean, 5);
    }
    m.dispose();
  });

  it('accepts 1-channel NCHW and keeps layouts of a channels-first model consistent', async () => {
    const m = await OnnxModel.fromBytes(tinyCnn({ channels: 1 }), { threads: 1 });
    expect(m.inputShape).toEqual([8, 8, 1]);
    const xin = seeded(2 * 64, 9, 1);
    const r = await m.gradients({ input: { data: xin, shape: [2, 8, 8, 1] }, targets: [1, 2], layer: 'conv2' });
    const acts = await m.activations({ data: xin, shape: [2, 8, 8, 1] }, ['conv2']);
    expect(Array.from(r.activation!.data)).toEqual(Array.from(acts.get('conv2')!.data));
    expect(r.activation!.shape).toEqual([2, 4, 4, 6]);
    m.dispose();
  });
});

describe('ReLU backward rules on a two-layer ReLU net (hand computation)', () => {
  const net = reluMlp();
  const input = [0.4, -0.7, 0.2, 0.9, -0.3, 0.5, -0.6, 0.1];
  const t = [1, 1];

  /** dlogit_t/dx with the ReLU passing g back as `relu(g, z)`. */
  function hand(rule: (g: number, z: number) => number): number[] {
    const out: number[] = [];
    for (let e = 0; e < 2; e++) {
      const xe = input.slice(e * 4, e * 4 + 4);
      const z = net.w1.map((row, j) => row.reduce((s, w, i) => s + w * xe[i], net.b1[j]));
      const gh = net.w2[t[e]].map((w, j) => rule(w, z[j]));
      for (let i = 0; i < 4; i++) out.push(gh.reduce((s, g, j) => s + g * net.w1[j][i], 0));
    }
    return out;
  }

  const rules = {
    standard: (g: number, z: number) => (z > 0 ? g : 0),
    guided: (g: number, z: number) => (z > 0 && g > 0 ? g : 0),
    deconvnet: (g: number) => Math.max(g, 0),
  };

  it.each(Object.keys(rules) as (keyof typeof rules)[])('%s', async (rule) => {
    const m = await OnnxModel.fromBytes(net.bytes, { threads: 1 });
    expect(m.kind).toBe('table');
    const r = await m.gradients({ input: { data: Float32Array.from(input), shape: [2, 4] }, targets: t, rule });
    const expected = hand(rules[rule]);
    expect(Array.from(r.inputGradient!.data)).toEqual(expected.map((v) => expect.closeTo(v, 6)));
    // The three rules really differ on this net.
    if (rule !== 'standard') expect(relativeError(expected, hand(rules.standard), 1e-6)).toBeGreaterThan(0.05);
    m.dispose();
  });

  it('applies the rules to Clip(0, 6) used as ReLU6', async () => {
    const relu = await OnnxModel.fromBytes(tinyCnn(), { threads: 1 });
    const relu6 = await OnnxModel.fromBytes(tinyCnn({ relu6: true }), { threads: 1 });
    const input = { data: x, shape: [N, ...SHAPE] };
    // Inputs in [0,1] keep activations below 6, so ReLU6 and ReLU agree under every rule.
    for (const rule of ['standard', 'guided', 'deconvnet'] as const) {
      const a = await relu.gradients({ input, targets, rule });
      const b = await relu6.gradients({ input, targets, rule });
      expect(relativeError(b.inputGradient!.data, a.inputGradient!.data, 1e-6)).toBeLessThan(1e-5);
    }
    const std = await relu.gradients({ input, targets, rule: 'standard' });
    const guided = await relu.gradients({ input, targets, rule: 'guided' });
    expect(relativeError(guided.inputGradient!.data, std.inputGradient!.data, 1e-6)).toBeGreaterThan(0.05);
    relu.dispose();
    relu6.dispose();
  });
});
