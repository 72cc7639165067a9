/**
 * Turns data set names (and a user's model + data) into benchmark entries: a model and the test
 * inputs to explain. For a built-in data set the model is, in order of preference:
 *   1. a finished run of the repository's config for it (configs/<data set>-cnn*.json) found in
 *      runs/<config name>/ with the same config, e.g. after `glassbox train configs/mnist-cnn.json`;
 *   2. the benchmark's own small config (BENCHMARK_CONFIGS, trained in about a minute), reused
 *      from <out>/models/<name>/ when it was trained before with the same config;
 *   3. otherwise that small config is trained now with `train()`.
 * The inputs are the first `count` test examples of the data set as that config loads it (same
 * normalisation, same split), with the masks and boxes of the shapes set as ground truth.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fail } from '../../core/errors.js';
import { loadAnyModel } from '../../models/load.js';
import type { Model } from '../../models/model.js';
import {
  loadConfigFile,
  parseConfig,
  type TrainConfig,
  type TrainConfigInput,
} from '../../train/config.js';
import type { Dataset, Split } from '../../train/data/dataset.js';
import { exampleSize } from '../../train/data/dataset.js';
import { getDataset, loadDataset } from '../../train/data/datasets.js';
import { train } from '../../train/run.js';
import type { GroundTruth } from '../metric.js';
import type { BenchmarkEntry } from './types.js';

export const BENCHMARK_DATASETS = ['mnist', 'fashion-mnist', 'mnist1d', 'shapes'];

const SMALL_CNN = {
  architecture: 'cnn',
  convBlocks: [
    { filters: 16, kernel: 3, pool: 'max' },
    { filters: 32, kernel: 3, pool: 'max' },
  ],
  dense: [64],
} as const satisfies TrainConfigInput['model'];

/** Small, fast configs: enough accuracy for explanations to mean something, trained in a minute or two each. */
export const BENCHMARK_CONFIGS: Record<string, TrainConfigInput> = {
  mnist: {
    name: 'benchmark-mnist',
    seed: 42,
    dataset: {
      name: 'mnist',
      options: { trainLimit: 6000, testLimit: 1000, validationFraction: 0.1 },
    },
    model: SMALL_CNN,
    training: {
      epochs: 2,
      batchSize: 64,
      optimizer: 'adam',
      learningRate: 0.002,
      keepEpochCheckpoints: false,
    },
    output: { histograms: false, sampleImages: 0 },
  },
  'fashion-mnist': {
    name: 'benchmark-fashion-mnist',
    seed: 42,
    dataset: {
      name: 'fashion-mnist',
      options: { trainLimit: 6000, testLimit: 1000, validationFraction: 0.1 },
    },
    model: SMALL_CNN,
    training: {
      epochs: 3,
      batchSize: 64,
      optimizer: 'adam',
      learningRate: 0.002,
      keepEpochCheckpoints: false,
    },
    output: { histograms: false, sampleImages: 0 },
  },
  mnist1d: {
    name: 'benchmark-mnist1d',
    seed: 42,
    dataset: { name: 'mnist1d', options: { validationFraction: 0.1 } },
    model: {
      architecture: 'cnn1d',
      convBlocks: [
        { filters: 25, kernel: 5, stride: 2 },
        { filters: 25, kernel: 3, stride: 2 },
        { filters: 25, kernel: 3, stride: 2 },
      ],
      dense: [],
    },
    training: {
      epochs: 30,
      batchSize: 100,
      optimizer: 'adam',
      learningRate: 0.01,
      keepEpochCheckpoints: false,
    },
    output: { histograms: false, sampleImages: 0 },
  },
  shapes: {
    name: 'benchmark-shapes',
    seed: 42,
    // Shapes sits on a loss plateau (ln 4) for several epochs before the CNN finds the shapes;
    // measured with this seed on wasm: 72% test accuracy after 15 epochs, overfitting after.
    dataset: { name: 'shapes', options: { trainCount: 2000, testCount: 500, classes: 4 } },
    model: {
      architecture: 'cnn',
      convBlocks: [
        { filters: 16, kernel: 3, pool: 'max' },
        { filters: 32, kernel: 3, pool: 'max' },
        { filters: 32, kernel: 3, pool: 'max' },
      ],
      dense: [64],
    },
    training: {
      epochs: 15,
      batchSize: 32,
      optimizer: 'adam',
      learningRate: 0.003,
      keepEpochCheckpoints: false,
    },
    output: { histograms: false, sampleImages: 0 },
  },
};

