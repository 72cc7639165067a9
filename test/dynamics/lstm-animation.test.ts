/**
 * The LSTM animation end to end on a tiny trained LSTM (MNIST-1D), and the picture's promise:
 * bright = gate open (forget gate: remembering), cells after the cursor not yet drawn.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initTf } from '../../src/runtime/tf.js';
import { loadLayersModel } from '../../src/io/tfjs-files.js';
import { train } from '../../src/train/run.js';
import { loadDataset } from '../../src/train/data/datasets.js';
import { animateLstm, renderGateFrame } from '../../src/dynamics/lstm-animation.js';
import { computeGates, layerInput, lstmWeights, type GateTrace } from '../../src/dynamics/lstm-gates.js';
import { gifInfo } from '../../src/dynamics/gif.js';
import { stepColour } from '../../src/dynamics/raster.js';

let dir: string;
const dataset = { name: 'mnist1d', options: { trainCount: 120, testCount: 20, validationFraction: 0 } };

beforeAll(async () => {
  await initTf();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gb-lstm-'));
  await train(
    { name: 'tiny-lstm', seed: 2, dataset, model: { architecture: 'lstm', units: 4, dense: [] }, training: { epochs: 2, batchSize: 60, learningRate: 0.01 }, output: { histograms: false, sampleImages: 0, report: false } },
    { outDir: path.join(dir, 'run'), quiet: true },
  );
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const luminance = ([r, g, b]: readonly number[]) => 0.2126 * r + 0.7152 * g + 0.0722 * b;

describe('LSTM gate animation', () => {
  it('draws open gates bright and closed ones dark, only up to the current step', () => {
    const steps = 10;
    const units = 2;
    // Unit 0 always remembers (f = 1), unit 1 always forgets (f = 0).
    const forget = Float32Array.from({ length: steps * units }, (_, k) => (k % units === 0 ? 1 : 0));
    const zeros = new Float32Array(steps * units);
    const trace: GateTrace = { steps, units, input: zeros, forget, cell: zeros, output: zeros, c: zeros, h: zeros };
    const seq = { x: Float32Array.from({ length: steps }, (_, t) => Math.sin(t)), steps, features: 1 };
    const upTo = 3;
    const img = renderGateFrame(trace, seq, ['forget'], upTo, 'test');
    const bright = stepColour('viridis', 1);
    const dark = stepColour('viridis', 0);
    expect(luminance(bright)).toBeGreaterThan(3 * luminance(dark));
    const count = (c: readonly number[]) => {
      let n = 0;
      for (let i = 0; i < img.rgb.length; i += 3) if (img.rgb[i] === c[0] && img.rgb[i + 1] === c[1] && img.rgb[i + 2] === c[2]) n++;
      return n;
    };
    // Same cell area for both units, and (upTo + 1) steps drawn of each: equal counts of bright
    // and dark pixels beyond the colour bar's single columns, scaling with the drawn steps.
    const brightNow = count(bright);
    const darkNow = count(dark);
    const later = renderGateFrame(trace, seq, ['forget'], 2 * upTo + 1, 'test');
    const countLater = (c: readonly number[]) => {
      let n = 0;
      for (let i = 0; i < later.rgb.length; i += 3) if (later.rgb[i] === c[0] && later.rgb[i + 1] === c[1] && later.rgb[i + 2] === c[2]) n++;
      return n;
    };
    const bar = 5; // the colour bar's first and last columns are these colours too (5 px tall)
    expect((countLater(bright) - bar) / (brightNow - bar)).toBeCloseTo(2, 6);
    expect((countLater(dark) - bar) / (darkNow - bar)).toBeCloseTo(2, 6);
    expect(brightNow).toBe(darkNow);
  });

  it('animates the final model over the steps with the gates computed from its weights', async () => {
    const runDir = path.join(dir, 'run');
    const r = await animateLstm(runDir, { index: 3, gates: ['forget', 'output'], outDir: path.join(dir, 'anim') });
    expect(r.steps).toBe(40);
    expect(r.frames).toHaveLength(40);
    const gif = fs.readFileSync(r.gif);
    expect(gifInfo(gif).frames).toBe(40);
    expect((await sharp(gif, { pages: -1 }).metadata()).pages).toBe(40);
    const json = JSON.parse(fs.readFileSync(r.json, 'utf8'));
    const model = await loadLayersModel(path.join(runDir, 'model'));
    const ds = await loadDataset(dataset.name, dataset.options);
    const seq = layerInput(model, 'lstm1', ds.test.x.slice(3 * 40, 4 * 40), ds.inputShape);
    const g = computeGates(lstmWeights(model.getLayer('lstm1')), seq.x, seq.steps);
    model.dispose();
    const trace = json.traces[0];
    expect(trace.epoch).toBe('final');
    for (let t = 0; t < 40; t++) for (let u = 0; u < 4; u++) expect(trace.forget[t][u]).toBeCloseTo(g.forget[t * 4 + u], 4);
    expect(r.means.output).toBeCloseTo(g.output.reduce((a, b) => a + b, 0) / g.output.length, 6);
    await expect(animateLstm(runDir, { index: 999 })).rejects.toThrow(/--index 999/);
  });
});
