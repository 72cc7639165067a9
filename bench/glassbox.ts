/**
 * The Glassbox side of the bench: the exported ONNX file loaded through Glassbox's OnnxModel and
 * explained through `explain`, the same calls a user makes. Both are imported lazily so that a
 * part still missing in this build turns its rows into "not yet implemented" instead of failing.
 */
import * as ort from 'onnxruntime-node';
import type { NdArray } from '../src/core/ndarray.js';
import type { Model } from '../src/models/model.js';
import type { ExplainOptions } from '../src/methods/explain.js';

export const THREADS = 2;

/** Thrown by a row whose Glassbox side does not exist yet. */
export class NotYetImplemented extends Error {}

type ExplainFn = (model: Model, inputs: NdArray, method: string, opts?: ExplainOptions) => Promise<unknown>;

export interface GlassboxSide {
  /** Glassbox's ONNX model, when this build has one. */
  model?: Model;
  modelError?: string;
  /** A plain ONNX Runtime session on the same file (NCHW, the file's own layout). */
  raw: ort.InferenceSession;
  rawInput: string;
  explain?: ExplainFn;
  methods: Set<string>;
  methodsError?: string;
}

export async function openGlassbox(onnxFile: string): Promise<GlassboxSide> {
  const raw = await ort.InferenceSession.create(onnxFile, {
    intraOpNumThreads: THREADS,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
  });
  const side: GlassboxSide = { raw, rawInput: raw.inputNames[0], methods: new Set() };
  try {
    const { OnnxModel } = await import('../src/models/onnx-model.js');
    side.model = await OnnxModel.load(onnxFile, { threads: THREADS, batchSize: 64 });
  } catch (e) {
    side.modelError = (e as Error).message;
  }
  try {
    const methods = await import('../src/methods/index.js');
    side.explain = methods.explain as ExplainFn;
    for (const m of methods.listMethods()) side.methods.add(m.name);
  } catch (e) {
    side.methodsError = (e as Error).message;
  }
  return side;
}

/** The model, or NotYetImplemented saying why there is none. */
export function needModel(side: GlassboxSide): Model {
  if (!side.model) throw new NotYetImplemented(`OnnxModel unavailable: ${side.modelError ?? 'not built'}`);
  return side.model;
}

/** `explain` with a registered method, or NotYetImplemented. */
export function needMethod(side: GlassboxSide, method: string): { model: Model; explain: ExplainFn } {
  const model = needModel(side);
  if (!side.explain) throw new NotYetImplemented(`methods unavailable: ${side.methodsError}`);
  if (!side.methods.has(method)) throw new NotYetImplemented(`method "${method}" is not registered yet`);
  return { model, explain: side.explain };
}

/** NCHW → NHWC (Glassbox's canonical layout). */
export function toNhwc(a: NdArray): NdArray {
  const [n, c, h, w] = a.shape;
  const out = new Float32Array(a.data.length);
  for (let b = 0; b < n; b++)
    for (let ch = 0; ch < c; ch++)
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++) out[((b * h + y) * w + x) * c + ch] = a.data[((b * c + ch) * h + y) * w + x];
  return { data: out, shape: [n, h, w, c] };
}

export function repeatBatch(a: NdArray, n: number): NdArray {
  const data = new Float32Array(a.data.length * n);
  for (let i = 0; i < n; i++) data.set(a.data, i * a.data.length);
  return { data, shape: [n, ...a.shape.slice(1)] };
}

/** The Glassbox layer name of the output of the last node whose name starts with `prefix`. */
export function camLayerName(model: Model, prefix: string): string | undefined {
  const matches = model.layers().filter((l) => l.name.startsWith(prefix) && l.spatial);
  return matches[matches.length - 1]?.name;
}
