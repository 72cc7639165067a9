/**
 * Randomised copies of a TF.js model for the model-parameter randomisation tests (Adebayo et al.
 * 2018). The original is never touched: its weights are copied into a clone, and the clone's
 * layers are randomised with seeded values.
 *   "reinit":  weights of rank ≥ 2 (kernels) drawn from Glorot-uniform, as a fresh
 *              initialisation would; rank-1 weights (biases, batch-norm statistics) permuted, so
 *              variances stay positive and scales stay plausible.
 *   "permute": every weight tensor's values shuffled (Quantus' TF behaviour), keeping each
 *              tensor's distribution.
 * ONNX models are not supported yet: their weights live in the graph file.
 */
import { tf } from '../runtime/tf.js';
import { createRng, type Rng } from '../core/random.js';
import { fail } from '../core/errors.js';
import type { Model } from '../models/model.js';
import { TfjsModel } from '../models/tfjs-model.js';

export type RandomiseMode = 'reinit' | 'permute';

/** The TF.js LayersModel behind a Model, or a one-line error saying why it is needed. */
export function layersModelOf(model: Model, what: string): tf.LayersModel {
  if (model instanceof TfjsModel) return model.layersModel;
  fail(
    `${what} needs a TF.js model (it randomises the weights); model ${model.name} is not one — ONNX models are not supported yet`,
  );
}

/** A deep copy (topology and weights) of a LayersModel. */
export async function cloneLayersModel(model: tf.LayersModel): Promise<tf.LayersModel> {
  let artifacts: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      artifacts = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  if (!artifacts) throw new Error('cloneLayersModel: the model did not save');
  return tf.loadLayersModel(tf.io.fromMemory(artifacts));
}

/** Names of the layers that hold weights, from the input to the output. */
export function weightedLayers(model: tf.LayersModel): string[] {
  return model.layers.filter((l) => l.getWeights().length > 0).map((l) => l.name);
}

/** Current weights of a layer, copied out (for restoring after an independent randomisation). */
export function copyWeights(
  model: tf.LayersModel,
  layer: string,
): Array<{ data: Float32Array; shape: number[] }> {
  return model
    .getLayer(layer)
    .getWeights()
    .map((w) => ({ data: Float32Array.from(w.dataSync()), shape: [...w.shape] }));
}

export function setWeights(
  model: tf.LayersModel,
  layer: string,
  weights: Array<{ data: Float32Array; shape: number[] }>,
): void {
  const tensors = weights.map((w) => tf.tensor(w.data, w.shape, 'float32'));
  model.getLayer(layer).setWeights(tensors);
  tf.dispose(tensors);
}

/** Randomises one layer in place; the same (seed, layer name, mode) always gives the same weights. */
export function randomiseLayer(
  model: tf.LayersModel,
  layer: string,
  seed: number,
  mode: RandomiseMode,
): void {
  const rng = createRng(`${seed}:randomise:${layer}`);
  const randomised = copyWeights(model, layer).map((w) => ({
    data: randomValues(w.data, w.shape, mode, rng),
    shape: w.shape,
  }));
  setWeights(model, layer, randomised);
}

function randomValues(
  values: Float32Array,
  shape: number[],
  mode: RandomiseMode,
  rng: Rng,
): Float32Array {
  if (mode === 'permute' || shape.length < 2) return rng.shuffle(Float32Array.from(values));
  const receptive = shape.slice(0, -2).reduce((a, b) => a * b, 1);
  const fanIn = receptive * shape[shape.length - 2];
  const fanOut = receptive * shape[shape.length - 1];
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  return Float32Array.from(values, () => rng.uniform(-limit, limit));
}

/** A Model over a LayersModel with the same name, kind, output kind and class names as `like`. */
export function modelLike(like: Model, layersModel: tf.LayersModel): TfjsModel {
  return new TfjsModel(layersModel, {
    name: like.name,
    kind: like.kind,
    outputKind: like.outputKind,
    classNames: like.classNames,
  });
}
