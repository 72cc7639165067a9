/**
 * `train(config, options)`: the whole pipeline behind `glassbox train` and `npm run demo`:
 * config → data set → model → (k folds →) training → saved model → report + TensorBoard logs
 * + run.json.
 *
 * Output folder (default runs/<name>/):
 *   model/            the trained model, TF.js format (model.json + weights.bin)
 *   run.json          config, seed, data hash, software versions, metrics, outputKind, …
 *   report.html, report.md, metrics.json, confusion.png
 *   tb/               TensorBoard event files (tb/fold-N/ for k-fold runs)
 *   checkpoints/      epoch-NNN/ per epoch, resume/ for --resume
 *   folds/fold-N/     per-fold models of a k-fold run
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tf, initTf } from '../runtime/tf.js';
import { fail } from '../core/errors.js';
import { saveLayersModel } from '../io/tfjs-files.js';
import { encodePng } from '../viz/png.js';
import { buildModel } from './architectures/index.js';
import { saveEpochCheckpoint, saveResumeCheckpoint, hasResumeCheckpoint, loadResumeCheckpoint, CHECKPOINTS } from './checkpoint.js';
import { parseConfig, type TrainConfig, type TrainConfigInput } from './config.js';
import type { Dataset, Split } from './data/dataset.js';
import { exampleSize } from './data/dataset.js';
import { loadDataset } from './data/datasets.js';
import { selectRows } from './data/split.js';
import { stratifiedKFold, summariseFolds, formatFoldSummary, type MetricSummary } from './kfold.js';
import { Progress, seconds as formatSeconds } from './progress.js';
import { computeClassificationMetrics, writeReport, type ClassificationMetrics, type EpochRecord, type MisclassifiedExample, type ReportFiles } from './report/index.js';
import { TensorBoardWriter } from './tensorboard/index.js';
import { evaluate, fit, type TrainState } from './trainer.js';

// ---------------------------------------------------------------------------------------------
// Export hook: other model formats (ONNX) register here and run after the TF.js model is saved.

export interface ExportContext {
  model: tf.LayersModel;
  /** Folder of the saved TF.js model (model.json + weights.bin). */
  modelDir: string;
  outDir: string;
  inputShape: number[];
  classNames: string[];
  config: TrainConfig;
}

/** Writes the model in another format; returns the written file's path. */
export type ModelExporter = (ctx: ExportContext) => Promise<string>;

const modelExporters = new Map<string, ModelExporter>();

/**
 * Adds an exporter run after every training run (e.g. `registerModelExporter('onnx', …)` from
 * src/onnx/). Its file is recorded in run.json under `exports`; a failing exporter is recorded
 * as an error there and never loses the trained TF.js model.
 */
export function registerModelExporter(name: string, exporter: ModelExporter): void {
  modelExporters.set(name, exporter);
}

export function listModelExporters(): string[] {
  return [...modelExporters.keys()];
}

// ---------------------------------------------------------------------------------------------

export interface TrainOptions {
  /** Output folder; default config.output.dir, else runs/<config.name>/. */
  outDir?: string;
  /** Continue from <out>/checkpoints/resume/. */
  resume?: boolean;
  /** Overrides config.training.epochs. */
  epochs?: number;
  /** Use this data set instead of loading config.dataset (tests, library users). */
  dataset?: Dataset;
  /** Stops at the next batch boundary, saving a resumable checkpoint. */
  signal?: AbortSignal;
  /** Ctrl-C saves a checkpoint and stops (the CLI turns this on). */
  handleSigint?: boolean;
  /** No progress bar and no messages. */
  quiet?: boolean;
  /** Where messages go (default stderr, unless quiet). */
  log?: (line: string) => void;
  /** Tests: called after each batch. */
  onStep?: (info: { phase: string; epoch: number; step: number; globalStep: number }) => void;
}

export interface FoldResult {
  fold: number;
  valLoss: number;
  valAccuracy: number;
  testLoss: number;
  testAccuracy: number;
  epochs: number;
  seconds: number;
}

