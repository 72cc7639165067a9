/**
 * Kernels the TF.js wasm backend lacks but training and gradients need, plus three it has but runs
 * too slowly for them (Conv2DBackpropInput, Identity, BatchMatMul with a transposed operand) and
 * one it gets wrong (MaxPoolGrad).
 * Registered once, before the wasm backend is selected.
 */
import { tf } from '../core.js';
import { batchMatMulConfig, capturePlainBatchMatMul } from './batch-mat-mul.js';
import { conv2dBackpropFilterConfig } from './conv2d-backprop-filter.js';
import { conv2dBackpropInputConfig } from './conv2d-backprop-input.js';
import { depthwiseBackpropFilterConfig } from './depthwise-backprop-filter.js';
import { depthwiseBackpropInputConfig } from './depthwise-backprop-input.js';
import { identityConfig } from './identity.js';
import { maxPoolGradConfig } from './max-pool-grad.js';
import { unsortedSegmentSumConfig } from './unsorted-segment-sum.js';

/** Every kernel Glassbox adds to the wasm backend; each one's file says why. */
export const wasmKernelConfigs: readonly tf.KernelConfig[] = [
  batchMatMulConfig,
  conv2dBackpropFilterConfig,
  conv2dBackpropInputConfig,
  depthwiseBackpropFilterConfig,
  depthwiseBackpropInputConfig,
  identityConfig,
  maxPoolGradConfig,
  unsortedSegmentSumConfig,
];

let registered = false;

/** Registers the kernels above; returns the names it registered (none on a second call). */
export function registerWasmKernels(): string[] {
  if (registered) return [];
  registered = true;
  capturePlainBatchMatMul();
  for (const config of wasmKernelConfigs) {
    // Replacing a kernel tfjs has (or may add later): unregister first, or tfjs warns.
    if (tf.getKernel(config.kernelName, 'wasm') != null)
      tf.unregisterKernel(config.kernelName, 'wasm');
    tf.registerKernel(config);
  }
  return wasmKernelConfigs.map((c) => c.kernelName);
}
