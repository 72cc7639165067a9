/**
 * End to end on a tiny real run (an MLP on a small MNIST-1D, trained by `train`): the dynamics
 * tools must read the same weights TF.js loads, rebuild the true initial weights, count dead
 * units and class means as a hand-written forward pass does, and write what the CLI promises.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initTf, tf } from '../../src/runtime/tf.js';
import { loadLayersModel } from '../../src/io/tfjs-files.js';
import { train } from '../../src/train/run.js';
import { checkpointDir, initialModel, modelWeights, openRun, readCheckpointWeights } from '../../src/dynamics/checkpoints.js';
import { balancedProbe, loadRunDataset, type ProbeSet } from '../../src/dynamics/probe.js';
import { computeSignals } from '../../src/dynamics/signals.js';
import { runDynamics } from '../../src/dynamics/report.js';
import { animateMlp } from '../../src/dynamics/mlp-activations.js';
import { gifInfo } from '../../src/dynamics/gif.js';
import { register } from '../../src/cli/dynamics.js';

const EPOCHS = 5;
let dir: string;
let probe: ProbeSet;

const config = (name: string, lr: number, epochs: number) => ({
  name,
  seed: 3,
  dataset: { name: 'mnist1d', options: { trainCount: 300, testCount: 60, validationFraction: 0.3 } },
  model: { architecture: 'mlp', hidden: [16, 8] },
  training: { epochs, batchSize: 32, learningRate: lr },
  output: { histograms: false, sampleImages: 0, report: false },
});

beforeAll(async () => {
  await initTf();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gb-dynamics-'));
  await train(config('tiny', 0.01, EPOCHS), { outDir: path.join(dir, 'run'), quiet: true });
  const run = openRun(path.join(dir, 'run'));
  probe = balancedProbe(await loadRunDataset(run), 'train', 6, 1);
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Hidden ReLU activations of an mlp computed by hand from its weights: [dense1, dense2], each examples × units. */
function handForward(weights: Float32Array[], shapes: number[][], x: Float32Array, n: number): Float32Array[] {
  const out: Float32Array[] = [];
  let input = x;
  let width = shapes[0][0];
  for (let layer = 0; layer < 2; layer++) {
    const [inDim, units] = shapes[2 * layer];
    expect(inDim).toBe(width);
    const k = weights[2 * layer];
    const b = weights[2 * layer + 1];
    const a = new Float32Array(n * units);
    for (let e = 0; e < n; e++) {
      for (let j = 0; j < units; j++) {
        let s = b[j];
        for (let i = 0; i < inDim; i++) s += input[e * inDim + i] * k[i * units + j];
        a[e * units + j] = Math.max(0, s);
      }
    }
    out.push(a);
    input = a;
    width = units;
  }
  return out;
}

