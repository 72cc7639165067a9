import { describe, expect, it } from 'vitest';
import { segmentInput } from '../../src/methods/superpixels/index.js';
import { rgbToLab } from '../../src/methods/superpixels/color.js';
import { enforceConnectivity } from '../../src/methods/superpixels/slic.js';
import { uniform } from './helpers.js';

const settings = { compactness: 10, kernelSize: 3, maxDist: 10, ratio: 0.5 };

/** 32×32 RGB image of four flat quadrants in distinct colours, with a little noise. */
function quadrants(): { x: Float32Array; region: (p: number) => number } {
  const n = 32;
  const colours = [
    [0.9, 0.1, 0.1],
    [0.1, 0.8, 0.1],
    [0.1, 0.2, 0.9],
    [0.9, 0.9, 0.2],
  ];
  const region = (p: number) => (Math.floor(p / n) < 16 ? 0 : 2) + ((p % n) < 16 ? 0 : 1);
  const noise = uniform(n * n * 3, 9, -0.02, 0.02);
  const x = new Float32Array(n * n * 3);
  for (let p = 0; p < n * n; p++) for (let c = 0; c < 3; c++) x[p * 3 + c] = colours[region(p)][c] + noise[p * 3 + c];
  return { x, region };
}

function checkLabels(labels: Int32Array, count: number): void {
  const seen = new Set(labels);
  expect(seen.size).toBe(count);
  expect(Math.min(...seen)).toBe(0);
  expect(Math.max(...seen)).toBe(count - 1);
}

describe('superpixels', () => {
  it('SLIC with 4 segments finds the 4 quadrants exactly', () => {
    const { x, region } = quadrants();
    const g = segmentInput(x, [32, 32, 3], 'image', { ...settings, segmentation: 'slic', segments: 4 }, 'slic', 0);
    checkLabels(g.labels, g.count);
    expect(g.count).toBe(4);
    const map = new Map<number, number>();
    g.labels.forEach((l, p) => {
      if (!map.has(l)) map.set(l, region(p));
      expect(map.get(l)).toBe(region(p));
    });
  });

  it('SLIC and quickshift segments never cross a colour edge, and are connected (SLIC)', () => {
    const { x, region } = quadrants();
    for (const segmentation of ['slic', 'quickshift'] as const) {
      const g = segmentInput(x, [32, 32, 3], 'image', { ...settings, segmentation, segments: 25 }, 'slic', 0);
      checkLabels(g.labels, g.count);
      expect(g.count).toBeGreaterThan(3);
      const owner = new Map<number, number>();
      g.labels.forEach((l, p) => {
        if (!owner.has(l)) owner.set(l, region(p));
        expect(owner.get(l)).toBe(region(p));
      });
    }
  });

  it('quickshift is deterministic for a seed', () => {
    const { x } = quadrants();
    const a = segmentInput(x, [32, 32, 3], 'image', { ...settings, segmentation: 'quickshift' }, 'slic', 4);
    const b = segmentInput(x, [32, 32, 3], 'image', { ...settings, segmentation: 'quickshift' }, 'slic', 4);
    expect(Array.from(a.labels)).toEqual(Array.from(b.labels));
  });

  it('converts sRGB to CIE Lab like skimage', () => {
    const out = new Float64Array(3);
    rgbToLab(1, 1, 1, out, 0);
    expect(out[0]).toBeCloseTo(100, 3);
    expect(Math.abs(out[1]) + Math.abs(out[2])).toBeLessThan(1e-2);
    rgbToLab(1, 0, 0, out, 0);
    expect(out[0]).toBeCloseTo(53.24, 1);
    expect(out[1]).toBeCloseTo(80.09, 1);
    expect(out[2]).toBeCloseTo(67.2, 1);
  });

  it('merges components smaller than the minimum size into a neighbour', () => {
    // A 1-pixel island of label 1 inside label 0, and a big label 2 half.
    const labels = Int32Array.from([0, 0, 2, 2, 0, 1, 2, 2, 0, 0, 2, 2]);
    const r = enforceConnectivity(labels, 3, 4, 2);
    expect(r.count).toBe(2);
    expect(r.labels[5]).toBe(r.labels[0]);
  });

  it('splits signals into windows and tables into (grouped) columns', () => {
    const sig = segmentInput(new Float32Array(10), [10, 1], 'signal', { ...settings, segments: 3 }, 'slic', 0);
    expect(Array.from(sig.labels)).toEqual([0, 0, 0, 0, 1, 1, 1, 2, 2, 2]);
    const tab = segmentInput(new Float32Array(4), [4], 'table', { ...settings, featureGroups: [7, 3, 7, 5] }, 'slic', 0);
    expect(Array.from(tab.labels)).toEqual([0, 1, 0, 2]);
    expect(tab.count).toBe(3);
  });
});
