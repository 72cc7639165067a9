import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initTf, tf } from '../../src/runtime/tf.js';
import { parseConfig, type ModelConfig } from '../../src/train/config.js';
import { architectures, attentionMaps, buildModel } from '../../src/train/architectures/index.js';
import { loadLayersModel, saveLayersModel } from '../../src/io/tfjs-files.js';

beforeAll(async () => {
  await initTf();
});

function model(m: Record<string, unknown>): ModelConfig {
  return parseConfig({ name: 't', dataset: { name: 'x' }, model: m }).model;
}

const cases: Array<{ config: Record<string, unknown>; inputShape: number[]; layers: string[] }> = [
  {
    config: { architecture: 'cnn', convBlocks: [{ filters: 4, batchNorm: true, pool: 'max', dropout: 0.1 }, { filters: 6 }], dense: [8], denseDropout: 0.2 },
    inputShape: [12, 12, 3],
    layers: ['conv1', 'bn1', 'act1', 'pool1', 'drop1', 'conv2', 'flatten', 'dense1', 'dense_drop1', 'logits'],
  },
  {
    config: { architecture: 'cnn1d', convBlocks: [{ filters: 5, kernel: 5, stride: 2 }, { filters: 5, stride: 2 }], globalPool: 'avg' },
    inputShape: [40, 1],
    layers: ['conv1', 'conv2', 'global_pool', 'logits'],
  },
  { config: { architecture: 'mlp', hidden: [7, 5], batchNorm: true, dropout: 0.1 }, inputShape: [6, 2], layers: ['flatten', 'dense1', 'bn1', 'act1', 'drop1', 'dense2', 'logits'] },
  { config: { architecture: 'lstm', units: 5, layers: 2 }, inputShape: [8, 8, 1], layers: ['to_sequence', 'lstm1', 'lstm2', 'logits'] },
  { config: { architecture: 'gru', units: 3, bidirectional: true, output: 'sequence', dense: [4] }, inputShape: [10, 1], layers: ['gru1', 'flatten', 'dense1', 'logits'] },
  {
    config: { architecture: 'vit', patchSize: 4, dim: 8, depth: 2, heads: 2, mlpDim: 16 },
    inputShape: [8, 8, 1],
    layers: ['patch_embed', 'patch_tokens', 'embed', 'block1_ln1', 'block1_attn', 'block1_add1', 'block1_ln2', 'block1_mlp1', 'block1_mlp2', 'block1_add2', 'block2_attn', 'ln_final', 'cls_token', 'logits'],
  },
];

describe('architectures', () => {
  it('the registry holds every architecture the config accepts', () => {
    expect(Object.keys(architectures).sort()).toEqual(['cnn', 'cnn1d', 'gru', 'lstm', 'mlp', 'vit']);
  });

  for (const c of cases) {
    it(`${c.config.architecture} outputs [N, classes] logits from named layers`, () => {
      const m = buildModel(model(c.config), { inputShape: c.inputShape, numClasses: 5, seed: 1 });
      const names = m.layers.map((l) => l.name);
      for (const name of c.layers) expect(names).toContain(name);
      // Layer order follows the data flow.
      const order = c.layers.map((n) => names.indexOf(n));
      expect([...order].sort((a, b) => a - b)).toEqual(order);
      expect(names.at(-1)).toBe('logits');
      const logitsLayer = m.getLayer('logits');
      expect((logitsLayer.getConfig() as { activation: string }).activation).toBe('linear');
      const y = tf.tidy(() => (m.predict(tf.randomNormal([3, ...c.inputShape], 0, 1, 'float32', 7)) as tf.Tensor).arraySync() as number[][]);
      expect(y).toHaveLength(3);
      expect(y[0]).toHaveLength(5);
      // Logits, not probabilities: rows do not all sum to 1 and some values are negative.
      expect(y.flat().some((v) => v < 0)).toBe(true);
      m.dispose();
    });
  }

  it('the same seed builds the same initial weights, another seed different ones', () => {
    const cfg = model({ architecture: 'cnn', convBlocks: [{ filters: 3 }], dense: [4] });
    const w = (seed: number) => {
      const m = buildModel(cfg, { inputShape: [6, 6, 1], numClasses: 3, seed });
      const v = m.getWeights().map((t) => Array.from(t.dataSync()));
      m.dispose();
      return v;
    };
    expect(w(5)).toEqual(w(5));
    expect(w(5)).not.toEqual(w(6));
  });

  it('MNIST-1D reference sizes match the public benchmark networks', () => {
    // PyTorch reference (Greydanus 2020): ConvBase 5 210 parameters, MLP(40→100→100→10) 15 210.
    const cnn = buildModel(
      model({ architecture: 'cnn1d', convBlocks: [{ filters: 25, kernel: 5, stride: 2 }, { filters: 25, stride: 2 }, { filters: 25, stride: 2 }] }),
      { inputShape: [40, 1], numClasses: 10, seed: 0 },
    );
    expect(cnn.countParams()).toBe(5210);
    const mlp = buildModel(model({ architecture: 'mlp', hidden: [100, 100] }), { inputShape: [40, 1], numClasses: 10, seed: 0 });
    expect(mlp.countParams()).toBe(15210);
  });

  it('rejects inputs an architecture cannot take, with the fix', () => {
    expect(() => buildModel(model({ architecture: 'cnn' }), { inputShape: [40, 1], numClasses: 3, seed: 0 })).toThrow(/use "cnn1d" for signals/);
    expect(() => buildModel(model({ architecture: 'vit', patchSize: 5 }), { inputShape: [28, 28, 1], numClasses: 3, seed: 0 })).toThrow(
      /patchSize 5 must divide the image size 28×28/,
    );
  });
});

