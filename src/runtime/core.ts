/**
 * The raw TF.js namespace for runtime internals. It lives apart from tf.ts so the wasm kernels can
 * use it without an import cycle (tf.ts imports the kernels). Everything outside src/runtime/
 * imports tf.ts instead.
 */
import * as tf from '@tensorflow/tfjs';

export { tf };