export interface RunSummary {
  name: string;
  outDir: string;
  /** True when Ctrl-C (or the signal) stopped the run; resume with --resume. */
  interrupted: boolean;
  modelDir?: string;
  runJson?: string;
  history: EpochRecord[];
  /** 1-based epoch whose weights were saved. */
  finalEpoch: number;
  stoppedEarly: boolean;
  test?: { loss: number; accuracy: number; macroF1: number };
  validation?: { loss: number; accuracy: number };
  kfold?: { folds: FoldResult[]; summary: Record<string, MetricSummary> };
  report?: ReportFiles;
  tensorboard: { logdir: string; command: string; url: string };
  exports: Record<string, string | { error: string }>;
  /** Wall-clock training time (all phases), seconds. */
  seconds: number;
  backend: string;
}

interface Phase {
  id: string;
  /** Index in the run's phase list (folds first, then "final"). */
  index: number;
  train: Split;
  validation?: Split;
  /** Folder for this phase's model and checkpoints. */
  dir: string;
  tbDir: string;
  seed: number;
  label: string;
}

export async function train(
  input: TrainConfig | TrainConfigInput | Record<string, unknown>,
  options: TrainOptions = {},
): Promise<RunSummary> {
  let config = parseConfig(input);
  if (options.epochs !== undefined) {
    if (!Number.isInteger(options.epochs) || options.epochs < 1) fail(`--epochs must be a positive integer, got ${options.epochs}`);
    config = { ...config, training: { ...config.training, epochs: options.epochs } };
  }
  const quiet = options.quiet ?? false;
  const log = options.log ?? ((line: string) => (quiet ? undefined : process.stderr.write(`${line}\n`)));
  const progress = new Progress({ quiet });
  const outDir = path.resolve(options.outDir ?? config.output.dir ?? path.join('runs', config.name));

  const backend = await initTf();
  const releaseLock = lockOutDir(outDir);
  try {
    return await runLocked(config, options, outDir, backend, log, progress);
  } finally {
    releaseLock();
  }
}

