import { beforeAll, describe, expect, it } from 'vitest';
import { initTf, tf } from '../../src/runtime/tf.js';
import { TfjsModel } from '../../src/models/tfjs-model.js';
import type { NdArray } from '../../src/core/ndarray.js';
import {
  columnMeans,
  explainTable,
  ranks,
  spearman,
  summariseTable,
  topFeatureSigns,
} from '../../src/tables/table-explain.js';
import { importanceSvg, rowBarsSvg } from '../../src/tables/charts.js';
import { reseedWeights, seeded } from '../helpers/models.js';

const F = 6;
const names = ['age', 'size', 'texture', 'symmetry', 'area', 'smoothness'];

/** Rows of F correlated-free features, roughly standard normal (sum of uniforms). */
function table(n: number, seed: number): NdArray {
  const u = [seeded(n * F, seed), seeded(n * F, seed + 1), seeded(n * F, seed + 2)];
  return { data: Float32Array.from(u[0], (v, i) => v + u[1][i] + u[2][i]), shape: [n, F] };
}

async function logits(model: TfjsModel, x: NdArray): Promise<Float32Array> {
  return (await model.predict(x)).data;
}

let linear: TfjsModel;
let mlp: TfjsModel;
const w = [1.5, -2, 0.25, 0.8, -0.6, 0.05];
const b = 0.3;
const background = table(40, 11);
const rows = table(5, 77);

beforeAll(async () => {
  await initTf();
  // Linear: class 0 logit = w·x + b, class 1 = its negative.
  const lin = tf.sequential({
    layers: [tf.layers.dense({ inputShape: [F], units: 2, name: 'logits' })],
  });
  lin.layers[0].setWeights([
    tf.tensor2d(
      w.flatMap((v) => [v, -v]),
      [F, 2],
    ),
    tf.tensor1d([b, -b]),
  ]);
  linear = new TfjsModel(lin, { kind: 'table' });
  const m = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [F], units: 12, activation: 'tanh', name: 'dense1' }),
      tf.layers.dense({ units: 2, name: 'logits' }),
    ],
  });
  reseedWeights(m, 5, 0.8);
  mlp = new TfjsModel(m, { kind: 'table' });
});

describe('table explanations', () => {
  it('Integrated Gradients on a nonlinear table model is complete: Σ attr = f(x) − f(background mean)', async () => {
    const [ig] = await explainTable(mlp, rows, background, {
      methods: ['integrated-gradients'],
      igSteps: 64,
      targets: [0, 0, 1, 1, 0],
    });
    const mean = columnMeans(background);
    const fx = await logits(mlp, rows);
    const fb = await logits(mlp, { data: mean, shape: [1, F] });
    for (let i = 0; i < 5; i++) {
      const t = ig.targets[i];
      const sum = ig.attributions.subarray(i * F, (i + 1) * F).reduce((a, v) => a + v, 0);
      const gap = fx[i * 2 + t] - fb[t];
      expect(Math.abs(gap)).toBeGreaterThan(0.05); // the check is not vacuous
      expect(sum).toBeCloseTo(gap, 3);
    }
  });

  it('KernelSHAP values sum to f(x) − E[f(background)] on the table model', async () => {
    const [shap] = await explainTable(mlp, rows, background, {
      methods: ['kernel-shap'],
      shapBackground: 40,
      shapSamples: 40,
      targets: [0, 1, 0, 1, 0],
    });
    const fx = await logits(mlp, rows);
    const fbg = await logits(mlp, background);
    for (let i = 0; i < 5; i++) {
      const t = shap.targets[i];
      let expected = 0;
      for (let r = 0; r < 40; r++) expected += fbg[r * 2 + t] / 40;
      const sum = shap.attributions.subarray(i * F, (i + 1) * F).reduce((a, v) => a + v, 0);
      expect(sum).toBeCloseTo(fx[i * 2 + t] - expected, 4);
    }
  });

  it('for a linear model KernelSHAP and IG both equal w_j (x_j − mean_j)', async () => {
    const results = await explainTable(linear, rows, background, {
      methods: ['kernel-shap', 'integrated-gradients'],
      shapBackground: 40,
      targets: [0, 0, 0, 0, 0],
    });
    const mean = columnMeans(background);
    for (const r of results) {
      for (let i = 0; i < 5; i++) {
        for (let j = 0; j < F; j++)
          expect(r.attributions[i * F + j]).toBeCloseTo(w[j] * (rows.data[i * F + j] - mean[j]), 3);
      }
    }
  });

  it('LIME, KernelSHAP and IG agree on the sign of the top features of a linear-ish model', async () => {
    const results = await explainTable(mlp, rows, background, {
      limeSamples: 3000,
      shapBackground: 40,
      targets: [0, 0, 0, 0, 0],
      seed: 3,
    });
    expect(results.map((r) => r.method)).toEqual(['lime', 'kernel-shap', 'integrated-gradients']);
    const summary = summariseTable(results, names, 2);
    // Top-2 features of every row: all three methods give the same sign.
    for (let i = 0; i < 5; i++) {
      const { features, agree } = topFeatureSigns(results, i, F, 2);
      expect(features).toHaveLength(2);
      expect(agree).toEqual([true, true]);
    }
    expect(summary.topSignAgreementAll).toBe(1);
    expect(summary.shapMaxAdditivityError).toBeLessThan(1e-4);
    // The same features matter globally: positive rank correlation between every pair.
    for (const p of summary.pairs) expect(p.globalSpearman).toBeGreaterThan(0.5);
    const svg = importanceSvg(summary);
    expect(svg).toContain('Integrated Gradients');
    expect(rowBarsSvg(names, results, 0, 'row 0').match(/<svg /g)).toHaveLength(4);
  });
});

describe('rank correlation', () => {
  it('averages tied ranks and matches a hand computation', () => {
    expect(Array.from(ranks([10, 20, 20, 5]))).toEqual([2, 3.5, 3.5, 1]);
    expect(spearman([1, 2, 3, 4], [10, 20, 30, 40])).toBeCloseTo(1, 12);
    expect(spearman([1, 2, 3, 4], [4, 3, 2, 1])).toBeCloseTo(-1, 12);
    // Ranks a = [1,2,3,4], b = [1,3,2,4]: Σd² = 2, ρ = 1 − 6·2/(4·15) = 0.8.
    expect(spearman([1, 2, 3, 4], [1, 3, 2, 4])).toBeCloseTo(0.8, 12);
    expect(Number.isNaN(spearman([1, 1, 1], [1, 2, 3]))).toBe(true);
  });
});
