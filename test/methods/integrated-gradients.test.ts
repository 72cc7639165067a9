/** Integrated Gradients: quadrature rules, completeness, baselines, seeding and batching. */
import { beforeAll, describe, expect, it } from 'vitest';
import { initTf, tf } from '../../src/runtime/tf.js';
import '../../src/methods/index.js';
import { explain } from '../../src/methods/explain.js';
import { QUADRATURES, quadrature } from '../../src/methods/quadrature.js';
import { makeBaselines } from '../../src/methods/baselines.js';
import { gaussianBlur, gaussianKernel } from '../../src/methods/blur.js';
import { reseedWeights } from '../helpers/models.js';
import { gapNet, input, maxAbs, maxAbsDiff, signalNet, wrap } from './fixtures.js';

beforeAll(async () => {
  await initTf();
});

const sum = (a: ArrayLike<number>) => Array.from(a).reduce((s, v) => s + v, 0);

function scoresOf(
  lm: tf.LayersModel,
  x: { data: Float32Array; shape: number[] },
  targets: number[],
): number[] {
  const out = (lm.predict(tf.tensor(x.data, x.shape)) as tf.Tensor).arraySync() as number[][];
  return targets.map((t, i) => out[i][t]);
}

describe('quadrature rules', () => {
  it('have weights summing to one and integrate what they should exactly', () => {
    for (const method of QUADRATURES) {
      for (const n of [2, 5, 200]) {
        const { alphas, weights } = quadrature(method, n);
        expect(Math.abs(sum(weights) - 1)).toBeLessThan(1e-12);
        expect(Math.min(...alphas)).toBeGreaterThanOrEqual(0);
        expect(Math.max(...alphas)).toBeLessThanOrEqual(1);
        const integral = (k: number) => alphas.reduce((s, a, i) => s + weights[i] * a ** k, 0);
        if (method === 'riemann-left') expect(integral(1)).toBeCloseTo((n - 1) / (2 * n), 12);
        if (method === 'riemann-right') expect(integral(1)).toBeCloseTo((n + 1) / (2 * n), 12);
        if (method === 'riemann-middle' || method === 'riemann-trapezoid')
          expect(integral(1)).toBeCloseTo(0.5, 12);
        if (method === 'gauss-legendre' && n <= 5)
          for (let k = 0; k <= 2 * n - 1; k++) expect(integral(k)).toBeCloseTo(1 / (k + 1), 12);
      }
    }
    // Gauss–Legendre is not exact one degree higher (or the test above proves nothing).
    const { alphas, weights } = quadrature('gauss-legendre', 3);
    expect(
      Math.abs(alphas.reduce((s, a, i) => s + weights[i] * a ** 6, 0) - 1 / 7),
    ).toBeGreaterThan(1e-6);
  });
});

describe('completeness', () => {
  it('holds within 1% at 200 steps on a smooth CNN for every rule, and extras.delta is the real gap', async () => {
    const lm = gapNet({ activation: 'tanh', shape: [8, 8, 2], scale: 1.5 });
    const model = wrap(lm);
    const x = input([2, 8, 8, 2], 61, 2);
    const targets = [0, 2];
    const [fx0, fx1] = scoresOf(lm, x, targets);
    const fb = scoresOf(lm, { data: new Float32Array(x.data.length), shape: x.shape }, targets);
    for (const method of QUADRATURES) {
      const es = await explain(model, x, 'integrated-gradients', {
        targets,
        options: { steps: 200, method, internalBatchSize: 100 },
      });
      es.forEach((e, i) => {
        const gap = (i === 0 ? fx0 : fx1) - fb[i];
        const total = sum(e.attribution.data);
        expect(Math.abs(gap)).toBeGreaterThan(0.05);
        expect(Math.abs(total - gap) / Math.abs(gap)).toBeLessThan(0.01);
        expect(e.extras.delta).toBeCloseTo(Math.abs(total - gap), 4);
        expect(e.extras.scoreDifference).toBeCloseTo(gap, 4);
      });
    }
    // Too few left-Riemann steps leave a visible gap: delta is not trivially zero.
    const [coarse] = await explain(model, x, 'integrated-gradients', {
      targets,
      options: { steps: 2, method: 'riemann-left' },
    });
    expect(coarse.extras.delta).toBeGreaterThan(1e-3);
  });

  it('holds for every baseline kind, on signals, and for probability and pre-softmax logit scores', async () => {
    const lm = gapNet({ activation: 'tanh', shape: [8, 8, 2], scale: 1.5 });
    const model = wrap(lm);
    const x = input([1, 8, 8, 2], 62, 2);
    for (const baseline of ['zero', 'black', 'white', 'blurred', 'uniform'] as const) {
      const [e] = await explain(model, x, 'integrated-gradients', {
        targets: [1],
        options: { baseline, steps: 64 },
      });
      expect(e.extras.delta / Math.abs(e.extras.scoreDifference)).toBeLessThan(0.01);
    }
    const sm = wrap(signalNet());
    const xs = input([2, 16, 2], 63);
    for (const e of await explain(sm, xs, 'integrated-gradients', {
      options: { steps: 300, method: 'riemann-trapezoid' },
    })) {
      expect(e.extras.delta / Math.abs(e.extras.scoreDifference)).toBeLessThan(0.01);
    }
    // A softmax classifier: the probability (from predict) and the pre-softmax logit (from gradients).
    const m = tf.sequential();
    m.add(tf.layers.dense({ inputShape: [5], units: 6, activation: 'tanh' }));
    m.add(tf.layers.dense({ units: 3, activation: 'softmax' }));
    reseedWeights(m, 64, 1.5);
    const pm = wrap(m);
    expect(pm.outputKind).toBe('probabilities');
    const xt = input([2, 5], 65, 2);
    for (const score of ['probability', 'logit'] as const) {
      for (const e of await explain(pm, xt, 'integrated-gradients', {
        score,
        options: { steps: 100 },
      })) {
        expect(Math.abs(e.extras.scoreDifference)).toBeGreaterThan(1e-3);
        expect(e.extras.delta / Math.abs(e.extras.scoreDifference)).toBeLessThan(0.01);
      }
    }
  });
});

