/**
 * 1-D CNN for signals [L, C] (tables [F] are read as [F, 1]). The MNIST-1D reference network is
 * three conv blocks of 25 channels, kernels 5/3/3, stride 2, then a linear layer.
 */
import { tf } from '../../runtime/tf.js';
import { fail } from '../../core/errors.js';
import type { CnnConfig } from '../config.js';
import { type Architecture, type SymbolicTensor, input, shapeText } from './common.js';
import { convStack } from './conv-blocks.js';

export const cnn1d: Architecture<CnnConfig> = {
  name: 'cnn1d',
  summary: 'conv blocks over one axis and a dense head, for signals [L, C]',
  build(config, ctx) {
    if (ctx.inputShape.length !== 1 && ctx.inputShape.length !== 2) {
      fail(
        `architecture "cnn1d" needs signals [L, C], the data has examples of shape ${shapeText(ctx.inputShape)}: ` +
          `use "cnn" for images`,
      );
    }
    const x = input(ctx);
    let h: SymbolicTensor = x;
    if (ctx.inputShape.length === 1) {
      h = tf.layers.reshape({ targetShape: [ctx.inputShape[0], 1], name: 'to_signal' }).apply(x) as SymbolicTensor;
    }
    return tf.model({ inputs: x, outputs: convStack(h, config, 1, ctx), name: 'cnn1d' });
  },
};
