/**
 * Fixes to tfjs-core gradients that are wrong or missing on every backend. Installed once by
 * initTf, whatever the backend.
 */
import { tf } from '../core.js';
import { tolerateAbsentInputs } from './absent-inputs.js';
import { fusedBatchNormGradConfig } from './fused-batch-norm.js';
import { tileGradConfig } from './tile.js';

let installed = false;

export function installGradientFixes(): void {
  if (installed) return;
  installed = true;
  tolerateAbsentInputs();
  tf.registerGradient(fusedBatchNormGradConfig);
  tf.registerGradient(tileGradConfig);
}
