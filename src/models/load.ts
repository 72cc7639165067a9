/**
 * Opens a model the way the CLI and the web app do: `loadModel` picks the engine by content, and
 * a run.json written by `glassbox train` beside the model supplies class names and the run name.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Model } from './model.js';
import { loadModel, type LoadModelOptions } from './load-model.js';

export async function loadAnyModel(modelPath: string, options: LoadModelOptions = {}): Promise<Model> {
  const info = fs.existsSync(modelPath) ? readRunInfo(modelPath) : undefined;
  return loadModel(modelPath, { classNames: info?.classNames, name: info?.name, ...options });
}

/** run.json next to (or one level above) the model folder. */
function readRunInfo(modelPath: string): { classNames?: string[]; name?: string } | undefined {
  const dir = fs.statSync(modelPath).isDirectory() ? modelPath : path.dirname(modelPath);
  for (const candidate of [path.join(dir, 'run.json'), path.join(dir, '..', 'run.json')]) {
    if (!fs.existsSync(candidate)) continue;
    try {
      const json = JSON.parse(fs.readFileSync(candidate, 'utf8'));
      return { classNames: json.classNames, name: json.config?.name ?? json.name };
    } catch {
      return undefined;
    }
  }
  return undefined;
}
