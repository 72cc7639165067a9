/**
 * Opens any model file Glassbox understands. The ONNX adapter is loaded on demand so TF.js-only
 * users never start ONNX Runtime.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fail } from '../core/errors.js';
import type { Model } from './model.js';
import { TfjsModel } from './tfjs-model.js';

export async function loadAnyModel(modelPath: string): Promise<Model> {
  if (!fs.existsSync(modelPath)) fail(`model not found: ${modelPath} (give a TF.js model.json, its folder, or an .onnx file)`);
  const isOnnx = path.extname(modelPath).toLowerCase() === '.onnx';
  if (isOnnx) {
    const loader = './load-model.js';
    const mod = await import(loader).catch(() => undefined);
    if (!mod?.loadModel) fail('ONNX models are not supported in this build');
    return mod.loadModel(modelPath);
  }
  const info = readRunInfo(modelPath);
  return TfjsModel.load(modelPath, { classNames: info?.classNames, name: info?.name });
}

/** run.json written by `glassbox train` next to (or one level above) the model folder. */
function readRunInfo(modelPath: string): { classNames?: string[]; name?: string } | undefined {
  const dir = fs.statSync(modelPath).isDirectory() ? modelPath : path.dirname(modelPath);
  for (const candidate of [path.join(dir, 'run.json'), path.join(dir, '..', 'run.json')]) {
    if (fs.existsSync(candidate)) {
      try {
        const json = JSON.parse(fs.readFileSync(candidate, 'utf8'));
        return { classNames: json.classNames, name: json.config?.name ?? json.name };
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}
