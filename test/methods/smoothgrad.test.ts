/** SmoothGrad, SmoothGrad² and VarGrad: the identity at zero noise, closed forms, composition. */
import { beforeAll, describe, expect, it } from 'vitest';
import { initTf, tf } from '../../src/runtime/tf.js';
import '../../src/methods/index.js';
import { explain } from '../../src/methods/explain.js';
import { reseedWeights, seeded } from '../helpers/models.js';
import { gapNet, input, maxAbs, maxAbsDiff, signalNet, tableNet, wrap } from './fixtures.js';

beforeAll(async () => {
  await initTf();
});

/** f_c(x) = v_c·(a·x)²: ∇f = 2v(a·x)a, so under x + N(0, σ²I) the moments are known exactly. */
function quadratic(features: number) {
  const a = seeded(features, 81, 0.8);
  const v = [0.7, -1.2];
  const inp = tf.input({ shape: [features] });
  const d = tf.layers
    .dense({ units: 1, useBias: false, name: 'proj' })
    .apply(inp) as tf.SymbolicTensor;
  const sq = tf.layers.multiply({ name: 'square' }).apply([d, d]) as tf.SymbolicTensor;
  const out = tf.layers
    .dense({ units: 2, useBias: false, name: 'out' })
    .apply(sq) as tf.SymbolicTensor;
  const m = tf.model({ inputs: inp, outputs: out });
  m.getLayer('proj').setWeights([tf.tensor2d(a, [features, 1])]);
  m.getLayer('out').setWeights([tf.tensor2d([v], [1, 2])]);
  return { model: wrap(m), a, v };
}

