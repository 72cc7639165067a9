/** Custom 2-D CNN for images [H, W, C]: conv blocks (see conv-blocks.ts) and a dense head. */
import { tf } from '../../runtime/tf.js';
import { fail } from '../../core/errors.js';
import type { CnnConfig } from '../config.js';
import { type Architecture, input, shapeText } from './common.js';
import { convStack } from './conv-blocks.js';

export const cnn: Architecture<CnnConfig> = {
  name: 'cnn',
  summary: 'conv blocks (batch norm, pooling, dropout) and a dense head, for images [H, W, C]',
  build(config, ctx) {
    if (ctx.inputShape.length !== 3) {
      fail(
        `architecture "cnn" needs images [H, W, C], the data has examples of shape ${shapeText(ctx.inputShape)}: ` +
          `use "cnn1d" for signals or "mlp" for tables`,
      );
    }
    const x = input(ctx);
    return tf.model({ inputs: x, outputs: convStack(x, config, 2, ctx), name: 'cnn' });
  },
};
