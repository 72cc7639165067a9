/**
 * Activation functions for the TF.js graph walker, with ReLU-family backward rules.
 * Guided backprop and deconvnet differ from the chain rule only in how a ReLU passes the
 * gradient back, so they are custom gradients here and nowhere else.
 */
import { tf } from '../runtime/tf.js';
import type { BackwardRule } from './model.js';

type T = tf.Tensor;

function ruleRelu(x: T, rule: BackwardRule, upper?: number): T {
  if (rule === 'standard') return upper === undefined ? tf.relu(x) : tf.clipByValue(x, 0, upper);
  const f = tf.customGrad((input: any, save: any) => {
    const y = upper === undefined ? tf.relu(input as T) : tf.clipByValue(input as T, 0, upper);
    save([input as T]);
    return {
      value: y,
      gradFunc: (dy: any, saved: any) => {
        const xs = saved[0] as T;
        const passes = upper === undefined ? tf.greater(xs, 0) : tf.logicalAnd(tf.greater(xs, 0), tf.less(xs, upper));
        const dyT = dy as T;
        if (rule === 'deconvnet') return tf.relu(dyT);
        // guided: forward mask times positive gradient only
        return tf.mul(tf.mul(dyT, tf.cast(passes, 'float32')), tf.cast(tf.greater(dyT, 0), 'float32'));
      },
    };
  });
  return f(x) as T;
}

/** Applies a Keras activation by name; unknown names return undefined (caller falls back). */
export function applyActivation(name: string | undefined, x: T, rule: BackwardRule): T | undefined {
  switch (name ?? 'linear') {
    case 'linear':
      return x;
    case 'relu':
      return ruleRelu(x, rule);
    case 'relu6':
      return ruleRelu(x, rule, 6);
    case 'sigmoid':
      return tf.sigmoid(x);
    case 'tanh':
      return tf.tanh(x);
    case 'softmax':
      return tf.softmax(x);
    case 'elu':
      return tf.elu(x);
    case 'selu':
      return tf.selu(x);
    case 'softplus':
      return tf.softplus(x);
    case 'softsign':
      return tf.div(x, tf.add(tf.abs(x), 1));
    case 'swish':
      return tf.mul(x, tf.sigmoid(x));
    case 'hardSigmoid':
      return tf.clipByValue(tf.add(tf.mul(x, 0.2), 0.5), 0, 1);
    case 'gelu':
      return tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.div(x, Math.SQRT2))));
    default:
      return undefined;
  }
}

export { ruleRelu };
