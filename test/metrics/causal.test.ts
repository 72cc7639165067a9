/**
 * Deletion and insertion: the RISE protocol against an independent NumPy computation, oracle
 * maps against random ones, and curves with a known answer.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initTf, tf } from '../../src/runtime/tf.js';
import { TfjsModel } from '../../src/models/tfjs-model.js';
import { evaluateMetric } from '../../src/metrics/index.js';
import { gaussianKernel1d } from '../../src/metrics/common/substrate.js';
import { softmaxRows } from '../../src/core/ndarray.js';
import { writeNpy } from '../../src/io/npy.js';
import { findPython, runPython } from './python.js';
import { LinearModel, mapExplanation, uniformValues } from './helpers.js';

beforeAll(async () => {
  await initTf();
});

/** A TF.js linear softmax classifier: flatten → dense with the given weights ([size, k]) and bias. */
function tfjsLinear(inputShape: number[], w: Float32Array, b: Float32Array, k: number): TfjsModel {
  const m = tf.sequential();
  m.add(tf.layers.flatten({ inputShape }));
  m.add(tf.layers.dense({ units: k, name: 'logits' }));
  const size = inputShape.reduce((x, y) => x * y, 1);
  m.layers[1].setWeights([tf.tensor(w, [size, k]), tf.tensor(b, [k])]);
  return new TfjsModel(m);
}

const py = findPython(['numpy']);

describe.skipIf(!py)('deletion and insertion against a NumPy implementation of RISE', () => {
  it('agree to 1e-4 on every curve point and the AUC', async () => {
    const [h, w, c, k] = [12, 10, 2, 4];
    const size = h * w * c;
    // Weights with structure (a bright blob matters for class 1), so the curves move.
    const W = uniformValues(size * k, 7).map((v) => (v - 0.5) * 0.1);
    for (let y = 3; y < 8; y++)
      for (let x = 2; x < 6; x++)
        for (let ch = 0; ch < c; ch++) W[((y * w + x) * c + ch) * k + 1] += 0.1;
    const b = Float32Array.from([0.1, -0.2, 0.05, 0]);
    const model = tfjsLinear([h, w, c], W, b, k);
    const image = uniformValues(size, 11);
    const randomMap = uniformValues(h * w, 12).map((v) => v - 0.3);
    // A map with many ties (quantised): the tie order must match too.
    const tiedMap = randomMap.map((v) => Math.round(v * 4) / 4);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gb-causal-'));
    writeNpy(path.join(dir, 'image.npy'), { data: image, shape: [h, w, c] });
    writeNpy(path.join(dir, 'W.npy'), { data: W, shape: [size, k] });
    writeNpy(path.join(dir, 'b.npy'), { data: b, shape: [k] });
    const cases = [
      { metric: 'deletion', mode: 'del', substrate: 'zero', step: 7, map: randomMap },
      { metric: 'insertion', mode: 'ins', substrate: 'blur', step: 7, map: randomMap },
      { metric: 'insertion', mode: 'ins', substrate: 'blur', step: 10, map: tiedMap },
      { metric: 'deletion', mode: 'del', substrate: 0.25, step: 1, map: tiedMap },
    ] as const;
    const specs = cases.map((cs, i) => {
      writeNpy(path.join(dir, `map${i}.npy`), { data: cs.map, shape: [h, w] });
      const spec = {
        image: path.join(dir, 'image.npy'),
        map: path.join(dir, `map${i}.npy`),
        W: path.join(dir, 'W.npy'),
        b: path.join(dir, 'b.npy'),
        target: 1,
        mode: cs.mode,
        step: cs.step,
        klen: 11,
        sigma: 5,
        substrate: cs.substrate,
      };
      fs.writeFileSync(path.join(dir, `spec${i}.json`), JSON.stringify(spec));
      return path.join(dir, `spec${i}.json`);
    });
    const refs = JSON.parse(
      runPython(py!, [path.resolve('test/metrics/reference/causal_metric.py'), ...specs]),
    );
    for (const [i, cs] of cases.entries()) {
      const ref = refs[i];
      const res = await evaluateMetric(
        model,
        { data: image, shape: [1, h, w, c] },
        [mapExplanation(cs.map, [h, w], 1)],
        cs.metric,
        {
          options: { step: cs.step, substrate: cs.substrate },
          batchSize: 16,
        },
      );
      const curve = res.curves![0].y[0];
      expect(curve.length).toBe(ref.scores.length);
      expect(curve.length).toBe(Math.ceil((h * w) / cs.step) + 1);
      for (let j = 0; j < curve.length; j++)
        expect(Math.abs(curve[j] - ref.scores[j])).toBeLessThan(1e-4);
      expect(Math.abs(res.scores[0] - ref.auc)).toBeLessThan(1e-4);
      // The curve must actually move, or the comparison proves little.
      expect(Math.max(...curve) - Math.min(...curve)).toBeGreaterThan(0.05);
      // RISE's kernel: our 1-D factor's outer product equals scipy's gaussian_filter of a delta.
      const g = gaussianKernel1d(11, 5);
      for (let y = 0; y < 11; y++)
        for (let x = 0; x < 11; x++) expect(g[y] * g[x]).toBeCloseTo(ref.gkern[y][x], 12);
    }
    // With scipy the kernel and blur come from scipy.ndimage, not from a copy of our formula.
    if (findPython(['numpy', 'scipy']) === py) expect(refs[0].scipy).toBe(true);
  });
});

