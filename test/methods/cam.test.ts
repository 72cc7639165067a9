/**
 * The CAM family against hand computations: activations from a plain-JS convolution, gradients
 * from the head's weights (for conv → GAP → dense, ∂score/∂A_k = W_kc / (H·W); for
 * conv → flatten → dense, the dense weight of that position and channel).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initTf } from '../../src/runtime/tf.js';
import '../../src/methods/index.js';
import { explain } from '../../src/methods/explain.js';
import { firstComponentProjection } from '../../src/methods/cam/eigen.js';
import type { NdArray } from '../../src/core/ndarray.js';
import {
  conv2dSame,
  correlation,
  flattenNet,
  gapNet,
  input,
  maxAbs,
  maxAbsDiff,
  signalNet,
  twoConvNet,
  weightsOf,
  wrap,
} from './fixtures.js';
import { tf } from '../../src/runtime/tf.js';

beforeAll(async () => {
  await initTf();
});

const relu = (v: number) => (v > 0 ? v : 0);

/** Activations (P × K) of the 'conv' layer of a same-padded 3×3 conv net, by hand. */
function convActivation(
  m: tf.LayersModel,
  x: NdArray,
  activation: 'relu' | 'linear' | 'tanh' = 'relu',
): Float64Array {
  const [, h, w, cin] = x.shape;
  const [kernel, bias] = weightsOf(m, 'conv');
  const cout = bias.length;
  const z = conv2dSame(x.data, h, w, cin, kernel, 3, cout, bias);
  return z.map((v) => (activation === 'relu' ? relu(v) : activation === 'tanh' ? Math.tanh(v) : v));
}

async function heat(
  model: ReturnType<typeof wrap>,
  x: NdArray,
  method: string,
  target: number,
  options: Record<string, unknown> = {},
) {
  const [e] = await explain(model, x, method, { targets: [target], options });
  return e;
}

/** Σ_k weights[p, k]·A[p, k] (weights either per channel or per position and channel). */
function camOf(
  a: Float64Array,
  positions: number,
  channels: number,
  w: (p: number, k: number) => number,
  rectify = true,
): Float64Array {
  const out = new Float64Array(positions);
  for (let p = 0; p < positions; p++) {
    let s = 0;
    for (let k = 0; k < channels; k++) s += w(p, k) * a[p * channels + k];
    out[p] = rectify ? relu(s) : s;
  }
  return out;
}

/** Top eigenvector by cyclic Jacobi rotations: independent of the power iteration under test. */
function jacobiTopEigenvector(m: Float64Array, n: number): Float64Array {
  const a = Float64Array.from(m);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p * n + q] ** 2;
    if (off < 1e-22) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q];
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p];
          const akq = a[k * n + q];
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k];
          const aqk = a[q * n + k];
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p];
          const vkq = v[k * n + q];
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  let best = 0;
  for (let i = 1; i < n; i++) if (a[i * n + i] > a[best * n + best]) best = i;
  return Float64Array.from({ length: n }, (_, i) => v[i * n + best]);
}

/** First-PC projection of the channel-centred matrix, sign by correlation with the channel sum. */
function pcaProjection(a: ArrayLike<number>, positions: number, channels: number): Float64Array {
  const x = new Float64Array(positions * channels);
  for (let k = 0; k < channels; k++) {
    let mean = 0;
    for (let p = 0; p < positions; p++) mean += a[p * channels + k] / positions;
    for (let p = 0; p < positions; p++) x[p * channels + k] = a[p * channels + k] - mean;
  }
  const cov = new Float64Array(channels * channels);
  for (let i = 0; i < channels; i++)
    for (let j = 0; j < channels; j++)
      for (let p = 0; p < positions; p++)
        cov[i * channels + j] += x[p * channels + i] * x[p * channels + j];
  const v = jacobiTopEigenvector(cov, channels);
  const proj = new Float64Array(positions);
  let corr = 0;
  for (let p = 0; p < positions; p++) {
    let s = 0;
    let total = 0;
    for (let k = 0; k < channels; k++) {
      s += x[p * channels + k] * v[k];
      total += a[p * channels + k];
    }
    proj[p] = s;
    corr += s * total;
  }
  return corr < 0 ? proj.map((s) => -s) : proj;
}

