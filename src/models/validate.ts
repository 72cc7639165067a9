/** Checks every Model implementation applies at its boundary, with messages a user can act on. */
import type { NdArray } from '../core/ndarray.js';
import { hasNonFinite, sizeOf } from '../core/ndarray.js';
import { fail } from '../core/errors.js';
import type { LayerInfo } from './model.js';

export function checkInputBatch(input: NdArray, inputShape: number[], modelName: string): void {
  const got = input.shape.slice(1);
  const same = got.length === inputShape.length && got.every((d, i) => inputShape[i] < 0 || d === inputShape[i]);
  if (!same || input.data.length !== sizeOf(input.shape)) {
    fail(
      `input of shape [${got.join(', ')}] does not fit model ${modelName}, which expects [${inputShape.join(', ')}] per example` +
        ' (resize the image or reshape the array)',
    );
  }
  if (hasNonFinite(input)) fail('input contains NaN or infinite values: clean the data before explaining it');
}

export function checkTargets(targets: number[], batch: number, numClasses: number): void {
  if (targets.length !== batch) fail(`got ${targets.length} targets for ${batch} inputs: give one target per input`);
  for (const t of targets) {
    if (!Number.isInteger(t) || t < 0 || t >= numClasses) {
      fail(`target class ${t} is out of range: the model has classes 0..${numClasses - 1}`);
    }
  }
}

export function findLayer(layers: LayerInfo[], name: string, modelName: string): LayerInfo {
  const layer = layers.find((l) => l.name === name);
  if (!layer) {
    const names = layers.map((l) => l.name);
    const shown = names.length > 12 ? [...names.slice(0, 12), '…'] : names;
    fail(`unknown layer "${name}" in model ${modelName}; its layers are: ${shown.join(', ')} (see \`glassbox layers\`)`);
  }
  return layer;
}
