import { describe, expect, it } from 'vitest';
import { explain } from '../../src/methods/index.js';
import { shapleyCoalitions } from '../../src/methods/perturbation/kernel-shap.js';
import { createRng } from '../../src/core/random.js';
import { functionModel, linearModel, maxAbsDiff, normals, uniform } from './helpers.js';

/** Rows [B, F] of seeded normal data as nested arrays. */
function rows(b: number, f: number, seed: number): number[][] {
  const v = normals(b * f, seed);
  return Array.from({ length: b }, (_, r) => Array.from(v.subarray(r * f, (r + 1) * f)));
}

function columnMeans(bg: number[][]): number[] {
  return bg[0].map((_, j) => bg.reduce((s, r) => s + r[j], 0) / bg.length);
}

describe('KernelSHAP', () => {
  it('equals the exact Shapley values w·(x − E[x]) of a linear model (exact enumeration)', async () => {
    const f = 5;
    const w = [1.5, -2, 0.75, 3, -0.5];
    const model = linearModel([f], w, 0.3);
    const bg = rows(20, f, 3);
    const x = Float32Array.from([0.9, -1.2, 2.1, 0.4, -0.7]);
    const [e] = await explain(model, { data: x, shape: [1, f] }, 'kernel-shap', { targets: [0], options: { background: bg } });
    const mean = columnMeans(bg);
    const expected = w.map((wj, j) => wj * (x[j] - mean[j]));
    expect(maxAbsDiff(e.attribution.data, expected)).toBeLessThan(1e-6);
    expect(e.extras.exact).toBe(1);
    expect(e.extras.coalitions).toBe(2 ** f - 2);
  });

  it('still gives w·(x − E[x]) when coalitions are sampled (M = 14, paired sampling)', async () => {
    const f = 14;
    const w = Array.from(uniform(f, 5, -2, 2));
    const model = linearModel([f], w, -0.1);
    const bg = rows(8, f, 6);
    const x = Float32Array.from(normals(f, 7));
    const [e] = await explain(model, { data: x, shape: [1, f] }, 'kernel-shap', { targets: [0], options: { background: bg, samples: 300 } });
    const mean = columnMeans(bg);
    expect(e.extras.exact).toBe(0);
    expect(e.extras.coalitions).toBe(300);
    expect(maxAbsDiff(e.attribution.data, w.map((wj, j) => wj * (x[j] - mean[j])))).toBeLessThan(1e-6);
  });

  it('matches brute-force Shapley values of a non-linear model, and sums to f(x) − E[f(bg)]', async () => {
    const f = 6;
    const g = (v: ArrayLike<number>) => Math.tanh(v[0] - 2 * v[1] + 0.5 * v[2]) + v[3] * v[4] - 0.3 * v[5] * v[5] + v[0] * v[5];
    const model = functionModel([f], 2, (v) => [g(v), 0]);
    const bg = rows(5, f, 11);
    const x = Float32Array.from([0.5, -0.3, 1.2, 0.8, -1.1, 0.6]);
    const [e] = await explain(model, { data: x, shape: [1, f] }, 'kernel-shap', { targets: [0], options: { background: bg } });
    // v(S) = mean over background rows of g(x on S, background elsewhere), in float32 like the model.
    const value = (mask: number) =>
      bg.reduce((s, r) => s + Math.fround(g(Float32Array.from(r, (bv, j) => ((mask >> j) & 1 ? x[j] : bv)))), 0) / bg.length;
    const fact = (k: number): number => (k <= 1 ? 1 : k * fact(k - 1));
    const exact = Array.from({ length: f }, (_, j) => {
      let phi = 0;
      for (let s = 0; s < 1 << f; s++) {
        if ((s >> j) & 1) continue;
        const size = s.toString(2).split('1').length - 1;
        phi += ((fact(size) * fact(f - size - 1)) / fact(f)) * (value(s | (1 << j)) - value(s));
      }
      return phi;
    });
    expect(maxAbsDiff(e.attribution.data, exact)).toBeLessThan(1e-6);
    const sum = Array.from(e.attribution.data).reduce((a, b) => a + b, 0);
    expect(Math.abs(sum - (value((1 << f) - 1) - value(0)))).toBeLessThan(1e-6);
  });

  it('keeps efficiency exactly when sampling a non-linear model (M = 20)', async () => {
    const f = 20;
    const model = functionModel([f], 2, (v) => [Math.sin(v[0] * v[1]) + v.reduce((s, t, i) => s + Math.tanh(t * (i % 3)), 0), 0]);
    const bg = rows(4, f, 13);
    const x = Float32Array.from(normals(f, 14));
    const [e] = await explain(model, { data: x, shape: [1, f] }, 'kernel-shap', { targets: [0], options: { background: bg, samples: 200 } });
    const sum = Array.from(e.attribution.data).reduce((a, b) => a + b, 0);
    expect(Math.abs(sum - (e.extras.fx - e.extras.baseValue))).toBeLessThan(1e-6);
    expect(Math.abs(e.extras.sumOfValues - (e.extras.fx - e.extras.baseValue))).toBeLessThan(1e-9);
  });

  it('gives superpixel (grid) groups their summed linear contribution on images', async () => {
    const [h, wd, c] = [6, 6, 2];
    const w = uniform(h * wd * c, 21, -1, 1);
    const model = linearModel([h, wd, c], w);
    const x = Float32Array.from(uniform(h * wd * c, 22));
    const [e] = await explain(model, { data: x, shape: [1, h, wd, c] }, 'kernel-shap', {
      targets: [0],
      options: { segmentation: 'grid', segments: 4, baseline: 0 },
    });
    // 2×2 grid of 3×3 cells; each cell's value is Σ w·(x − 0) over its pixels and channels.
    const cell = (p: number) => Math.floor(Math.floor(p / wd) / 3) * 2 + Math.floor((p % wd) / 3);
    const phi = [0, 0, 0, 0];
    for (let i = 0; i < x.length; i++) phi[cell(Math.floor(i / c))] += w[i] * x[i];
    const expected = Array.from(x, (_, i) => phi[cell(Math.floor(i / c))]);
    expect(maxAbsDiff(e.attribution.data, expected)).toBeLessThan(1e-5);
    expect(e.extras.groups).toBe(4);
  });

  it('enumerates every coalition with the Shapley kernel weight when 2^M − 2 fits the budget', () => {
    const m = 5;
    const c = shapleyCoalitions(m, 100, createRng(1));
    expect(c.exact).toBe(true);
    expect(c.count).toBe(30);
    const binom = (n: number, k: number): number => (k === 0 ? 1 : (binom(n, k - 1) * (n - k + 1)) / k);
    const keys = new Set<string>();
    let ratio: number | undefined;
    for (let s = 0; s < c.count; s++) {
      const mask = c.masks.subarray(s * m, (s + 1) * m);
      keys.add(mask.join(''));
      const k = mask.reduce((a, b) => a + b, 0);
      const kernel = (m - 1) / (binom(m, k) * k * (m - k));
      ratio ??= c.weights[s] / kernel;
      expect(c.weights[s] / kernel).toBeCloseTo(ratio, 12);
    }
    expect(keys.size).toBe(30);
  });

  it('asks for background data on tables', async () => {
    const model = linearModel([3], [1, 2, 3]);
    await expect(explain(model, { data: new Float32Array(3), shape: [1, 3] }, 'kernel-shap')).rejects.toThrow(/background/);
  });
});
