/**
 * Identity on wasm shares its input's buffer (as the cpu backend does) instead of copying it.
 * Tensor data is never modified in place, so sharing is safe; the copy cost a full pass over
 * every tensor the engine saves for backprop (it clones each one) and, by giving saved filters a
 * new identity on every call, defeated the rearranged-filter cache (filter-cache.ts).
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { tf } from '../core.js';

export const identityConfig: tf.KernelConfig = {
  kernelName: tf.Identity,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend }) => {
    const { x } = inputs as tf.IdentityInputs;
    (backend as BackendWasm).incRef(x!.dataId);
    return { dataId: x!.dataId, shape: x!.shape, dtype: x!.dtype };
  },
};