async function runLocked(
  config: TrainConfig,
  options: TrainOptions,
  outDir: string,
  backend: string,
  log: (line: string) => void,
  progress: Progress,
): Promise<RunSummary> {
  const resumePoint = options.resume ? loadResumeCheckpoint(outDir, config) : undefined;
  if (!options.resume) {
    if (hasResumeCheckpoint(outDir)) log(`starting over in ${outDir} (it holds a resumable checkpoint: --resume continues it instead)`);
    // Clear a previous run's outputs, but only in a folder that holds one (never a stranger's files).
    const previousRun = fs.existsSync(path.join(outDir, 'run.json')) || fs.existsSync(path.join(outDir, CHECKPOINTS));
    if (previousRun) {
      for (const sub of [CHECKPOINTS, 'tb', 'model', 'folds']) fs.rmSync(path.join(outDir, sub), { recursive: true, force: true });
    }
  }
  fs.mkdirSync(outDir, { recursive: true });

  const ds = options.dataset ?? (await loadDataset(config.dataset.name, config.dataset.options));
  checkDataset(ds);
  const numClasses = ds.classNames.length;
  const tbRoot = path.join(outDir, 'tb');
  const tensorboard = { logdir: tbRoot, command: `tensorboard --logdir ${tbRoot}`, url: 'http://localhost:6006' };
  log(`training ${config.name}: ${config.model.architecture} on ${ds.name} (${ds.train.count} train, ${ds.validation?.count ?? 0} validation, ${ds.test.count} test), backend ${backend}, output ${outDir}`);
  log(`TensorBoard: ${tensorboard.command}  then open ${tensorboard.url}`);

  const phases = planPhases(config, ds, outDir);
  const resumeExtra = (resumePoint?.extra ?? {}) as { phase?: number; folds?: FoldResult[] };
  const foldResults: FoldResult[] = resumeExtra.folds ?? [];
  const startPhase = resumeExtra.phase ?? 0;

  // Ctrl-C: the first stops at the next batch and saves; a second one exits at once.
  const controller = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, controller.signal]) : controller.signal;
  let sigints = 0;
  const onSigint = () => {
    sigints++;
    if (sigints > 1) process.exit(130);
    progress.clear();
    log('interrupt: finishing this batch and saving a resumable checkpoint (Ctrl-C again to quit without saving)');
    controller.abort();
  };
  if (options.handleSigint) process.on('SIGINT', onSigint);

  const started = Date.now();
  try {
    let final: { model: tf.LayersModel; result: Awaited<ReturnType<typeof fit>>; phase: Phase } | undefined;
    for (const phase of phases) {
      if (phase.index < startPhase) continue;
      const resuming = resumePoint && phase.index === startPhase ? resumePoint : undefined;
      const model = buildModel(config.model, { inputShape: ds.inputShape, numClasses, seed: phase.seed });
      if (resuming) {
        await resuming.restoreWeights(model);
        log(`resuming ${phase.label.trim() || 'training'} at epoch ${resuming.state.epoch + 1}, batch ${resuming.state.step + 1}`);
      }
      const tb = new TensorBoardWriter(phase.tbDir);
      try {
        if (!resuming) await writeSampleImages(tb, ds, phase.train, config.output.sampleImages);
        const saveResume = (m: tf.LayersModel, state: TrainState) =>
          saveResumeCheckpoint(outDir, m, state, config, { phase: phase.index, folds: foldResults });
        const result = await fit({
          model,
          train: phase.train,
          validation: phase.validation,
          inputShape: ds.inputShape,
          numClasses,
          training: config.training,
          augmentation: config.augmentation,
          seed: phase.seed,
          resume: resuming?.state,
          signal,
          progress,
          label: phase.label,
          onStep: options.onStep ? (i) => options.onStep!({ phase: phase.id, ...i }) : undefined,
          onEpochEnd: async (record, state) => {
            logEpoch(tb, record, model, config.output.histograms);
            if (config.training.keepEpochCheckpoints) await saveEpochCheckpoint(phase.dir, model, record);
            await saveResume(model, state);
          },
        });
        if (result.interrupted) {
          const dir = await saveResume(model, result.state);
          log(`saved a resumable checkpoint in ${dir}; continue with --resume`);
          model.dispose();
          return {
            name: config.name,
            outDir,
            interrupted: true,
            history: result.history,
            finalEpoch: result.finalEpoch,
            stoppedEarly: false,
            tensorboard,
            exports: {},
            seconds: (Date.now() - started) / 1000,
            backend,
          };
        }
        if (phase.id === 'final') {
          final = { model, result, phase };
        } else {
          const v = evaluate(model, phase.validation!, ds.inputShape, numClasses, config.training.evalBatchSize);
          const t = evaluate(model, ds.test, ds.inputShape, numClasses, config.training.evalBatchSize);
          foldResults.push({
            fold: phase.index + 1,
            valLoss: v.loss,
            valAccuracy: v.acc,
            testLoss: t.loss,
            testAccuracy: t.acc,
            epochs: result.history.length,
            seconds: sumSeconds(result.history),
          });
          await saveLayersModel(model, path.join(phase.dir, 'model'));
          log(`${phase.label}done: validation accuracy ${v.acc.toFixed(4)}, test accuracy ${t.acc.toFixed(4)}`);
          model.dispose();
        }
      } finally {
        tb.close();
      }
    }

    const kfold = config.kfold
      ? {
          folds: foldResults,
          summary: summariseFolds(
            foldResults.map((f) => ({ valAccuracy: f.valAccuracy, valLoss: f.valLoss, testAccuracy: f.testAccuracy, testLoss: f.testLoss })),
          ),
        }
      : undefined;
    if (kfold) log(`k-fold (${kfold.folds.length} folds):\n${formatFoldSummary(kfold.summary, 4)}`);
    // Per-epoch times survive a resume in the history, so this is the training time without pauses.
    const trainSeconds = sumSeconds(final?.result.history ?? []) + foldResults.reduce((s, f) => s + f.seconds, 0);

    if (!final) {
      // k-fold without refit: the run's results are the folds'.
      const runJson = writeRunJson(outDir, {
        config, ds, backend, history: [], finalEpoch: 0, stoppedEarly: false, kfold, metrics: undefined, exports: {}, model: undefined,
      });
      return { name: config.name, outDir, interrupted: false, runJson, history: [], finalEpoch: 0, stoppedEarly: false, kfold, tensorboard, exports: {}, seconds: trainSeconds, backend };
    }

    const { model, result } = final;
    const modelDir = path.join(outDir, 'model');
    await saveLayersModel(model, modelDir);
    const exports = await runExporters({ model, modelDir, outDir, inputShape: ds.inputShape, classNames: ds.classNames, config }, log);

    const testEval = evaluate(model, ds.test, ds.inputShape, numClasses, config.training.evalBatchSize);
    const metrics = computeClassificationMetrics(ds.test.y, testEval.probs, ds.classNames);
    const validation = final.phase.validation
      ? (() => {
          const v = evaluate(model, final.phase.validation!, ds.inputShape, numClasses, config.training.evalBatchSize);
          return { loss: v.loss, accuracy: v.acc };
        })()
      : undefined;
    let report: ReportFiles | undefined;
    if (config.output.report) {
      report = await writeReport(outDir, {
        runName: config.name,
        config,
        history: result.history,
        metrics,
        misclassified: ds.kind === 'image' ? misclassified(ds, testEval.probs, 24) : undefined,
      });
    }
    const runJson = writeRunJson(outDir, {
      config, ds, backend, history: result.history, finalEpoch: result.finalEpoch, stoppedEarly: result.stoppedEarly, kfold,
      metrics: { test: { loss: testEval.loss, ...metrics }, validation, seconds: trainSeconds },
      exports, model,
    });
    model.dispose();
    const test = { loss: testEval.loss, accuracy: metrics.accuracy, macroF1: metrics.macro.f1 };
    log(
      `test accuracy ${test.accuracy.toFixed(4)} (loss ${test.loss.toFixed(4)}, macro F1 ${test.macroF1.toFixed(4)}) after ${result.history.length} epochs, ` +
        `${formatSeconds(trainSeconds)} of training`,
    );
    log(`saved ${modelDir}${report ? `, ${report.html}` : ''}, ${runJson}`);
    log(`TensorBoard: ${tensorboard.command}  then open ${tensorboard.url}`);
    return {
      name: config.name,
      outDir,
      interrupted: false,
      modelDir,
      runJson,
      history: result.history,
      finalEpoch: result.finalEpoch,
      stoppedEarly: result.stoppedEarly,
      test,
      validation,
      kfold,
      report,
      tensorboard,
      exports,
      seconds: trainSeconds,
      backend,
    };
  } finally {
    if (options.handleSigint) process.off('SIGINT', onSigint);
  }
}

