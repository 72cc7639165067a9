/**
 * Reading .onnx files: decode, check that it is an ONNX model Glassbox can run, and pull
 * external weight files into the model so it can be handed to ONNX Runtime as one buffer.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fail } from '../core/errors.js';
import { decodeModel, num, onnx, type ModelProto, type TensorProto } from './proto.js';

/** Opsets whose operator semantics the gradient rules know (default domain). */
export const MIN_OPSET = 11;
export const MAX_OPSET = 23;

/** The opset of the default ("" or "ai.onnx") domain. */
export function defaultOpset(model: ModelProto): number {
  const entry = (model.opsetImport ?? []).find((o) => !o.domain || o.domain === 'ai.onnx');
  return entry ? num(entry.version as number) : 0;
}

/** Decodes and checks ONNX bytes; `where` names the source in error messages. */
export function parseOnnx(bytes: Uint8Array, where: string, baseDir?: string): ModelProto {
  let model: ModelProto;
  try {
    model = decodeModel(bytes);
  } catch {
    fail(`${where} is not an ONNX model (its bytes do not decode as one); give a .onnx file exported with torch.onnx.export, tf2onnx or similar`);
  }
  const graph = model.graph;
  if (!graph || !graph.node?.length || !graph.output?.length || !model.opsetImport?.length || num(model.irVersion as number) <= 0) {
    fail(`${where} is not an ONNX model: it has no graph, nodes or opset (corrupt or a different format)`);
  }
  const opset = defaultOpset(model);
  if (opset === 0) fail(`${where} does not import the standard ONNX operator set; Glassbox runs standard ONNX models`);
  if (opset < MIN_OPSET) {
    fail(`${where} uses ONNX opset ${opset}; Glassbox needs opset ${MIN_OPSET}..${MAX_OPSET} (convert it with onnx.version_converter or re-export with a newer opset)`);
  }
  if (opset > MAX_OPSET) {
    fail(`${where} uses ONNX opset ${opset}; Glassbox supports opsets ${MIN_OPSET}..${MAX_OPSET} (re-export with opset_version=${MAX_OPSET} or lower)`);
  }
  for (const t of graph.initializer ?? []) {
    if (t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL) loadExternal(t, where, baseDir);
  }
  return model;
}

export function readOnnxBytes(file: string): Uint8Array {
  if (!fs.existsSync(file)) fail(`model file not found: ${file}`);
  if (fs.statSync(file).isDirectory()) fail(`${file} is a folder; give the path of an .onnx file`);
  return fs.readFileSync(file);
}

export function readOnnxFile(file: string): ModelProto {
  return parseOnnx(readOnnxBytes(file), file, path.dirname(file));
}

/** Inlines a weight stored in an external data file (ONNX's format for models over 2 GB). */
function loadExternal(t: TensorProto, where: string, baseDir: string | undefined): void {
  const entries = new Map((t.externalData ?? []).map((e) => [e.key ?? '', e.value ?? '']));
  const location = entries.get('location');
  if (!baseDir || !location) {
    fail(`${where}: weight ${t.name} is stored in an external data file that cannot be found; load the model from its file with the data file beside it`);
  }
  const file = path.resolve(baseDir, location);
  if (!fs.existsSync(file)) fail(`${where}: weight ${t.name} is stored in ${file}, which is missing; keep the external data file beside the model`);
  const offset = Number(entries.get('offset') ?? 0);
  const size = fs.statSync(file).size;
  const length = entries.has('length') ? Number(entries.get('length')) : size - offset;
  if (offset + length > size) fail(`${where}: external data file ${file} is shorter than weight ${t.name} needs (truncated?)`);
  const buf = Buffer.alloc(length);
  const fd = fs.openSync(file, 'r');
  try {
    fs.readSync(fd, buf, 0, length, offset);
  } finally {
    fs.closeSync(fd);
  }
  t.rawData = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  t.externalData = [];
  t.dataLocation = onnx.TensorProto.DataLocation.DEFAULT;
}
