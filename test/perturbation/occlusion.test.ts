import { describe, expect, it } from 'vitest';
import { explain } from '../../src/methods/index.js';
import { functionModel, linearModel, maxAbsDiff, uniform } from './helpers.js';

describe('Occlusion', () => {
  it('gives exactly zero where the model cannot see, and not elsewhere', async () => {
    const [h, w, c] = [8, 8, 2];
    // Non-linear in the top half (rows 0–3) only.
    const model = functionModel([h, w, c], 3, (x) => {
      let s = 0;
      for (let i = 0; i < 4 * w * c; i++) s += Math.sin(3 * x[i] + i);
      return [s, s * s, -s];
    });
    const x = Float32Array.from(uniform(h * w * c, 3));
    const [e] = await explain(model, { data: x, shape: [1, h, w, c] }, 'occlusion', { targets: [1], options: { patch: 2, stride: 2 } });
    for (let p = 4 * w; p < h * w; p++) expect(e.heatmap.data[p]).toBe(0);
    let nonzero = 0;
    for (let p = 0; p < 4 * w; p++) if (e.heatmap.data[p] !== 0) nonzero++;
    expect(nonzero).toBe(4 * w);
  });

  it('averages the score drop over every patch covering a position, as Captum does (clipped edge patches)', async () => {
    const [h, w, c] = [7, 9, 1];
    const model = functionModel([h, w, c], 1, (x) => [Math.tanh(x.reduce((s, v, i) => s + v * Math.cos(i), 0)) + x[10] * x[40]]);
    const x = Float32Array.from(uniform(h * w, 8, -1, 1));
    const [e] = await explain(model, { data: x, shape: [1, h, w, c] }, 'occlusion', { targets: [0], options: { patch: [3, 4], stride: [2, 3], baseline: 0.25 } });
    // Independent reference: Captum's shift counts 1 + ceil((D − window) / stride) per axis.
    const f = (v: Float32Array) => Math.fround(Math.tanh(v.reduce((s, t, i) => s + t * Math.cos(i), 0)) + v[10] * v[40]);
    const fx = f(x);
    const sum = new Float64Array(h * w);
    const cnt = new Float64Array(h * w);
    for (let a = 0; a < 1 + Math.ceil((h - 3) / 2); a++) {
      for (let b = 0; b < 1 + Math.ceil((w - 4) / 3); b++) {
        const occ = Float32Array.from(x);
        const covered: number[] = [];
        for (let y = a * 2; y < Math.min(a * 2 + 3, h); y++) for (let xx = b * 3; xx < Math.min(b * 3 + 4, w); xx++) covered.push(y * w + xx);
        for (const p of covered) occ[p] = 0.25;
        const drop = fx - f(occ);
        for (const p of covered) {
          sum[p] += drop;
          cnt[p]++;
        }
      }
    }
    expect(maxAbsDiff(e.heatmap.data, Array.from(sum, (s, p) => s / cnt[p]))).toBeLessThan(1e-6);
  });

  it('handles signals and tables (a column at a time, background mean baseline)', async () => {
    const wv = [2, -1, 0.5, 3];
    const model = linearModel([4], wv);
    const bg = [
      [1, 2, 3, 4],
      [3, 2, 1, 0],
    ];
    const x = Float32Array.from([0.5, 1, -1, 2]);
    const [e] = await explain(model, { data: x, shape: [1, 4] }, 'occlusion', { targets: [0], options: { baseline: 'mean', background: bg } });
    expect(maxAbsDiff(e.attribution.data, wv.map((wj, j) => wj * (x[j] - 2)))).toBeLessThan(1e-6);

    const L = 10;
    const sig = functionModel([L, 1], 1, (v) => [v[3] * 2]);
    const s = Float32Array.from(uniform(L, 4, 0.5, 1));
    const [es] = await explain(sig, { data: s, shape: [1, L, 1] }, 'occlusion', { targets: [0], options: { patch: 3, stride: 1 } });
    // Only patches containing t = 3 change the score, and every patch covering t = 3 drops it by 2·x[3].
    expect(es.heatmap.data[3]).toBeCloseTo(2 * s[3], 6);
    expect(es.heatmap.data[8]).toBe(0);
    expect(es.heatmap.data[1]).toBeGreaterThan(0);
  });

  it('blur baseline removes detail but not a constant image', async () => {
    const model = functionModel([6, 6, 1], 1, (v) => [v.reduce((a, b) => a + b * b, 0)]);
    const flat = new Float32Array(36).fill(0.7);
    const [e] = await explain(model, { data: flat, shape: [1, 6, 6, 1] }, 'occlusion', { targets: [0], options: { patch: 2, baseline: 'blur' } });
    expect(Math.max(...Array.from(e.heatmap.data).map(Math.abs))).toBeLessThan(1e-5);
  });
});
