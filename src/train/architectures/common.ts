/**
 * Pieces every architecture shares: the build context, seeded initialisers (so a config seed
 * reproduces the initial weights), and the dense head that ends every model in a `logits` layer.
 *
 * Layer names are part of the contract: explainers address layers by name (conv1, dense1,
 * logits, …), so builders name every layer they create.
 */
import { tf } from '../../runtime/tf.js';
import { fail } from '../../core/errors.js';
import type { Rng } from '../../core/random.js';

export type SymbolicTensor = tf.SymbolicTensor;

export interface BuildContext {
  /** Per-example input shape, canonical layout ([H, W, C], [L, C] or [F]). */
  inputShape: number[];
  numClasses: number;
  /** Source of every initialiser and dropout seed. */
  rng: Rng;
}

export interface Architecture<C> {
  name: string;
  /** One line for `--help` and the docs. */
  summary: string;
  build(config: C, ctx: BuildContext): tf.LayersModel;
}

/** Glorot-uniform kernel initialiser seeded from the build's generator. */
export function kernelInit(rng: Rng): ReturnType<typeof tf.initializers.glorotUniform> {
  return tf.initializers.glorotUniform({ seed: rng.uint32() });
}

/** He-normal (fan-in) initialiser, better suited to ReLU stacks. */
export function heInit(rng: Rng): ReturnType<typeof tf.initializers.glorotUniform> {
  return tf.initializers.heNormal({ seed: rng.uint32() });
}

export function dropout(rate: number, name: string, rng: Rng): tf.layers.Layer {
  // The trainer replaces the seed every step (see trainer.ts) so masks differ between steps but
  // stay reproducible; the seed here only matters if someone trains the model elsewhere.
  return tf.layers.dropout({ rate, name, seed: rng.uint32() });
}

/** Hidden dense layers dense1…, optional dropout after each, then `logits` (no softmax). */
export function denseHead(
  x: SymbolicTensor,
  units: number[],
  dropoutRate: number,
  ctx: BuildContext,
  activation: string = 'relu',
): SymbolicTensor {
  units.forEach((u, i) => {
    x = tf.layers
      .dense({ units: u, activation: activation as any, kernelInitializer: kernelInit(ctx.rng), name: `dense${i + 1}` })
      .apply(x) as SymbolicTensor;
    if (dropoutRate > 0) x = dropout(dropoutRate, `dense_drop${i + 1}`, ctx.rng).apply(x) as SymbolicTensor;
  });
  return logits(x, ctx);
}

export function logits(x: SymbolicTensor, ctx: BuildContext): SymbolicTensor {
  return tf.layers
    .dense({ units: ctx.numClasses, kernelInitializer: kernelInit(ctx.rng), name: 'logits' })
    .apply(x) as SymbolicTensor;
}

export function input(ctx: BuildContext): SymbolicTensor {
  if (ctx.numClasses < 2) fail(`a classifier needs at least 2 classes, the data set has ${ctx.numClasses}`);
  return tf.input({ shape: ctx.inputShape, name: 'input' });
}

export function shapeText(shape: number[]): string {
  return `[${shape.join(', ')}]`;
}
