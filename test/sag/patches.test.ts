/** The patch grid: numbering, pixel boxes, the three upsampling modes, composition. */
import { describe, expect, it } from 'vitest';
import { PatchGrid } from '../../src/sag/patches.js';
import { resizeBilinear } from '../../src/core/resize.js';

describe('PatchGrid', () => {
  it('numbers patches row-major from 0 and splits uneven sides with ⌊i·H/n⌋', () => {
    const g = new PatchGrid(28, 28, 7, 7, 'nearest');
    expect(g.count).toBe(49);
    expect(g.position(9)).toEqual([1, 2]);
    expect(g.box(9)).toEqual([4, 8, 8, 12]);
    expect(g.box(48)).toEqual([24, 24, 28, 28]);
    const odd = new PatchGrid(30, 20, 7, 3, 'nearest');
    expect(odd.rowStarts).toEqual([0, 4, 8, 12, 17, 21, 25, 30]);
    expect(odd.colStarts).toEqual([0, 6, 13, 20]);
    expect(odd.box(5)).toEqual([4, 13, 8, 20]);
  });

  it('nearest: the mask is 1 exactly on the revealed patches', () => {
    const g = new PatchGrid(30, 20, 7, 3, 'nearest');
    const m = g.mask([5, 20]);
    let ones = 0;
    for (let y = 0; y < 30; y++) {
      for (let x = 0; x < 20; x++) {
        const inside = (y >= 4 && y < 8 && x >= 13) || (y >= 25 && x >= 13);
        expect(m[y * 20 + x]).toBe(inside ? 1 : 0);
        ones += m[y * 20 + x];
      }
    }
    expect(ones).toBe(4 * 7 + 5 * 7);
  });

  it('align-corners: torch UpsamplingBilinear2d, a tent 1 − |s − c| with s = y·(n−1)/(H−1)', () => {
    const g = new PatchGrid(28, 28, 7, 7, 'align-corners');
    const m = g.mask([g.cols * 3 + 2]); // row 3, column 2
    const tent = (y: number, c: number) => Math.max(0, 1 - Math.abs((y * 6) / 27 - c));
    for (let y = 0; y < 28; y++)
      for (let x = 0; x < 28; x++) expect(m[y * 28 + x]).toBeCloseTo(tent(y, 3) * tent(x, 2), 6);
    expect(m[12 * 28 + 8]).toBeCloseTo((2 / 3) * (7 / 9), 6);
    // Corners of the grid land on the corners of the image.
    const corner = g.mask([0]);
    expect(corner[0]).toBe(1);
    expect(g.mask([48])[28 * 28 - 1]).toBe(1);
    // Revealing every patch reveals every pixel.
    expect(Math.min(...g.mask(Array.from({ length: 49 }, (_, i) => i)))).toBeCloseTo(1, 6);
  });

  it('half-pixel: the same as core/resize.ts resizeBilinear of the patch indicator', () => {
    const g = new PatchGrid(30, 20, 7, 3, 'half-pixel');
    const set = [0, 4, 11, 19];
    const indicator = new Float32Array(21);
    for (const p of set) indicator[p] = 1;
    const expected = resizeBilinear(indicator, 7, 3, 30, 20);
    const m = g.mask(set);
    for (let i = 0; i < m.length; i++) expect(m[i]).toBeCloseTo(expected[i], 6);
  });

  it('averages a map over each patch', () => {
    const g = new PatchGrid(4, 6, 2, 3, 'nearest');
    const map = Float32Array.from({ length: 24 }, (_, i) => i);
    // Patch 0: rows 0–1, cols 0–1 → (0 + 1 + 6 + 7) / 4.
    expect(Array.from(g.patchMeans(map))).toEqual([3.5, 5.5, 7.5, 15.5, 17.5, 19.5]);
  });

  it('composes baseline + M·(image − baseline) per channel', () => {
    const g = new PatchGrid(2, 2, 2, 2, 'nearest');
    const image = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8]); // [2, 2, 2]
    const baseline = new Float32Array(8).fill(0.5);
    const diff = image.map((v, i) => v - baseline[i]);
    const out = new Float32Array(8);
    g.compose([1, 2], baseline, diff, 2, out);
    expect(Array.from(out)).toEqual([0.5, 0.5, 3, 4, 5, 6, 0.5, 0.5]);
  });

  it('composes exactly baseline + mask·difference in every mode and channel count', () => {
    for (const mode of ['align-corners', 'half-pixel', 'nearest'] as const) {
      for (const channels of [1, 3, 2]) {
        const g = new PatchGrid(30, 20, 7, 3, mode);
        const n = 30 * 20 * channels;
        const image = Float32Array.from({ length: n }, (_, i) => Math.sin(i));
        const baseline = Float32Array.from({ length: n }, (_, i) => Math.cos(i) / 2);
        const diff = image.map((v, i) => v - baseline[i]);
        const set = [1, 9, 10, 20];
        const m = g.mask(set);
        const out = new Float32Array(n);
        g.compose(set, baseline, diff, channels, out);
        for (let i = 0; i < n; i++)
          expect(out[i]).toBeCloseTo(baseline[i] + m[Math.floor(i / channels)] * diff[i], 6);
      }
    }
  });

  it('refuses a grid finer than the image', () => {
    expect(() => new PatchGrid(4, 4, 5, 5)).toThrow(/does not fit a 4×4 image/);
  });
});