describe('deletion and insertion on a model that looks at known pixels', () => {
  // Class 0's logit is 4·(sum of the 12 "key" pixels), class 1's is constant: p(0) depends only on the keys.
  const [h, w] = [8, 8];
  const keys = [9, 10, 11, 17, 18, 19, 25, 26, 27, 44, 45, 46];
  const w0 = new Float64Array(h * w);
  for (const p of keys) w0[p] = 4 / keys.length;
  const model = new LinearModel([h, w, 1], [w0, new Float64Array(h * w)], [0, 2]);
  const image = new Float32Array(h * w).fill(1);
  const oracle = new Float32Array(h * w);
  for (const p of keys) oracle[p] = 1;
  const inputs = { data: image, shape: [1, h, w, 1] };

  it('rank an oracle map above random maps', async () => {
    const run = (metric: string, map: Float32Array, substrate?: string) =>
      evaluateMetric(model, inputs, [mapExplanation(map, [h, w], 0)], metric, {
        options: { step: 4, ...(substrate ? { substrate } : {}) },
      });
    const oracleDel = (await run('deletion', oracle)).scores[0];
    const oracleIns = (await run('insertion', oracle, 'zero')).scores[0];
    for (let s = 0; s < 5; s++) {
      const random = uniformValues(h * w, 100 + s);
      expect(oracleDel).toBeLessThan((await run('deletion', random)).scores[0]);
      expect(oracleIns).toBeGreaterThan((await run('insertion', random, 'zero')).scores[0]);
    }
    // Known answer: the oracle deletes the 12 keys in 3 steps of 4, then nothing changes.
    const res = await run('deletion', oracle);
    const p = (keysLeft: number) => 1 / (1 + Math.exp(2 - (4 * keysLeft) / keys.length));
    const expected = [p(12), p(8), p(4), ...Array(14).fill(p(0))];
    res.curves![0].y[0].forEach((v, i) => expect(v).toBeCloseTo(expected[i], 5));
    expect(res.curves![0].x).toEqual(Array.from({ length: 17 }, (_, i) => i / 16));
  });

  it('uses the probability of models that output probabilities as is', async () => {
    const probs = new LinearModel(
      [h, w, 1],
      [w0, new Float64Array(h * w)],
      [0, 2],
      'image',
      'probabilities',
    );
    const res = await evaluateMetric(
      probs,
      inputs,
      [mapExplanation(oracle, [h, w], 0)],
      'deletion',
      { options: { step: 64 } },
    );
    // One step deletes everything: raw outputs 4 then 0 (not softmaxed).
    expect(res.curves![0].y[0][0]).toBeCloseTo(4, 5);
    expect(res.curves![0].y[0][1]).toBeCloseTo(0, 5);
    const logits = await model.predict(inputs);
    expect(softmaxRows(logits).data[0]).toBeCloseTo(1 / (1 + Math.exp(-2)), 5);
  });
});
