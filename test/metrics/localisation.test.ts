/** Pointing game, energy-based pointing game and top-k IoU on hand-made masks and maps. */
import { describe, expect, it } from 'vitest';
import { evaluateMetric } from '../../src/metrics/index.js';
import { isGlassboxError } from '../../src/core/errors.js';
import { LinearModel, mapExplanation, uniformValues } from './helpers.js';

const [h, w] = [6, 8];
const positions = h * w;
const model = new LinearModel(
  [h, w, 1],
  [new Float64Array(positions), new Float64Array(positions)],
  [0, 0],
);
const inputs = (n: number) => ({ data: new Float32Array(n * positions), shape: [n, h, w, 1] });

/** Mask of the rectangle rows y0..y1-1, columns x0..x1-1. */
function rect(y0: number, y1: number, x0: number, x1: number): Uint8Array {
  const m = new Uint8Array(positions);
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) m[y * w + x] = 1;
  return m;
}

function withPeak(p: number, base = 0): Float32Array {
  const m = new Float32Array(positions).fill(base);
  m[p] = 1;
  return m;
}

describe('pointing game', () => {
  const mask = rect(1, 3, 1, 4); // rows 1–2, columns 1–3
  it('hits when the maximum is on the mask, misses otherwise, and honours the tolerance', async () => {
    const maps = [withPeak(2 * w + 2), withPeak(5 * w + 7), withPeak(4 * w + 2)];
    const masks = new Uint8Array(3 * positions);
    for (let i = 0; i < 3; i++) masks.set(mask, i * positions);
    const run = (options = {}) =>
      evaluateMetric(
        model,
        inputs(3),
        maps.map((m) => mapExplanation(m, [h, w], 0)),
        'pointing-game',
        { groundTruth: { masks }, options },
      );
    expect((await run()).scores).toEqual([1, 0, 0]);
    // (4, 2) is 2 rows below the mask's last row: a tolerance of 2 reaches it, 1.9 does not; (5, 7) is farther.
    expect((await run({ tolerance: 2 })).scores).toEqual([1, 0, 1]);
    expect((await run({ tolerance: 1.9 })).scores).toEqual([1, 0, 0]);
  });
  it('scores tied maxima by the share on the mask (a constant map is no hit), and gives NaN for an empty mask', async () => {
    const tied = withPeak(0);
    tied[2 * w + 3] = 1;
    const masks = new Uint8Array(2 * positions);
    masks.set(mask, 0);
    const res = await evaluateMetric(
      model,
      inputs(2),
      [mapExplanation(tied, [h, w], 0), mapExplanation(tied, [h, w], 0)],
      'pointing-game',
      { groundTruth: { masks } },
    );
    expect(res.scores[0]).toBe(0.5);
    expect(Number.isNaN(res.scores[1])).toBe(true);
    expect(res.mean).toBe(0.5);
    expect(res.count).toBe(1);
    const flat = await evaluateMetric(
      model,
      inputs(1),
      [mapExplanation(new Float32Array(positions).fill(2), [h, w], 0)],
      'pointing-game',
      {
        groundTruth: { masks: mask },
      },
    );
    expect(flat.scores[0]).toBeCloseTo(6 / positions, 12);
  });
  it('uses the bounding box when asked', async () => {
    // Box [x0=1, y0=1, x1=4, y1=3] covers the same pixels as the mask; the mask here is empty.
    const boxes = Float32Array.from([1, 1, 4, 3]);
    const res = await evaluateMetric(
      model,
      inputs(1),
      [mapExplanation(withPeak(2 * w + 3), [h, w], 0)],
      'pointing-game',
      {
        groundTruth: { masks: new Uint8Array(positions), boxes },
        options: { region: 'box' },
      },
    );
    expect(res.scores).toEqual([1]);
  });
  it('fails with a one-line message without ground truth', async () => {
    const err = await evaluateMetric(
      model,
      inputs(1),
      [mapExplanation(withPeak(0), [h, w], 0)],
      'pointing-game',
    ).catch((e) => e);
    expect(isGlassboxError(err)).toBe(true);
    expect(err.message).toMatch(/ground-truth masks/);
  });
});