describe('Grad-CAM', () => {
  it('equals relu(Σ_k (W_kc / HW)·A_k) on conv → GAP → dense', async () => {
    const m = gapNet();
    const model = wrap(m);
    const x = input([1, 6, 6, 2], 3);
    const a = convActivation(m, x);
    const [wd] = weightsOf(m, 'logits'); // [4, 3]
    for (const c of [0, 1, 2]) {
      const expected = camOf(a, 36, 4, (_, k) => wd[k * 3 + c] / 36);
      const e = await heat(model, x, 'grad-cam', c, { layer: 'conv' });
      expect(e.layer).toBe('conv');
      expect(maxAbs(expected)).toBeGreaterThan(1e-3); // a map that is not trivially zero
      expect(maxAbsDiff(e.heatmap.data, expected)).toBeLessThan(1e-5 * (1 + maxAbs(expected)));
    }
  });

  it('equals relu(Σ_k mean_p(W_pk,c)·A_k) on conv → flatten → dense, and upsamples 1-D signals linearly', async () => {
    const m = flattenNet();
    const model = wrap(m);
    const x = input([1, 5, 5, 2], 8);
    const a = convActivation(m, x);
    const [wd] = weightsOf(m, 'logits'); // [75, 3]
    const mean = (k: number, c: number) => {
      let s = 0;
      for (let p = 0; p < 25; p++) s += wd[(p * 3 + k) * 3 + c];
      return s / 25;
    };
    const expected = camOf(a, 25, 3, (_, k) => mean(k, 1));
    const e = await heat(model, x, 'grad-cam', 1);
    expect(maxAbsDiff(e.heatmap.data, expected)).toBeLessThan(1e-5 * (1 + maxAbs(expected)));

    // Signal: conv2 has 8 positions after pooling; the map is linearly upsampled to 16.
    const sm = signalNet();
    const smodel = wrap(sm);
    const xs = input([1, 16, 2], 4);
    const act = (await smodel.activations(xs, ['conv2'])).get('conv2')!; // [1, 8, 3]
    const [ws] = weightsOf(sm, 'logits');
    const small = camOf(Float64Array.from(act.data), 8, 3, (_, k) => ws[k * 3 + 2] / 8);
    const up = Array.from({ length: 16 }, (_, i) => {
      const f = Math.min(Math.max((i + 0.5) / 2 - 0.5, 0), 7);
      const i0 = Math.floor(f);
      const i1 = Math.min(i0 + 1, 7);
      return small[i0] * (1 - (f - i0)) + small[i1] * (f - i0);
    });
    const es = await heat(smodel, xs, 'grad-cam', 2, { layer: 'conv2' });
    expect(es.heatmap.shape).toEqual([16]);
    expect(maxAbsDiff(es.heatmap.data, up)).toBeLessThan(1e-5 * (1 + maxAbs(up)));
  });

  it('refuses layers without a grid, tables, and layer together with layers', async () => {
    const model = wrap(gapNet());
    const x = input([1, 6, 6, 2], 1);
    await expect(explain(model, x, 'grad-cam', { options: { layer: 'gap' } })).rejects.toThrow(
      /no spatial grid/,
    );
    await expect(
      explain(model, x, 'grad-cam', { options: { layer: 'conv', layers: ['conv'] } }),
    ).rejects.toThrow(/either layer or layers/);
  });
});

