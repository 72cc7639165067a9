/**
 * What a Vision Transformer attends to: raw attention maps per block and head, attention rollout
 * (Abnar & Zuidema 2020) and gradient-weighted rollout (Chefer, Gur & Wolf 2021). Grad-CAM on
 * the transformer's tokens needs nothing here: TfjsModel shows token layers as their patch grid
 * (models/token-grid.ts), so `explain(model, x, 'grad-cam', { options: { layer } })` just works.
 *
 * Attention stacks are plain arrays so the rules can be checked by hand: one example's block l is
 * `heads × T × T` row-major, row i = how much query token i attends to each key token.
 */
import { z } from 'zod';
import { tf } from '../runtime/tf.js';
import { fail } from '../core/errors.js';
import type { NdArray } from '../core/ndarray.js';
import { TfjsGraph } from '../models/tfjs-graph.js';
import { MultiHeadSelfAttention, TokenEmbedding } from '../train/architectures/vit-layers.js';

type T = tf.Tensor;

export const HEAD_FUSIONS = ['mean', 'max', 'min'] as const;
export type HeadFusion = (typeof HEAD_FUSIONS)[number];

export const rolloutOptions = z.strictObject({
  headFusion: z
    .enum(HEAD_FUSIONS)
    .default('mean')
    .describe('how the heads of a block are combined before rolling out'),
  discardRatio: z
    .number()
    .min(0)
    .lt(1)
    .default(0)
    .describe(
      "share of the smallest fused attention weights set to 0 per block (never the class token's own)",
    ),
  residual: z
    .boolean()
    .default(true)
    .describe('add the identity for the residual connection: Ã = (A + I)/2, rows renormalised'),
});
export type RolloutOptions = z.input<typeof rolloutOptions>;

/** One example's attention stack: per block, heads × T × T. */
export interface AttentionStack {
  heads: number;
  tokens: number;
  /** One array per block, in block order. */
  blocks: Float32Array[];
}

/** Heads fused into one T × T matrix (mean, max or min over heads, per entry). */
export function fuseHeads(
  block: Float32Array,
  heads: number,
  tokens: number,
  fusion: HeadFusion,
): Float64Array {
  const tt = tokens * tokens;
  const out = new Float64Array(tt);
  for (let e = 0; e < tt; e++) {
    let acc = fusion === 'mean' ? 0 : block[e];
    for (let h = fusion === 'mean' ? 0 : 1; h < heads; h++) {
      const v = block[h * tt + e];
      acc = fusion === 'mean' ? acc + v : fusion === 'max' ? Math.max(acc, v) : Math.min(acc, v);
    }
    out[e] = fusion === 'mean' ? acc / heads : acc;
  }
  return out;
}

/** C = A · B for T × T matrices. */
function matmul(a: Float64Array, b: Float64Array, t: number): Float64Array {
  const c = new Float64Array(t * t);
  for (let i = 0; i < t; i++)
    for (let k = 0; k < t; k++) {
      const v = a[i * t + k];
      if (v === 0) continue;
      for (let j = 0; j < t; j++) c[i * t + j] += v * b[k * t + j];
    }
  return c;
}

function identity(t: number): Float64Array {
  const m = new Float64Array(t * t);
  for (let i = 0; i < t; i++) m[i * t + i] = 1;
  return m;
}

/**
 * Attention rollout: R = Ã_L ⋯ Ã_1 with Ã_l = rownorm((fuse(A_l) with the smallest
 * `discardRatio` share zeroed) + I) — Abnar & Zuidema's (A + I)/2 with rows renormalised after
 * fusion and discarding (jacobgil/vit-explain's procedure, with a true row normalisation). Every
 * row of the result sums to 1: row i is how token i's final state draws on the input tokens.
 */
