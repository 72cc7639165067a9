/**
 * Kernels the TF.js wasm backend lacks but training and gradients need.
 * Registered once, before the wasm backend is selected.
 */
import { tf } from '../core.js';
import { conv2dBackpropFilterConfig } from './conv2d-backprop-filter.js';
import { depthwiseBackpropFilterConfig } from './depthwise-backprop-filter.js';
import { depthwiseBackpropInputConfig } from './depthwise-backprop-input.js';
import { unsortedSegmentSumConfig } from './unsorted-segment-sum.js';

/** Every kernel Glassbox adds to the wasm backend; each one's file says why. */
export const wasmKernelConfigs: readonly tf.KernelConfig[] = [
  conv2dBackpropFilterConfig,
  depthwiseBackpropFilterConfig,
  depthwiseBackpropInputConfig,
  unsortedSegmentSumConfig,
];

let registered = false;

/** Registers the kernels above; returns the names it registered (none on a second call). */
export function registerWasmKernels(): string[] {
  if (registered) return [];
  registered = true;
  for (const config of wasmKernelConfigs) {
    // A future tfjs may ship its own; replace it only if we still should.
    if (tf.getKernel(config.kernelName, 'wasm') != null) tf.unregisterKernel(config.kernelName, 'wasm');
    tf.registerKernel(config);
  }
  return wasmKernelConfigs.map((c) => c.kernelName);
}
