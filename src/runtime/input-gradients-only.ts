/**
 * Skips weight gradients that nobody will read.
 *
 * tfjs's fused conv2d (what Conv2D layers run) computes the filter gradient in its gradient
 * function even when only the input gradient is asked for; on wasm that is about half of a
 * saliency map's time. Inside `inputGradientsOnly(fn)` Glassbox's wasm filter-gradient kernels
 * return zeros instead. Weight gradients taken inside are therefore wrong: use it only around
 * gradients with respect to inputs or activations. Other backends are unaffected.
 */
let depth = 0;

export function inputGradientsOnly<T>(fn: () => T): T {
  depth++;
  try {
    return fn();
  } finally {
    depth--;
  }
}

export function weightGradientsSkipped(): boolean {
  return depth > 0;
}
