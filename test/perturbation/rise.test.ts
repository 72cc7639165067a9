import { afterEach, describe, expect, it } from 'vitest';
import { explain } from '../../src/methods/index.js';
import { clearMaskCache, maskCacheStats, riseMasks, setMaskCacheBudget } from '../../src/methods/perturbation/common/masks.js';
import { argmax, functionModel, uniform } from './helpers.js';

afterEach(() => setMaskCacheBudget(256 * 1024 * 1024));

describe('RISE masks', () => {
  it('lie in [0, 1], keep about p of the input, and change by at most s/((s+1)·cell) per pixel', () => {
    const [h, w, s, p] = [20, 24, 5, 0.3];
    const masks = riseMasks({ seed: 1, count: 600, gridSize: s, keepProbability: p, size: [h, w] });
    const scratch = new Float32Array(h * w);
    let mean = 0;
    let outOfRange = 0;
    let maxStepX = 0;
    let maxStepY = 0;
    for (let i = 0; i < masks.count; i++) {
      const m = masks.mask(i, scratch);
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          const v = m[y * w + x];
          if (!(v >= 0 && v <= 1)) outOfRange++;
          mean += v;
          if (x + 1 < w) maxStepX = Math.max(maxStepX, Math.abs(m[y * w + x + 1] - v));
          if (y + 1 < h) maxStepY = Math.max(maxStepY, Math.abs(m[(y + 1) * w + x] - v));
        }
      }
    }
    expect(outOfRange).toBe(0);
    expect(maxStepX).toBeLessThanOrEqual(s / ((s + 1) * Math.ceil(w / s)) + 1e-6);
    expect(maxStepY).toBeLessThanOrEqual(s / ((s + 1) * Math.ceil(h / s)) + 1e-6);
    expect(maxStepX).toBeGreaterThan(0);
    expect(mean / (masks.count * h * w)).toBeCloseTo(p, 1);
  });

  it('are all ones when p = 1, and identical whether cached or rebuilt on demand', () => {
    const full = riseMasks({ seed: 2, count: 5, gridSize: 3, keepProbability: 1, size: [7, 9] });
    expect(Array.from(full.mask(4, new Float32Array(63))).every((v) => v === 1)).toBe(true);
    const spec = { seed: 3, count: 50, gridSize: 4, keepProbability: 0.5, size: [13, 11] };
    const dense = riseMasks(spec);
    expect(maskCacheStats().bytes).toBeGreaterThan(0);
    setMaskCacheBudget(0);
    const lazy = riseMasks(spec);
    expect(maskCacheStats().bytes).toBe(0);
    for (let i = 0; i < 50; i++) expect(Array.from(lazy.mask(i, new Float32Array(143)))).toEqual(Array.from(dense.mask(i, new Float32Array(143))));
  });
});

describe('RISE', () => {
  const [h, w, c] = [16, 16, 3];
  const x = Float32Array.from(uniform(h * w * c, 5, 0.2, 1));

  it('is bit-identical across runs with a fixed seed (fresh, cached and rebuilt masks)', async () => {
    const model = functionModel([h, w, c], 2, (v) => [Math.tanh(v[100] + v[300] - v[500]), 0]);
    const run = async () => (await explain(model, { data: x, shape: [1, h, w, c] }, 'rise', { targets: [0], seed: 42, options: { masks: 300, gridSize: 4 } }))[0].attribution.data;
    clearMaskCache();
    const a = await run();
    const b = await run();
    setMaskCacheBudget(0);
    const d = await run();
    expect(Buffer.from(b.buffer).equals(Buffer.from(a.buffer))).toBe(true);
    expect(Buffer.from(d.buffer).equals(Buffer.from(a.buffer))).toBe(true);
    const other = (await explain(model, { data: x, shape: [1, h, w, c] }, 'rise', { targets: [0], seed: 43, options: { masks: 300, gridSize: 4 } }))[0].attribution.data;
    expect(Buffer.from(other.buffer).equals(Buffer.from(a.buffer))).toBe(false);
  });

  it('peaks at the one pixel a model looks at', async () => {
    for (const q of [17, 130, 250]) {
      const model = functionModel([h, w, c], 1, (v) => [v[q * c]]);
      const [e] = await explain(model, { data: new Float32Array(h * w * c).fill(1), shape: [1, h, w, c] }, 'rise', { targets: [0], options: { masks: 500, gridSize: 8 } });
      expect(argmax(e.heatmap.data)).toBe(q);
    }
  });

  it('is Σ f(x⊙M_i)·M_i / (N·p): a constant score gives E[M]/p ≈ 1 everywhere', async () => {
    const model = functionModel([h, w, c], 1, () => [1]);
    const [e] = await explain(model, { data: x, shape: [1, h, w, c] }, 'rise', { targets: [0], options: { masks: 2000, gridSize: 4, keepProbability: 0.25 } });
    const mean = e.heatmap.data.reduce((a, b) => a + b, 0) / e.heatmap.data.length;
    expect(mean).toBeGreaterThan(0.93);
    expect(mean).toBeLessThan(1.07);
  });

  it('works on signals', async () => {
    const L = 40;
    const model = functionModel([L, 1], 1, (v) => [v[30]]);
    const [e] = await explain(model, { data: new Float32Array(L).fill(1), shape: [1, L, 1] }, 'rise', { targets: [0], options: { masks: 400, gridSize: 10 } });
    expect(Math.abs(argmax(e.heatmap.data) - 30)).toBeLessThanOrEqual(1);
  });
});
