/**
 * The models the web app offers, named by reference strings that never carry a file-system path
 * of their own:
 *   run:<folder>       a run written by `glassbox train`, relative to the data folder
 *   example:<name>     a built-in example, trained on first use (about 15 s)
 *   upload:<id>        a model uploaded through the page
 * Loaded models are cached (a few, least recently used first out) and disposed when evicted.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fail } from '../core/errors.js';
import { loadAnyModel } from '../models/load.js';
import type { Model } from '../models/model.js';
import type { TrainConfigInput } from '../train/config.js';
import { findFolders, type Storage } from './storage.js';
import { yieldingModel } from './yielding-model.js';

export interface ExampleSpec {
  name: string;
  title: string;
  description: string;
  config: TrainConfigInput;
}

/** Built-in examples: small enough to train on first use. */
export const EXAMPLES: ExampleSpec[] = [
  {
    name: 'mnist',
    title: 'MNIST digits, tiny CNN',
    description: 'A two-block CNN trained for 3 epochs on 2 000 MNIST digits (about 15 s on first use, ~90% test accuracy)',
    config: {
      name: 'example-mnist',
      seed: 42,
      dataset: { name: 'mnist', options: { trainLimit: 2000, testLimit: 300, validationFraction: 0.1 } },
      model: {
        architecture: 'cnn',
        convBlocks: [
          { filters: 8, kernel: 3, pool: 'max' },
          { filters: 16, kernel: 3, pool: 'max' },
        ],
        dense: [32],
      },
      training: { epochs: 3, batchSize: 64, optimizer: 'adam', learningRate: 0.003, keepEpochCheckpoints: false },
      output: { histograms: false, sampleImages: 0 },
    },
  },
];

export interface ModelEntry {
  ref: string;
  source: 'run' | 'example' | 'upload';
  name: string;
  description?: string;
  /** False for an example that trains on first use. */
  ready: boolean;
  /** Test accuracy, for runs that have one. */
  accuracy?: number;
  dataset?: string;
}

const REF = /^(run|example|upload):(.+)$/;
const ID = /^[a-f0-9]{16}$/;

export class ModelStore {
  private readonly cache = new Map<string, { model: Model; users: number; mtime: number }>();
  private readonly training = new Map<string, Promise<void>>();

  constructor(
    private readonly storage: Storage,
    private readonly maxCached = 3,
  ) {}

  list(): ModelEntry[] {
    const runs = findFolders(this.storage.root, 'run.json').flatMap((rel): ModelEntry[] => {
      const dir = path.join(this.storage.root, rel);
      if (!fs.existsSync(path.join(dir, 'model', 'model.json')) && !findOnnx(dir)) return [];
      const run = readJson(path.join(dir, 'run.json')) as RunJsonLike | undefined;
      return [
        {
          ref: `run:${rel}`,
          source: 'run',
          name: rel || run?.name || 'run',
          ready: true,
          accuracy: run?.metrics?.test?.accuracy,
          dataset: run?.config?.dataset?.name,
        },
      ];
    });
    const examples = EXAMPLES.map((e): ModelEntry => ({
      ref: `example:${e.name}`,
      source: 'example',
      name: e.title,
      description: e.description,
      ready: fs.existsSync(path.join(this.exampleDir(e.name), 'model', 'model.json')),
      dataset: (e.config.dataset as { name: string }).name,
    }));
    const uploads = fs
      .readdirSync(this.storage.dir('uploads', 'models'))
      .filter((id) => ID.test(id))
      .map((id): ModelEntry => {
        const meta = readJson(path.join(this.storage.dir('uploads', 'models', id), 'meta.json')) as { name?: string } | undefined;
        return { ref: `upload:${id}`, source: 'upload', name: meta?.name ?? id, ready: true };
      });
    return [...runs, ...examples, ...uploads];
  }

  exampleDir(name: string): string {
    return this.storage.dir('examples', name);
  }

  /** The model file or folder a reference names, checked to be inside the data folder. */
  resolve(ref: string): { path: string; example?: ExampleSpec } {
    const m = REF.exec(typeof ref === 'string' ? ref : '');
    if (!m) fail(`model ${JSON.stringify(ref)}: expected run:<folder>, example:<name> or upload:<id>`);
    const [, kind, name] = m;
    if (kind === 'example') {
      const example = EXAMPLES.find((e) => e.name === name);
      if (!example) fail(`unknown example model "${name}"; available: ${EXAMPLES.map((e) => e.name).join(', ')}`);
      return { path: path.join(this.exampleDir(name), 'model'), example };
    }
    if (kind === 'upload') {
      if (!ID.test(name)) fail(`upload id ${JSON.stringify(name)} is not valid`);
      const dir = this.storage.resolveInside(`${'.glassbox-web'}/uploads/models/${name}`);
      const onnx = findOnnx(dir);
      return { path: onnx ?? dir };
    }
    const dir = this.storage.resolveInside(name);
    if (!fs.existsSync(path.join(dir, 'run.json'))) fail(`${name} is not a training run (no run.json)`);
    const modelDir = path.join(dir, 'model');
    if (fs.existsSync(path.join(modelDir, 'model.json'))) return { path: modelDir };
    const onnx = findOnnx(dir);
    if (onnx) return { path: onnx };
    fail(`run ${name} has no saved model (model/model.json); was its training interrupted?`);
  }