describe('SmoothGrad family', () => {
  it('with zero noise equals the wrapped method exactly (gradient, integrated gradients, a CAM)', async () => {
    const model = wrap(gapNet({ activation: 'tanh' }));
    const x = input([2, 6, 6, 2], 82);
    const targets = [1, 2];
    const cases: [string, Record<string, unknown>][] = [
      ['gradient', {}],
      ['integrated-gradients', { steps: 8, baseline: 'black' }],
      ['grad-cam', { layer: 'conv' }],
    ];
    for (const [method, methodOptions] of cases) {
      const plain = await explain(model, x, method, { targets, options: methodOptions });
      const smooth = await explain(model, x, 'smoothgrad', {
        targets,
        options: { method, methodOptions, samples: 3, noise: 0 },
      });
      const sq = await explain(model, x, 'smoothgrad-sq', {
        targets,
        options: { method, methodOptions, samples: 3, noise: 0 },
      });
      const vg = await explain(model, x, 'vargrad', {
        targets,
        options: { method, methodOptions, samples: 3, noise: 0 },
      });
      for (let i = 0; i < 2; i++) {
        expect(maxAbs(plain[i].attribution.data)).toBeGreaterThan(1e-4);
        expect(maxAbsDiff(smooth[i].attribution.data, plain[i].attribution.data)).toBe(0); // exact (±0 aside)
        expect(
          maxAbsDiff(
            sq[i].attribution.data,
            plain[i].attribution.data.map((v) => v * v),
          ),
        ).toBeLessThan(1e-7);
        expect(maxAbs(vg[i].attribution.data)).toBe(0);
      }
      if (method === 'integrated-gradients')
        expect(smooth[0].extras['inner.delta']).toBeCloseTo(plain[0].extras.delta, 6);
    }
  });

  it('on a linear model SmoothGrad is the gradient and VarGrad is zero, at any noise', async () => {
    const m = tf.sequential();
    m.add(tf.layers.dense({ inputShape: [6], units: 3 }));
    reseedWeights(m, 83);
    const model = wrap(m);
    const x = input([2, 6], 84);
    const g = await explain(model, x, 'gradient', { targets: [0, 2] });
    const s = await explain(model, x, 'smoothgrad', {
      targets: [0, 2],
      options: { noise: 0.5, samples: 10 },
    });
    const v = await explain(model, x, 'vargrad', {
      targets: [0, 2],
      options: { noise: 0.5, samples: 10 },
    });
    for (let i = 0; i < 2; i++) {
      expect(maxAbsDiff(s[i].attribution.data, g[i].attribution.data)).toBeLessThan(1e-6);
      expect(maxAbs(v[i].attribution.data)).toBeLessThan(1e-10);
      expect(s[i].extras.sigma).toBeGreaterThan(0);
    }
  });

  it('matches the closed-form moments of a quadratic model', async () => {
    const features = 4;
    const { model, a, v } = quadratic(features);
    const x = input([1, features], 85);
    const noise = 0.3;
    const sigma = noise * (Math.max(...x.data) - Math.min(...x.data));
    const ax = a.reduce((s, ai, j) => s + ai * x.data[j], 0);
    const aa = a.reduce((s, ai) => s + ai * ai, 0);
    const options = { noise, samples: 4000, batchSize: 1000 };
    for (const c of [0, 1]) {
      const [sg] = await explain(model, x, 'smoothgrad', { targets: [c], options });
      const [sq] = await explain(model, x, 'smoothgrad-sq', { targets: [c], options });
      const [vg] = await explain(model, x, 'vargrad', { targets: [c], options });
      for (let j = 0; j < features; j++) {
        const mean = 2 * v[c] * ax * a[j];
        const second = 4 * v[c] ** 2 * a[j] ** 2 * (ax * ax + sigma * sigma * aa);
        const variance = 4 * v[c] ** 2 * a[j] ** 2 * sigma * sigma * aa;
        const scale = 2 * Math.abs(v[c] * a[j]) * Math.sqrt(aa) * sigma;
        expect(Math.abs(sg.attribution.data[j] - mean)).toBeLessThan(0.1 * scale);
        expect(Math.abs(sq.attribution.data[j] - second) / second).toBeLessThan(0.1);
        expect(Math.abs(vg.attribution.data[j] - variance) / variance).toBeLessThan(0.1);
      }
    }
  });

  it('is bit-identical for a seed (run seed or option), differs across seeds, and composes on signals and tables', async () => {
    const model = wrap(gapNet({ activation: 'tanh' }));
    const x = input([1, 6, 6, 2], 86);
    const run = (seed: number, options: Record<string, unknown> = {}) =>
      explain(model, x, 'smoothgrad', { seed, targets: [0], options: { samples: 4, ...options } });
    const [a] = await run(1);
    const [b] = await run(1);
    const [c] = await run(2);
    const [d] = await run(2, { seed: 1 });
    expect(Array.from(a.attribution.data)).toEqual(Array.from(b.attribution.data));
    expect(Array.from(a.attribution.data)).toEqual(Array.from(d.attribution.data));
    expect(maxAbsDiff(a.attribution.data, c.attribution.data)).toBeGreaterThan(1e-5);

    const [s] = await explain(wrap(signalNet()), input([1, 16, 2], 87), 'smoothgrad', {
      options: { method: 'gradient-x-input', samples: 3 },
    });
    expect(s.attribution.shape).toEqual([16, 2]);
    const [t] = await explain(wrap(tableNet()), input([1, 6], 88), 'vargrad', {
      options: { method: 'expected-gradients', methodOptions: { samples: 4 }, samples: 3 },
    });
    expect(t.attribution.shape).toEqual([6]);
    expect(maxAbs(t.attribution.data)).toBeGreaterThan(0);
  });

  it('refuses unknown methods, bad inner options and methods that do not fit the input', async () => {
    const table = wrap(tableNet());
    const x = input([1, 6], 89);
    await expect(explain(table, x, 'smoothgrad', { options: { method: 'nope' } })).rejects.toThrow(
      /unknown method "nope"/,
    );
    await expect(
      explain(table, x, 'smoothgrad', {
        options: { method: 'integrated-gradients', methodOptions: { steps: -1 } },
      }),
    ).rejects.toThrow(/methodOptions for integrated-gradients: steps/);
    await expect(
      explain(table, x, 'smoothgrad', { options: { method: 'grad-cam' } }),
    ).rejects.toThrow(/does not apply to table inputs/);
  });
});

describe('wrapping a perturbation method on a black-box model', () => {
  it('needs only what the wrapped method needs', async () => {
    const { linearModel } = await import('../perturbation/helpers.js');
    const model = linearModel([4], [0.5, -2, 1, 3]);
    const x = { data: new Float32Array([1, 2, -1, 0.5]), shape: [1, 4] };
    const [plain] = await explain(model, x, 'occlusion', { targets: [0] });
    const [smoothed] = await explain(model, x, 'smoothgrad', {
      targets: [0],
      options: { method: 'occlusion', noise: 0, samples: 3 },
    });
    expect(maxAbsDiff(smoothed.attribution.data, plain.attribution.data)).toBeLessThan(1e-6);
    await expect(explain(model, x, 'smoothgrad', { targets: [0] })).rejects.toThrow(/needs gradients/);
  });
});
