/**
 * The training loop: mini-batch gradient steps with the configured optimiser, learning-rate
 * schedule, class weights and on-the-fly augmentation; validation each epoch; early stopping;
 * and a resumable state at every batch boundary.
 *
 * Reproducibility: every random choice comes from a generator derived from (seed, epoch, step)
 * rather than from one stream that runs through the whole run, so a run interrupted at any batch
 * and resumed draws exactly what an uninterrupted run draws: the epoch's shuffle from
 * (seed, epoch), dropout masks and augmentation from (seed, epoch, step).
 */
import { tf } from '../runtime/tf.js';
import { fail } from '../core/errors.js';
import { createRng } from '../core/random.js';
import type { Split } from './data/dataset.js';
import { exampleSize } from './data/dataset.js';
import { createAugmenter } from './augment.js';
import type { AugmentationConfig, TrainConfig } from './config.js';
import { resolveClassWeights, weightedCrossEntropy } from './loss.js';
import { createOptimizer, type OptimizerState } from './optimizers.js';
import { Progress } from './progress.js';
import { learningRateAt } from './schedule.js';
import type { EpochRecord } from './report/index.js';

export type { EpochRecord };
export type TrainingConfig = TrainConfig['training'];

/** Everything needed to continue a run exactly where it stopped (weights live in the model). */
export interface TrainState {
  /** 0-based epoch in progress (equal to the epoch count when training finished). */
  epoch: number;
  /** Batches of that epoch already done. */
  step: number;
  /** Gradient steps since the start of the run. */
  globalStep: number;
  history: EpochRecord[];
  /** Sums over the batches of the epoch in progress. */
  running: { lossSum: number; correct: number; seen: number; seconds: number };
  optimizer: OptimizerState;
  early: { best: number | null; bestEpoch: number; wait: number; stopped: boolean };
  /** Weights of the best epoch so far, when early stopping restores them. */
  bestWeights?: Float32Array[];
  /** The seed every generator is derived from (with the epoch and step). */
  seed: number;
}

export interface FitOptions {
  model: tf.LayersModel;
  train: Split;
  validation?: Split;
  inputShape: number[];
  numClasses: number;
  training: TrainingConfig;
  augmentation?: AugmentationConfig | null;
  seed: number;
  /** Continue from this state; the model must already hold the matching weights. */
  resume?: TrainState;
  /** Aborting stops at the next batch boundary and returns the state (Ctrl-C). */
  signal?: AbortSignal;
  progress?: Progress;
  /** Prefix of the progress lines, e.g. "fold 2/5 ". */
  label?: string;
  /** After every epoch (checkpoints, TensorBoard); `state` is ready to resume from the next epoch. */
  onEpochEnd?: (record: EpochRecord, state: TrainState) => Promise<void> | void;
  /** After every batch; tests use it to interrupt at an exact step. */
  onStep?: (info: { epoch: number; step: number; globalStep: number }) => void;
}

export interface FitResult {
  history: EpochRecord[];
  /** True when the signal stopped training; `state` then resumes it. */
  interrupted: boolean;
  state: TrainState;
  stoppedEarly: boolean;
  /** 1-based epoch whose weights the model holds at the end. */
  finalEpoch: number;
  seconds: number;
}