export interface PrepareOptions {
  /** Examples per data set. */
  count: number;
  /** Where finished runs of the repository's configs are looked for (default "runs"). */
  runsDir?: string;
  /** Folder of the repository's configs (default "configs"). */
  configsDir?: string;
  /** The benchmark's output folder; its small models go to <out>/models/. */
  out: string;
  /** Train the small config again even when a matching model exists. */
  retrain?: boolean;
  log?: (line: string) => void;
}

/** A trained model for `dataset` (reused or trained now) and its first `count` test inputs. */
export async function prepareBuiltinEntry(
  dataset: string,
  options: PrepareOptions,
): Promise<BenchmarkEntry> {
  getDataset(dataset); // unknown names fail here
  const log = options.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  let chosen: { config: TrainConfig; modelDir: string; source: string } | undefined;
  if (!options.retrain) {
    for (const { config, file } of repositoryConfigs(dataset, options.configsDir ?? 'configs')) {
      const runDir = path.join(options.runsDir ?? 'runs', config.name);
      if (finishedRun(runDir, config)) {
        chosen = {
          config,
          modelDir: path.join(runDir, 'model'),
          source: `${path.join(runDir, 'model')} (trained from ${file})`,
        };
        break;
      }
    }
  }
  if (!chosen) {
    const input = BENCHMARK_CONFIGS[dataset];
    if (!input)
      fail(
        `the benchmark has no model config for data set "${dataset}": train one (glassbox train) and pass it with --model and --data`,
      );
    const config = parseConfig(input);
    const runDir = path.resolve(options.out, 'models', config.name);
    if (options.retrain || !finishedRun(runDir, config)) {
      log(
        `${dataset}: training the benchmark's small ${config.model.architecture} (${config.name}) into ${runDir}`,
      );
      const summary = await train(config, { outDir: runDir, log });
      if (summary.interrupted || !summary.modelDir)
        fail(`training ${config.name} was interrupted: run the benchmark again to retrain`);
    }
    chosen = {
      config,
      modelDir: path.join(runDir, 'model'),
      source: `${displayPath(path.join(runDir, 'model'))} (benchmark config ${config.name})`,
    };
  }
  const model = await loadAnyModel(chosen.modelDir);
  const ds = await loadDataset(chosen.config.dataset.name, chosen.config.dataset.options);
  checkShapes(model, ds);
  return entryFromSplit(
    dataset,
    model,
    modelId(chosen.modelDir),
    chosen.source,
    ds,
    ds.test,
    options.count,
  );
}

/**
 * The user's model with inputs from a registered data set (loaded with options that fit the
 * model: the shapes image size, an image folder's size and channels) or from an image folder.
 */
export async function prepareUserEntry(
  modelPath: string,
  data: string,
  count: number,
  name?: string,
): Promise<BenchmarkEntry> {
  const model = await loadAnyModel(modelPath);
  const isFolder = fs.existsSync(data) && fs.statSync(data).isDirectory();
  let ds: Dataset;
  if (isFolder) {
    if (model.kind !== 'image' || model.inputShape.length !== 3)
      fail(`an image folder needs an image model; ${model.name} takes ${model.kind} inputs`);
    const [height, width, channels] = model.inputShape;
    if (channels !== 1 && channels !== 3)
      fail(
        `model ${model.name} takes ${channels}-channel images; an image folder gives 1 or 3 channels`,
      );
    ds = await loadDataset('image-folder', {
      path: data,
      height,
      width,
      channels,
      validationFraction: 0,
      testFraction: 0.5,
    });
  } else {
    getDataset(data);
    const options: Record<string, unknown> = {};
    if (data === 'shapes' && model.inputShape.length === 3) {
      options.size = model.inputShape[0];
      options.channels = model.inputShape[2];
      options.classes = Math.min(Math.max(model.numClasses, 2), 6);
      options.testCount = Math.max(count, 8);
      options.trainCount = 8;
    }
    ds = await loadDataset(data, options);
  }
  checkShapes(model, ds);
  const split = isFolder ? concatSplits(ds.test, ds.train, ds.inputShape) : ds.test;
  const entry = entryFromSplit(
    name ?? (isFolder ? path.basename(path.resolve(data)) : data),
    model,
    modelId(modelPath),
    displayPath(modelPath),
    ds,
    split,
    count,
  );
  // A folder's labels follow its sub-folder order: they are the model's classes only when the names agree.
  if (isFolder && model.classNames?.join('\n') !== ds.classNames.join('\n')) delete entry.labels;
  return entry;
}