describe('ViT attention', () => {
  const cfg = () => model({ architecture: 'vit', patchSize: 4, dim: 12, depth: 2, heads: 3, mlpDim: 16 });

  it('returns per-layer, per-head attention matrices whose rows sum to 1', () => {
    const m = buildModel(cfg(), { inputShape: [8, 12, 1], numClasses: 4, seed: 2 });
    const x = tf.randomNormal([2, 8, 12, 1], 0, 1, 'float32', 3);
    const maps = attentionMaps(m, x);
    expect(maps.map((a) => a.layer)).toEqual(['block1_attn', 'block2_attn']);
    for (const a of maps) {
      // 2 × 3 patches + the class token = 7 tokens.
      expect(a.weights.shape).toEqual([2, 3, 7, 7]);
      const rows = a.weights.sum(-1).dataSync();
      for (const r of rows) expect(r).toBeCloseTo(1, 5);
      expect(a.weights.min().dataSync()[0]).toBeGreaterThanOrEqual(0);
      // Not uniform: the layer really computes data-dependent weights.
      expect(a.weights.max().dataSync()[0]).toBeGreaterThan(1 / 7 + 1e-3);
    }
    tf.dispose([x, ...maps.map((a) => a.weights)]);
    m.dispose();
  });

  it('a saved ViT reloads with the same predictions and attention (custom layers registered)', async () => {
    const m = buildModel(cfg(), { inputShape: [8, 8, 1], numClasses: 4, seed: 2 });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gb-vit-'));
    await saveLayersModel(m, dir);
    const re = await loadLayersModel(dir);
    const x = tf.randomNormal([2, 8, 8, 1], 0, 1, 'float32', 4);
    const a = (m.predict(x) as tf.Tensor).dataSync();
    const b = (re.predict(x) as tf.Tensor).dataSync();
    expect(Array.from(b)).toEqual(Array.from(a));
    const attA = attentionMaps(m, x)[1].weights.dataSync();
    const attB = attentionMaps(re, x)[1].weights.dataSync();
    expect(Array.from(attB)).toEqual(Array.from(attA));
  });

  it('mean pooling drops the class token', () => {
    const m = buildModel(model({ architecture: 'vit', patchSize: 4, dim: 8, depth: 1, heads: 2, pooling: 'mean' }), { inputShape: [8, 8, 1], numClasses: 3, seed: 1 });
    expect(m.layers.map((l) => l.name)).toContain('mean_pool');
    const x = tf.zeros([1, 8, 8, 1]);
    expect(attentionMaps(m, x)[0].weights.shape).toEqual([1, 2, 4, 4]);
  });
});
