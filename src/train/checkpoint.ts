/**
 * Checkpoints under `<out>/checkpoints/`:
 * - `epoch-NNN/` after every epoch: the model in TF.js format (model.json + weights.bin) and
 *   epoch.json (that epoch's metrics), kept for the training-dynamics work;
 * - `resume/`: the latest resumable state (model, optimizer slots, epoch and batch, history,
 *   early-stopping state and best weights), rewritten after every epoch and on Ctrl-C. It is
 *   written to a temporary folder and renamed, so an interrupted write never leaves a torn one.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { tf } from '../runtime/tf.js';
import { fail } from '../core/errors.js';
import { loadLayersModel, saveLayersModel } from '../io/tfjs-files.js';
import type { TrainConfig } from './config.js';
import type { EpochRecord } from './report/index.js';
import { getWeights, setWeights, type TrainState } from './trainer.js';

export const CHECKPOINTS = 'checkpoints';
export const RESUME = 'resume';
const STATE_FILE = 'state.json';
const FORMAT = 'glassbox-train-state/1';

export function epochDir(outDir: string, epoch: number): string {
  return path.join(outDir, CHECKPOINTS, `epoch-${String(epoch).padStart(3, '0')}`);
}

export function resumeDir(outDir: string): string {
  return path.join(outDir, CHECKPOINTS, RESUME);
}

/** Saves the weights after `record.epoch` (1-based) to checkpoints/epoch-NNN/. */
export async function saveEpochCheckpoint(outDir: string, model: tf.LayersModel, record: EpochRecord): Promise<string> {
  const dir = epochDir(outDir, record.epoch);
  await saveLayersModel(model, dir);
  fs.writeFileSync(path.join(dir, 'epoch.json'), JSON.stringify(record, null, 2) + '\n');
  return dir;
}

/**
 * What must match between the run that saved a checkpoint and the one resuming it: everything
 * but the epoch count (so `--epochs` can extend a run) and the output settings.
 */
export function resumeKey(config: TrainConfig): string {
  const key = { ...config, output: undefined, training: { ...config.training, epochs: undefined } };
  return crypto.createHash('sha256').update(JSON.stringify(key)).digest('hex');
}

interface StateFile {
  format: string;
  configKey: string;
  savedAt: string;
  /** How the random streams are derived: from the seed, the epoch and the batch index. */
  rng: { scheme: 'derived(seed, epoch, step)'; seed: number; epoch: number; step: number };
  state: Omit<TrainState, 'optimizer' | 'bestWeights'> & {
    optimizer: { type: string; step: number; slots: Array<{ shape: number[]; offset: number; length: number }> };
    bestWeights?: Array<{ offset: number; length: number }>;
  };
  extra?: Record<string, unknown>;
}

