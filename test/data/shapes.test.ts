import { describe, expect, it } from 'vitest';
import { sameBytes } from './same-bytes.js';
import { GlassboxError } from '../../src/core/errors.js';
import { generateShapes, maskBox, SHAPE_CLASSES } from '../../src/train/data/shapes.js';
import { classCounts } from '../../src/train/data/split.js';
import type { Split } from '../../src/train/data/dataset.js';

function checkSplit(s: Split, size: number, channels: number): void {
  const px = size * size;
  expect(s.x.length).toBe(s.count * px * channels);
  expect(s.masks!.length).toBe(s.count * px);
  expect(s.boxes!.length).toBe(s.count * 4);
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of s.x) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  expect(lo).toBeGreaterThanOrEqual(0);
  expect(hi).toBeLessThanOrEqual(1);
  expect(s.masks!.every((m) => m === 0 || m === 1)).toBe(true);
  const boxes: number[][] = [];
  const areas: number[] = [];
  for (let i = 0; i < s.count; i++) {
    const mask = s.masks!.subarray(i * px, (i + 1) * px);
    let area = 0;
    let [x0, y0, x1, y1] = [size, size, -1, -1];
    for (let r = 0; r < size; r++) {
      for (let c = 0; c < size; c++) {
        if (!mask[r * size + c]) continue;
        area++;
        [x0, y0, x1, y1] = [Math.min(x0, c), Math.min(y0, r), Math.max(x1, c), Math.max(y1, r)];
      }
    }
    areas.push(area);
    boxes.push([x0, y0, x1 + 1, y1 + 1]);
  }
  expect(Math.min(...areas)).toBeGreaterThan(4);
  // The box is the mask's bounding box, x1/y1 exclusive, inside the image.
  expect(
    Array.from({ length: s.count }, (_, i) => [...s.boxes!.subarray(i * 4, i * 4 + 4)]),
  ).toEqual(boxes);
  expect(Math.min(...boxes.flat())).toBeGreaterThanOrEqual(0);
  expect(Math.max(...boxes.flat())).toBeLessThanOrEqual(size);
}

describe('generateShapes', () => {
  it('defaults: 32×32×3, 4 balanced classes, masks and boxes consistent and in bounds', () => {
    const ds = generateShapes({ trainCount: 200, testCount: 40 });
    expect(ds.inputShape).toEqual([32, 32, 3]);
    expect(ds.classNames).toEqual(SHAPE_CLASSES.slice(0, 4));
    expect(ds.train.count + ds.validation!.count).toBe(200);
    expect(ds.validation!.count).toBe(20);
    const all = classCounts([...ds.train.y, ...ds.validation!.y], 4);
    expect(all).toEqual([50, 50, 50, 50]);
    expect(classCounts(ds.test.y, 4)).toEqual([10, 10, 10, 10]);
    for (const s of [ds.train, ds.validation!, ds.test]) checkSplit(s, 32, 3);
  });

  it('configurable: 64×64×1 with 6 classes', () => {
    const ds = generateShapes({
      size: 64,
      channels: 1,
      classes: 6,
      trainCount: 60,
      testCount: 12,
      validationFraction: 0,
    });
    expect(ds.inputShape).toEqual([64, 64, 1]);
    expect(ds.classNames).toEqual([...SHAPE_CLASSES]);
    expect(ds.validation).toBeUndefined();
    checkSplit(ds.train, 64, 1);
    checkSplit(ds.test, 64, 1);
  });

  it('the shape decides the class: only rings are hollow; triangles and crosses fill ~half their box, squares and circles most of it', () => {
    const ds = generateShapes({
      size: 48,
      classes: 6,
      trainCount: 240,
      testCount: 6,
      validationFraction: 0,
    });
    const size = 48;
    const fill: number[][] = SHAPE_CLASSES.map(() => []);
    for (let i = 0; i < ds.train.count; i++) {
      const mask = ds.train.masks!.subarray(i * size * size, (i + 1) * size * size);
      const [x0, y0, x1, y1] = ds.train.boxes!.subarray(i * 4, i * 4 + 4);
      const centre = mask[Math.floor((y0 + y1 - 1) / 2) * size + Math.floor((x0 + x1 - 1) / 2)];
      expect(centre).toBe(SHAPE_CLASSES[ds.train.y[i]] === 'ring' ? 0 : 1);
      const area = mask.reduce((a, v) => a + v, 0);
      fill[ds.train.y[i]].push(area / ((x1 - x0) * (y1 - y0)));
    }
    const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
    const byName = Object.fromEntries(SHAPE_CLASSES.map((n, k) => [n, mean(fill[k])]));
    expect(byName.circle).toBeCloseTo(Math.PI / 4, 1);
    expect(byName.square).toBeGreaterThan(0.75);
    expect(byName.triangle).toBeLessThan(0.62);
    expect(byName.diamond).toBeLessThan(0.62);
    expect(byName.cross).toBeLessThan(0.62);
  });

  it('the object stands out from the background by at least 0.3 per channel on average', () => {
    const ds = generateShapes({
      trainCount: 50,
      testCount: 2,
      validationFraction: 0,
      distractors: 0,
    });
    const px = 32 * 32;
    for (let i = 0; i < ds.train.count; i++) {
      const inside = [0, 0, 0];
      const outside = [0, 0, 0];
      let nIn = 0;
      for (let p = 0; p < px; p++) {
        const m = ds.train.masks![i * px + p];
        if (m) nIn++;
        for (let k = 0; k < 3; k++) (m ? inside : outside)[k] += ds.train.x[(i * px + p) * 3 + k];
      }
      const diff = inside.map((v, k) => Math.abs(v / nIn - outside[k] / (px - nIn)));
      expect(diff.reduce((a, b) => a + b) / 3).toBeGreaterThan(0.3);
    }
  });

  it('is seeded, and the test set does not depend on the training count', () => {
    const a = generateShapes({ trainCount: 30, testCount: 10 });
    const b = generateShapes({ trainCount: 30, testCount: 10 });
    expect(sameBytes(b.train.x, a.train.x)).toBe(true);
    expect(sameBytes(b.train.masks!, a.train.masks!)).toBe(true);
    expect(
      sameBytes(generateShapes({ trainCount: 30, testCount: 10, seed: 1 }).train.x, a.train.x),
    ).toBe(false);
    expect(sameBytes(generateShapes({ trainCount: 50, testCount: 10 }).test.x, a.test.x)).toBe(
      true,
    );
  });

  it('maskBox of an empty mask is all zeros; bad options are GlassboxErrors', () => {
    expect(maskBox(new Uint8Array(9), 3, 3)).toEqual([0, 0, 0, 0]);
    expect(maskBox(Uint8Array.from([0, 0, 0, 0, 1, 1, 0, 0, 0]), 3, 3)).toEqual([1, 1, 3, 2]);
    expect(() => generateShapes({ classes: 9 })).toThrow(GlassboxError);
    expect(() => generateShapes({ minScale: 0.3, maxScale: 0.2 })).toThrow(/minScale/);
  });
});