export async function fit(o: FitOptions): Promise<FitResult> {
  const { model, train, training: cfg, numClasses } = o;
  const size = exampleSize(o.inputShape);
  if (train.count === 0) fail('the training split is empty: raise the data set limits');
  const monitor = cfg.earlyStopping?.monitor;
  if (monitor && !o.validation) {
    fail(`config.training.earlyStopping.monitor "${monitor}" needs a validation split: set dataset.options.validationFraction above 0`);
  }
  if (o.augmentation && o.inputShape.length !== 3) {
    fail(`config.augmentation works on images [H, W, C], this data set's examples are [${o.inputShape.join(', ')}]: set it to null`);
  }

  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const optimizer = createOptimizer(cfg.optimizer, variables);
  const weights = resolveClassWeights(cfg.classWeights, train.y, numClasses);
  const classWeights = weights ? tf.keep(tf.tensor1d(weights)) : undefined;
  const dropoutLayers = model.layers.filter((l) => /Dropout/.test(l.getClassName()));
  const stepsPerEpoch = Math.ceil(train.count / cfg.batchSize);
  const progress = o.progress ?? new Progress({ quiet: true });
  const label = o.label ?? '';

  const state: TrainState = o.resume
    ? structuredClone({ ...o.resume, bestWeights: undefined })
    : {
        epoch: 0,
        step: 0,
        globalStep: 0,
        history: [],
        running: { lossSum: 0, correct: 0, seen: 0, seconds: 0 },
        optimizer: optimizer.getState(),
        early: { best: null, bestEpoch: 0, wait: 0, stopped: false },
        seed: o.seed,
      };
  if (o.resume) {
    if (o.resume.seed !== o.seed) fail(`the checkpoint was made with seed ${o.resume.seed}, the config says ${o.seed}: resume with the original config`);
    optimizer.setState(o.resume.optimizer);
    state.bestWeights = o.resume.bestWeights;
  }

  const started = Date.now();
  let interrupted = false;
  const xb = new Float32Array(cfg.batchSize * size);
  const yb = new Int32Array(cfg.batchSize);

  try {
    while (state.epoch < cfg.epochs && !state.early.stopped) {
      const epoch = state.epoch;
      const lr = learningRateAt(cfg.schedule, cfg.learningRate, epoch, cfg.epochs);
      const order = createRng(`shuffle:${o.seed}:${epoch}`).permutation(train.count);
      const epochStart = Date.now();
      const secondsBefore = state.running.seconds;
      const stepAtStart = state.step;
      progress.startEpoch(`${label}epoch ${epoch + 1}/${cfg.epochs}`, stepsPerEpoch);

      for (let step = state.step; step < stepsPerEpoch; step++) {
        if (o.signal?.aborted) {
          interrupted = true;
          break;
        }
        const from = step * cfg.batchSize;
        const n = Math.min(cfg.batchSize, train.count - from);
        for (let r = 0; r < n; r++) {
          const i = order[from + r];
          xb.set(train.x.subarray(i * size, (i + 1) * size), r * size);
          yb[r] = train.y[i];
        }
        const stepRng = createRng(`step:${o.seed}:${epoch}:${step}`);
        for (const layer of dropoutLayers) (layer as unknown as { seed: number }).seed = stepRng.uint32();
        let batch: Float32Array = xb.subarray(0, n * size);
        if (o.augmentation) {
          batch = createAugmenter(o.augmentation, `augment:${o.seed}:${epoch}:${step}`).augmentBatch(batch, n, o.inputShape);
        }

        const [lossValue, correct] = trainStep(model, variables, optimizer, batch, yb.subarray(0, n), o.inputShape, numClasses, classWeights, lr);
        state.running.lossSum += lossValue * n;
        state.running.correct += correct;
        state.running.seen += n;
        state.step = step + 1;
        state.globalStep++;
        state.running.seconds = secondsBefore + (Date.now() - epochStart) / 1000;
        progress.update(step + 1, { loss: state.running.lossSum / state.running.seen, acc: state.running.correct / state.running.seen }, stepAtStart);
        o.onStep?.({ epoch, step, globalStep: state.globalStep });
        // The steps are synchronous on cpu/wasm: give the event loop a turn so Ctrl-C is seen.
        await new Promise((resolve) => setImmediate(resolve));
      }
      if (interrupted) break;

      const record: EpochRecord = {
        epoch: epoch + 1,
        loss: state.running.lossSum / state.running.seen,
        acc: state.running.correct / state.running.seen,
        lr,
        seconds: state.running.seconds,
      };
      if (o.validation) {
        const v = evaluate(model, o.validation, o.inputShape, numClasses, cfg.evalBatchSize);
        record.valLoss = v.loss;
        record.valAcc = v.acc;
      }
      state.history.push(record);
      if (!Number.isFinite(record.loss)) {
        fail(`training diverged at epoch ${epoch + 1} (loss ${record.loss}): lower config.training.learningRate`);
      }
      updateEarlyStopping(state, record, cfg, model);
      progress.log(epochLine(record, cfg.epochs, label) + (state.early.stopped ? `  (early stop: no ${monitor} improvement for ${cfg.earlyStopping!.patience} epochs)` : ''));

      state.epoch = epoch + 1;
      state.step = 0;
      state.running = { lossSum: 0, correct: 0, seen: 0, seconds: 0 };
      state.optimizer = optimizer.getState();
      await o.onEpochEnd?.(record, state);
    }
    if (interrupted) {
      progress.clear();
      state.optimizer = optimizer.getState();
    }

    let finalEpoch = state.history.length;
    if (!interrupted && cfg.earlyStopping?.restoreBest && state.bestWeights && state.early.bestEpoch !== finalEpoch) {
      setWeights(model, state.bestWeights);
      finalEpoch = state.early.bestEpoch;
      progress.log(`restored the weights of epoch ${finalEpoch} (best ${monitor})`);
    }
    return {
      history: state.history,
      interrupted,
      state,
      stoppedEarly: state.early.stopped,
      finalEpoch,
      seconds: (Date.now() - started) / 1000,
    };
  } finally {
    optimizer.dispose();
    classWeights?.dispose();
  }
}

/** One gradient step; returns the batch's mean (weighted) loss and its number of correct predictions. */
function trainStep(
  model: tf.LayersModel,
  variables: tf.Variable[],
  optimizer: ReturnType<typeof createOptimizer>,
  x: Float32Array,
  y: Int32Array,
  inputShape: number[],
  numClasses: number,
  classWeights: tf.Tensor1D | undefined,
  lr: number,
): [number, number] {
  let correctT: tf.Tensor | undefined;
  const { value, grads } = tf.tidy(() => {
    const xt = tf.tensor(x, [y.length, ...inputShape]);
    const labels = tf.tensor1d(y, 'int32');
    const oneHot = tf.cast(tf.oneHot(labels, numClasses), 'float32') as tf.Tensor2D;
    return tf.variableGrads(() => {
      const logits = model.apply(xt, { training: true }) as tf.Tensor2D;
      correctT = tf.keep(tf.sum(tf.cast(tf.equal(tf.argMax(logits, -1), labels), 'float32')));
      return weightedCrossEntropy(logits, oneHot, classWeights);
    }, variables);
  });
  optimizer.apply(variables.map((v) => grads[v.name]), lr);
  const lossValue = value.dataSync()[0];
  const correct = correctT!.dataSync()[0];
  tf.dispose([value, correctT!, ...Object.values(grads)]);
  return [lossValue, correct];
}

