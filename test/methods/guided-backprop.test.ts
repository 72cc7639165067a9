/** Guided backpropagation and deconvnet against a hand computation on a two-layer ReLU net. */
import { beforeAll, describe, expect, it } from 'vitest';
import { initTf, tf } from '../../src/runtime/tf.js';
import '../../src/methods/index.js';
import { explain } from '../../src/methods/explain.js';
import { seeded } from '../helpers/models.js';
import { maxAbs, maxAbsDiff, wrap } from './fixtures.js';

beforeAll(async () => {
  await initTf();
});

type Rule = 'standard' | 'guided' | 'deconvnet';

/** x[3] → relu(x W1 + b1)[5] → relu(· W2 + b2)[4] → · W3 + b3 [2], weights row-major [in, out]. */
function net() {
  const w1 = seeded(15, 101);
  const b1 = seeded(5, 102, 0.3);
  const w2 = seeded(20, 103);
  const b2 = seeded(4, 104, 0.3);
  const w3 = seeded(8, 105);
  const b3 = seeded(2, 106, 0.3);
  const m = tf.sequential();
  m.add(tf.layers.dense({ inputShape: [3], units: 5, activation: 'relu', name: 'h1' }));
  m.add(tf.layers.dense({ units: 4, activation: 'relu', name: 'h2' }));
  m.add(tf.layers.dense({ units: 2, name: 'out' }));
  m.getLayer('h1').setWeights([tf.tensor2d(w1, [3, 5]), tf.tensor1d(b1)]);
  m.getLayer('h2').setWeights([tf.tensor2d(w2, [5, 4]), tf.tensor1d(b2)]);
  m.getLayer('out').setWeights([tf.tensor2d(w3, [4, 2]), tf.tensor1d(b3)]);

  /** The backward pass written out: at each ReLU the rule decides what passes. */
  function backward(x: Float32Array, target: number, rule: Rule): number[] {
    const z1 = [0, 1, 2, 3, 4].map(
      (j) => b1[j] + [0, 1, 2].reduce((s, i) => s + x[i] * w1[i * 5 + j], 0),
    );
    const h1 = z1.map((v) => Math.max(0, v));
    const z2 = [0, 1, 2, 3].map(
      (j) => b2[j] + [0, 1, 2, 3, 4].reduce((s, i) => s + h1[i] * w2[i * 4 + j], 0),
    );
    const pass = (r: number, z: number) =>
      rule === 'standard'
        ? z > 0
          ? r
          : 0
        : rule === 'guided'
          ? z > 0 && r > 0
            ? r
            : 0
          : Math.max(0, r);
    const dh2 = [0, 1, 2, 3].map((j) => w3[j * 2 + target]);
    const dz2 = dh2.map((r, j) => pass(r, z2[j]));
    const dh1 = [0, 1, 2, 3, 4].map((i) =>
      [0, 1, 2, 3].reduce((s, j) => s + w2[i * 4 + j] * dz2[j], 0),
    );
    const dz1 = dh1.map((r, j) => pass(r, z1[j]));
    return [0, 1, 2].map((i) => [0, 1, 2, 3, 4].reduce((s, j) => s + w1[i * 5 + j] * dz1[j], 0));
  }
  return { m, backward };
}

describe('guided backpropagation and deconvnet', () => {
  it('equal the hand-written backward pass on a two-layer ReLU net, and differ from the gradient and each other', async () => {
    const { m, backward } = net();
    const model = wrap(m);
    const n = 6;
    const x = { data: seeded(n * 3, 107, 1.5), shape: [n, 3] };
    for (const target of [0, 1]) {
      const targets = Array(n).fill(target);
      for (const [method, rule] of [
        ['gradient', 'standard'],
        ['guided-backprop', 'guided'],
        ['deconvnet', 'deconvnet'],
      ] as const) {
        const es = await explain(model, x, method, { targets });
        const ours = es.flatMap((e) => Array.from(e.attribution.data));
        const expected = Array.from({ length: n }, (_, i) =>
          backward(x.data.subarray(i * 3, i * 3 + 3), target, rule),
        ).flat();
        expect(maxAbs(expected)).toBeGreaterThan(1e-3);
        expect(maxAbsDiff(ours, expected)).toBeLessThan(1e-5);
      }
      // The three rules must give three different answers here, or the test could not tell them apart.
      const by = (rule: Rule) =>
        Array.from({ length: n }, (_, i) =>
          backward(x.data.subarray(i * 3, i * 3 + 3), target, rule),
        ).flat();
      expect(maxAbsDiff(by('standard'), by('guided'))).toBeGreaterThan(1e-2);
      expect(maxAbsDiff(by('guided'), by('deconvnet'))).toBeGreaterThan(1e-2);
    }
  });
});
