/**
 * Kernels the TF.js wasm backend lacks but training and gradients need.
 * Registered once, before the wasm backend is selected.
 */
let registered = false;

export function registerWasmKernels(): string[] {
  if (registered) return [];
  registered = true;
  return [];
}