describe('CAM variants reduce to Grad-CAM where their papers say so', () => {
  it('HiResCAM equals Grad-CAM after GAP + linear, and Σ_k G⊙A (≠ Grad-CAM) after flatten + linear', async () => {
    const gm = wrap(gapNet());
    const x = input([1, 6, 6, 2], 5);
    for (const c of [0, 2]) {
      const g = await heat(gm, x, 'grad-cam', c);
      const h = await heat(gm, x, 'hirescam', c);
      expect(maxAbsDiff(g.heatmap.data, h.heatmap.data)).toBeLessThan(
        1e-5 * (1 + maxAbs(g.heatmap.data)),
      );
    }
    const m = flattenNet();
    const fm = wrap(m);
    const xf = input([1, 5, 5, 2], 9);
    const a = convActivation(m, xf);
    const [wd] = weightsOf(m, 'logits');
    const expected = camOf(a, 25, 3, (p, k) => wd[(p * 3 + k) * 3 + 0]);
    const h = await heat(fm, xf, 'hirescam', 0);
    expect(maxAbsDiff(h.heatmap.data, expected)).toBeLessThan(1e-5 * (1 + maxAbs(expected)));
    const g = await heat(fm, xf, 'grad-cam', 0);
    expect(maxAbsDiff(h.heatmap.data, g.heatmap.data)).toBeGreaterThan(1e-2 * maxAbs(expected));
  });

  it('XGrad-CAM equals Grad-CAM after GAP + linear, and conserves the score of a bias-free linear head', async () => {
    const gm = wrap(gapNet());
    const x = input([1, 6, 6, 2], 6);
    const g = await heat(gm, x, 'grad-cam', 1);
    const xg = await heat(gm, x, 'xgrad-cam', 1);
    expect(maxAbsDiff(g.heatmap.data, xg.heatmap.data)).toBeLessThan(
      1e-5 * (1 + maxAbs(g.heatmap.data)),
    );

    // Conservation (Fu et al. 2020): Σ_positions Σ_k w_k A_k = Σ A·G = score when score = Σ A·W.
    const fm = wrap(flattenNet({ bias: false }));
    const xf = input([1, 5, 5, 2], 2);
    for (const c of [0, 1, 2]) {
      const e = await heat(fm, xf, 'xgrad-cam', c, { relu: false });
      const total = e.heatmap.data.reduce((s, v) => s + v, 0);
      expect(Math.abs(total - e.score)).toBeLessThan(1e-4 * (1 + Math.abs(e.score)));
    }
  });

  it('Layer-CAM equals Grad-CAM when all target weights are positive, and keeps only positive gradients otherwise', async () => {
    const m = gapNet({ seed: 4 });
    const [kernel, bias] = m.getLayer('logits').getWeights();
    const k = Float32Array.from(kernel.dataSync());
    for (let i = 0; i < 4; i++) k[i * 3] = Math.abs(k[i * 3]) + 0.05; // class 0: all channels count for it
    for (let i = 0; i < 4; i++) k[i * 3 + 1] = (i % 2 ? 1 : -1) * (Math.abs(k[i * 3 + 1]) + 0.05); // class 1: mixed signs
    m.getLayer('logits').setWeights([tf.tensor(k, kernel.shape), bias]);
    const model = wrap(m);
    const x = input([1, 6, 6, 2], 7);
    const g = await heat(model, x, 'grad-cam', 0);
    const l = await heat(model, x, 'layer-cam', 0);
    expect(maxAbsDiff(g.heatmap.data, l.heatmap.data)).toBeLessThan(
      1e-5 * (1 + maxAbs(g.heatmap.data)),
    );

    const a = convActivation(m, x);
    const mixed = [...Array(4).keys()].map((i) => k[i * 3 + 1]);
    expect(mixed.some((v) => v < 0) && mixed.some((v) => v > 0)).toBe(true);
    const expected = camOf(a, 36, 4, (_, ch) => relu(mixed[ch] / 36));
    const l1 = await heat(model, x, 'layer-cam', 1);
    expect(maxAbsDiff(l1.heatmap.data, expected)).toBeLessThan(1e-5 * (1 + maxAbs(expected)));
    const g1 = await heat(model, x, 'grad-cam', 1);
    expect(maxAbsDiff(l1.heatmap.data, g1.heatmap.data)).toBeGreaterThan(1e-3);
  });
});

describe('Grad-CAM++', () => {
  it('matches α = G²/(2G² + ΣA·G³) weights by hand on GAP and flatten heads', async () => {
    const gm = gapNet();
    const x = input([1, 6, 6, 2], 12);
    const a = convActivation(gm, x);
    const [wd] = weightsOf(gm, 'logits');
    const sumA = [0, 1, 2, 3].map((k) =>
      a.filter((_, i) => i % 4 === k).reduce((s, v) => s + v, 0),
    );
    const weight = (g: number, s: number) =>
      g > 0 ? (g * g * g) / (2 * g * g + s * g * g * g + 1e-6) : 0;
    const w = [0, 1, 2, 3].map((k) => 36 * weight(wd[k * 3 + 2] / 36, sumA[k]));
    const expected = camOf(a, 36, 4, (_, k) => w[k]);
    const e = await heat(wrap(gm), x, 'grad-cam++', 2);
    expect(maxAbs(expected)).toBeGreaterThan(1e-4);
    expect(maxAbsDiff(e.heatmap.data, expected)).toBeLessThan(1e-5 * (1 + maxAbs(expected)));

    const fmodel = flattenNet();
    const xf = input([1, 5, 5, 2], 13);
    const af = convActivation(fmodel, xf);
    const [wf] = weightsOf(fmodel, 'logits');
    const sf = [0, 1, 2].map((k) => af.filter((_, i) => i % 3 === k).reduce((s, v) => s + v, 0));
    const wk = [0, 1, 2].map((k) => {
      let s = 0;
      for (let p = 0; p < 25; p++) s += weight(wf[(p * 3 + k) * 3 + 0], sf[k]);
      return s;
    });
    const ef = await heat(wrap(fmodel), xf, 'grad-cam++', 0);
    const expectedF = camOf(af, 25, 3, (_, k) => wk[k]);
    expect(maxAbsDiff(ef.heatmap.data, expectedF)).toBeLessThan(1e-5 * (1 + maxAbs(expectedF)));
  });
});

