import { describe, expect, it } from 'vitest';
import { explain } from '../../src/methods/index.js';
import { limeTabularBars } from '../../src/methods/perturbation/lime-tabular.js';
import { topSegmentsMask } from '../../src/methods/perturbation/lime.js';
import { linearModel, normals, ranks, uniform } from './helpers.js';

const f = 5;
const w = [3, -2, 1.2, 0.5, -0.25];
const bgValues = normals(400 * f, 100);
const bg = Array.from({ length: 400 }, (_, r) => Array.from(bgValues.subarray(r * f, (r + 1) * f)));

describe('LIME on tables', () => {
  it('recovers the sign and order of a linear model\'s weights (quartile discretiser)', async () => {
    const model = linearModel([f], w);
    // Every feature in its top quartile: "same bin as x" then means a larger value.
    const x = Float32Array.from([1.5, 1.4, 1.6, 1.5, 1.45]);
    const [e] = await explain(model, { data: x, shape: [1, f] }, 'lime', { targets: [0], options: { background: bg } });
    const lw = Array.from(e.attribution.data);
    expect(lw.map(Math.sign)).toEqual(w.map(Math.sign));
    expect(ranks(lw.map(Math.abs))).toEqual(ranks(w.map(Math.abs)));
    expect(e.extras.r2).toBeGreaterThan(0.5);
    // Features in the bottom quartile flip the indicator's meaning, so the weight's sign flips.
    const low = Float32Array.from([-1.5, -1.4, 1.6, 1.5, 1.45]);
    const [e2] = await explain(model, { data: low, shape: [1, f] }, 'lime', { targets: [0], options: { background: bg } });
    expect(Array.from(e2.attribution.data).map(Math.sign)).toEqual([-1, 1, 1, 1, -1]);
  });

  it('recovers sign and order without discretisation (weights per standard deviation)', async () => {
    const model = linearModel([f], w);
    const x = Float32Array.from([0.2, -0.4, 0.1, 0.3, -0.2]);
    const [e] = await explain(model, { data: x, shape: [1, f] }, 'lime', { targets: [0], options: { background: bg, discretizer: 'none' } });
    const lw = Array.from(e.attribution.data);
    expect(lw.map(Math.sign)).toEqual(w.map(Math.sign));
    expect(ranks(lw.map(Math.abs))).toEqual(ranks(w.map(Math.abs)));
    // A linear model is fitted almost perfectly, coefficient ≈ w_j·std_j (std ≈ 1).
    for (let j = 0; j < f; j++) expect(Math.abs(lw[j] - w[j]) / Math.abs(w[j])).toBeLessThan(0.15);
  });

  it('labels the feature-weight bars with the instance\'s bins', async () => {
    const model = linearModel([f], w);
    const x = Float32Array.from([1.5, 0, -1.5, 1.5, 1.5]);
    const [e] = await explain(model, { data: x, shape: [1, f] }, 'lime', { targets: [0], options: { background: bg, samples: 500 } });
    const bars = limeTabularBars(e, ['a', 'b', 'c', 'd', 'e']);
    expect(bars[0].feature).toBe(0);
    expect(bars.find((b) => b.feature === 0)!.label).toMatch(/^a > 0\.\d+$/);
    expect(bars.find((b) => b.feature === 2)!.label).toMatch(/^c <= -0\.\d+$/);
    expect(bars.find((b) => b.feature === 1)!.label).toMatch(/^-?0\.\d+ < b <= -?0\.\d+$/);
    for (let i = 1; i < bars.length; i++) expect(Math.abs(bars[i - 1].weight)).toBeGreaterThanOrEqual(Math.abs(bars[i].weight));
  });
});

describe('LIME on images', () => {
  it('recovers sign and order of per-segment contributions of a linear model', async () => {
    const [h, wd, c] = [8, 8, 1];
    // 16 cells of 2×2; each cell's pixels share one weight, distinct across cells.
    const cellWeight = Array.from(uniform(16, 5, -1, 1));
    const cell = (p: number) => Math.floor(Math.floor(p / wd) / 2) * 4 + Math.floor((p % wd) / 2);
    const wPix = Array.from({ length: h * wd }, (_, p) => cellWeight[cell(p)]);
    const model = linearModel([h, wd, c], wPix);
    const x = new Float32Array(h * wd).fill(1);
    const [e] = await explain(model, { data: x, shape: [1, h, wd, c] }, 'lime', {
      targets: [0],
      options: { segmentation: 'grid', segments: 16, baseline: 0, samples: 1000 },
    });
    const perCell = Array.from({ length: 16 }, (_, g) => e.attribution.data[Array.from({ length: h * wd }, (_, p) => p).find((p) => cell(p) === g)!]);
    const contribution = cellWeight.map((cw) => cw * 4);
    expect(perCell.map(Math.sign)).toEqual(contribution.map(Math.sign));
    expect(ranks(perCell)).toEqual(ranks(contribution));
    // The top-1 segment in extras is the largest contribution.
    const best = ranks(contribution).indexOf(0);
    expect(e.attribution.data[Array.from({ length: h * wd }, (_, p) => p).find((p) => cell(p) === best)!]).toBeCloseTo(e.extras['top1.weight'], 6);
    expect(e.extras.segments).toBe(16);
  });

  it('runs quickshift (lime\'s default) and SLIC segmentations end to end', async () => {
    const [h, wd] = [12, 12];
    const x = new Float32Array(h * wd * 3);
    for (let p = 0; p < h * wd; p++) x.set((p % wd) < 6 ? [0.9, 0.1, 0.1] : [0.1, 0.1, 0.9], p * 3);
    // Score = redness of the left half: the left segments must carry the positive weight.
    const wv = Array.from({ length: h * wd * 3 }, (_, i) => (i % 3 === 0 && (Math.floor(i / 3) % wd) < 6 ? 1 : 0));
    const model = linearModel([h, wd, 3], wv);
    for (const segmentation of ['quickshift', 'slic'] as const) {
      const [e] = await explain(model, { data: x, shape: [1, h, wd, 3] }, 'lime', {
        targets: [0],
        options: { segmentation, segments: 4, baseline: 0, samples: 300, kernelSize: 2, maxDist: 10 },
      });
      expect(e.attribution.data[(2 * wd + 2) * 3]).toBeGreaterThan(0);
      expect(Math.abs(e.attribution.data[(2 * wd + 9) * 3])).toBeLessThan(0.05 * e.attribution.data[(2 * wd + 2) * 3]); // ridge shrinkage leaks a little
    }
  });

  it('builds lime\'s top-k mask from segment weights', () => {
    const labels = Int32Array.from([0, 0, 1, 1, 2, 2, 3, 3]);
    expect(Array.from(topSegmentsMask(labels, [0.5, -2, 1, 0.1], 2))).toEqual([1, 1, 0, 0, 1, 1, 0, 0]);
    expect(Array.from(topSegmentsMask(labels, [-0.5, -2, -1, -0.1], 2))).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
  });
});
