/**
 * Random draws per example, seeded by the run seed and the example's own values: the same input
 * gets the same draws however a batch is split (explain's batchSize, a method's internal batch
 * size, or a wrapper's), and different inputs get different ones.
 */
import type { NdArray } from '../core/ndarray.js';
import { sizeOf } from '../core/ndarray.js';
import { createRng, type Rng } from '../core/random.js';

export function exampleRng(seed: number, inputs: NdArray, i: number): Rng {
  const per = sizeOf(inputs.shape.slice(1));
  const words = new Uint32Array(inputs.data.buffer, inputs.data.byteOffset + i * per * 4, per);
  let h = 0x811c9dc5;
  for (let j = 0; j < words.length; j++) {
    h = Math.imul(h ^ words[j], 0x01000193) >>> 0;
    h = (h ^ (h >>> 15)) >>> 0;
  }
  return createRng(`${seed}/${h}`);
}
