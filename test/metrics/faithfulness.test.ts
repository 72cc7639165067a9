/** Faithfulness correlation and ROAD: known answers on a linear model, and ROAD's imputation against NumPy. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluateMetric } from '../../src/metrics/index.js';
import { noisyLinearImpute } from '../../src/metrics/common/imputation.js';
import { layoutOf } from '../../src/metrics/common/layout.js';
import { createRng } from '../../src/core/random.js';
import { readNpy, writeNpy } from '../../src/io/npy.js';
import { findPython, runPython } from './python.js';
import { LinearModel, mapExplanation, uniformValues } from './helpers.js';

const [h, w, c] = [10, 10, 2];
const size = h * w * c;
const w0 = Float64Array.from(uniformValues(size, 31), (v) => (v - 0.5) * 0.5);
const w1 = Float64Array.from(uniformValues(size, 32), (v) => (v - 0.5) * 0.5);
const model = new LinearModel([h, w, c], [w0, w1], [0, 0]);

describe('faithfulness correlation', () => {
  it('is 1 for gradient × input on a linear model with a zero baseline, and near 0 for random maps', async () => {
    const x = uniformValues(2 * size, 33);
    const inputs = { data: x, shape: [2, h, w, c] };
    // For logits, removing S drops the logit by Σ_S w·x exactly: the heatmap of gradient × input.
    const maps = [0, 1].map((e) => {
      const m = new Float32Array(h * w);
      const wt = e === 0 ? w0 : w1;
      for (let p = 0; p < h * w; p++)
        for (let ch = 0; ch < c; ch++) m[p] += wt[p * c + ch] * x[e * size + p * c + ch];
      return m;
    });
    const oracle = await evaluateMetric(
      model,
      inputs,
      maps.map((m, e) => mapExplanation(m, [h, w], e)),
      'faithfulness-correlation',
      { seed: 1 },
    );
    for (const s of oracle.scores) expect(s).toBeCloseTo(1, 5);
    const random = await evaluateMetric(
      model,
      inputs,
      [0, 1].map((e) => mapExplanation(uniformValues(h * w, 40 + e), [h, w], e)),
      'faithfulness-correlation',
      { seed: 1, options: { runs: 200 } },
    );
    for (const s of random.scores) expect(Math.abs(s)).toBeLessThan(0.35);
    // Seeded: the same seed gives the same subsets, another seed other ones.
    const again = await evaluateMetric(
      model,
      inputs,
      [0, 1].map((e) => mapExplanation(uniformValues(h * w, 40 + e), [h, w], e)),
      'faithfulness-correlation',
      { seed: 1, options: { runs: 200 } },
    );
    expect(again.scores).toEqual(random.scores);
  });
});

describe('ROAD', () => {
  const layout = layoutOf(model);

  it('linear imputation reproduces a linear ramp inside the image (the stencil is exact for planes)', () => {
    const ramp = new Float32Array(size);
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++)
        for (let ch = 0; ch < c; ch++) ramp[(y * w + x) * c + ch] = 0.3 * y - 0.2 * x + ch;
    const removed = new Uint8Array(h * w);
    for (let y = 2; y < 8; y++) for (let x = 3; x < 7; x++) removed[y * w + x] = 1;
    removed[5 * w + 1] = 1;
    const out = noisyLinearImpute(
      ramp.map((v, i) => (removed[Math.floor(i / c)] ? 99 : v)),
      removed,
      layout,
      0,
      createRng(0),
    );
    out.forEach((v, i) => expect(v).toBeCloseTo(ramp[i], 5));
    // Noise is added to the imputed values only.
    const noisy = noisyLinearImpute(ramp, removed, layout, 0.01, createRng(1));
    let changedKept = 0;
    noisy.forEach((v, i) => {
      if (!removed[Math.floor(i / c)] && v !== ramp[i]) changedKept++;
    });
    expect(changedKept).toBe(0);
    expect(noisy.some((v, i) => removed[Math.floor(i / c)] && Math.abs(v - ramp[i]) > 1e-4)).toBe(
      true,
    );
  });

  it('linear imputation of a signal fills gaps on a line with the line', () => {
    const signal = { kind: 'signal' as const, grid: [12], positions: 12, channels: 2, size: 24 };
    const line = Float32Array.from(
      { length: 24 },
      (_, i) => (i % 2 ? -1 : 1) * (0.5 * Math.floor(i / 2) + 1),
    );
    const removed = Uint8Array.from({ length: 12 }, (_, p) => (p >= 3 && p <= 7 ? 1 : 0));
    const out = noisyLinearImpute(line, removed, signal, 0, createRng(0));
    out.forEach((v, i) => expect(v).toBeCloseTo(line[i], 5));
  });

  const py = findPython(['numpy']);
  it.skipIf(!py)("linear imputation matches a NumPy solve of ROAD's sparse system", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gb-road-'));
    const img = uniformValues(size, 51);
    // Removed pixels touching the border and each other, including a whole corner block.
    const removed = Uint8Array.from(uniformValues(h * w, 52), (v) => (v < 0.45 ? 1 : 0));
    for (let y = 0; y < 3; y++) for (let x = 0; x < 3; x++) removed[y * w + x] = 1;
    writeNpy(path.join(dir, 'img.npy'), { data: img, shape: [h, w, c] });
    writeNpy(path.join(dir, 'removed.npy'), { data: Float32Array.from(removed), shape: [h, w] });
    runPython(py!, [
      path.resolve('test/metrics/reference/road_imputation.py'),
      path.join(dir, 'img.npy'),
      path.join(dir, 'removed.npy'),
      path.join(dir, 'out.npy'),
    ]);
    const ref = readNpy(path.join(dir, 'out.npy'));
    const ours = noisyLinearImpute(img, removed, layout, 0, createRng(0));
    ours.forEach((v, i) => expect(Math.abs(v - ref.data[i])).toBeLessThan(1e-5));
  });

  it('scores an oracle map above a random one, with MoRF falling and LeRF holding', async () => {
    // Class 0 reads only a 3×3 block of bright pixels on a dark, smooth background.
    const wk = new Float64Array(size);
    const block: number[] = [];
    for (let y = 4; y < 7; y++) for (let x = 4; x < 7; x++) block.push(y * w + x);
    for (const p of block) for (let ch = 0; ch < c; ch++) wk[p * c + ch] = 1;
    const m = new LinearModel([h, w, c], [wk, new Float64Array(size)], [0, 9]);
    const x = new Float32Array(size).fill(0.05);
    for (const p of block) for (let ch = 0; ch < c; ch++) x[p * c + ch] = 1;
    const oracleMap = new Float32Array(h * w);
    for (const p of block) oracleMap[p] = 1;
    const inputs = { data: x, shape: [1, h, w, c] };
    const oracle = await evaluateMetric(m, inputs, [mapExplanation(oracleMap, [h, w], 0)], 'road', {
      seed: 3,
    });
    const random = await evaluateMetric(
      m,
      inputs,
      [mapExplanation(uniformValues(h * w, 61), [h, w], 0)],
      'road',
      { seed: 3 },
    );
    expect(oracle.scores[0]).toBeGreaterThan(random.scores[0] + 0.3);
    const morf = oracle.curves!.find((cv) => cv.name === 'morf')!.y[0];
    const lerf = oracle.curves!.find((cv) => cv.name === 'lerf')!.y[0];
    // 10% of 100 positions removed in MoRF order covers the 9-pixel block: the evidence is gone.
    expect(morf[0]).toBeLessThan(0.01);
    expect(lerf[0]).toBeGreaterThan(0.9);
    expect(oracle.details!.morf[0]).toBeCloseTo(morf.reduce((a, b) => a + b) / morf.length, 10);
    expect(oracle.curves!.find((cv) => cv.name === 'morf-accuracy')!.y[0][0]).toBe(0);
  });
});
