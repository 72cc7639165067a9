/**
 * A small Vision Transformer for images [H, W, C]: patch embedding by a convolution with
 * stride = patch size (`patch_embed`), class token or mean pooling, learned position embedding
 * (`embed`), `depth` pre-norm blocks (`block<i>_ln1`, `block<i>_attn`, `block<i>_add1`,
 * `block<i>_ln2`, `block<i>_mlp1`, `block<i>_mlp2`, `block<i>_add2`), `ln_final`, `logits`.
 */
import { tf } from '../../runtime/tf.js';
import { fail } from '../../core/errors.js';
import type { VitConfig } from '../config.js';
import { type Architecture, type SymbolicTensor, dropout, input, kernelInit, logits, shapeText } from './common.js';
import { MultiHeadSelfAttention, TakeClassToken, TokenEmbedding } from './vit-layers.js';

export const vit: Architecture<VitConfig> = {
  name: 'vit',
  summary: 'Vision Transformer: conv patch embedding, class token, multi-head self-attention blocks',
  build(config, ctx) {
    const shape = ctx.inputShape;
    if (shape.length !== 3) fail(`architecture "vit" needs images [H, W, C], the data has ${shapeText(shape)}`);
    const [h, w] = shape;
    const p = config.patchSize;
    if (h % p !== 0 || w % p !== 0) {
      fail(`model.patchSize ${p} must divide the image size ${h}×${w}: pick a divisor such as ${divisors(h, w).join(', ')}`);
    }
    if (config.dim % config.heads !== 0) {
      fail(`model.dim ${config.dim} must be divisible by model.heads ${config.heads}`);
    }
    const x = input(ctx);
    let t = tf.layers
      .conv2d({ filters: config.dim, kernelSize: p, strides: p, padding: 'valid', kernelInitializer: kernelInit(ctx.rng), name: 'patch_embed' })
      .apply(x) as SymbolicTensor;
    const patches = (h / p) * (w / p);
    t = tf.layers.reshape({ targetShape: [patches, config.dim], name: 'patch_tokens' }).apply(t) as SymbolicTensor;
    t = new TokenEmbedding({ classToken: config.pooling === 'cls', seed: ctx.rng.uint32(), name: 'embed' }).apply(t) as SymbolicTensor;
    if (config.dropout > 0) t = dropout(config.dropout, 'embed_drop', ctx.rng).apply(t) as SymbolicTensor;
    for (let b = 1; b <= config.depth; b++) {
      const n1 = tf.layers.layerNormalization({ epsilon: 1e-6, name: `block${b}_ln1` }).apply(t) as SymbolicTensor;
      const a = new MultiHeadSelfAttention({ heads: config.heads, seed: ctx.rng.uint32(), name: `block${b}_attn` }).apply(n1) as SymbolicTensor;
      t = tf.layers.add({ name: `block${b}_add1` }).apply([t, a]) as SymbolicTensor;
      const n2 = tf.layers.layerNormalization({ epsilon: 1e-6, name: `block${b}_ln2` }).apply(t) as SymbolicTensor;
      let m = tf.layers
        .dense({ units: config.mlpDim, activation: 'gelu' as any, kernelInitializer: kernelInit(ctx.rng), name: `block${b}_mlp1` })
        .apply(n2) as SymbolicTensor;
      if (config.dropout > 0) m = dropout(config.dropout, `block${b}_drop1`, ctx.rng).apply(m) as SymbolicTensor;
      m = tf.layers.dense({ units: config.dim, kernelInitializer: kernelInit(ctx.rng), name: `block${b}_mlp2` }).apply(m) as SymbolicTensor;
      if (config.dropout > 0) m = dropout(config.dropout, `block${b}_drop2`, ctx.rng).apply(m) as SymbolicTensor;
      t = tf.layers.add({ name: `block${b}_add2` }).apply([t, m]) as SymbolicTensor;
    }
    t = tf.layers.layerNormalization({ epsilon: 1e-6, name: 'ln_final' }).apply(t) as SymbolicTensor;
    const pooled =
      config.pooling === 'cls'
        ? (new TakeClassToken({ name: 'cls_token' }).apply(t) as SymbolicTensor)
        : (tf.layers.globalAveragePooling1d({ name: 'mean_pool' }).apply(t) as SymbolicTensor);
    return tf.model({ inputs: x, outputs: logits(pooled, ctx), name: 'vit' });
  },
};

function divisors(h: number, w: number): number[] {
  const out: number[] = [];
  for (let d = 2; d <= Math.min(h, w); d++) if (h % d === 0 && w % d === 0) out.push(d);
  return out.slice(0, 5);
}

export interface AttentionMap {
  /** Attention layer name, e.g. block1_attn. */
  layer: string;
  /** [N, heads, T, T]; T = patches (+1 for the class token, which is token 0). Caller disposes. */
  weights: tf.Tensor4D;
}

/**
 * Runs a ViT on `x` [N, H, W, C] and returns every block's attention matrices, in block order.
 * Works on freshly built and on reloaded models (the layers are registered classes).
 */
export function attentionMaps(model: tf.LayersModel, x: tf.Tensor): AttentionMap[] {
  const layers = model.layers.filter((l): l is MultiHeadSelfAttention => l instanceof MultiHeadSelfAttention);
  if (layers.length === 0) fail(`model "${model.name}" has no self-attention layers: attention maps need a ViT`);
  const probe = tf.model({ inputs: model.inputs, outputs: layers.map((l) => l.input as SymbolicTensor) });
  return tf.tidy(() => {
    const raw = probe.predict(x);
    const tokens = Array.isArray(raw) ? raw : [raw];
    return layers.map((l, i) => ({ layer: l.name, weights: l.attentionWeights(tokens[i]) }));
  });
}