describe('Eigen-CAM and eigen-smoothing', () => {
  it('Eigen-CAM is the ReLU of the first principal component (Jacobi, sign toward the channel sum), whatever the target', async () => {
    const m = gapNet({ filters: 5 });
    const model = wrap(m);
    const x = input([1, 6, 6, 2], 14);
    const a = convActivation(m, x);
    const expected = pcaProjection(a, 36, 5).map(relu);
    const e0 = await heat(model, x, 'eigen-cam', 0);
    const e1 = await heat(model, x, 'eigen-cam', 1);
    expect(maxAbs(expected)).toBeGreaterThan(1e-3);
    expect(maxAbsDiff(e0.heatmap.data, expected)).toBeLessThan(1e-4 * (1 + maxAbs(expected)));
    expect(maxAbsDiff(e0.heatmap.data, e1.heatmap.data)).toBe(0);
  });

  it('the projection takes the smaller Gram matrix when positions < channels and agrees with Jacobi', () => {
    // 4 positions × 9 channels: the positions × positions path.
    const a = Float32Array.from({ length: 36 }, (_, i) => Math.sin(i * 1.7) + (i % 9) * 0.1);
    const ours = firstComponentProjection(a, 4, 9);
    const ref = pcaProjection(a, 4, 9);
    expect(maxAbsDiff(ours, ref)).toBeLessThan(1e-5);
    // A rank-one layer: the map is the centred spatial profile.
    const u = [3, 1, 0, 2, 5];
    const v = [1, 2, 0.5];
    const r1 = Float32Array.from({ length: 15 }, (_, i) => u[Math.floor(i / 3)] * v[i % 3]);
    const proj = firstComponentProjection(r1, 5, 3);
    expect(correlation(proj, u)).toBeGreaterThan(0.999999);
  });

  it("eigenSmooth replaces Grad-CAM's channel sum by the first component of w_k·A_k", async () => {
    const m = gapNet({ filters: 5 });
    const x = input([1, 6, 6, 2], 15);
    const a = convActivation(m, x);
    const [wd] = weightsOf(m, 'logits');
    const weighted = a.map((v, i) => (wd[(i % 5) * 3 + 1] / 36) * v);
    const expected = pcaProjection(weighted, 36, 5).map(relu);
    const e = await heat(wrap(m), x, 'grad-cam', 1, { eigenSmooth: true });
    expect(maxAbsDiff(e.heatmap.data, expected)).toBeLessThan(1e-4 * (1 + maxAbs(expected)));
    const plain = await heat(wrap(m), x, 'grad-cam', 1);
    expect(maxAbsDiff(e.heatmap.data, plain.heatmap.data)).toBeGreaterThan(1e-4);
  });
});

describe('several layers', () => {
  it('averages the min-max normalised single-layer maps and normalises the mean (pytorch-grad-cam)', async () => {
    const model = wrap(twoConvNet());
    const x = input([1, 6, 6, 1], 16);
    const norm = (v: ArrayLike<number>) => {
      const lo = Math.min(...Array.from(v));
      const hi = Math.max(...Array.from(v));
      return Array.from(v, (t) => (t - lo) / (hi - lo + 1e-7));
    };
    for (const method of ['grad-cam', 'layer-cam', 'eigen-cam']) {
      const c1 = norm((await heat(model, x, method, 1, { layer: 'c1' })).heatmap.data);
      const c2 = norm((await heat(model, x, method, 1, { layer: 'c2' })).heatmap.data);
      const expected = norm(c1.map((v, i) => (v + c2[i]) / 2));
      const both = await heat(model, x, method, 1, { layers: ['c1', 'c2'] });
      expect(both.layer).toBe('c1,c2');
      expect(maxAbsDiff(both.heatmap.data, expected)).toBeLessThan(1e-5);
    }
  });
});