describe('baselines', () => {
  it('black and white are the range ends, arrays are used as given, and bad arrays are refused', async () => {
    const x = input([2, 3], 66);
    const black = makeBaselines(x, 'black', {});
    const white = makeBaselines(x, 'white', { range: [-2, 5] });
    for (let i = 0; i < 2; i++) {
      const row = Array.from(x.data.subarray(i * 3, i * 3 + 3));
      expect(Array.from(black.data.subarray(i * 3, i * 3 + 3))).toEqual(
        Array(3).fill(Math.fround(Math.min(...row))),
      );
    }
    expect(Array.from(white.data)).toEqual(Array(6).fill(5));
    expect(Array.from(makeBaselines(x, [1, 2, 3], {}).data)).toEqual([1, 2, 3, 1, 2, 3]);
    expect(() => makeBaselines(x, [1, 2], {})).toThrow(/give 3/);
    expect(() => makeBaselines(x, 'blurred', {})).toThrow(/tables/);

    // On a linear table model IG from a user baseline b is exactly (x − b)·w.
    const m = tf.sequential();
    m.add(tf.layers.dense({ inputShape: [3], units: 2 }));
    reseedWeights(m, 67);
    const w = m.layers[0].getWeights()[0].dataSync();
    const [e] = await explain(
      wrap(m),
      { data: x.data.subarray(0, 3), shape: [1, 3] },
      'integrated-gradients',
      { targets: [1], options: { baseline: [0.5, -1, 2], steps: 3 } },
    );
    const expected = [0, 1, 2].map((j) => (x.data[j] - [0.5, -1, 2][j]) * w[j * 2 + 1]);
    expect(maxAbsDiff(e.attribution.data, expected)).toBeLessThan(1e-6);
  });

  it('blur keeps constants constant and spreads an impulse as the outer product of Gaussian taps', () => {
    const flat = { data: new Float32Array(7 * 7 * 2).fill(0.25), shape: [1, 7, 7, 2] };
    expect(maxAbsDiff(gaussianBlur(flat, 1.3).data, flat.data)).toBeLessThan(1e-7);
    const impulse = { data: new Float32Array(9 * 9), shape: [1, 9, 9, 1] };
    impulse.data[4 * 9 + 4] = 1;
    const k = gaussianKernel(1); // radius 3
    const out = gaussianBlur(impulse, 1).data;
    for (let y = 1; y < 8; y++)
      for (let x = 1; x < 8; x++) expect(out[y * 9 + x]).toBeCloseTo(k[y - 1] * k[x - 1], 7);
    expect(sum(out)).toBeCloseTo(1, 6);
  });
});

describe('seeding and batching', () => {
  it('a uniform-noise baseline is bit-identical for a seed, differs across seeds, and batch size does not matter', async () => {
    const model = wrap(gapNet({ activation: 'tanh' }));
    const x = input([2, 6, 6, 2], 68);
    const run = (seed: number, internalBatchSize: number) =>
      explain(model, x, 'integrated-gradients', {
        seed,
        targets: [0, 1],
        options: { baseline: 'uniform', steps: 9, internalBatchSize },
      });
    const a = await run(3, 64);
    const b = await run(3, 64);
    const c = await run(4, 64);
    const d = await run(3, 1);
    for (let i = 0; i < 2; i++) {
      expect(Array.from(a[i].attribution.data)).toEqual(Array.from(b[i].attribution.data));
      expect(maxAbsDiff(a[i].attribution.data, c[i].attribution.data)).toBeGreaterThan(1e-4);
      expect(maxAbsDiff(a[i].attribution.data, d[i].attribution.data)).toBeLessThan(
        1e-6 * (1 + maxAbs(a[i].attribution.data)),
      );
    }
  });
});
