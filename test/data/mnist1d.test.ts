import { describe, expect, it } from 'vitest';
import { sameBytes } from './same-bytes.js';
import {
  gaussianFilter1d,
  interpolateLinear,
  loadMnist1d,
  mnist1dTemplates,
} from '../../src/train/data/mnist1d.js';
import { classCounts } from '../../src/train/data/split.js';

// Reference values computed with NumPy 2.4 / SciPy 1.17 following the published generator
// (greydanus/mnist1d): get_templates(), scipy.ndimage.gaussian_filter, interp1d(kind='linear').
const REF_TEMPLATE_0 = [
  0, 0.2369395511, 0.3554093267, 0.4146442144, 0.4738791022, 0.4738791022, 0.4738791022,
  0.4738791022, 0.4146442144, 0.3554093267, 0.2369395511, 0,
];
const REF_TEMPLATE_4 = [
  0, -0.105999788, -0.211999576, -0.317999364, -0.423999152, -0.423999152, 0, 0, 0, 0, 0, 0,
];
const FILTER_INPUT = [0, 3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9];
const REF_FILTER_SIGMA2 = [
  1.5597811887, 1.8057456693, 2.2520695977, 2.8503318319, 3.5399851968, 4.1957847178, 4.657696277,
  4.8604909319, 4.9090131613, 5.0114244407, 5.3472299142, 5.9559416796, 6.7065912983, 7.3909722194,
  7.8642543806, 8.0926874949,
];
const REF_FILTER_SIGMA1 = [
  0.9647073079, 1.6732967936, 2.170499992, 2.5518002039, 3.1395600463, 4.7704722442, 5.7026513128,
  4.9863018199, 4.7808775566, 4.6276135259, 4.4233124163, 5.4713653708, 7.1831127903, 8.0307269999,
  8.1207277804, 8.4029738391,
];
// Mean and std of all raw values of the published generator at seed 42 (NumPy RNG): -0.0055, 0.1547.
const REF_RAW_MEAN = -0.0055;
const REF_RAW_STD = 0.1547;

describe('MNIST-1D building blocks match SciPy/NumPy', () => {
  it('templates', () => {
    const t = mnist1dTemplates();
    expect(t).toHaveLength(10);
    t[0].forEach((v, i) => expect(v).toBeCloseTo(REF_TEMPLATE_0[i], 9));
    t[4].forEach((v, i) => expect(v).toBeCloseTo(REF_TEMPLATE_4[i], 9));
  });

  it('gaussian_filter (reflect mode, truncate 4)', () => {
    gaussianFilter1d(FILTER_INPUT, 2).forEach((v, i) =>
      expect(v).toBeCloseTo(REF_FILTER_SIGMA2[i], 9),
    );
    gaussianFilter1d(FILTER_INPUT, 1).forEach((v, i) =>
      expect(v).toBeCloseTo(REF_FILTER_SIGMA1[i], 9),
    );
  });

  it('linear interpolation onto a finer grid', () => {
    expect([...interpolateLinear([0, 2, -1, 3, 1], 9)]).toEqual([0, 1, 2, 0.5, -1, 1, 3, 2, 1]);
  });
});

describe('loadMnist1d', () => {
  const ds = loadMnist1d({ validationFraction: 0 });

  it('has the published defaults: 4000 train / 1000 test, length 40, 500 of each digit', () => {
    expect(ds.kind).toBe('signal');
    expect(ds.inputShape).toEqual([40, 1]);
    expect(ds.train.count).toBe(4000);
    expect(ds.test.count).toBe(1000);
    expect(ds.train.x.length).toBe(4000 * 40);
    const train = classCounts(ds.train.y, 10);
    const test = classCounts(ds.test.y, 10);
    expect(train.map((c, i) => c + test[i])).toEqual(new Array(10).fill(500));
    expect(Math.min(...test)).toBeGreaterThan(60); // shuffled before splitting, not class by class
  });

  it('is standardised over train and test together, with raw statistics like the published data', () => {
    let s = 0;
    let s2 = 0;
    const all = [...ds.train.x, ...ds.test.x];
    for (const v of all) {
      s += v;
      s2 += v * v;
    }
    expect(Math.abs(s / all.length)).toBeLessThan(1e-4);
    expect(Math.sqrt(s2 / all.length)).toBeCloseTo(1, 4);
    const n = ds.normalisation as { mean: number[]; std: number[] };
    expect(n.std[0]).toBeCloseTo(REF_RAW_STD, 2);
    expect(Math.abs(n.mean[0] - REF_RAW_MEAN)).toBeLessThan(0.003);
  });

  it('carries class information: nearest class mean beats chance (10%) clearly', () => {
    const L = 40;
    const centroid = Array.from({ length: 10 }, () => new Float64Array(L));
    const count = classCounts(ds.train.y, 10);
    for (let i = 0; i < ds.train.count; i++)
      for (let t = 0; t < L; t++)
        centroid[ds.train.y[i]][t] += ds.train.x[i * L + t] / count[ds.train.y[i]];
    let correct = 0;
    for (let i = 0; i < ds.test.count; i++) {
      let best = 0;
      let bestD = Infinity;
      centroid.forEach((c, k) => {
        let d = 0;
        for (let t = 0; t < L; t++) d += (ds.test.x[i * L + t] - c[t]) ** 2;
        if (d < bestD) [best, bestD] = [k, d];
      });
      if (best === ds.test.y[i]) correct++;
    }
    expect(correct / ds.test.count).toBeGreaterThan(0.2); // ≈0.27 here; the paper's linear model gets 0.32
  });

  it('is seeded and carves a stratified validation split', () => {
    const small1 = loadMnist1d({ trainCount: 300, testCount: 50, seed: 3 });
    const small2 = loadMnist1d({ trainCount: 300, testCount: 50, seed: 3 });
    expect(sameBytes(small2.train.x, small1.train.x)).toBe(true);
    expect(sameBytes(small2.validation!.y, small1.validation!.y)).toBe(true);
    expect(
      sameBytes(loadMnist1d({ trainCount: 300, testCount: 50, seed: 4 }).train.x, small1.train.x),
    ).toBe(false);
    const small = loadMnist1d({ trainCount: 300, testCount: 50, validationFraction: 0.2 });
    expect(small.train.count + small.validation!.count).toBe(300);
    expect(small.validation!.count).toBe(60);
    expect(small.test.count).toBe(50);
  });
});