/** One run per output folder: a second one would delete or interleave the first one's files. */
function lockOutDir(outDir: string): () => void {
  fs.mkdirSync(outDir, { recursive: true });
  const lock = path.join(outDir, '.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(lock, String(process.pid), { flag: 'wx' });
      return () => fs.rmSync(lock, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const pid = Number(fs.readFileSync(lock, 'utf8'));
      if (pid && pid !== process.pid && isAlive(pid)) {
        fail(`another training run (pid ${pid}) is writing to ${outDir}: wait for it, or pass another --out`);
      }
      fs.rmSync(lock, { force: true }); // left by a run that died
    }
  }
  fail(`cannot lock ${outDir}: remove ${lock} if no training run is using it`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function sumSeconds(history: EpochRecord[]): number {
  return history.reduce((s, r) => s + (r.seconds ?? 0), 0);
}

function checkDataset(ds: Dataset): void {
  const size = exampleSize(ds.inputShape);
  for (const [name, split] of [['train', ds.train], ['validation', ds.validation], ['test', ds.test]] as const) {
    if (!split) continue;
    if (split.x.length !== split.count * size || split.y.length !== split.count) {
      fail(`data set ${ds.name}: the ${name} split holds ${split.x.length} values for ${split.count} examples of shape [${ds.inputShape}] (loader bug or corrupt data)`);
    }
  }
  if (ds.test.count === 0) fail(`data set ${ds.name} has no test examples: raise testLimit/testCount`);
}

function planPhases(config: TrainConfig, ds: Dataset, outDir: string): Phase[] {
  const phases: Phase[] = [];
  if (config.kfold) {
    const k = config.kfold.folds;
    const labels = ds.train.y;
    const folds = config.kfold.stratified
      ? stratifiedKFold(labels, k, `kfold:${config.seed}`)
      : plainKFold(labels.length, k, config.seed);
    folds.forEach((f, i) => {
      phases.push({
        id: `fold-${i + 1}`,
        index: i,
        train: selectRows(ds.train, ds.inputShape, f.train),
        validation: selectRows(ds.train, ds.inputShape, f.validation),
        dir: path.join(outDir, 'folds', `fold-${i + 1}`),
        tbDir: path.join(outDir, 'tb', `fold-${i + 1}`),
        seed: config.seed + 7919 * (i + 1),
        label: `fold ${i + 1}/${k} `,
      });
    });
  }
  if (!config.kfold || config.kfold.refit) {
    phases.push({
      id: 'final',
      index: phases.length,
      train: ds.train,
      validation: ds.validation,
      dir: outDir,
      tbDir: config.kfold ? path.join(outDir, 'tb', 'final') : path.join(outDir, 'tb'),
      seed: config.seed,
      label: config.kfold ? 'final ' : '',
    });
  }
  return phases;
}

/** Unstratified k-fold: a seeded permutation cut into k nearly equal parts. */
function plainKFold(n: number, k: number, seed: number): Array<{ train: Int32Array; validation: Int32Array }> {
  if (k > n) fail(`k-fold with k=${k} needs at least ${k} examples, the data has ${n}: lower kfold.folds`);
  const folds = stratifiedKFold(new Int32Array(n), k, `kfold:${seed}`); // one class: a random, even split
  return folds;
}

function logEpoch(tb: TensorBoardWriter, r: EpochRecord, model: tf.LayersModel, histograms: boolean): void {
  tb.scalar('loss', r.loss, r.epoch);
  tb.scalar('acc', r.acc, r.epoch);
  if (r.valLoss !== undefined) tb.scalar('val_loss', r.valLoss, r.epoch);
  if (r.valAcc !== undefined) tb.scalar('val_acc', r.valAcc, r.epoch);
  if (r.lr !== undefined) tb.scalar('lr', r.lr, r.epoch);
  if (!histograms) return;
  for (const layer of model.layers) {
    for (const w of layer.weights) {
      // Tags like weights/conv1/kernel group each layer's tensors together in TensorBoard.
      const tag = `weights/${w.name.replace(/_\d+(?=\/|$)/g, '')}`;
      tb.histogram(tag, w.read().dataSync(), r.epoch);
    }
  }
}

/** The first `count` training images, each scaled to 0–255 by its own range. */
async function writeSampleImages(tb: TensorBoardWriter, ds: Dataset, split: Split, count: number): Promise<void> {
  if (ds.kind !== 'image' || count === 0 || ds.inputShape.length !== 3) return;
  const [h, w, c] = ds.inputShape;
  if (c !== 1 && c !== 3) return;
  for (let i = 0; i < Math.min(count, split.count); i++) {
    const pixels = toBytes(split.x.subarray(i * h * w * c, (i + 1) * h * w * c));
    const png = await encodePng(pixels, w, h, c);
    tb.image(`samples/${i}_${ds.classNames[split.y[i]]}`.replace(/\s+/g, '_'), png, w, h, c, 0);
  }
}

function toBytes(x: Float32Array): Uint8Array {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of x) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const scale = hi > lo ? 255 / (hi - lo) : 0;
  return Uint8Array.from(x, (v) => Math.round((v - lo) * scale));
}

/** The `limit` most confidently misclassified test images. */
function misclassified(ds: Dataset, probs: Float32Array, limit: number): MisclassifiedExample[] {
  const k = ds.classNames.length;
  const [h, w, c] = ds.inputShape;
  if (ds.inputShape.length !== 3 || (c !== 1 && c !== 3)) return [];
  const wrong: Array<{ i: number; pred: number; prob: number }> = [];
  for (let i = 0; i < ds.test.count; i++) {
    let pred = 0;
    for (let j = 1; j < k; j++) if (probs[i * k + j] > probs[i * k + pred]) pred = j;
    if (pred !== ds.test.y[i]) wrong.push({ i, pred, prob: probs[i * k + pred] });
  }
  wrong.sort((a, b) => b.prob - a.prob);
  const size = h * w * c;
  return wrong.slice(0, limit).map(({ i, pred, prob }) => ({
    pixels: toBytes(ds.test.x.subarray(i * size, (i + 1) * size)),
    width: w,
    height: h,
    channels: c,
    true: ds.test.y[i],
    pred,
    prob,
  }));
}

async function runExporters(ctx: ExportContext, log: (l: string) => void): Promise<Record<string, string | { error: string }>> {
  const out: Record<string, string | { error: string }> = {};
  for (const [name, exporter] of modelExporters) {
    try {
      out[name] = path.relative(ctx.outDir, await exporter(ctx));
    } catch (e) {
      const message = (e as Error).message.split('\n')[0];
      out[name] = { error: message };
      log(`warning: ${name} export failed (${message}); the TF.js model is saved`);
    }
  }
  return out;
}

/** sha256 over the training examples and labels exactly as trained on. */
export function dataHash(split: Split): string {
  const h = crypto.createHash('sha256');
  h.update(new Uint8Array(split.x.buffer, split.x.byteOffset, split.x.byteLength));
  h.update(new Uint8Array(split.y.buffer, split.y.byteOffset, split.y.byteLength));
  return `sha256:${h.digest('hex')}`;
}

export function glassboxVersion(): string {
  try {
    const here = path.dirname(fileURLToPath(import.meta.url));
    for (let dir = here; dir !== path.dirname(dir); dir = path.dirname(dir)) {
      const file = path.join(dir, 'package.json');
      if (fs.existsSync(file)) {
        const pkg = JSON.parse(fs.readFileSync(file, 'utf8'));
        if (pkg.name === 'glassbox') return pkg.version;
      }
    }
  } catch {
    // fall through
  }
  return 'unknown';
}

function writeRunJson(
  outDir: string,
  r: {
    config: TrainConfig;
    ds: Dataset;
    backend: string;
    history: EpochRecord[];
    finalEpoch: number;
    stoppedEarly: boolean;
    kfold?: RunSummary['kfold'];
    metrics?: { test: { loss: number } & ClassificationMetrics; validation?: { loss: number; accuracy: number }; seconds: number };
    exports: Record<string, string | { error: string }>;
    model?: tf.LayersModel;
  },
): string {
  const { config, ds, model } = r;
  const last = r.history.at(-1);
  const test = r.metrics?.test;
  const run = {
    format: 'glassbox-run/1',
    name: config.name,
    createdAt: new Date().toISOString(),
    seed: config.seed,
    dataHash: dataHash(ds.train),
    dataset: {
      name: ds.name,
      kind: ds.kind,
      provenance: ds.provenance,
      counts: { train: ds.train.count, validation: ds.validation?.count ?? 0, test: ds.test.count },
    },
    software: {
      node: process.version,
      tfjs: tf.version_core,
      backend: r.backend,
      glassbox: glassboxVersion(),
    },
    outputKind: 'logits' as const,
    inputShape: ds.inputShape,
    classNames: ds.classNames,
    ...(ds.featureNames ? { featureNames: ds.featureNames } : {}),
    normalisation: ds.normalisation,
    model: model
      ? {
          architecture: config.model.architecture,
          path: 'model/model.json',
          parameters: model.countParams(),
          layers: model.layers.map((l) => ({ name: l.name, className: l.getClassName(), outputShape: l.outputShape })),
        }
      : undefined,
    training: {
      epochs: r.history.length,
      finalEpoch: r.finalEpoch,
      stoppedEarly: r.stoppedEarly,
      seconds: r.metrics?.seconds ?? 0,
      history: r.history,
    },
    metrics: {
      ...(last ? { train: { loss: last.loss, accuracy: last.acc } } : {}),
      ...(r.metrics?.validation ? { validation: r.metrics.validation } : {}),
      ...(test
        ? {
            test: {
              loss: test.loss,
              accuracy: test.accuracy,
              macroF1: test.macro.f1,
              weightedF1: test.weighted.f1,
              macroAuc: test.macroAuc,
              count: test.count,
            },
          }
        : {}),
    },
    ...(r.kfold ? { kfold: r.kfold } : {}),
    exports: r.exports,
    files: {
      model: model ? 'model/model.json' : undefined,
      report: r.config.output.report && test ? 'report.html' : undefined,
      tensorboard: 'tb',
      checkpoints: CHECKPOINTS,
    },
    config,
  };
  const file = path.join(outDir, 'run.json');
  fs.writeFileSync(file, JSON.stringify(run, null, 2) + '\n');
  return file;
}