/** Writes checkpoints/resume/ (atomically). `extra` is stored as-is (e.g. the k-fold position). */
export async function saveResumeCheckpoint(
  outDir: string,
  model: tf.LayersModel,
  state: TrainState,
  config: TrainConfig,
  extra?: Record<string, unknown>,
): Promise<string> {
  const final = resumeDir(outDir);
  const tmp = `${final}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  await saveLayersModel(model, path.join(tmp, 'model'));
  const { buffer: optBin, entries: slotEntries } = pack(state.optimizer.slots.map((s) => s.values));
  fs.writeFileSync(path.join(tmp, 'optimizer.bin'), optBin);
  let best: Array<{ offset: number; length: number }> | undefined;
  if (state.bestWeights) {
    const packed = pack(state.bestWeights);
    fs.writeFileSync(path.join(tmp, 'best-weights.bin'), packed.buffer);
    best = packed.entries;
  }
  const rest: Partial<TrainState> = { ...state };
  delete rest.optimizer;
  delete rest.bestWeights;
  const optimizer = state.optimizer;
  const file: StateFile = {
    format: FORMAT,
    configKey: resumeKey(config),
    savedAt: new Date().toISOString(),
    rng: { scheme: 'derived(seed, epoch, step)', seed: state.seed, epoch: state.epoch, step: state.step },
    state: {
      ...(rest as Omit<TrainState, 'optimizer' | 'bestWeights'>),
      optimizer: {
        type: optimizer.type,
        step: optimizer.step,
        slots: optimizer.slots.map((s, i) => ({ shape: s.shape, ...slotEntries[i] })),
      },
      ...(best ? { bestWeights: best } : {}),
    },
    ...(extra ? { extra } : {}),
  };
  fs.writeFileSync(path.join(tmp, STATE_FILE), JSON.stringify(file, null, 1) + '\n');
  fs.rmSync(final, { recursive: true, force: true });
  fs.renameSync(tmp, final);
  return final;
}

export interface ResumePoint {
  state: TrainState;
  extra?: Record<string, unknown>;
  /** Copies the checkpoint's weights into `model` (built from the same config). */
  restoreWeights(model: tf.LayersModel): Promise<void>;
}

export function hasResumeCheckpoint(outDir: string): boolean {
  return fs.existsSync(path.join(resumeDir(outDir), STATE_FILE));
}

/** Reads checkpoints/resume/; fails with a fix when it is missing or from another config. */
export function loadResumeCheckpoint(outDir: string, config: TrainConfig): ResumePoint {
  const dir = resumeDir(outDir);
  const stateFile = path.join(dir, STATE_FILE);
  if (!fs.existsSync(stateFile)) fail(`nothing to resume in ${outDir}: no ${path.join(CHECKPOINTS, RESUME, STATE_FILE)} (run without --resume to start)`);
  let file: StateFile;
  try {
    file = JSON.parse(fs.readFileSync(stateFile, 'utf8'));
  } catch {
    fail(`${stateFile} is not valid JSON: the checkpoint is damaged, start again without --resume`);
  }
  if (file.format !== FORMAT) fail(`${stateFile} has format ${file.format}, expected ${FORMAT}: start again without --resume`);
  if (file.configKey !== resumeKey(config)) {
    fail(`the checkpoint in ${dir} was made with a different config (only training.epochs may change): resume with the original config or use another --out`);
  }
  const optBin = readFloats(path.join(dir, 'optimizer.bin'));
  const s = file.state;
  const state: TrainState = {
    ...s,
    optimizer: {
      type: s.optimizer.type as TrainState['optimizer']['type'],
      step: s.optimizer.step,
      slots: s.optimizer.slots.map((e) => ({ shape: e.shape, values: optBin.slice(e.offset, e.offset + e.length) })),
    },
    bestWeights: undefined,
  };
  if (s.bestWeights) {
    const bin = readFloats(path.join(dir, 'best-weights.bin'));
    state.bestWeights = s.bestWeights.map((e) => bin.slice(e.offset, e.offset + e.length));
  }
  return {
    state,
    extra: file.extra,
    async restoreWeights(model) {
      const saved = await loadLayersModel(path.join(dir, 'model'));
      try {
        setWeights(model, getWeights(saved));
      } finally {
        saved.dispose();
      }
    },
  };
}

function pack(arrays: Float32Array[]): { buffer: Buffer; entries: Array<{ offset: number; length: number }> } {
  const total = arrays.reduce((n, a) => n + a.length, 0);
  const all = new Float32Array(total);
  const entries: Array<{ offset: number; length: number }> = [];
  let at = 0;
  for (const a of arrays) {
    all.set(a, at);
    entries.push({ offset: at, length: a.length });
    at += a.length;
  }
  return { buffer: Buffer.from(all.buffer, all.byteOffset, all.byteLength), entries };
}

function readFloats(file: string): Float32Array {
  if (!fs.existsSync(file)) fail(`${file} is missing: the checkpoint is incomplete, start again without --resume`);
  const b = fs.readFileSync(file);
  const copy = new Uint8Array(b.byteLength);
  copy.set(b);
  return new Float32Array(copy.buffer);
}
