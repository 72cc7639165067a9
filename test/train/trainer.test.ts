import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initTf, tf } from '../../src/runtime/tf.js';
import { loadLayersModel } from '../../src/io/tfjs-files.js';
import { train } from '../../src/train/run.js';
import { Progress } from '../../src/train/progress.js';
import { listEventFiles, readEvents } from '../../src/train/tensorboard/index.js';
import { blobs } from './synthetic.js';

beforeAll(async () => {
  await initTf();
});

function tmp(name: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `gb-train-${name}-`));
}

async function weightsOf(dir: string): Promise<number[][]> {
  const m = await loadLayersModel(dir);
  const w = m.getWeights().map((t) => Array.from(t.dataSync()));
  m.dispose();
  return w;
}

const mlp = (training: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) => ({
  name: 'tiny-mlp',
  seed: 7,
  dataset: { name: 'blobs' },
  model: { architecture: 'mlp', hidden: [16] },
  training: { epochs: 4, batchSize: 16, learningRate: 0.01, ...training },
  output: { report: false },
  ...extra,
});

describe('training a tiny model', () => {
  it('the loss falls and the model learns the task; checkpoints, run.json and TensorBoard logs are written', async () => {
    const ds = blobs({ inputShape: [12], classes: 3, train: 90 });
    const out = tmp('mlp');
    const s = await train(mlp(), { dataset: ds, outDir: out, quiet: true });
    expect(s.interrupted).toBe(false);
    expect(s.history).toHaveLength(4);
    expect(s.history[3].loss).toBeLessThan(s.history[0].loss * 0.5);
    expect(s.test!.accuracy).toBeGreaterThan(0.8);

    // One loadable checkpoint per epoch; the saved model is the last epoch's.
    for (let e = 1; e <= 4; e++) {
      const dir = path.join(out, 'checkpoints', `epoch-00${e}`);
      expect(fs.existsSync(path.join(dir, 'model.json'))).toBe(true);
      expect(JSON.parse(fs.readFileSync(path.join(dir, 'epoch.json'), 'utf8')).epoch).toBe(e);
    }
    const last = await weightsOf(path.join(out, 'checkpoints', 'epoch-004'));
    expect(await weightsOf(path.join(out, 'model'))).toEqual(last);
    expect(await weightsOf(path.join(out, 'checkpoints', 'epoch-003'))).not.toEqual(last);

    const run = JSON.parse(fs.readFileSync(path.join(out, 'run.json'), 'utf8'));
    expect(run.outputKind).toBe('logits');
    expect(run.inputShape).toEqual([12]);
    expect(run.classNames).toEqual(['class0', 'class1', 'class2']);
    expect(run.seed).toBe(7);
    expect(run.software.backend).toBe(tf.getBackend());
    expect(run.software.tfjs).toBe(tf.version_core);
    const h = crypto.createHash('sha256');
    h.update(Buffer.from(ds.train.x.buffer));
    h.update(Buffer.from(ds.train.y.buffer));
    expect(run.dataHash).toBe(`sha256:${h.digest('hex')}`);
    expect(run.metrics.test.accuracy).toBeCloseTo(s.test!.accuracy, 12);
    expect(run.training.history).toHaveLength(4);
    expect(run.config.training.epochs).toBe(4);

    const events = listEventFiles(path.join(out, 'tb')).flatMap((f) => readEvents(f));
    const scalars = (tag: string) => events.flatMap((e) => (e.summary ?? []).filter((v) => v.tag === tag).map((v) => [e.step, v.simpleValue]));
    expect(scalars('loss').map(([step]) => step)).toEqual([1, 2, 3, 4]);
    expect(scalars('val_acc')).toHaveLength(4);
    expect(scalars('lr')[0][1]).toBeCloseTo(0.01, 6);
    expect(scalars('loss')[3][1]).toBeCloseTo(s.history[3].loss, 5);
    const histos = events.flatMap((e) => (e.summary ?? []).filter((v) => v.histo).map((v) => v.tag));
    expect(histos).toContain('weights/dense1/kernel');
    expect(histos.filter((t) => t === 'weights/logits/bias')).toHaveLength(4);
  });

  it('resuming after an interruption mid-epoch gives exactly the weights of an uninterrupted run', async () => {
    const ds = blobs({ inputShape: [6, 6, 1], classes: 3, train: 100 });
    const config = {
      name: 'resume',
      seed: 3,
      dataset: { name: 'blobs' },
      model: { architecture: 'cnn', convBlocks: [{ filters: 4, batchNorm: true, pool: 'max', dropout: 0.2 }], dense: [8], denseDropout: 0.3 },
      training: { epochs: 3, batchSize: 16, optimizer: 'adamw', learningRate: 0.01, schedule: 'cosine' },
      augmentation: { rotationRange: 10, horizontalFlip: true },
      output: { report: false, histograms: false },
    };
    const straight = tmp('straight');
    const a = await train(config, { dataset: ds, outDir: straight, quiet: true });

    const resumed = tmp('resumed');
    const controller = new AbortController();
    // 7 batches per epoch: stop after the 10th, i.e. 3 batches into epoch 2.
    const stopped = await train(config, {
      dataset: ds,
      outDir: resumed,
      quiet: true,
      signal: controller.signal,
      onStep: (i) => i.globalStep === 10 && controller.abort(),
    });
    expect(stopped.interrupted).toBe(true);
    expect(stopped.history).toHaveLength(1);
    expect(fs.existsSync(path.join(resumed, 'model'))).toBe(false);
    const state = JSON.parse(fs.readFileSync(path.join(resumed, 'checkpoints', 'resume', 'state.json'), 'utf8'));
    expect(state.state).toMatchObject({ epoch: 1, step: 3, globalStep: 10 });
    expect(state.rng).toMatchObject({ seed: 3, epoch: 1, step: 3 });

    const b = await train(config, { dataset: ds, outDir: resumed, quiet: true, resume: true });
    expect(b.history.map((r) => r.loss)).toEqual(a.history.map((r) => r.loss));
    expect(await weightsOf(path.join(resumed, 'model'))).toEqual(await weightsOf(path.join(straight, 'model')));
    expect(b.test!.accuracy).toBe(a.test!.accuracy);
  });

  it('refuses to resume with a different config, and --epochs extends a finished run', async () => {
    const ds = blobs({ inputShape: [12], train: 48 });
    const out = tmp('extend');
    await train(mlp({ epochs: 2 }), { dataset: ds, outDir: out, quiet: true });
    await expect(train(mlp({ epochs: 2, learningRate: 0.02 }), { dataset: ds, outDir: out, quiet: true, resume: true })).rejects.toThrow(
      /made with a different config/,
    );
    const more = await train(mlp({ epochs: 2 }), { dataset: ds, outDir: out, quiet: true, resume: true, epochs: 3 });
    expect(more.history.map((r) => r.epoch)).toEqual([1, 2, 3]);
    expect(fs.existsSync(path.join(out, 'checkpoints', 'epoch-003'))).toBe(true);
  });

  it('early stopping stops after `patience` epochs without improvement and restores the best weights', async () => {
    const ds = blobs({ inputShape: [12], train: 48 });
    const out = tmp('early');
    // minDelta far above any possible change: only the first epoch counts as an improvement.
    const s = await train(mlp({ epochs: 10, earlyStopping: { patience: 2, minDelta: 100 } }), { dataset: ds, outDir: out, quiet: true });
    expect(s.history).toHaveLength(3);
    expect(s.stoppedEarly).toBe(true);
    expect(s.finalEpoch).toBe(1);
    expect(await weightsOf(path.join(out, 'model'))).toEqual(await weightsOf(path.join(out, 'checkpoints', 'epoch-001')));
  });

  it('class weights change what is learned: "auto" predicts the minority class more on imbalanced data', async () => {
    // Hard, imbalanced task: 90% class 0, heavy noise.
    const ds = blobs({ inputShape: [8], classes: 2, train: 200, test: 200, noise: 2.5, majority: 0.9, seed: 4 });
    const run = (classWeights: unknown) => train(mlp({ epochs: 3, classWeights }), { dataset: ds, outDir: tmp('cw'), quiet: true });
    const none = await run('none');
    const auto = await run('auto');
    // Same data, same seed, same first batch: only the weights differ, so the losses must too.
    expect(auto.history[0].loss).not.toBe(none.history[0].loss);
    // The weighted run predicts the minority class far more often on the (balanced) test set.
    const predictedOnes = async (dir: string) => {
      const m = await loadLayersModel(path.join(dir, 'model'));
      const p = tf.tidy(() => (m.predict(tf.tensor(ds.test.x, [ds.test.count, 8])) as tf.Tensor).argMax(-1).sum().dataSync()[0]);
      m.dispose();
      return p;
    };
    expect(await predictedOnes(auto.outDir)).toBeGreaterThan((await predictedOnes(none.outDir)) + 10);
  });

  it('stratified k-fold reports per-fold and mean ± std results, then refits', async () => {
    const ds = blobs({ inputShape: [12], classes: 3, train: 60 });
    const out = tmp('kfold');
    const s = await train(mlp({ epochs: 2 }, { kfold: { folds: 3 } }), { dataset: ds, outDir: out, quiet: true });
    expect(s.kfold!.folds.map((f) => f.fold)).toEqual([1, 2, 3]);
    const acc = s.kfold!.folds.map((f) => f.valAccuracy);
    const mean = acc.reduce((a, b) => a + b, 0) / 3;
    expect(s.kfold!.summary.valAccuracy.mean).toBeCloseTo(mean, 12);
    expect(s.kfold!.summary.valAccuracy.std).toBeCloseTo(Math.sqrt(acc.reduce((a, v) => a + (v - mean) ** 2, 0) / 2), 12);
    for (let f = 1; f <= 3; f++) expect(fs.existsSync(path.join(out, 'folds', `fold-${f}`, 'model', 'model.json'))).toBe(true);
    expect(fs.existsSync(path.join(out, 'model', 'model.json'))).toBe(true);
    expect(listEventFiles(path.join(out, 'tb', 'fold-2')).length).toBe(1);
    const run = JSON.parse(fs.readFileSync(path.join(out, 'run.json'), 'utf8'));
    expect(run.kfold.folds).toHaveLength(3);
  });

  it('rejects augmentation on non-image data and early stopping without validation, naming the field', async () => {
    const signal = blobs({ inputShape: [10, 1] });
    await expect(
      train(mlp({}, { augmentation: { rotationRange: 5 } }), { dataset: signal, outDir: tmp('bad'), quiet: true }),
    ).rejects.toThrow(/config\.augmentation works on images/);
    const noVal = blobs({ inputShape: [12], validation: 0 });
    await expect(
      train(mlp({ earlyStopping: { patience: 2 } }), { dataset: noVal, outDir: tmp('bad'), quiet: true }),
    ).rejects.toThrow(/earlyStopping\.monitor "val_loss" needs a validation split/);
  });
});

describe('progress output', () => {
  class Sink {
    text = '';
    isTTY: boolean;
    columns = 120;
    constructor(tty: boolean) {
      this.isTTY = tty;
    }
    write(s: string) {
      this.text += s;
      return true;
    }
  }

  it('draws a live bar with loss, accuracy and ETA on a terminal, and only epoch lines otherwise', () => {
    let t = 0;
    for (const tty of [true, false]) {
      const sink = new Sink(tty);
      const p = new Progress({ stream: sink as unknown as NodeJS.WriteStream, now: () => t, intervalMs: 0 });
      p.startEpoch('epoch 1/2', 10);
      for (let i = 1; i <= 10; i++) {
        t += 500;
        p.update(i, { loss: 1 / i, acc: i / 10 });
      }
      p.log('epoch 1/2  loss 0.1000');
      if (tty) {
        expect(sink.text).toContain('\r\x1b[K');
        expect(sink.text).toMatch(/epoch 1\/2 \[=+> *\] 5\/10 loss 0\.2000 acc 0\.5000 2\.5s ETA 2\.5s/);
      } else {
        expect(sink.text).toBe('epoch 1/2  loss 0.1000\n');
      }
    }
  });
});
