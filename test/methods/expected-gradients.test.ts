/** Expected Gradients / GradientSHAP: exact on linear models, IG in expectation, seeded. */
import { beforeAll, describe, expect, it } from 'vitest';
import { initTf, tf } from '../../src/runtime/tf.js';
import '../../src/methods/index.js';
import { explain } from '../../src/methods/explain.js';
import { reseedWeights } from '../helpers/models.js';
import { gapNet, input, maxAbs, maxAbsDiff, wrap } from './fixtures.js';

beforeAll(async () => {
  await initTf();
});

function linear(features: number, seed: number) {
  const m = tf.sequential();
  m.add(tf.layers.dense({ inputShape: [features], units: 2 }));
  reseedWeights(m, seed);
  return { model: wrap(m), w: m.layers[0].getWeights()[0].dataSync() as Float32Array };
}

describe('expected gradients', () => {
  it('is (x − b)·w on a linear model with one baseline, whatever α is drawn', async () => {
    const { model, w } = linear(4, 71);
    const x = input([2, 4], 72);
    const b = [0.3, -0.2, 1, 0];
    const es = await explain(model, x, 'expected-gradients', {
      targets: [1, 0],
      options: { baselines: b, samples: 5 },
    });
    es.forEach((e, i) => {
      const expected = [0, 1, 2, 3].map((j) => (x.data[i * 4 + j] - b[j]) * w[j * 2 + e.target]);
      expect(maxAbsDiff(e.attribution.data, expected)).toBeLessThan(1e-6);
    });
  });

  it('draws whole baselines from the pool and is complete per draw on a linear model', async () => {
    const { model, w } = linear(5, 73);
    const x = input([1, 5], 74);
    const samples = 7;
    const pool = [...Array(5).fill(0), ...Array(5).fill(1), ...Array(5).fill(2)];
    const [e] = await explain(model, x, 'expected-gradients', {
      targets: [0],
      seed: 5,
      options: { baselines: pool, samples },
    });
    // x_j − attr_j / w_j is the mean of the drawn constant baselines: the same for every feature,
    // and a multiple of 1/samples.
    const means = [0, 1, 2, 3, 4].map((j) => x.data[j] - e.attribution.data[j] / w[j * 2]);
    for (const m of means) expect(m).toBeCloseTo(means[0], 4);
    expect(means[0] * samples).toBeCloseTo(Math.round(means[0] * samples), 3);
    expect(e.extras.delta).toBeLessThan(1e-5);
    const [u] = await explain(model, x, 'expected-gradients', {
      targets: [1],
      options: { samples },
    });
    expect(u.extras.delta).toBeLessThan(1e-5);
  });

  it('converges to Integrated Gradients from the same single baseline on a smooth CNN', async () => {
    const model = wrap(gapNet({ activation: 'tanh', scale: 1.5 }));
    const x = input([1, 6, 6, 2], 75, 2);
    const b = Array.from(input([1, 6, 6, 2], 76, 0.5).data);
    const [ig] = await explain(model, x, 'integrated-gradients', {
      targets: [2],
      options: { baseline: b, steps: 64 },
    });
    const [eg] = await explain(model, x, 'expected-gradients', {
      targets: [2],
      options: { baselines: b, samples: 2000, internalBatchSize: 500 },
    });
    let num = 0;
    let den = 0;
    for (let j = 0; j < ig.attribution.data.length; j++) {
      num += (ig.attribution.data[j] - eg.attribution.data[j]) ** 2;
      den += ig.attribution.data[j] ** 2;
    }
    expect(Math.sqrt(num / den)).toBeLessThan(0.05);
    // With one baseline the sampled estimate is still complete in expectation.
    expect(eg.extras.delta / Math.abs(eg.extras.scoreDifference)).toBeLessThan(0.05);
  });

  it('is bit-identical for a seed, differs across seeds and with input noise, and ignores the batch size', async () => {
    const model = wrap(gapNet({ activation: 'tanh' }));
    const x = input([2, 6, 6, 2], 77);
    const run = (seed: number, options: Record<string, unknown>) =>
      explain(model, x, 'expected-gradients', {
        seed,
        targets: [0, 2],
        options: { samples: 6, ...options },
      });
    const a = await run(1, {});
    const b = await run(1, {});
    const c = await run(2, {});
    const d = await run(1, { internalBatchSize: 1 });
    const n1 = await run(1, { noise: 0.1 });
    const n2 = await run(1, { noise: 0.1 });
    for (let i = 0; i < 2; i++) {
      expect(Array.from(a[i].attribution.data)).toEqual(Array.from(b[i].attribution.data));
      expect(Array.from(n1[i].attribution.data)).toEqual(Array.from(n2[i].attribution.data));
      expect(maxAbsDiff(a[i].attribution.data, c[i].attribution.data)).toBeGreaterThan(1e-4);
      expect(maxAbsDiff(a[i].attribution.data, n1[i].attribution.data)).toBeGreaterThan(1e-4);
      expect(maxAbsDiff(a[i].attribution.data, d[i].attribution.data)).toBeLessThan(
        1e-6 * (1 + maxAbs(a[i].attribution.data)),
      );
    }
  });

  it('refuses a pool that is not a whole number of examples', async () => {
    const { model } = linear(4, 78);
    await expect(
      explain(model, input([1, 4], 1), 'expected-gradients', { options: { baselines: [1, 2, 3] } }),
    ).rejects.toThrow(/whole number of examples/);
  });
});