export function attentionRollout(
  stack: AttentionStack,
  options: RolloutOptions = {},
): Float64Array {
  const o = rolloutOptions.parse(options);
  const t = stack.tokens;
  if (stack.blocks.length === 0) fail('attention rollout needs at least one attention block');
  let joint = identity(t);
  for (const block of stack.blocks) {
    const a = fuseHeads(block, stack.heads, t, o.headFusion);
    if (o.discardRatio > 0) discardSmallest(a, o.discardRatio);
    if (o.residual) for (let i = 0; i < t; i++) a[i * t + i] += 1;
    for (let i = 0; i < t; i++) {
      let s = 0;
      for (let j = 0; j < t; j++) s += a[i * t + j];
      if (s > 0) for (let j = 0; j < t; j++) a[i * t + j] /= s;
      else a[i * t + i] = 1; // a row discarded entirely passes its token through
    }
    joint = matmul(a, joint, t);
  }
  return joint;
}

/** Zeroes the ⌊ratio·T²⌋ smallest entries, keeping entry (0, 0) (the class token's own). */
function discardSmallest(a: Float64Array, ratio: number): void {
  const count = Math.floor(a.length * ratio);
  const order = Array.from(a.keys()).sort((i, j) => a[i] - a[j] || i - j);
  for (const i of order.slice(0, count)) if (i !== 0) a[i] = 0;
}

/**
 * Gradient-weighted rollout (Chefer, Gur & Wolf 2021, "Generic Attention-model Explainability",
 * self-attention rule): R ← I; per block Ā = mean_h (∇A ⊙ A)⁺ and R ← R + Ā·R. Rows do not sum
 * to 1: R − I accumulates the class-relevant flow.
 */
export function gradientRollout(stack: AttentionStack, gradients: AttentionStack): Float64Array {
  const t = stack.tokens;
  const h = stack.heads;
  if (gradients.blocks.length !== stack.blocks.length)
    fail('gradient rollout needs one gradient per attention block');
  const r = identity(t);
  stack.blocks.forEach((block, l) => {
    const g = gradients.blocks[l];
    const tt = t * t;
    const a = new Float64Array(tt);
    for (let k = 0; k < h; k++)
      for (let e = 0; e < tt; e++) a[e] += Math.max(0, g[k * tt + e] * block[k * tt + e]) / h;
    const ar = matmul(a, r, t);
    for (let e = 0; e < tt; e++) r[e] += ar[e];
  });
  return r;
}

/**
 * A token relevance matrix read out as a map on the patch grid: the class token's row (its
 * patch columns) when the model pools the class token, else the mean of the patch rows (mean
 * pooling). For gradient rollout the identity is removed first (a token's relevance to itself).
 */
