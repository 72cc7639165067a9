/**
 * Reading a training run for the dynamics tools: its per-epoch checkpoints
 * (`checkpoints/epoch-NNN/`, written by src/train/checkpoint.ts), their weights as plain arrays
 * (no TF.js needed), their metrics (epoch.json), the run's config (run.json), and the initial
 * weights (epoch 0), which are not saved but are rebuilt from the config's seed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { tf } from '../runtime/tf.js';
import { fail } from '../core/errors.js';
import { readModelArtifacts } from '../io/tfjs-files.js';
import { CHECKPOINTS } from '../train/checkpoint.js';
import { parseConfig, type TrainConfig } from '../train/config.js';
import { buildModel, registerGlassboxLayers } from '../train/architectures/index.js';
import type { EpochRecord } from '../train/report/index.js';

/** One weight tensor of a checkpoint, named as in model.json (`dense1/kernel`). */
export interface NamedWeight {
  name: string;
  /** The layer it belongs to: the first part of the name (`dense1`; `lstm1` for a bidirectional layer's cells). */
  layer: string;
  shape: number[];
  values: Float32Array;
}

export interface TrainingRun {
  dir: string;
  /** Epochs (1-based) that have a checkpoint, ascending. */
  epochs: number[];
  /** One record per checkpointed epoch, in `epochs` order (from each epoch.json). */
  history: EpochRecord[];
  /** The config from run.json, when the run wrote one. */
  config?: TrainConfig;
  /** Input shape and class names from run.json. */
  inputShape?: number[];
  classNames?: string[];
}

const EPOCH_DIR = /^epoch-(\d+)$/;

/** Opens a run folder (the one `glassbox train` wrote); fails with a fix when it has no epoch checkpoints. */
export function openRun(dir: string): TrainingRun {
  if (!fs.existsSync(dir)) fail(`run folder not found: ${dir} (give the --out folder of \`glassbox train\`)`);
  const ckDir = path.join(dir, CHECKPOINTS);
  const epochs = fs.existsSync(ckDir)
    ? fs
        .readdirSync(ckDir)
        .map((n) => EPOCH_DIR.exec(n))
        .filter((m): m is RegExpExecArray => m !== null && fs.existsSync(path.join(ckDir, m[0], 'model.json')))
        .map((m) => Number(m[1]))
        .sort((a, b) => a - b)
    : [];
  if (epochs.length === 0) {
    fail(`${dir} has no per-epoch checkpoints (${CHECKPOINTS}/epoch-NNN/): train with training.keepEpochCheckpoints true (the default)`);
  }
  const history = epochs.map((e) => readEpochRecord(dir, e));
  const run: TrainingRun = { dir, epochs, history };
  const runJson = path.join(dir, 'run.json');
  if (fs.existsSync(runJson)) {
    try {
      const json = JSON.parse(fs.readFileSync(runJson, 'utf8'));
      if (json.config) run.config = parseConfig(json.config, runJson);
      if (Array.isArray(json.inputShape)) run.inputShape = json.inputShape;
      if (Array.isArray(json.classNames)) run.classNames = json.classNames;
    } catch (e) {
      if ((e as Error).name === 'GlassboxError') throw e;
      fail(`${runJson} is not valid JSON: re-run the training or remove the file`);
    }
  }
  return run;
}

export function checkpointDir(run: TrainingRun, epoch: number): string {
  return path.join(run.dir, CHECKPOINTS, `epoch-${String(epoch).padStart(3, '0')}`);
}

function readEpochRecord(dir: string, epoch: number): EpochRecord {
  const file = path.join(dir, CHECKPOINTS, `epoch-${String(epoch).padStart(3, '0')}`, 'epoch.json');
  if (!fs.existsSync(file)) return { epoch, loss: NaN, acc: NaN };
  try {
    return { ...JSON.parse(fs.readFileSync(file, 'utf8')), epoch };
  } catch {
    fail(`${file} is not valid JSON: the checkpoint is damaged, re-run the training`);
  }
}

/** The weights of a saved model.json folder as named float32 arrays, in manifest order. */
export function readWeights(modelDir: string): NamedWeight[] {
  return weightsFromArtifacts(readModelArtifacts(modelDir), modelDir);
}

export function weightsFromArtifacts(artifacts: tf.io.ModelArtifacts, where: string): NamedWeight[] {
  const specs = artifacts.weightSpecs ?? [];
  const data = artifacts.weightData;
  const buffer = Array.isArray(data) ? concatBuffers(data) : (data ?? new ArrayBuffer(0));
  const out: NamedWeight[] = [];
  let offset = 0;
  for (const s of specs) {
    if (s.quantization || s.dtype !== 'float32') {
      fail(`${where}: weight ${s.name} is ${s.quantization ? 'quantized' : s.dtype}; the dynamics tools read float32 checkpoints only`);
    }
    const n = s.shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(buffer.slice(offset, offset + 4 * n));
    offset += 4 * n;
    out.push({ name: s.name, layer: layerOf(s.name), shape: [...s.shape], values });
  }
  return out;
}

export function readCheckpointWeights(run: TrainingRun, epoch: number): NamedWeight[] {
  return readWeights(checkpointDir(run, epoch));
}

/**
 * The model before the first update, rebuilt from run.json's config and seed (the trainer builds
 * it with `buildModel(config.model, { seed: config.seed })`, whose initialisers are seeded).
 * Undefined when that is not possible: no run.json, a k-fold run, or weights that do not match
 * the checkpoints' names and shapes (`reference`).
 */
export function initialModel(run: TrainingRun, reference: NamedWeight[]): tf.LayersModel | undefined {
  const { config, inputShape, classNames } = run;
  if (!config || !inputShape || !classNames || config.kfold) return undefined;
  registerGlassboxLayers();
  let model: tf.LayersModel;
  try {
    model = buildModel(config.model, { inputShape, numClasses: classNames.length, seed: config.seed });
  } catch {
    return undefined;
  }
  const got = modelWeights(model);
  const same = got.length === reference.length && got.every((w, i) => w.name === reference[i].name && w.shape.join() === reference[i].shape.join());
  if (!same) {
    model.dispose();
    return undefined;
  }
  return model;
}

/** A live model's weights as named arrays (names as model.json writes them). */
export function modelWeights(model: tf.LayersModel): NamedWeight[] {
  return model.weights.map((w) => ({
    name: w.originalName,
    layer: layerOf(w.originalName),
    shape: [...w.shape] as number[],
    values: Float32Array.from(w.read().dataSync() as Float32Array),
  }));
}

/** Loads the model of one checkpoint together with its weights as arrays. */
export async function loadCheckpoint(run: TrainingRun, epoch: number): Promise<{ model: tf.LayersModel; weights: NamedWeight[] }> {
  const dir = checkpointDir(run, epoch);
  const artifacts = readModelArtifacts(dir);
  const weights = weightsFromArtifacts(artifacts, dir);
  registerGlassboxLayers();
  try {
    const model = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
    return { model, weights };
  } catch (e) {
    fail(`could not build the TF.js model of ${dir}: ${(e as Error).message.split('\n')[0]}`);
  }
}

function layerOf(name: string): string {
  const i = name.indexOf('/');
  return i < 0 ? name : name.slice(0, i);
}

function concatBuffers(parts: ArrayBuffer[]): ArrayBuffer {
  const total = parts.reduce((n, p) => n + p.byteLength, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(new Uint8Array(p), at);
    at += p.byteLength;
  }
  return out.buffer;
}