/** Logits for every example of `split`, row-major [count, classes]. */
export function predictLogits(model: tf.LayersModel, split: Split, inputShape: number[], batchSize = 256): Float32Array {
  const size = exampleSize(inputShape);
  let out: Float32Array | undefined;
  for (let from = 0; from < split.count; from += batchSize) {
    const n = Math.min(batchSize, split.count - from);
    const logits = tf.tidy(() => {
      const xt = tf.tensor(split.x.subarray(from * size, (from + n) * size), [n, ...inputShape]);
      return model.predict(xt) as tf.Tensor;
    });
    const values = logits.dataSync() as Float32Array;
    const k = logits.shape[1] as number;
    logits.dispose();
    out ??= new Float32Array(split.count * k);
    out.set(values, from * k);
  }
  return out ?? new Float32Array(0);
}

/** Row-wise softmax of [count, k] logits. */
export function softmaxRows(logits: Float32Array, k: number): Float32Array {
  const out = new Float32Array(logits.length);
  for (let r = 0; r < logits.length / k; r++) {
    let max = -Infinity;
    for (let j = 0; j < k; j++) max = Math.max(max, logits[r * k + j]);
    let sum = 0;
    for (let j = 0; j < k; j++) sum += out[r * k + j] = Math.exp(logits[r * k + j] - max);
    for (let j = 0; j < k; j++) out[r * k + j] /= sum;
  }
  return out;
}

export interface Evaluation {
  /** Mean unweighted cross-entropy. */
  loss: number;
  acc: number;
  /** Softmax probabilities [count, k]. */
  probs: Float32Array;
}

export function evaluate(model: tf.LayersModel, split: Split, inputShape: number[], numClasses: number, batchSize = 256): Evaluation {
  const logits = predictLogits(model, split, inputShape, batchSize);
  const probs = softmaxRows(logits, numClasses);
  let loss = 0;
  let correct = 0;
  for (let i = 0; i < split.count; i++) {
    const row = probs.subarray(i * numClasses, (i + 1) * numClasses);
    loss -= Math.log(Math.max(row[split.y[i]], 1e-12));
    let arg = 0;
    for (let j = 1; j < numClasses; j++) if (row[j] > row[arg]) arg = j;
    if (arg === split.y[i]) correct++;
  }
  return { loss: loss / Math.max(split.count, 1), acc: correct / Math.max(split.count, 1), probs };
}

function updateEarlyStopping(state: TrainState, record: EpochRecord, cfg: TrainingConfig, model: tf.LayersModel): void {
  const es = cfg.earlyStopping;
  if (!es) return;
  const value = es.monitor === 'val_loss' ? record.valLoss! : record.valAcc!;
  const better =
    state.early.best === null ||
    (es.monitor === 'val_loss' ? value < state.early.best - es.minDelta : value > state.early.best + es.minDelta);
  if (better) {
    state.early.best = value;
    state.early.bestEpoch = record.epoch;
    state.early.wait = 0;
    if (es.restoreBest) state.bestWeights = getWeights(model);
  } else {
    state.early.wait++;
    if (state.early.wait >= es.patience) state.early.stopped = true;
  }
}

/** Copies of every weight (trainable and not, e.g. batch-norm statistics), in model order. */
export function getWeights(model: tf.LayersModel): Float32Array[] {
  return model.getWeights().map((w) => w.dataSync().slice() as Float32Array);
}

export function setWeights(model: tf.LayersModel, values: Float32Array[]): void {
  const current = model.getWeights();
  if (values.length !== current.length) fail(`checkpoint has ${values.length} weight tensors, the model has ${current.length}: it belongs to another model`);
  const tensors = values.map((v, i) => tf.tensor(v, current[i].shape));
  model.setWeights(tensors);
  tf.dispose(tensors);
}

function epochLine(r: EpochRecord, epochs: number, label: string): string {
  const parts = [`${label}epoch ${String(r.epoch).padStart(String(epochs).length)}/${epochs}`, `loss ${r.loss.toFixed(4)}`, `acc ${r.acc.toFixed(4)}`];
  if (r.valLoss !== undefined) parts.push(`val_loss ${r.valLoss.toFixed(4)}`, `val_acc ${r.valAcc!.toFixed(4)}`);
  parts.push(`lr ${r.lr!.toPrecision(3)}`, `${r.seconds!.toFixed(1)}s`);
  return parts.join('  ');
}
