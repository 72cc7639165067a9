/**
 * Gradient of FusedBatchNorm (tf.batchNorm), replacing tfjs-core's. Theirs assumes rank-1
 * mean/variance (it sums only then, so [1,1,1,C] statistics fail with a shape error) and reshapes
 * the offset gradient to the mean's shape. Here every input's gradient is summed over exactly the
 * axes it was broadcast along. y = (x - mean) · rsqrt(variance + ε) · scale + offset.
 */
import { tf } from '../core.js';
import { savedOrAbsent } from './absent-inputs.js';

/** Sums a broadcast gradient back down to an input's shape. */
function reduceTo(g: tf.Tensor, shape: number[]): tf.Tensor {
  const axes = tf.backend_util.getReductionAxes(shape, g.shape);
  return tf.reshape(axes.length > 0 ? tf.sum(g, axes) : g, shape);
}

export const fusedBatchNormGradConfig: tf.GradConfig = {
  kernelName: tf.FusedBatchNorm,
  // Scale and offset may be absent (see absent-inputs.ts); the offset is saved for its shape.
  inputsToSave: ['x', 'mean', 'variance', 'scale', 'offset'],
  gradFunc: (dy, saved, attrs) => {
    const [x, mean, variance, scale, offset] = saved.map(savedOrAbsent);
    const { varianceEpsilon } = attrs as unknown as tf.FusedBatchNormAttrs;
    const g = dy as tf.Tensor;
    const inv = tf.rsqrt(tf.add(variance!, tf.scalar(varianceEpsilon)));
    const gScaled = scale == null ? g : tf.mul(g, scale);
    const centered = tf.sub(x!, mean!);
    return {
      x: () => reduceTo(tf.mul(gScaled, inv), x!.shape),
      mean: () => reduceTo(tf.neg(tf.mul(gScaled, inv)), mean!.shape),
      variance: () =>
        reduceTo(
          tf.mul(tf.mul(gScaled, centered), tf.mul(tf.mul(inv, tf.mul(inv, inv)), tf.scalar(-0.5))),
          variance!.shape,
        ),
      scale: () => reduceTo(tf.mul(g, tf.mul(centered, inv)), scale!.shape),
      offset: () => reduceTo(g, offset!.shape),
    };
  },
};