/** A path relative to the working folder when it lies inside it, else absolute. */
function displayPath(p: string): string {
  const rel = path.relative(process.cwd(), path.resolve(p));
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : path.resolve(p);
}

function entryFromSplit(
  name: string,
  model: Model,
  id: string,
  source: string,
  ds: Dataset,
  split: Split,
  count: number,
): BenchmarkEntry {
  const n = Math.min(count, split.count);
  if (n === 0) fail(`data set ${ds.name} has no test examples to evaluate`);
  const size = exampleSize(ds.inputShape);
  const positions = model.kind === 'image' ? ds.inputShape[0] * ds.inputShape[1] : 0;
  let groundTruth: GroundTruth | undefined;
  if (split.masks && positions && split.masks.length === split.count * positions) {
    groundTruth = {
      masks: split.masks.slice(0, n * positions),
      ...(split.boxes ? { boxes: split.boxes.slice(0, n * 4) } : {}),
    };
  }
  return {
    name,
    model,
    modelId: id,
    modelSource: source,
    inputs: { data: split.x.slice(0, n * size), shape: [n, ...ds.inputShape] },
    labels: split.y.slice(0, n),
    groundTruth,
    classNames: ds.classNames,
  };
}

function checkShapes(model: Model, ds: Dataset): void {
  if (model.inputShape.join() !== ds.inputShape.join()) {
    fail(
      `model ${model.name} takes inputs of shape [${model.inputShape.join(', ')}] but data set ${ds.name} has [${ds.inputShape.join(', ')}]`,
    );
  }
}

function concatSplits(a: Split, b: Split, inputShape: number[]): Split {
  const size = exampleSize(inputShape);
  const x = new Float32Array((a.count + b.count) * size);
  x.set(a.x.subarray(0, a.count * size));
  x.set(b.x.subarray(0, b.count * size), a.count * size);
  const y = new Int32Array(a.count + b.count);
  y.set(a.y.subarray(0, a.count));
  y.set(b.y.subarray(0, b.count), a.count);
  return { x, y, count: a.count + b.count };
}

/** The repository's convolutional configs for a data set (their maps are what most methods were made for). */
function repositoryConfigs(
  dataset: string,
  dir: string,
): Array<{ config: TrainConfig; file: string }> {
  if (!fs.existsSync(dir)) return [];
  const found: Array<{ config: TrainConfig; file: string }> = [];
  for (const f of fs.readdirSync(dir).sort()) {
    if (!/\.(json|ya?ml)$/.test(f)) continue;
    try {
      const config = loadConfigFile(path.join(dir, f));
      if (config.dataset.name === dataset) found.push({ config, file: path.join(dir, f) });
    } catch {
      // not a training config
    }
  }
  // Only convolutional runs are reused: CAM methods need a spatial layer, and a recurrent or dense
  // model would leave half the table empty. Otherwise the benchmark trains its own small CNN.
  return found.filter(({ config: c }) => c.model.architecture === 'cnn' || c.model.architecture === 'cnn1d');
}

/** True when `dir` holds a completed run of exactly `config`. */
function finishedRun(dir: string, config: TrainConfig): boolean {
  const runJson = path.join(dir, 'run.json');
  if (!fs.existsSync(runJson) || !fs.existsSync(path.join(dir, 'model', 'model.json')))
    return false;
  try {
    const run = JSON.parse(fs.readFileSync(runJson, 'utf8'));
    return JSON.stringify(canonical(run.config)) === JSON.stringify(canonical(config));
  } catch {
    return false;
  }
}

/** The config without its output folder (where a run was written does not change the model). */
function canonical(config: TrainConfig): unknown {
  const { output, ...rest } = config;
  const out: Partial<TrainConfig['output']> = { ...output };
  delete out.dir;
  return sortKeys({ ...rest, output: out });
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object')
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]),
    );
  return v;
}

/** Hash of the model's files, so cached results are dropped when the weights change. */
function modelId(modelPath: string): string {
  const isDir = fs.statSync(modelPath).isDirectory();
  const dir = isDir ? modelPath : path.dirname(modelPath);
  const h = crypto.createHash('sha256');
  // A model.json's weights sit next to it; an .onnx file is self-contained.
  const files =
    isDir || modelPath.endsWith('.json') ? fs.readdirSync(dir).sort() : [path.basename(modelPath)];
  for (const f of files) {
    const file = path.join(dir, f);
    if (!fs.statSync(file).isFile()) continue;
    if (!/\.(json|bin|onnx)$/.test(f)) continue;
    h.update(f);
    h.update(fs.readFileSync(file));
  }
  return h.digest('hex').slice(0, 16);
}
