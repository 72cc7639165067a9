/**
 * The conv-block stack shared by the 2-D CNN and the 1-D CNN: conv → [bn] → activation →
 * [pool] → [dropout], named conv1, bn1, act1, pool1, drop1, conv2, … With batch norm the
 * convolution has no bias and no activation of its own (bn and act follow); without it the
 * activation is fused into conv<i>, so `conv<i>` is always the block's feature map after the
 * non-linearity unless batch norm is on (then use `act<i>`).
 */
import { tf } from '../../runtime/tf.js';
import type { CnnConfig } from '../config.js';
import { type BuildContext, type SymbolicTensor, denseHead, dropout, heInit } from './common.js';

export function convStack(
  x: SymbolicTensor,
  config: CnnConfig,
  dims: 1 | 2,
  ctx: BuildContext,
): SymbolicTensor {
  config.convBlocks.forEach((b, idx) => {
    const i = idx + 1;
    const common = {
      filters: b.filters,
      kernelSize: b.kernel,
      strides: b.stride,
      padding: b.padding,
      kernelInitializer: heInit(ctx.rng),
      useBias: !b.batchNorm,
      activation: (b.batchNorm ? 'linear' : b.activation) as any,
      name: `conv${i}`,
    };
    x = (dims === 2 ? tf.layers.conv2d(common) : tf.layers.conv1d(common)).apply(x) as SymbolicTensor;
    if (b.batchNorm) {
      x = tf.layers.batchNormalization({ name: `bn${i}` }).apply(x) as SymbolicTensor;
      x = tf.layers.activation({ activation: b.activation as any, name: `act${i}` }).apply(x) as SymbolicTensor;
    }
    if (b.pool !== 'none') {
      const args = { poolSize: b.poolSize, strides: b.poolSize, name: `pool${i}` };
      const layer =
        dims === 2
          ? b.pool === 'max' ? tf.layers.maxPooling2d(args) : tf.layers.averagePooling2d(args)
          : b.pool === 'max' ? tf.layers.maxPooling1d(args) : tf.layers.averagePooling1d(args);
      x = layer.apply(x) as SymbolicTensor;
    }
    if (b.dropout > 0) x = dropout(b.dropout, `drop${i}`, ctx.rng).apply(x) as SymbolicTensor;
  });
  if (config.globalPool === 'none') {
    x = tf.layers.flatten({ name: 'flatten' }).apply(x) as SymbolicTensor;
  } else {
    const name = 'global_pool';
    const layer =
      dims === 2
        ? config.globalPool === 'avg' ? tf.layers.globalAveragePooling2d({ name }) : tf.layers.globalMaxPooling2d({ name })
        : config.globalPool === 'avg' ? tf.layers.globalAveragePooling1d({ name }) : tf.layers.globalMaxPooling1d({ name });
    x = layer.apply(x) as SymbolicTensor;
  }
  return denseHead(x, config.dense, config.denseDropout, ctx);
}
