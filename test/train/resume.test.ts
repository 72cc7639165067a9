/**
 * Resume after interruption at an epoch boundary (the mid-epoch case is in trainer.test.ts), through
 * the library (`fit` with a TrainState) and through `train` with Ctrl-C and `resume: true`; and
 * class weights in the loss the trainer reports, checked against a hand computation.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initTf } from '../../src/runtime/tf.js';
import { loadLayersModel } from '../../src/io/tfjs-files.js';
import { buildModel } from '../../src/train/architectures/index.js';
import { parseConfig } from '../../src/train/config.js';
import { train } from '../../src/train/run.js';
import { listEventFiles, readEvents } from '../../src/train/tensorboard/index.js';
import { fit, getWeights, predictLogits, setWeights, type TrainState } from '../../src/train/trainer.js';
import { blobs } from './synthetic.js';

beforeAll(async () => {
  await initTf();
});

function tmp(name: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `gb-resume-${name}-`));
}

async function weightsOf(dir: string): Promise<number[][]> {
  const m = await loadLayersModel(dir);
  const w = m.getWeights().map((t) => Array.from(t.dataSync()));
  m.dispose();
  return w;
}

// Batch norm, dropout, Adam and a schedule: every piece of state a resume has to carry over.
const cnnConfig = {
  name: 'resume-boundary',
  seed: 11,
  dataset: { name: 'blobs' },
  model: { architecture: 'cnn', convBlocks: [{ filters: 4, batchNorm: true, pool: 'max', dropout: 0.2 }], dense: [8], denseDropout: 0.3 },
  training: { epochs: 4, batchSize: 16, optimizer: 'adam', learningRate: 0.01, schedule: 'cosine' },
  output: { report: false, histograms: false },
};

describe('resume after an interruption at the end of an epoch', () => {
  it('fit: the state returned on abort continues in a fresh model to the uninterrupted run, epoch numbers and Adam steps included', async () => {
    const config = parseConfig(cnnConfig);
    const ds = blobs({ inputShape: [6, 6, 1], classes: 3, train: 64 });
    const stepsPerEpoch = 4;
    const common = { train: ds.train, validation: ds.validation, inputShape: ds.inputShape, numClasses: 3, training: config.training, seed: config.seed };
    const build = () => buildModel(config.model, { inputShape: ds.inputShape, numClasses: 3, seed: config.seed });

    const straightModel = build();
    const straight = await fit({ ...common, model: straightModel });
    expect(straight.history.map((r) => r.epoch)).toEqual([1, 2, 3, 4]);
    expect(straight.state.optimizer.step).toBe(4 * stepsPerEpoch);

    // Abort when epoch 2 ends: the trainer stops before the first batch of epoch 3.
    const first = build();
    const controller = new AbortController();
    const stopped = await fit({ ...common, model: first, signal: controller.signal, onEpochEnd: (r) => void (r.epoch === 2 && controller.abort()) });
    expect(stopped.interrupted).toBe(true);
    expect(stopped.history.map((r) => r.epoch)).toEqual([1, 2]);
    expect(stopped.state).toMatchObject({ epoch: 2, step: 0, globalStep: 2 * stepsPerEpoch });
    expect(stopped.state.optimizer.step).toBe(2 * stepsPerEpoch);
    // Adam's moments are not zero: they are part of what must carry over.
    expect(stopped.state.optimizer.slots.some((s) => s.values.some((v) => v !== 0))).toBe(true);

    // A new process: a fresh model given the saved weights, and a copy of the state.
    const saved: TrainState = structuredClone(stopped.state);
    const second = build();
    setWeights(second, getWeights(first));
    const resumed = await fit({ ...common, model: second, resume: saved });
    expect(resumed.interrupted).toBe(false);
    expect(resumed.history.map((r) => r.epoch)).toEqual([1, 2, 3, 4]);
    expect(resumed.history.map((r) => r.loss)).toEqual(straight.history.map((r) => r.loss));
    expect(resumed.history.map((r) => r.valAcc)).toEqual(straight.history.map((r) => r.valAcc));
    expect(resumed.state.globalStep).toBe(4 * stepsPerEpoch);
    expect(resumed.state.optimizer.step).toBe(4 * stepsPerEpoch);
    expect(getWeights(second)).toEqual(getWeights(straightModel));
    for (const m of [straightModel, first, second]) m.dispose();
  });

  it('train: Ctrl-C after epoch 2, then resume: true finishes with the uninterrupted run\'s epochs, weights, TensorBoard steps and run.json', async () => {
    const ds = blobs({ inputShape: [6, 6, 1], classes: 3, train: 64 });
    const straightDir = tmp('straight');
    const straight = await train(cnnConfig, { dataset: ds, outDir: straightDir, quiet: true });

    const out = tmp('sigint');
    const lines: string[] = [];
    // Ctrl-C arrives during the last batch of epoch 2 (4 batches per epoch).
    const stopped = await train(cnnConfig, {
      dataset: ds,
      outDir: out,
      log: (l) => lines.push(l),
      handleSigint: true,
      onStep: (i) => void (i.globalStep === 8 && process.emit('SIGINT')),
    });
    expect(process.listenerCount('SIGINT')).toBe(0);
    expect(stopped.interrupted).toBe(true);
    expect(stopped.history.map((r) => r.epoch)).toEqual([1, 2]);
    expect(lines.some((l) => /^interrupt: finishing this batch/.test(l))).toBe(true);
    expect(lines.some((l) => /continue with --resume/.test(l))).toBe(true);
    expect(fs.existsSync(path.join(out, 'run.json'))).toBe(false);
    const saved = JSON.parse(fs.readFileSync(path.join(out, 'checkpoints', 'resume', 'state.json'), 'utf8'));
    expect(saved.state).toMatchObject({ epoch: 2, step: 0, globalStep: 8 });
    expect(saved.state.optimizer.step).toBe(8);
    expect(await weightsOf(path.join(out, 'checkpoints', 'resume', 'model'))).toEqual(await weightsOf(path.join(out, 'checkpoints', 'epoch-002')));

    const resumedLines: string[] = [];
    const resumed = await train(cnnConfig, { dataset: ds, outDir: out, resume: true, log: (l) => resumedLines.push(l) });
    expect(resumedLines).toContain('resuming training at epoch 3, batch 1');
    expect(resumed.history.map((r) => r.epoch)).toEqual([1, 2, 3, 4]);
    expect(resumed.history.map((r) => r.loss)).toEqual(straight.history.map((r) => r.loss));
    expect(await weightsOf(path.join(out, 'model'))).toEqual(await weightsOf(path.join(straightDir, 'model')));
    expect(resumed.test!.accuracy).toBe(straight.test!.accuracy);
    for (let e = 1; e <= 4; e++) expect(fs.existsSync(path.join(out, 'checkpoints', `epoch-00${e}`, 'model.json'))).toBe(true);
    const run = JSON.parse(fs.readFileSync(path.join(out, 'run.json'), 'utf8'));
    expect(run.training.history.map((r: { epoch: number }) => r.epoch)).toEqual([1, 2, 3, 4]);
    expect(run.training.finalEpoch).toBe(4);

    // The logs of both sessions together hold each epoch's scalars once, in order.
    const files = listEventFiles(path.join(out, 'tb'));
    expect(files.length).toBeGreaterThanOrEqual(1);
    const loss = files
      .flatMap((f) => readEvents(f))
      .flatMap((e) => (e.summary ?? []).filter((v) => v.tag === 'loss').map((v) => [e.step, v.simpleValue] as const))
      .sort((a, b) => Number(a[0]) - Number(b[0]));
    expect(loss.map(([step]) => Number(step))).toEqual([1, 2, 3, 4]);
    loss.forEach(([, v], i) => expect(v).toBeCloseTo(straight.history[i].loss, 5));
  });

  it('a k-fold run interrupted in fold 2 resumes there and gives the uninterrupted per-fold results', async () => {
    const ds = blobs({ inputShape: [12], classes: 3, train: 60 });
    const config = {
      name: 'resume-kfold',
      seed: 5,
      dataset: { name: 'blobs' },
      model: { architecture: 'mlp', hidden: [8] },
      training: { epochs: 2, batchSize: 16, learningRate: 0.01 },
      kfold: { folds: 3 },
      output: { report: false, histograms: false },
    };
    const straight = await train(config, { dataset: ds, outDir: tmp('kfold-straight'), quiet: true });

    const out = tmp('kfold');
    const controller = new AbortController();
    const stopped = await train(config, {
      dataset: ds,
      outDir: out,
      quiet: true,
      signal: controller.signal,
      onStep: (i) => void (i.phase === 'fold-2' && i.epoch === 1 && i.step === 0 && controller.abort()),
    });
    expect(stopped.interrupted).toBe(true);
    const lines: string[] = [];
    const resumed = await train(config, { dataset: ds, outDir: out, quiet: true, resume: true, log: (l) => lines.push(l) });
    // Fold 1 is not trained again: its result comes from the checkpoint.
    expect(lines).toContain('resuming fold 2/3 at epoch 2, batch 2');
    expect(lines.filter((l) => /^fold 1\/3 done/.test(l))).toHaveLength(0);
    expect(resumed.kfold!.folds).toHaveLength(3);
    const strip = (f: { seconds: number }) => ({ ...f, seconds: 0 });
    expect(resumed.kfold!.folds.map(strip)).toEqual(straight.kfold!.folds.map(strip));
    expect(resumed.history.map((r) => r.loss)).toEqual(straight.history.map((r) => r.loss));
  });
});

describe('class weights in the trained loss', () => {
  /** −log softmax(row)[y] in float64. */
  const ce = (row: ArrayLike<number>, y: number) => {
    const values = Array.from(row);
    const m = Math.max(...values);
    return m + Math.log(values.reduce((s, v) => s + Math.exp(v - m), 0)) - values[y];
  };

  it('the first epoch\'s loss over one full batch is Σ w[y]·CE / N of the initial logits, for none, auto and a list', async () => {
    // Imbalanced labels (5 of class 0, 2 of class 1, 1 of class 2), so "auto" differs from "none".
    const ds = blobs({ inputShape: [5], classes: 3, train: 8, majority: 0.6, seed: 2 });
    const counts = [0, 1, 2].map((c) => ds.train.y.filter((y) => y === c).length);
    expect(counts.every((c) => c > 0)).toBe(true);
    const n = ds.train.count;
    const cases: Array<[unknown, number[]]> = [
      ['none', [1, 1, 1]],
      ['auto', counts.map((c) => n / (3 * c))],
      [[0.5, 2, 4], [0.5, 2, 4]],
    ];
    const losses: number[] = [];
    for (const [setting, w] of cases) {
      const config = parseConfig({
        name: 'cw',
        seed: 9,
        dataset: { name: 'blobs' },
        model: { architecture: 'mlp', hidden: [6] },
        training: { epochs: 1, batchSize: n, learningRate: 0.05, classWeights: setting },
      });
      const model = buildModel(config.model, { inputShape: ds.inputShape, numClasses: 3, seed: config.seed });
      // No dropout or batch norm: the training-mode logits of the one batch are the inference ones.
      const logits = predictLogits(model, ds.train, ds.inputShape);
      let expected = 0;
      for (let i = 0; i < n; i++) expected += w[ds.train.y[i]] * ce(logits.subarray(i * 3, i * 3 + 3), ds.train.y[i]);
      expected /= n;
      const r = await fit({ model, train: ds.train, inputShape: ds.inputShape, numClasses: 3, training: config.training, seed: config.seed });
      expect(r.history[0].loss).toBeCloseTo(expected, 5);
      losses.push(r.history[0].loss);
      model.dispose();
    }
    expect(Math.abs(losses[1] - losses[0])).toBeGreaterThan(1e-3);
    expect(Math.abs(losses[2] - losses[0])).toBeGreaterThan(1e-3);
  });
});
