/**
 * Shared builder of the LSTM and GRU classifiers. Sequences are read along the first axis:
 * signals [L, C] step over L; images [H, W, C] step over rows (each row of W·C values is one
 * step, "row-by-row" MNIST); tables [F] step over features one value at a time.
 */
import { tf } from '../../runtime/tf.js';
import type { RnnConfig } from '../config.js';
import { type BuildContext, type SymbolicTensor, denseHead, input, kernelInit } from './common.js';

export function buildRecurrent(kind: 'lstm' | 'gru', config: RnnConfig, ctx: BuildContext): tf.LayersModel {
  const x = input(ctx);
  const shape = ctx.inputShape;
  const steps = shape[0];
  const features = shape.length === 1 ? 1 : shape.slice(1).reduce((a, b) => a * b, 1);
  let h: SymbolicTensor = x;
  if (shape.length !== 2) {
    h = tf.layers.reshape({ targetShape: [steps, features], name: 'to_sequence' }).apply(x) as SymbolicTensor;
  }
  for (let i = 1; i <= config.layers; i++) {
    const returnSequences = i < config.layers || config.output === 'sequence';
    const args = {
      units: config.units,
      returnSequences,
      kernelInitializer: kernelInit(ctx.rng),
      recurrentInitializer: tf.initializers.orthogonal({ seed: ctx.rng.uint32() }),
      name: config.bidirectional ? `${kind}${i}_cell` : `${kind}${i}`,
    };
    const layer = kind === 'lstm' ? tf.layers.lstm(args) : tf.layers.gru(args);
    h = (
      config.bidirectional
        ? tf.layers.bidirectional({ layer: layer as any, mergeMode: 'concat', name: `${kind}${i}` })
        : layer
    ).apply(h) as SymbolicTensor;
  }
  if (config.output === 'sequence') h = tf.layers.flatten({ name: 'flatten' }).apply(h) as SymbolicTensor;
  return tf.model({ inputs: x, outputs: denseHead(h, config.dense, config.denseDropout, ctx), name: kind });
}
