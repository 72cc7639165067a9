/** The shared statistics against hand-computed answers and, when Python is there, scipy/skimage. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  auc,
  averageRanks,
  entropy,
  gini,
  pearson,
  saliencyOrder,
  spearman,
  ssim,
} from '../../src/metrics/common/stats.js';
import { writeNpy } from '../../src/io/npy.js';
import { findPython, runPython } from './python.js';
import { uniformValues } from './helpers.js';

describe('auc (RISE trapezoid rule)', () => {
  it('integrates a hand-made curve exactly', () => {
    // Trapezoids of width 1/4 under 1, 0.5, 0.5, 0.25, 0: (0.75 + 0.5 + 0.375 + 0.125)/4 = 0.4375.
    expect(auc([1, 0.5, 0.5, 0.25, 0])).toBeCloseTo(0.4375, 12);
    // A straight line from 1 to 0 has area 1/2 whatever the number of points.
    expect(auc(Array.from({ length: 11 }, (_, i) => 1 - i / 10))).toBeCloseTo(0.5, 12);
    expect(auc([0.3, 0.3])).toBeCloseTo(0.3, 12);
  });
});

describe('gini and entropy', () => {
  it('gini of a one-hot vector is 1 − 1/n, of a constant vector 0', () => {
    for (const n of [2, 5, 100]) {
      const oneHot = new Float32Array(n);
      oneHot[n - 1] = 3;
      expect(gini(oneHot)).toBeCloseTo(1 - 1 / n, 10);
      expect(gini(new Float32Array(n).fill(0.7))).toBeCloseTo(0, 10);
    }
    // Sign does not matter (|a|), and a vector [0, 0, 1, 1] has Gini (−1·0 −... ) = 0.5.
    expect(gini([0, 0, -1, 1])).toBeCloseTo(((2 * 3 - 5) * 1 + (2 * 4 - 5) * 1) / (4 * 2), 10);
    expect(gini([0, 0, 0])).toBe(0);
  });
  it('entropy is ln n for a uniform map and 0 for a one-hot one', () => {
    expect(entropy(new Float32Array(50).fill(-2))).toBeCloseTo(Math.log(50), 10);
    expect(entropy([0, 0, 5, 0])).toBeCloseTo(0, 12);
    expect(Number.isNaN(entropy([0, 0]))).toBe(true);
  });
});

describe('orders and correlations', () => {
  it('orders positions by decreasing value, ties to the higher index first (RISE with a stable sort)', () => {
    expect(Array.from(saliencyOrder([0.1, 0.5, 0.5, -1, 0.7]))).toEqual([4, 2, 1, 0, 3]);
  });
  it('ranks ties by their average and gives Spearman 1 for any increasing transform', () => {
    expect(Array.from(averageRanks([10, 20, 20, 5]))).toEqual([2, 3.5, 3.5, 1]);
    const a = Array.from(uniformValues(30, 3));
    expect(
      spearman(
        a,
        a.map((v) => Math.exp(5 * v)),
      ),
    ).toBeCloseTo(1, 12);
    expect(
      spearman(
        a,
        a.map((v) => -v),
      ),
    ).toBeCloseTo(-1, 12);
    expect(pearson([1, 2, 3], [2, 4, 6])).toBeCloseTo(1, 12);
    expect(Number.isNaN(pearson([1, 1, 1], [1, 2, 3]))).toBe(true);
  });
  it('SSIM is 1 for identical maps and below 1 otherwise', () => {
    const a = uniformValues(20 * 16, 4);
    expect(ssim(a, a, [20, 16])).toBeCloseTo(1, 12);
    const b = a.map((v, i) => (i % 3 === 0 ? 1 - v : v));
    expect(ssim(a, b, [20, 16])).toBeLessThan(0.9);
  });
});

const withSkimage = findPython(['numpy', 'scipy', 'skimage']);
const py = withSkimage ?? findPython(['numpy', 'scipy']);
describe.skipIf(!py)('statistics against scipy / skimage', () => {
  it('SSIM, Spearman, entropy and Gini match the Python libraries', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gb-stats-'));
    const cases = [
      [[20, 16], 1],
      [[9, 9], 2],
      [[40], 3],
    ] as const;
    const files: string[] = [];
    const pairs: Array<{ a: Float32Array; b: Float32Array; grid: number[] }> = [];
    for (const [grid, seed] of cases) {
      const n = grid.reduce((x, y) => x * y, 1);
      const a = uniformValues(n, 10 + seed);
      // b: a blend of a and noise, with some ties, so the statistics are far from their extremes.
      const noise = uniformValues(n, 20 + seed);
      const b = a.map((v, i) => Math.round((0.6 * v + 0.4 * noise[i]) * 20) / 20);
      files.push(path.join(dir, `a${seed}.npy`), path.join(dir, `b${seed}.npy`));
      writeNpy(files[files.length - 2], { data: a, shape: [...grid] });
      writeNpy(files[files.length - 1], { data: b, shape: [...grid] });
      pairs.push({ a, b, grid: [...grid] });
    }
    const refs = JSON.parse(
      runPython(py!, [path.resolve('test/metrics/reference/similarity.py'), ...files]),
    );
    pairs.forEach(({ a, b, grid }, i) => {
      const ref = refs[i];
      expect(spearman(a, b)).toBeCloseTo(ref.spearman, 6);
      expect(entropy(a)).toBeCloseTo(ref.entropy, 6);
      expect(gini(a)).toBeCloseTo(ref.gini, 6);
      if (withSkimage) expect(ssim(a, b, grid, 1)).toBeCloseTo(ref.ssim, 6);
    });
  });
});