describe('dynamics on a real run', () => {
  it('reads each checkpoint\'s weights exactly as TF.js loads them', async () => {
    const run = openRun(path.join(dir, 'run'));
    expect(run.epochs).toEqual([1, 2, 3, 4, 5]);
    expect(run.history.map((h) => h.epoch)).toEqual([1, 2, 3, 4, 5]);
    const mine = readCheckpointWeights(run, 3);
    const model = await loadLayersModel(checkpointDir(run, 3));
    const theirs = model.getWeights();
    expect(mine.map((w) => w.name)).toEqual(['dense1/kernel', 'dense1/bias', 'dense2/kernel', 'dense2/bias', 'logits/kernel', 'logits/bias']);
    mine.forEach((w, i) => expect(Array.from(w.values)).toEqual(Array.from(theirs[i].dataSync())));
    model.dispose();
  });

  it('rebuilds the weights training started from (one epoch at a negligible rate barely moves them)', async () => {
    const out = path.join(dir, 'still');
    await train(config('still', 1e-9, 1), { outDir: out, quiet: true });
    const run = openRun(out);
    const w1 = readCheckpointWeights(run, 1);
    const init = initialModel(run, w1)!;
    expect(init).toBeDefined();
    const w0 = modelWeights(init);
    init.dispose();
    let diff = 0;
    let norm = 0;
    w0.forEach((w, i) => w.values.forEach((v, j) => ((diff += (v - w1[i].values[j]) ** 2), (norm += v * v))));
    expect(Math.sqrt(diff / norm)).toBeLessThan(1e-4);
  });

  it('counts dead units and norms as a hand-written forward pass does', async () => {
    const run = openRun(path.join(dir, 'run'));
    const s = await computeSignals(run, { probe });
    expect(s.epochs).toEqual([0, 1, 2, 3, 4, 5]);
    expect(s.dead.map((d) => d.layer)).toEqual(['dense1', 'dense2']);
    for (const epoch of [1, 5]) {
      const ws = readCheckpointWeights(run, epoch);
      const acts = handForward(ws.map((w) => w.values), ws.map((w) => w.shape), probe.x, probe.count);
      acts.forEach((a, li) => {
        const units = a.length / probe.count;
        let dead = 0;
        for (let j = 0; j < units; j++) {
          let alive = false;
          for (let e = 0; e < probe.count; e++) if (a[e * units + j] > 0) alive = true;
          if (!alive) dead++;
        }
        expect(s.dead[li].share[s.epochs.indexOf(epoch)]).toBeCloseTo(dead / units, 9);
      });
      const norm = Math.sqrt(ws.reduce((t, w) => t + w.values.reduce((u, v) => u + v * v, 0), 0));
      expect(s.layers.at(-1)!.norm[s.epochs.indexOf(epoch)]).toBeCloseTo(norm, 3);
    }
  });

  it('writes the charts, the JSON and the summary; the CLI prints the verdict', async () => {
    const out = path.join(dir, 'dyn');
    const r = await runDynamics(path.join(dir, 'run'), { outDir: out, probe });
    for (const name of ['relative-change', 'update-cosine', 'weight-norm', 'norm-growth', 'growth-share', 'direction-step', 'dead-units', 'loss-curves']) {
      expect(fs.readFileSync(path.join(out, `${name}.svg`), 'utf8')).toMatch(/^<svg[\s\S]*<\/svg>$/);
      const meta = await sharp(path.join(out, `${name}.png`)).metadata();
      expect(meta.format).toBe('png');
    }
    const json = JSON.parse(fs.readFileSync(path.join(out, 'dynamics.json'), 'utf8'));
    expect(json.signals.epochs).toEqual([0, 1, 2, 3, 4, 5]);
    expect(json.validation.minEpoch).toBe(r.validation!.minEpoch);
    const lines: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string) => (lines.push(String(chunk)), true)) as typeof process.stdout.write;
    try {
      const program = new Command('glassbox').exitOverride();
      register(program);
      await program.parseAsync(['node', 'glassbox', 'dynamics', '--run', path.join(dir, 'run'), '--out', path.join(dir, 'cli'), '--json', '--probe', '3']);
    } finally {
      process.stdout.write = write;
    }
    const printed = JSON.parse(lines.join(''));
    expect(printed).toHaveProperty('detectedEpoch');
    expect(printed.validation.minEpoch).toBe(r.validation!.minEpoch);
    await expect(runDynamics(path.join(dir, 'nowhere'))).rejects.toThrow(/run folder not found/);
  });

  it('animates class means equal to a hand computation, one GIF frame per epoch', async () => {
    const out = path.join(dir, 'anim');
    const r = await animateMlp(path.join(dir, 'run'), { outDir: out, probe });
    expect(r.frames).toHaveLength(EPOCHS + 1);
    const gif = fs.readFileSync(r.gif);
    const info = gifInfo(gif);
    expect(info.frames).toBe(EPOCHS + 1);
    // An independent decoder (libvips through sharp) sees the same frames as the PNGs.
    const decoded = await sharp(gif, { pages: -1 }).raw().toBuffer({ resolveWithObject: true });
    expect(decoded.info.pageHeight ?? decoded.info.height / (EPOCHS + 1)).toBe(info.height);
    const png = await sharp(r.frames[EPOCHS]).raw().toBuffer({ resolveWithObject: true });
    const ch = decoded.info.channels;
    const frameBytes = info.width * info.height;
    let same = 0;
    for (let p = 0; p < frameBytes; p++) {
      const g = (EPOCHS * frameBytes + p) * ch;
      const q = p * png.info.channels;
      if (decoded.data[g] === png.data[q] && decoded.data[g + 1] === png.data[q + 1] && decoded.data[g + 2] === png.data[q + 2]) same++;
    }
    expect(same).toBe(frameBytes);

    const json = JSON.parse(fs.readFileSync(r.json, 'utf8'));
    const run = openRun(path.join(dir, 'run'));
    const ws = readCheckpointWeights(run, EPOCHS);
    const acts = handForward(ws.map((w) => w.values), ws.map((w) => w.shape), probe.x, probe.count);
    json.layers.forEach((layer: { units: number; frames: Array<{ epoch: number; means: number[][]; dead: number[] }> }, li: number) => {
      const last = layer.frames.at(-1)!;
      expect(last.epoch).toBe(EPOCHS);
      for (let c = 0; c < probe.classNames.length; c++) {
        for (let j = 0; j < layer.units; j++) {
          let sum = 0;
          let n = 0;
          for (let e = 0; e < probe.count; e++) {
            if (probe.y[e] !== c) continue;
            sum += acts[li][e * layer.units + j];
            n++;
          }
          expect(last.means[c][j]).toBeCloseTo(sum / n, 3);
        }
      }
      expect(r.summary[li].deadAtEnd).toBe(last.dead.length);
    });
    expect(tf.memory().numTensors).toBeLessThan(200);
  });
});
