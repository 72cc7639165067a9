import { beforeAll, describe, expect, it } from 'vitest';
import { initTf, tf } from '../../src/runtime/tf.js';
import { buildModel, attentionMaps } from '../../src/train/architectures/index.js';
import { parseConfig } from '../../src/train/config.js';
import { TfjsModel } from '../../src/models/tfjs-model.js';
import { resizeBilinear } from '../../src/core/resize.js';
import { explain } from '../../src/methods/index.js';
import {
  attentionRollout,
  fuseHeads,
  gradientRollout,
  probeForward,
  tokenMap,
  vitAttention,
  type AttentionStack,
} from '../../src/vision/vit-attention.js';
import { explainVit } from '../../src/vision/vit-explain.js';
import { seeded } from '../helpers/models.js';

// ---------------------------------------------------------------------------------------------
// Rollout rules on a hand-made stack: 2 blocks, 2 heads, 3 tokens (token 0 = class token).

const A1h1 = [
  [0.6, 0.3, 0.1],
  [0.2, 0.5, 0.3],
  [0.1, 0.1, 0.8],
];
const A1h2 = [
  [0.2, 0.4, 0.4],
  [0.4, 0.4, 0.2],
  [0.3, 0.3, 0.4],
];
const A2h1 = [
  [0.5, 0.25, 0.25],
  [0.1, 0.8, 0.1],
  [0.6, 0.2, 0.2],
];
const A2h2 = [
  [0.1, 0.7, 0.2],
  [0.3, 0.3, 0.4],
  [0.2, 0.2, 0.6],
];
const stack: AttentionStack = {
  heads: 2,
  tokens: 3,
  blocks: [
    Float32Array.from([...A1h1.flat(), ...A1h2.flat()]),
    Float32Array.from([...A2h1.flat(), ...A2h2.flat()]),
  ],
};

type M = number[][];
const mul = (a: M, b: M): M =>
  a.map((row) => b[0].map((_, j) => row.reduce((s, v, k) => s + v * b[k][j], 0)));
const rowNorm = (a: M): M => a.map((row) => row.map((v) => v / row.reduce((s, x) => s + x, 0)));
const plusI = (a: M): M => a.map((row, i) => row.map((v, j) => v + (i === j ? 1 : 0)));
const entrywise = (a: M, b: M, f: (x: number, y: number) => number): M =>
  a.map((row, i) => row.map((v, j) => f(v, b[i][j])));
const flat = (a: M) => a.flat();

describe('attention rollout (Abnar & Zuidema 2020)', () => {
  it('equals the hand computation Ã₂·Ã₁ with Ã = rownorm(mean_h A + I)', () => {
    const f1 = entrywise(A1h1, A1h2, (x, y) => (x + y) / 2);
    const f2 = entrywise(A2h1, A2h2, (x, y) => (x + y) / 2);
    const expected = mul(rowNorm(plusI(f2)), rowNorm(plusI(f1)));
    const got = attentionRollout(stack);
    flat(expected).forEach((v, i) => expect(got[i]).toBeCloseTo(v, 6));
    // (A + I)/2 of a row-stochastic A is already row-stochastic. The first entry by hand:
    // Ã₁ column 0 = (.7, .15, .1), Ã₂ row 0 = (.65, .2375, .1125).
    expect(got[0]).toBeCloseTo(0.65 * 0.7 + 0.2375 * 0.15 + 0.1125 * 0.1, 6);
  });

  it('has rows that sum to 1 for every head fusion and discard ratio', () => {
    for (const headFusion of ['mean', 'max', 'min'] as const) {
      for (const discardRatio of [0, 0.3, 0.6]) {
        const r = attentionRollout(stack, { headFusion, discardRatio });
        for (let i = 0; i < 3; i++)
          expect(r[i * 3] + r[i * 3 + 1] + r[i * 3 + 2]).toBeCloseTo(1, 12);
      }
    }
  });

  it("fuses heads by max and min, and discards the smallest weights except the class token's own", () => {
    expect(Array.from(fuseHeads(stack.blocks[0], 2, 3, 'max'))).toEqual(
      flat(entrywise(A1h1, A1h2, Math.max)).map((v) => Math.fround(v)),
    );
    const fused = entrywise(A1h1, A1h2, Math.min); // [[.2,.3,.1],[.2,.4,.2],[.1,.1,.4]]
    expect(Array.from(fuseHeads(stack.blocks[0], 2, 3, 'min'))).toEqual(
      flat(fused).map((v) => Math.fround(v)),
    );
    // The 3 smallest of 9 are the three 0.1s; a 4th (ratio 0.45) would be (0, 0), which is kept.
    const dropped = [
      [0.2, 0.3, 0],
      [0.2, 0.4, 0.2],
      [0, 0, 0.4],
    ];
    const one: AttentionStack = { heads: 2, tokens: 3, blocks: [stack.blocks[0]] };
    for (const discardRatio of [1 / 3, 0.45]) {
      const got = attentionRollout(one, { headFusion: 'min', discardRatio });
      flat(rowNorm(plusI(dropped))).forEach((v, i) => expect(got[i]).toBeCloseTo(v, 6));
    }
    const none = attentionRollout(one, { headFusion: 'min', residual: false });
    flat(rowNorm(fused)).forEach((v, i) => expect(none[i]).toBeCloseTo(v, 6));
  });

  it('gradient rollout equals R = I + Ā₂(I + Ā₁) with Ā = mean_h (∇A ⊙ A)⁺', () => {
    const grads: AttentionStack = {
      heads: 2,
      tokens: 3,
      blocks: [Float32Array.from(seeded(18, 3)), Float32Array.from(seeded(18, 4))],
    };
    const g = (b: number, h: number): M =>
      [0, 1, 2].map((i) => [0, 1, 2].map((j) => grads.blocks[b][h * 9 + i * 3 + j]));
    const abar = (a: [M, M], b: number) =>
      entrywise(
        entrywise(a[0], g(b, 0), (x, y) => Math.max(0, x * y)),
        entrywise(a[1], g(b, 1), (x, y) => Math.max(0, x * y)),
        (x, y) => (x + y) / 2,
      );
    const r1 = plusI(abar([A1h1, A1h2], 0));
    const r2 = entrywise(r1, mul(abar([A2h1, A2h2], 1), r1), (x, y) => x + y);
    const got = gradientRollout(stack, grads);
    flat(r2).forEach((v, i) => expect(got[i]).toBeCloseTo(v, 5));
    // Read out: the class token's row over the patches, minus the identity.
    expect(Array.from(tokenMap(got, 3, 1, true))).toEqual(
      [r2[0][1], r2[0][2]].map((v) => expect.closeTo(v, 5)),
    );
  });
});

