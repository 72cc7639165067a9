/**
 * The training loss: softmax cross-entropy on logits, each example scaled by its class weight,
 * averaged over the batch (Keras' convention: Σ w[y_i]·CE_i / N, not divided by Σ w).
 * Classes are picked with a one-hot multiply rather than `gather` (whose gradient the wasm
 * backend lacks).
 */
import { tf } from '../runtime/tf.js';
import { fail } from '../core/errors.js';

/** Mean over the batch of w[y_i] · −log softmax(logits_i)[y_i]; scalar. */
export function weightedCrossEntropy(
  logits: tf.Tensor2D,
  oneHot: tf.Tensor2D,
  classWeights?: tf.Tensor1D,
): tf.Scalar {
  return tf.tidy(() => {
    const ce = tf.neg(tf.sum(tf.mul(oneHot, tf.logSoftmax(logits)), -1));
    const weighted = classWeights ? tf.mul(ce, tf.sum(tf.mul(oneHot, classWeights), -1)) : ce;
    return tf.mean(weighted) as tf.Scalar;
  });
}

/**
 * Class weights from the config: "none" → undefined; "auto" → n / (K · n_c) (sklearn's
 * "balanced"; a class absent from the data gets 1); a list → itself, checked against K.
 */
export function resolveClassWeights(
  setting: 'none' | 'auto' | number[],
  labels: ArrayLike<number>,
  numClasses: number,
): number[] | undefined {
  if (setting === 'none') return undefined;
  if (Array.isArray(setting)) {
    if (setting.length !== numClasses) {
      fail(`config.training.classWeights: expected ${numClasses} weights (one per class), got ${setting.length}`);
    }
    return [...setting];
  }
  const counts = new Array<number>(numClasses).fill(0);
  for (let i = 0; i < labels.length; i++) counts[labels[i]]++;
  const n = labels.length;
  return counts.map((c) => (c > 0 ? n / (numClasses * c) : 1));
}
