/**
 * BatchMatMul with a transposed operand is 5–8× slower on wasm than without: the backend runs
 * XNNPACK only for plain products and falls back to a naive loop otherwise. Every dense layer's
 * backward pass asks for xᵀ·dy and dy·Wᵀ, so this kernel transposes the operand explicitly (a
 * cheap copy) and runs the fast plain product instead.
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { tf } from '../core.js';
import { inKernelScope } from './kernel-scope.js';

let plainConfig: tf.KernelConfig | undefined;

/** Remembers the backend's own BatchMatMul before Glassbox's replaces it (see index.ts). */
export function capturePlainBatchMatMul(): void {
  plainConfig ??= tf.getKernel(tf.BatchMatMul, 'wasm');
}

/** Swaps the last two axes. */
function lastAxesSwapped(rank: number): number[] {
  return [...Array.from({ length: rank - 2 }, (_, i) => i), rank - 1, rank - 2];
}

export const batchMatMulConfig: tf.KernelConfig = {
  kernelName: tf.BatchMatMul,
  backendName: 'wasm',
  // The plain kernel binds its wasm function in its own setup, which now only runs through ours.
  setupFunc: (backend) => plainConfig?.setupFunc?.(backend),
  kernelFunc: ({ inputs, backend, attrs }) => {
    if (!plainConfig) throw new Error('the wasm backend BatchMatMul kernel was not captured before replacement');
    const plain = plainConfig.kernelFunc;
    const { a, b } = inputs as tf.BatchMatMulInputs;
    const { transposeA, transposeB } = attrs as unknown as tf.BatchMatMulAttrs;
    if (!transposeA && !transposeB) return plain({ inputs, backend, attrs });
    return inKernelScope(backend as BackendWasm, (scope) => {
      const a2 = transposeA ? scope.transpose(a!, lastAxesSwapped(a!.shape.length)) : a!;
      const b2 = transposeB ? scope.transpose(b!, lastAxesSwapped(b!.shape.length)) : b!;
      const plainAttrs = { ...attrs, transposeA: false, transposeB: false };
      return plain({ inputs: { a: a2, b: b2 }, backend, attrs: plainAttrs }) as tf.TensorInfo;
    });
  },
};
