/** Runs exported ONNX bytes in onnxruntime-node and compares them with TF.js. */
import * as ort from 'onnxruntime-node';
import onnxProto from 'onnx-proto';
import { tf } from '../../src/runtime/tf.js';
import { exportTfjsModel } from '../../src/onnx/export-tfjs.js';
import { reseedWeights, seeded } from '../helpers/models.js';

const { onnx } = onnxProto;

export interface Comparison {
  /** max |onnx − tfjs| over the output, divided by max(1, max |tfjs|). */
  error: number;
  tfjs: Float32Array;
  onnx: Float32Array;
}

export async function runOnnx(bytes: Uint8Array, feeds: Record<string, { data: Float32Array; shape: number[] }>, fetch?: string[]): Promise<Record<string, ort.Tensor>> {
  const session = await ort.InferenceSession.create(bytes, { graphOptimizationLevel: 'all', intraOpNumThreads: 1 });
  const ortFeeds: Record<string, ort.Tensor> = {};
  for (const [k, v] of Object.entries(feeds)) ortFeeds[k] = new ort.Tensor('float32', v.data, v.shape);
  const out = fetch ? await session.run(ortFeeds, fetch) : await session.run(ortFeeds);
  await session.release();
  return out;
}

export function relError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) return Infinity;
  let diff = 0;
  let scale = 1;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i] - expected[i]));
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  return Number.isNaN(diff) ? Infinity : diff / scale;
}

/** Reseeds the weights, exports, runs a seeded batch through both engines. */
export async function compareWithTfjs(model: tf.LayersModel, seed: number, batch = 2, reseed = (m: tf.LayersModel) => reseedWeights(m, seed)): Promise<Comparison> {
  reseed(model);
  const { bytes, inputs, outputs } = exportTfjsModel(model);
  const shape = [batch, ...(model.inputs[0].shape.slice(1) as number[])];
  const x = seeded(shape.reduce((a, b) => a * b, 1), seed + 99, 1);
  const expected = tf.tidy(() => (model.predict(tf.tensor(x, shape)) as tf.Tensor).dataSync() as Float32Array);
  const got = await runOnnx(bytes, { [inputs[0].name]: { data: x, shape } });
  const actual = got[outputs[0].name].data as Float32Array;
  return { error: relError(actual, expected), tfjs: expected, onnx: actual };
}

/** Decodes exported bytes (to inspect node names). */
export function decode(bytes: Uint8Array) {
  return onnx.ModelProto.decode(bytes);
}

/** Re-encodes a model with extra graph outputs so intermediate tensors can be fetched. */
export function withOutputs(bytes: Uint8Array, names: string[]): Uint8Array {
  const m = onnx.ModelProto.decode(bytes);
  for (const n of names) m.graph!.output!.push(onnx.ValueInfoProto.create({ name: n }));
  return onnx.ModelProto.encode(m).finish();
}
