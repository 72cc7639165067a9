/**
 * Shape and type of every tensor in a graph, found by running ONNX Runtime once on a dummy
 * input with every intermediate tensor as an extra output. Exact for any op ORT can run (no
 * per-op shape functions to keep up to date). Results are cached by model content.
 */
import { createHash } from 'node:crypto';
import * as ort from 'onnxruntime-node';
import { fail } from '../core/errors.js';
import { sizeOf } from '../core/ndarray.js';
import { DataType, tensorDims, type TensorProto } from './proto.js';
import type { OnnxGraph } from './graph.js';

export interface TensorInfo {
  shape: number[];
  /** ORT type name: 'float32', 'int64', 'bool', … */
  dtype: string;
}

export type TensorInfos = Map<string, TensorInfo>;

const cache = new Map<string, TensorInfos>();
const CACHE_LIMIT = 8;

const ORT_TYPES: Record<number, string> = {
  [DataType.FLOAT]: 'float32', [DataType.DOUBLE]: 'float64', [DataType.INT64]: 'int64', [DataType.INT32]: 'int32',
  [DataType.BOOL]: 'bool', [DataType.UINT8]: 'uint8', [DataType.INT8]: 'int8', [DataType.FLOAT16]: 'float16',
};

export function isFloat(info: TensorInfo | undefined): boolean {
  return !!info && (info.dtype === 'float32' || info.dtype === 'float64' || info.dtype === 'float16');
}

function initializerInfo(t: TensorProto): TensorInfo {
  return { shape: tensorDims(t), dtype: ORT_TYPES[t.dataType ?? 0] ?? 'unknown' };
}

/**
 * Runs `graph` on a constant input of shape `inputShape` (batch included) and records every
 * tensor's shape and type. `key` identifies the graph for caching (e.g. a content hash).
 */
export async function inferTensorInfos(graph: OnnxGraph, inputName: string, inputShape: number[], key?: string): Promise<TensorInfos> {
  const cacheKey = key ? `${key}|${inputShape.join(',')}` : undefined;
  const hit = cacheKey ? cache.get(cacheKey) : undefined;
  if (hit) return hit;

  const probe = graph.clone();
  const wanted = new Set<string>();
  for (const n of probe.nodes) for (const o of n.output ?? []) if (o) wanted.add(o);
  probe.setOutputs([...wanted]);
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(probe.toBytes(), { graphOptimizationLevel: 'basic', intraOpNumThreads: 1, logSeverityLevel: 3 });
  } catch (e) {
    fail(`ONNX Runtime cannot load this model: ${firstLine(e)} (check that it runs in onnxruntime)`);
  }
  const infos: TensorInfos = new Map();
  try {
    const data = new Float32Array(sizeOf(inputShape)).fill(0.5);
    let result: ort.InferenceSession.OnnxValueMapType;
    try {
      result = await session.run({ [inputName]: new ort.Tensor('float32', data, inputShape) });
    } catch (e) {
      fail(`ONNX Runtime could not run this model on an input of shape [${inputShape.join(', ')}]: ${firstLine(e)}`);
    }
    for (const [name, value] of Object.entries(result)) {
      const t = value as ort.Tensor;
      infos.set(name, { shape: [...t.dims], dtype: t.type });
      t.dispose?.();
    }
  } finally {
    await session.release();
  }
  infos.set(inputName, { shape: [...inputShape], dtype: 'float32' });
  for (const t of graph.initializers) if (t.name && !infos.has(t.name)) infos.set(t.name, initializerInfo(t));
  if (cacheKey) {
    if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!);
    cache.set(cacheKey, infos);
  }
  return infos;
}

export function contentKey(bytes: Uint8Array): string {
  return createHash('sha1').update(bytes).digest('hex');
}

export function firstLine(e: unknown): string {
  return String((e as Error)?.message ?? e).split('\n')[0];
}