describe('energy-based pointing game and top-k IoU', () => {
  const mask = rect(0, 2, 0, 4); // 8 positions
  it('measure the positive energy inside the mask and the overlap of the top-k region', async () => {
    // 3 units of positive energy inside, 1 outside, and negative values that must be ignored.
    const map = new Float32Array(positions);
    map[0] = 2;
    map[1] = 1;
    map[w + 2] = -5;
    map[5 * w + 5] = 1;
    const res = await evaluateMetric(
      model,
      inputs(1),
      [mapExplanation(map, [h, w], 0)],
      'energy-pointing-game',
      { groundTruth: { masks: mask } },
    );
    expect(res.scores[0]).toBeCloseTo(0.75, 10);

    // Oracle: the mask itself → IoU 1, energy 1. A map ranking 6 of the 8 mask positions first then
    // 2 outside gives IoU 6 / (8 + 8 − 6) = 0.6.
    const oracle = Float32Array.from(mask);
    const partial = new Float32Array(positions);
    [0, 1, 2, 3, w, w + 1].forEach((p, i) => (partial[p] = 10 - i));
    partial[4 * w] = 3;
    partial[4 * w + 1] = 2;
    const both = new Uint8Array(2 * positions);
    both.set(mask, 0);
    both.set(mask, positions);
    const exps = [mapExplanation(oracle, [h, w], 0), mapExplanation(partial, [h, w], 0)];
    const iou = await evaluateMetric(model, inputs(2), exps, 'top-k-iou', {
      groundTruth: { masks: both },
    });
    expect(iou.scores[0]).toBeCloseTo(1, 12);
    expect(iou.scores[1]).toBeCloseTo(0.6, 12);
    // percent: the top 25% (12 positions) of the oracle hold all 8 mask positions: IoU 8/12.
    const pct = await evaluateMetric(model, inputs(1), [exps[0]], 'top-k-iou', {
      groundTruth: { masks: mask },
      options: { percent: 25 },
    });
    expect(pct.scores[0]).toBeCloseTo(8 / 12, 12);
    const energy = await evaluateMetric(model, inputs(1), [exps[0]], 'energy-pointing-game', {
      groundTruth: { masks: mask },
    });
    expect(energy.scores[0]).toBe(1);
  });
  it('an oracle map beats random maps on all three localisation metrics', async () => {
    const n = 6;
    const masks = new Uint8Array(n * positions);
    const exps = [];
    const randoms = [];
    for (let i = 0; i < n; i++) {
      const m = rect(i % 3, (i % 3) + 2, i, i + 2);
      masks.set(m, i * positions);
      exps.push(
        mapExplanation(
          Float32Array.from(m, (v, p) => v + 0.01 * (p % 3)),
          [h, w],
          0,
        ),
      );
      randoms.push(mapExplanation(uniformValues(positions, 70 + i), [h, w], 0));
    }
    for (const metric of ['pointing-game', 'energy-pointing-game', 'top-k-iou']) {
      const o = await evaluateMetric(model, inputs(n), exps, metric, { groundTruth: { masks } });
      const r = await evaluateMetric(model, inputs(n), randoms, metric, { groundTruth: { masks } });
      expect(o.mean).toBeGreaterThan(r.mean + 0.3);
      expect(o.direction).toBe('higher');
    }
  });
});

describe('complexity metrics through evaluateMetric', () => {
  it('sparseness of a one-hot map is 1 − 1/n, entropy of a uniform map is ln n', async () => {
    const exps = [
      mapExplanation(withPeak(7), [h, w], 0),
      mapExplanation(new Float32Array(positions).fill(0.3), [h, w], 0),
    ];
    const sp = await evaluateMetric(model, inputs(2), exps, 'sparseness');
    expect(sp.scores[0]).toBeCloseTo(1 - 1 / positions, 10);
    expect(sp.scores[1]).toBeCloseTo(0, 10);
    const en = await evaluateMetric(model, inputs(2), exps, 'entropy');
    expect(en.scores[0]).toBeCloseTo(0, 10);
    expect(en.scores[1]).toBeCloseTo(Math.log(positions), 10);
    expect(en.direction).toBe('lower');
  });
});