  /** Trains an example if it is not there yet; concurrent callers share one training. */
  async ensureExample(example: ExampleSpec, signal?: AbortSignal, progress?: (done: number, total: number, stage?: string) => void): Promise<string> {
    const dir = this.exampleDir(example.name);
    if (fs.existsSync(path.join(dir, 'model', 'model.json'))) return dir;
    let pending = this.training.get(example.name);
    if (!pending) {
      pending = trainExample(example, dir, signal, progress).finally(() => this.training.delete(example.name));
      this.training.set(example.name, pending);
    }
    await pending;
    return dir;
  }

  /** Loads (or reuses) a model; call the returned release when done with it. */
  async acquire(ref: string, opts: { signal?: AbortSignal; progress?: (done: number, total: number, stage?: string) => void } = {}): Promise<{ model: Model; release: () => void; path: string }> {
    const resolved = this.resolve(ref);
    if (resolved.example) await this.ensureExample(resolved.example, opts.signal, opts.progress);
    const key = resolved.path;
    const mtime = fs.statSync(key).mtimeMs;
    let entry = this.cache.get(key);
    if (entry && entry.mtime !== mtime && entry.users === 0) {
      entry.model.dispose();
      this.cache.delete(key);
      entry = undefined;
    }
    if (!entry) {
      const model = await loadAnyModel(key);
      entry = { model, users: 0, mtime };
      this.cache.set(key, entry);
    } else {
      // Most recently used last.
      this.cache.delete(key);
      this.cache.set(key, entry);
    }
    entry.users++;
    this.evict();
    const e = entry;
    let released = false;
    return {
      model: yieldingModel(e.model, opts.signal),
      path: key,
      release: () => {
        if (released) return;
        released = true;
        e.users--;
        this.evict();
      },
    };
  }

  private evict(): void {
    for (const [key, entry] of this.cache) {
      if (this.cache.size <= this.maxCached) break;
      if (entry.users > 0) continue;
      entry.model.dispose();
      this.cache.delete(key);
    }
  }

  /** Forgets every cached model (and disposes it). */
  clear(): void {
    for (const [key, entry] of this.cache) {
      if (entry.users > 0) continue;
      entry.model.dispose();
      this.cache.delete(key);
    }
  }

  cachedCount(): number {
    return this.cache.size;
  }
}

async function trainExample(example: ExampleSpec, dir: string, signal?: AbortSignal, progress?: (done: number, total: number, stage?: string) => void): Promise<void> {
  const { train } = await import('../train/run.js');
  const staging = `${dir}.training-${process.pid}-${Date.now()}`;
  const training = example.config.training as { epochs?: number; batchSize?: number };
  const data = (example.config.dataset as { options?: { trainLimit?: number; validationFraction?: number } }).options ?? {};
  const epochs = training.epochs ?? 1;
  const stepsPerEpoch = Math.ceil(((data.trainLimit ?? 1000) * (1 - (data.validationFraction ?? 0))) / (training.batchSize ?? 32));
  try {
    const summary = await train(example.config, {
      outDir: staging,
      quiet: true,
      signal,
      onStep: (s) => progress?.(Math.min(s.globalStep, epochs * stepsPerEpoch), epochs * stepsPerEpoch, 'training the example model'),
    });
    if (summary.interrupted || !summary.modelDir) fail('training the example model was interrupted');
    fs.rmSync(path.join(staging, 'checkpoints'), { recursive: true, force: true });
    // Another process may have finished first; theirs is as good as ours.
    if (!fs.existsSync(dir)) fs.renameSync(staging, dir);
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

interface RunJsonLike {
  name?: string;
  metrics?: { test?: { accuracy?: number } };
  config?: { dataset?: { name?: string } };
}

export function readJson(file: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

function findOnnx(dir: string): string | undefined {
  try {
    const f = fs.readdirSync(dir).find((n) => n.toLowerCase().endsWith('.onnx'));
    return f ? path.join(dir, f) : undefined;
  } catch {
    return undefined;
  }
}
