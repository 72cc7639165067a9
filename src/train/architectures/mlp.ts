/** Multi-layer perceptron: inputs flattened, hidden dense layers dense1…, then logits. */
import { tf } from '../../runtime/tf.js';
import type { MlpConfig } from '../config.js';
import { type Architecture, type SymbolicTensor, dropout, heInit, input, logits } from './common.js';

export const mlp: Architecture<MlpConfig> = {
  name: 'mlp',
  summary: 'flatten and dense layers (optional batch norm and dropout), for any input',
  build(config, ctx) {
    const x = input(ctx);
    let h: SymbolicTensor = x;
    if (ctx.inputShape.length > 1) h = tf.layers.flatten({ name: 'flatten' }).apply(h) as SymbolicTensor;
    config.hidden.forEach((units, idx) => {
      const i = idx + 1;
      h = tf.layers
        .dense({
          units,
          activation: (config.batchNorm ? 'linear' : config.activation) as any,
          useBias: !config.batchNorm,
          kernelInitializer: heInit(ctx.rng),
          name: `dense${i}`,
        })
        .apply(h) as SymbolicTensor;
      if (config.batchNorm) {
        h = tf.layers.batchNormalization({ name: `bn${i}` }).apply(h) as SymbolicTensor;
        h = tf.layers.activation({ activation: config.activation as any, name: `act${i}` }).apply(h) as SymbolicTensor;
      }
      if (config.dropout > 0) h = dropout(config.dropout, `drop${i}`, ctx.rng).apply(h) as SymbolicTensor;
    });
    return tf.model({ inputs: x, outputs: logits(h, ctx), name: 'mlp' });
  },
};
