/**
 * A finished `glassbox train` run as the vision and table commands use it: its model folder and
 * its data set, regenerated from the config in run.json (same loader, same options, same seed).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fail } from '../core/errors.js';
import type { Dataset } from '../train/data/dataset.js';
import { loadDataset } from '../train/data/datasets.js';

export interface TrainedRun {
  dir: string;
  modelDir: string;
  name: string;
  config: {
    name: string;
    dataset: { name: string; options?: Record<string, unknown> };
    model: { architecture: string };
  };
  classNames: string[];
  featureNames?: string[];
}

export function readRun(dir: string): TrainedRun {
  const file = path.join(dir, 'run.json');
  if (!fs.existsSync(file))
    fail(
      `${dir} is not a training run (no run.json): train one first with \`glassbox train --config …\``,
    );
  let json: any;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    fail(`${file} is not valid JSON: re-run the training`);
  }
  const modelDir = path.join(dir, 'model');
  if (!json?.config?.dataset || !fs.existsSync(path.join(modelDir, 'model.json'))) {
    fail(
      `${dir} has no trained model (model/model.json) or no config in run.json: the run did not finish`,
    );
  }
  return {
    dir,
    modelDir,
    name: json.name,
    config: json.config,
    classNames: json.classNames,
    featureNames: json.featureNames,
  };
}

/** The run's data set, loaded the way the trainer loaded it. */
export function runDataset(run: TrainedRun): Promise<Dataset> {
  return loadDataset(run.config.dataset.name, run.config.dataset.options ?? {});
}

/** Rows `from … from + count` of a flat split as an [n, ...shape] batch. */
export function splitRows(
  x: Float32Array,
  shape: number[],
  from: number,
  count: number,
): { data: Float32Array; shape: number[] } {
  const per = shape.reduce((a, b) => a * b, 1);
  const total = x.length / per;
  const n = Math.max(0, Math.min(count, total - from));
  return { data: x.slice(from * per, (from + n) * per), shape: [n, ...shape] };
}
