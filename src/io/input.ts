/** Turns a user's input file (image or .npy) into a batch the model accepts. */
import path from 'node:path';
import type { NdArray } from '../core/ndarray.js';
import { sizeOf } from '../core/ndarray.js';
import { fail } from '../core/errors.js';
import type { Model } from '../models/model.js';
import { readNpy } from './npy.js';
import { loadImage } from './image.js';

export interface PreparedInput {
  batch: NdArray;
  /** The shape the user gave (attributions are written back in this shape). */
  givenShape: number[];
  /** For display: [N, H, W, C] in [0,1] when the input is an image. */
  display?: NdArray;
}

export async function prepareInput(file: string, model: Model): Promise<PreparedInput> {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.npy') {
    const a = readNpy(file);
    const per = sizeOf(model.inputShape);
    const single = a.shape.length === model.inputShape.length;
    const batch = single ? { data: a.data, shape: [1, ...a.shape] } : a;
    if (batch.data.length % per !== 0 || batch.shape.slice(1).join() !== model.inputShape.join()) {
      fail(`${file} has shape [${a.shape.join(', ')}]; model ${model.name} expects [${model.inputShape.join(', ')}] or [N, ${model.inputShape.join(', ')}]`);
    }
    return { batch, givenShape: a.shape, display: model.kind === 'image' ? batch : undefined };
  }
  if (model.kind !== 'image') fail(`model ${model.name} takes ${model.kind} inputs: give a .npy file of shape [${model.inputShape.join(', ')}]`);
  const [height, width, channels] = model.inputShape;
  const batch = await loadImage(file, { height, width, channels });
  return { batch, givenShape: model.inputShape, display: batch };
}
