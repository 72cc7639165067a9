/**
 * Opens a model by what the file holds, not only by its name: a folder with model.json or a JSON
 * file is a TF.js LayersModel; protobuf bytes are ONNX. ONNX Runtime is imported only for ONNX.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fail } from '../core/errors.js';
import type { InputKind, Model, OutputKind } from './model.js';
import type { OnnxModelOptions } from './onnx-model.js';

export type ModelFormat = 'tfjs' | 'onnx';

export interface LoadModelOptions extends OnnxModelOptions {
  name?: string;
  classNames?: string[];
  kind?: InputKind;
  outputKind?: OutputKind;
}

/** Decides the format from the path and the first bytes of the file. */
export function detectModelFormat(modelPath: string): { format: ModelFormat; file: string } {
  if (!fs.existsSync(modelPath)) fail(`model not found: ${modelPath} (give a TF.js model.json, its folder, or an .onnx file)`);
  if (fs.statSync(modelPath).isDirectory()) {
    if (fs.existsSync(path.join(modelPath, 'model.json'))) return { format: 'tfjs', file: path.join(modelPath, 'model.json') };
    const onnxFiles = fs.readdirSync(modelPath).filter((f) => f.toLowerCase().endsWith('.onnx'));
    if (onnxFiles.length === 1) return { format: 'onnx', file: path.join(modelPath, onnxFiles[0]) };
    fail(`folder ${modelPath} holds no model.json and ${onnxFiles.length === 0 ? 'no' : 'several'} .onnx files; give the model file itself`);
  }
  const head = Buffer.alloc(64);
  const fd = fs.openSync(modelPath, 'r');
  const read = fs.readSync(fd, head, 0, head.length, 0);
  fs.closeSync(fd);
  if (read === 0) fail(`model file ${modelPath} is empty`);
  const text = head.subarray(0, read).toString('utf8').replace(/^\uFEFF/, '').trimStart();
  if (text.startsWith('{') || path.extname(modelPath).toLowerCase() === '.json') return { format: 'tfjs', file: modelPath };
  // Anything else is read as ONNX; the ONNX reader says clearly when it is not.
  return { format: 'onnx', file: modelPath };
}

export async function loadModel(modelPath: string, options: LoadModelOptions = {}): Promise<Model> {
  const { format, file } = detectModelFormat(modelPath);
  if (format === 'tfjs') {
    const onnxOnly = (['preprocess', 'layout', 'size'] as const).filter((k) => options[k] !== undefined);
    if (onnxOnly.length) fail(`${onnxOnly.join(', ')} apply to ONNX models only; ${modelPath} is a TF.js model, which takes its input as trained`);
    const { TfjsModel } = await import('./tfjs-model.js');
    return TfjsModel.load(file, { name: options.name, classNames: options.classNames, kind: options.kind, outputKind: options.outputKind });
  }
  const { OnnxModel } = await import('./onnx-model.js');
  return OnnxModel.load(file, options);
}
