/** The wasm backend's own MaxPoolGrad misroutes gradients when stride > 1; Glassbox replaces it. */
import { beforeAll, describe, expect, it } from 'vitest';
import { initTf, tf } from '../../src/runtime/tf.js';
import { TfjsModel } from '../../src/models/tfjs-model.js';
import { seeded, smallCnn } from '../helpers/models.js';

beforeAll(async () => {
  await initTf('wasm');
});

async function maxPoolGradOn(backend: string, shape: number[], k: number, s: number, pad: 'valid' | 'same'): Promise<Float32Array> {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    const x = tf.tensor4d(seeded(shape.reduce((a, b) => a * b, 1), 5), shape as [number, number, number, number]);
    const y = tf.maxPool(x, k, s, pad);
    const w = tf.tensor(seeded(y.size, 6), y.shape);
    return tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(v as tf.Tensor4D, k, s, pad), w)))(x).dataSync() as Float32Array;
  });
}

describe('wasm MaxPoolGrad', () => {
  const cases: [number[], number, number, 'valid' | 'same'][] = [
    [[2, 6, 6, 5], 2, 2, 'valid'],
    [[1, 7, 7, 3], 3, 2, 'same'],
    [[2, 8, 8, 16], 2, 2, 'valid'],
    [[1, 9, 5, 2], 3, 1, 'same'],
  ];
  for (const [shape, k, s, pad] of cases) {
    it(`equals the cpu backend for [${shape}] pool ${k} stride ${s} ${pad}`, async () => {
      const cpu = await maxPoolGradOn('cpu', shape, k, s, pad);
      const wasm = await maxPoolGradOn('wasm', shape, k, s, pad);
      expect(tf.getBackend()).toBe('wasm');
      let maxDiff = 0;
      for (let i = 0; i < cpu.length; i++) maxDiff = Math.max(maxDiff, Math.abs(cpu[i] - wasm[i]));
      expect(maxDiff).toBeLessThan(1e-6);
    });
  }

  it('gives a max-pooling CNN the input gradient TF.js computes on cpu', async () => {
    const lm = smallCnn('relu');
    const x = seeded(2 * 128, 17);
    await tf.setBackend('cpu');
    const reference = tf.tidy(() =>
      tf.grad((v: tf.Tensor) => tf.sum(tf.mul(lm.apply(v) as tf.Tensor, tf.oneHot([1, 4], 5))))(tf.tensor(x, [2, 8, 8, 2])).dataSync(),
    );
    await tf.setBackend('wasm');
    const ours = await new TfjsModel(lm).gradients({ input: { data: x, shape: [2, 8, 8, 2] }, targets: [1, 4] });
    let maxDiff = 0;
    for (let i = 0; i < reference.length; i++) maxDiff = Math.max(maxDiff, Math.abs(reference[i] - ours.inputGradient!.data[i]));
    expect(maxDiff).toBeLessThan(1e-5);
  });
});