export function tokenMap(
  joint: Float64Array,
  tokens: number,
  prefix: number,
  removeIdentity = false,
): Float32Array {
  const patches = tokens - prefix;
  const out = new Float32Array(patches);
  const rows = prefix > 0 ? [0] : Array.from({ length: tokens }, (_, i) => i);
  for (const i of rows) {
    for (let p = 0; p < patches; p++) {
      const j = prefix + p;
      out[p] += (joint[i * tokens + j] - (removeIdentity && i === j ? 1 : 0)) / rows.length;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Reading a Glassbox ViT

export interface VitStructure {
  /** Attention layers in block order. */
  attention: MultiHeadSelfAttention[];
  heads: number;
  tokens: number;
  /** Leading non-patch tokens (1 with a class token). */
  prefix: number;
  /** Patch grid [rows, cols]. */
  grid: [number, number];
  /** Patch side in pixels (rows and cols of the input covered by one token). */
  patch: [number, number];
}

/** The parts of a LayersModel that make it a Glassbox ViT; fails with a fix when it is not one. */
export function vitStructure(model: tf.LayersModel): VitStructure {
  const attention = model.layers.filter(
    (l): l is MultiHeadSelfAttention => l instanceof MultiHeadSelfAttention,
  );
  if (attention.length === 0)
    fail(
      `model "${model.name}" has no self-attention layers: attention maps need a ViT (architecture "vit" in the training config)`,
    );
  const embed = model.layers.find((l): l is TokenEmbedding => l instanceof TokenEmbedding);
  const tokens = (attention[0].input as tf.SymbolicTensor).shape[1] as number;
  const prefix = embed?.classToken ? 1 : 0;
  const [h, w] = (model.inputs[0].shape as number[]).slice(1, 3);
  const patches = tokens - prefix;
  // Patch grid from the patch embedding's output (a conv with stride = patch size).
  const conv = model.layers.find(
    (l) => l.getClassName() === 'Conv2D' && (l.outputShape as number[]).length === 4,
  );
  const [gr, gc] = conv
    ? (conv.outputShape as number[]).slice(1, 3)
    : [Math.sqrt(patches), Math.sqrt(patches)];
  if (gr * gc !== patches || !Number.isInteger(gr))
    fail(`model "${model.name}": cannot map its ${patches} patch tokens onto a grid`);
  return {
    attention,
    heads: attention[0].heads,
    tokens,
    prefix,
    grid: [gr, gc],
    patch: [h / gr, w / gc],
  };
}

function oneHot(targets: number[], classes: number): T {
  return tf.oneHot(tf.tensor1d(targets, 'int32'), classes).toFloat();
}

/** The attention layer's computation with `probe` added to its softmax matrices [N, h, T, T]. */
function attentionWithProbe(
  layer: MultiHeadSelfAttention,
  x: T,
  probe: T | undefined,
): { out: T; weights: T } {
  const [n, t, d] = x.shape as [number, number, number];
  const h = layer.heads;
  const w = (suffix: string) => {
    const v = layer.weights.find(
      (lw) => lw.originalName.endsWith(suffix) || lw.name.endsWith(suffix),
    );
    if (!v) throw new Error(`attention layer ${layer.name} has no weight ${suffix}`);
    return v.read();
  };
  const qkv = tf.add(
    tf.matMul(tf.reshape(x, [n * t, d]) as tf.Tensor2D, w('qkv_kernel') as tf.Tensor2D),
    w('qkv_bias'),
  );
  const part = (i: number) =>
    tf.reshape(
      tf.transpose(
        tf.reshape(tf.slice(qkv, [0, i * d], [n * t, d]), [n, t, h, d / h]),
        [0, 2, 1, 3],
      ),
      [n * h, t, d / h],
    ) as tf.Tensor3D;
  const [q, k, v] = [part(0), part(1), part(2)];
  let weights: T = tf.reshape(
    tf.softmax(tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(d / h))),
    [n, h, t, t],
  );
  if (probe) weights = tf.add(weights, probe);
  const mixed = tf.matMul(tf.reshape(weights, [n * h, t, t]) as tf.Tensor3D, v);
  const merged = tf.reshape(tf.transpose(tf.reshape(mixed, [n, h, t, d / h]), [0, 2, 1, 3]), [
    n * t,
    d,
  ]) as tf.Tensor2D;
  const out = tf.add(tf.matMul(merged, w('out_kernel') as tf.Tensor2D), w('out_bias'));
  return { out: tf.reshape(out, [n, t, d]), weights };
}

/**
 * Runs the model layer by layer (each layer's own `apply`, attention recomputed here so that a
 * probe can be added to its softmax matrices). Returns the logits and each block's attention.
 */
function forwardWithProbes(
  model: tf.LayersModel,
  graph: TfjsGraph,
  x: T,
  probes: T[] | undefined,
): { output: T; weights: T[] } {
  const values = new Map<string, T>([[graph.inputKey, x]]);
  const weights: T[] = [];
  for (const step of graph.steps) {
    const inputs = step.inputKeys.map((k) => values.get(k)!);
    let out: T;
    if (step.layer instanceof MultiHeadSelfAttention) {
      const r = attentionWithProbe(step.layer, inputs[0], probes?.[weights.length]);
      weights.push(r.weights);
      out = r.out;
    } else {
      const y = step.layer.apply(inputs.length === 1 ? inputs[0] : inputs, { training: false });
      out = (Array.isArray(y) ? y[0] : y) as T;
    }
    values.set(step.outputKey, out);
  }
  const output = values.get(graph.outputKey);
  if (!output) throw new Error(`model ${model.name}: output not computed`);
  return { output, weights };
}

export interface AttentionResult {
  structure: VitStructure;
  /** Per example: its attention stack. */
  attention: AttentionStack[];
  /** Per example, when gradients were asked: ∂score/∂A for every block. */
  gradients?: AttentionStack[];
  /** Per example: the explained logit. */
  scores?: Float32Array;
}

function splitStacks(
  perBlock: Float32Array[],
  n: number,
  heads: number,
  tokens: number,
): AttentionStack[] {
  const per = heads * tokens * tokens;
  return Array.from({ length: n }, (_, i) => ({
    heads,
    tokens,
    blocks: perBlock.map((b) => b.slice(i * per, (i + 1) * per)),
  }));
}

/**
 * Attention matrices of every block for a batch [N, H, W, C], and with `targets` the gradient of
 * each target logit with respect to them (the matrices treated as inputs of the rest of the net).
 */
export async function vitAttention(
  model: tf.LayersModel,
  input: NdArray,
  targets?: number[],
): Promise<AttentionResult> {
  const structure = vitStructure(model);
  const graph = new TfjsGraph(model);
  const n = input.shape[0];
  const { heads, tokens } = structure;
  const classes = (model.outputs[0].shape as number[])[1];
  const tensors = tf.tidy(() => {
    const x = tf.tensor(input.data, input.shape);
    if (!targets) return { weights: forwardWithProbes(model, graph, x, undefined).weights };
    const mask = oneHot(targets, classes);
    const zero = structure.attention.map(() => tf.zeros([n, heads, tokens, tokens]));
    const score = (...probes: T[]) =>
      tf.sum(tf.mul(forwardWithProbes(model, graph, x, probes).output, mask), 1);
    const grads = tf.grads((...p: T[]) => tf.sum(score(...p)))(zero);
    const fwd = forwardWithProbes(model, graph, x, zero);
    return { weights: fwd.weights, grads, scores: tf.sum(tf.mul(fwd.output, mask), 1) };
  });
  const read = async (ts: T[]) =>
    Promise.all(ts.map(async (t) => Float32Array.from(await t.data())));
  const result: AttentionResult = {
    structure,
    attention: splitStacks(await read(tensors.weights), n, heads, tokens),
  };
  if (tensors.grads) result.gradients = splitStacks(await read(tensors.grads), n, heads, tokens);
  if (tensors.scores) result.scores = Float32Array.from(await tensors.scores.data());
  tf.dispose([
    ...tensors.weights,
    ...(tensors.grads ?? []),
    ...(tensors.scores ? [tensors.scores] : []),
  ]);
  return result;
}

/**
 * Logits of the probe-capable forward pass, with `offsets` (one [N, heads, T, T] array per block)
 * added to the attention matrices: what finite-difference checks of the attention gradients use.
 */
export function probeForward(
  model: tf.LayersModel,
  input: NdArray,
  offsets?: NdArray[],
): Promise<Float32Array> {
  const graph = new TfjsGraph(model);
  const out = tf.tidy(() => {
    const probes = offsets?.map((o) => tf.tensor(o.data, o.shape));
    return forwardWithProbes(model, graph, tf.tensor(input.data, input.shape), probes).output;
  });
  return out.data().then((d) => {
    out.dispose();
    return Float32Array.from(d);
  });
}

/** One head's attention from the readout token(s) to the patches: the class token's row, else the mean row. */
export function headMap(
  stack: AttentionStack,
  block: number,
  head: number,
  prefix: number,
): Float32Array {
  const t = stack.tokens;
  const m = stack.blocks[block].subarray(head * t * t, (head + 1) * t * t);
  return tokenMap(Float64Array.from(m), t, prefix);
}
