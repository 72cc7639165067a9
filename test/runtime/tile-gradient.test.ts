/** Tile's gradient (one reshape and sum) against a hand sum over the repetitions. */
import { beforeAll, describe, expect, it } from 'vitest';
import { initTf, tf } from '../../src/runtime/tf.js';
import { seeded } from '../helpers/models.js';

beforeAll(async () => {
  await initTf();
});

/** d/dx Σ w·tile(x, reps): each x element gathers the w entries it was copied to. */
function byHand(xShape: number[], reps: number[], w: Float32Array): Float32Array {
  const outShape = xShape.map((s, i) => s * reps[i]);
  const out = new Float32Array(xShape.reduce((a, b) => a * b, 1));
  const total = outShape.reduce((a, b) => a * b, 1);
  for (let flat = 0; flat < total; flat++) {
    let rest = flat;
    let src = 0;
    let stride = 1;
    for (let d = outShape.length - 1; d >= 0; d--) {
      const k = rest % outShape[d];
      rest = Math.floor(rest / outShape[d]);
      src += (k % xShape[d]) * stride;
      stride *= xShape[d];
    }
    out[src] += w[flat];
  }
  return out;
}

describe('Tile gradient', () => {
  const cases: [number[], number[]][] = [
    [[3], [4]],
    [[2, 3], [3, 1]],
    [[1, 1, 5], [2, 7, 1]], // LayerNormalization's γ tiled to [N, T, D]
    [[2, 1, 3, 2], [1, 4, 2, 3]],
  ];
  for (const [xShape, reps] of cases) {
    it(`sums dy over the repetitions for [${xShape}] tiled ${reps}`, () => {
      const n = xShape.reduce((a, b) => a * b, 1);
      const m = xShape.reduce((a, s, i) => a * s * reps[i], 1);
      const w = seeded(m, 9);
      const g = tf.tidy(() => {
        const x = tf.tensor(seeded(n, 2), xShape);
        const wt = tf.tensor(w, xShape.map((s, i) => s * reps[i]));
        return tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.tile(v, reps), wt)))(x).dataSync() as Float32Array;
      });
      const expected = byHand(xShape, reps, w);
      let maxDiff = 0;
      for (let i = 0; i < n; i++) maxDiff = Math.max(maxDiff, Math.abs(g[i] - expected[i]));
      expect(maxDiff).toBeLessThan(1e-5);
    });
  }
});
