import { beforeAll, describe, expect, it } from 'vitest';
import { initTf, tf } from '../../src/runtime/tf.js';
import { resolveClassWeights, weightedCrossEntropy } from '../../src/train/loss.js';
import { createOptimizer, decays } from '../../src/train/optimizers.js';
import { learningRateAt } from '../../src/train/schedule.js';
import { parseConfig } from '../../src/train/config.js';

beforeAll(async () => {
  await initTf();
});

const logits = [
  [2, 0, -1],
  [0.5, 1.5, 0],
  [0, 0, 3],
  [1, 2, 3],
];
const labels = [0, 1, 2, 0];

/** −log softmax(row)[y], computed by hand in float64. */
function ce(row: number[], y: number): number {
  const m = Math.max(...row);
  const lse = m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
  return lse - row[y];
}

function lossOf(weights?: number[]): number {
  return tf.tidy(() => {
    const oneHot = tf.oneHot(tf.tensor1d(labels, 'int32'), 3).toFloat() as tf.Tensor2D;
    return weightedCrossEntropy(tf.tensor2d(logits), oneHot, weights ? tf.tensor1d(weights) : undefined).dataSync()[0];
  });
}

describe('weighted cross-entropy', () => {
  it('equals the hand-computed mean cross-entropy without weights', () => {
    const expected = labels.reduce((s, y, i) => s + ce(logits[i], y), 0) / labels.length;
    expect(lossOf()).toBeCloseTo(expected, 5);
  });

  it('class weights scale each example by its class weight (Σ w[y]·CE / N)', () => {
    const w = [3, 0.5, 1];
    const expected = labels.reduce((s, y, i) => s + w[y] * ce(logits[i], y), 0) / labels.length;
    const weighted = lossOf(w);
    expect(weighted).toBeCloseTo(expected, 5);
    expect(Math.abs(weighted - lossOf())).toBeGreaterThan(0.1);
  });

  it('"auto" weights are n / (K · n_c) and a list must have one weight per class', () => {
    expect(resolveClassWeights('auto', [0, 0, 0, 1], 2)).toEqual([4 / 6, 4 / 2]);
    expect(resolveClassWeights('none', [0, 1], 2)).toBeUndefined();
    expect(() => resolveClassWeights([1, 2], [0, 1], 3)).toThrow('config.training.classWeights: expected 3 weights (one per class), got 2');
  });
});

function optimizerConfig(o: unknown) {
  return parseConfig({ name: 'x', dataset: { name: 'x' }, model: { architecture: 'mlp' }, training: { optimizer: o } }).training.optimizer;
}

describe('optimisers', () => {
  it('SGD with momentum follows v = μv + g, w −= lr·v', () => {
    const w = tf.variable(tf.tensor1d([1, -2]), true, 'sgdtest/kernel');
    const opt = createOptimizer(optimizerConfig({ type: 'sgd', momentum: 0.5 }), [w]);
    opt.apply([tf.tensor1d([1, 1])], 0.1); // v = 1 → w = [0.9, -2.1]
    opt.apply([tf.tensor1d([2, 0])], 0.1); // v = [2.5, 0.5] → w = [0.65, -2.15]
    const got = Array.from(w.dataSync());
    expect(got[0]).toBeCloseTo(0.65, 6);
    expect(got[1]).toBeCloseTo(-2.15, 6);
  });

  it('Adam\'s first step moves each weight by lr against the gradient sign', () => {
    const w = tf.variable(tf.tensor1d([1, 1, 1]), true, 'adamtest/kernel');
    const opt = createOptimizer(optimizerConfig('adam'), [w]);
    opt.apply([tf.tensor1d([0.3, -20, 1e-3])], 0.01);
    const got = Array.from(w.dataSync());
    expect(got[0]).toBeCloseTo(0.99, 5);
    expect(got[1]).toBeCloseTo(1.01, 5);
    expect(got[2]).toBeCloseTo(0.99, 4);
  });

  it('AdamW decays kernels by lr·wd·w independently of the gradient, and leaves biases alone', () => {
    const kernel = tf.variable(tf.tensor1d([2, -4]), true, 'dense9/kernel');
    const bias = tf.variable(tf.tensor1d([2, -4]), true, 'dense9/bias');
    const opt = createOptimizer(optimizerConfig({ type: 'adamw', weightDecay: 0.5 }), [kernel, bias]);
    opt.apply([tf.zeros([2]), tf.zeros([2])], 0.1); // zero gradient: only the decay acts
    expect(Array.from(kernel.dataSync())).toEqual([2 * 0.95, -4 * 0.95].map(Math.fround));
    expect(Array.from(bias.dataSync())).toEqual([2, -4]);
    expect(decays('conv1/kernel')).toBe(true);
    expect(decays('block1_attn/qkv_kernel')).toBe(true);
    expect(decays('bn1/gamma')).toBe(false);
  });

  it('state round-trips: a restored optimiser continues exactly like the original', () => {
    const run = (restoreAfter: number) => {
      const w = tf.variable(tf.tensor1d([0.5, -1.5]), true, `rt${restoreAfter}/kernel`);
      let opt = createOptimizer(optimizerConfig('adamw'), [w]);
      for (let i = 0; i < 4; i++) {
        if (i === restoreAfter) {
          const s = opt.getState();
          opt.dispose();
          opt = createOptimizer(optimizerConfig('adamw'), [w]);
          opt.setState(s);
        }
        opt.apply([tf.tensor1d([Math.sin(i), Math.cos(i)])], 0.05);
      }
      return Array.from(w.dataSync());
    };
    expect(run(2)).toEqual(run(-1));
  });
});

describe('learning-rate schedules', () => {
  const sched = (s: unknown) =>
    parseConfig({ name: 'x', dataset: { name: 'x' }, model: { architecture: 'mlp' }, training: { schedule: s } }).training.schedule;

  it('step, exponential and cosine follow their formulas', () => {
    const step = sched({ type: 'step', stepSize: 2, gamma: 0.5 });
    expect([0, 1, 2, 3, 4].map((e) => learningRateAt(step, 1, e, 5))).toEqual([1, 1, 0.5, 0.5, 0.25]);
    const exp = sched({ type: 'exponential', gamma: 0.9 });
    expect(learningRateAt(exp, 2, 3, 10)).toBeCloseTo(2 * 0.9 ** 3, 12);
    const cos = sched({ type: 'cosine', minLearningRate: 0.1 });
    expect(learningRateAt(cos, 1, 0, 11)).toBeCloseTo(1, 12);
    expect(learningRateAt(cos, 1, 5, 11)).toBeCloseTo(0.55, 12);
    expect(learningRateAt(cos, 1, 10, 11)).toBeCloseTo(0.1, 12);
  });

  it('warm-up rises linearly from lr/10, then the schedule starts from its beginning', () => {
    const s = sched({ type: 'cosine', warmupEpochs: 2 });
    expect(learningRateAt(s, 1, 0, 12)).toBeCloseTo(0.1, 12);
    expect(learningRateAt(s, 1, 1, 12)).toBeCloseTo(0.55, 12);
    expect(learningRateAt(s, 1, 2, 12)).toBeCloseTo(1, 12);
    expect(learningRateAt(s, 1, 11, 12)).toBeCloseTo(0, 12);
  });
});