// ---------------------------------------------------------------------------------------------
// A tiny ViT: 8×8×3 images, 4×4 patches → a 2×2 grid, class token, 2 blocks of 2 heads.

function tinyVit(pooling: 'cls' | 'mean'): tf.LayersModel {
  const cfg = parseConfig({
    name: 'tiny-vit',
    dataset: { name: 'shapes' },
    model: { architecture: 'vit', patchSize: 4, dim: 8, depth: 2, heads: 2, mlpDim: 8, pooling },
    training: {},
  });
  return buildModel(cfg.model, { inputShape: [8, 8, 3], numClasses: 3, seed: 3 });
}

const x = { data: Float32Array.from(seeded(2 * 8 * 8 * 3, 9)), shape: [2, 8, 8, 3] };
let cls: tf.LayersModel;

beforeAll(async () => {
  await initTf();
  cls = tinyVit('cls');
});

describe('ViT attention from a Glassbox ViT', () => {
  it("recomputes the model exactly and returns the layers' own attention matrices", async () => {
    const model = new TfjsModel(cls);
    const own = await model.predict(x);
    const mine = await probeForward(cls, x);
    Array.from(own.data).forEach((v, i) => expect(mine[i]).toBeCloseTo(v, 5));
    const r = await vitAttention(cls, x, [0, 2]);
    expect(r.structure).toMatchObject({
      heads: 2,
      tokens: 5,
      prefix: 1,
      grid: [2, 2],
      patch: [4, 4],
    });
    const reference = attentionMaps(cls, tf.tensor(x.data, x.shape));
    for (const [b, ref] of reference.entries()) {
      const data = await ref.weights.data();
      for (let i = 0; i < 2; i++) {
        const block = r.attention[i].blocks[b];
        for (let e = 0; e < block.length; e++)
          expect(block[e]).toBeCloseTo(data[i * block.length + e], 6);
      }
      ref.weights.dispose();
    }
    // The explained scores are the target logits.
    expect(r.scores![0]).toBeCloseTo(own.data[0], 5);
    expect(r.scores![1]).toBeCloseTo(own.data[3 + 2], 5);
  });

  it('attention gradients match finite differences, and vanish where the class token cannot reach the output', async () => {
    const targets = [1, 1];
    const r = await vitAttention(cls, x, targets);
    const one = { data: x.data.subarray(0, 192), shape: [1, 8, 8, 3] };
    const offset = (block: number, entry: number, eps: number) =>
      [0, 1].map((b) => {
        const a = new Float32Array(2 * 5 * 5);
        if (b === block) a[entry] = eps;
        return { data: a, shape: [1, 2, 5, 5] };
      });
    const eps = 1e-2;
    for (const [block, entry] of [
      [0, 7],
      [0, 25 + 13],
      [1, 3],
    ]) {
      const up = await probeForward(cls, one, offset(block, entry, eps));
      const down = await probeForward(cls, one, offset(block, entry, -eps));
      const fd = (up[1] - down[1]) / (2 * eps);
      expect(r.gradients![0].blocks[block][entry]).toBeCloseTo(fd, 2);
    }
    // Last block with class-token pooling: only row 0 (the class token's query) matters.
    const g2 = r.gradients![0].blocks[1];
    for (let h = 0; h < 2; h++)
      for (let i = 1; i < 5; i++)
        for (let j = 0; j < 5; j++) expect(g2[h * 25 + i * 5 + j]).toBe(0);
    expect(Math.max(...Array.from(g2.subarray(0, 5)).map(Math.abs))).toBeGreaterThan(1e-4);
  });

  it('shows token layers as the patch grid, only while patch tokens still reach the output', () => {
    const layers = new TfjsModel(cls).layers();
    const get = (n: string) => layers.find((l) => l.name === n)!;
    expect(get('block2_ln1')).toMatchObject({
      outputShape: [2, 2, 8],
      spatial: true,
      tokenGrid: { tokens: 5, prefix: 1, grid: [2, 2] },
    });
    expect(get('embed').tokenGrid).toBeDefined();
    // After the last attention only the class token reaches the logits.
    expect(get('block2_attn').spatial).toBe(false);
    expect(get('ln_final').spatial).toBe(false);
    const mean = new TfjsModel(tinyVit('mean')).layers();
    expect(mean.find((l) => l.name === 'ln_final')).toMatchObject({
      outputShape: [2, 2, 8],
      spatial: true,
      tokenGrid: { prefix: 0 },
    });
  });

  it('Grad-CAM on the token layer equals ReLU(Σ_k mean_p(∂y/∂A_k) A_k) on the 2×2 grid, computed by hand', async () => {
    const model = new TfjsModel(cls);
    const targets = [2, 0];
    const [e0, e1] = await explain(model, x, 'grad-cam', { targets });
    expect(e0.layer).toBe('block2_ln1'); // the default: the last token layer that reaches the output
    // Independent path: tfjs's own layers, applied by hand from block 1's output.
    const L = (n: string) => cls.getLayer(n);
    const upTo = tf.model({
      inputs: cls.inputs,
      outputs: [
        L('block1_add2').output as tf.SymbolicTensor,
        L('block2_ln1').output as tf.SymbolicTensor,
      ],
    });
    const [t, a] = upTo.predict(tf.tensor(x.data, x.shape)) as tf.Tensor[];
    const head = (act: tf.Tensor) => {
      const u = tf.add(t, L('block2_attn').apply(act) as tf.Tensor);
      const m = L('block2_mlp2').apply(
        L('block2_mlp1').apply(L('block2_ln2').apply(u)),
      ) as tf.Tensor;
      const z = L('ln_final').apply(tf.add(u, m)) as tf.Tensor;
      const y = L('logits').apply(L('cls_token').apply(z)) as tf.Tensor;
      return tf.sum(tf.mul(y, tf.oneHot(tf.tensor1d(targets, 'int32'), 3)));
    };
    const g = await tf.grad(head)(a).data();
    const act = await a.data();
    const D = 8;
    for (const [i, e] of [e0, e1].entries()) {
      const base = i * 5 * D;
      const w = new Float64Array(D);
      for (let p = 1; p < 5; p++) for (let k = 0; k < D; k++) w[k] += g[base + p * D + k] / 4; // patches only
      const cam = new Float32Array(4);
      for (let p = 1; p < 5; p++) {
        let s = 0;
        for (let k = 0; k < D; k++) s += w[k] * act[base + p * D + k];
        cam[p - 1] = Math.max(0, s);
      }
      expect(Math.max(...cam)).toBeGreaterThan(0);
      const expected = resizeBilinear(cam, 2, 2, 8, 8);
      for (let p = 0; p < 64; p++) expect(e.heatmap.data[p]).toBeCloseTo(expected[p], 4);
    }
  });

  it('explainVit gives rollout maps whose rows sum to 1, and every map on the patch grid', async () => {
    const r = await explainVit(new TfjsModel(cls), x, {
      rollout: { headFusion: 'max', discardRatio: 0.2 },
    });
    for (const m of r.maps) {
      expect(m.rolloutRowError).toBeLessThan(1e-9);
      expect(m.rollout).toHaveLength(4);
      expect(m.gradRollout).toHaveLength(4);
      expect(m.heads).toHaveLength(2);
      expect(m.heads[0]).toHaveLength(2);
      // The class token's attention to the patches: row 0 of a head without its first column.
      const a = m.attention.blocks[1];
      expect(Array.from(m.heads[1][0])).toEqual(
        Array.from(a.subarray(1, 5)).map((v) => expect.closeTo(v, 6)),
      );
      expect(m.gradCam).toHaveLength(64);
    }
  });
});
