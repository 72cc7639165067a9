/**
 * LSTM gate animation: the gates of one LSTM layer, recomputed from its weights (lstm-gates.ts)
 * over the time steps of one chosen example, drawn as units × time heatmaps on a fixed 0–1 scale
 * (bright = gate open: for the forget gate, remembering; dark = forgetting).
 *   --over time    (default) one frame per time step of the final model: the maps fill up step
 *                  by step under a cursor that also moves along the input drawn above them;
 *   --over epochs  one frame per checkpoint: the full maps, showing how the gates were learnt.
 * Writes an animated GIF, one PNG per frame and a JSON file with the gate values.
 */
import fs from 'node:fs';
import path from 'node:path';
import { initTf, tf } from '../runtime/tf.js';
import { fail } from '../core/errors.js';
import { loadLayersModel } from '../io/tfjs-files.js';
import { registerGlassboxLayers } from '../train/architectures/index.js';
import { loadCheckpoint, openRun } from './checkpoints.js';
import { encodeGif } from './gif.js';
import { computeGates, layerInput, lstmLayers, lstmWeights, type GateName, type GateTrace } from './lstm-gates.js';
import { loadRunDataset } from './probe.js';
import { BLACK, createImage, drawColourBar, drawHeatmap, drawPolyline, drawText, fillRect, LIGHT_GREY, RED, writePng, type RgbImage } from './raster.js';

export type AnimateOver = 'time' | 'epochs';

export interface LstmAnimationOptions {
  /** Example index in the chosen split. */
  index: number;
  split?: 'train' | 'test';
  gates?: GateName[];
  over?: AnimateOver;
  /** LSTM layer (default the first). */
  layer?: string;
  outDir?: string;
  delayMs?: number;
  log?: (line: string) => void;
}

export interface LstmAnimationResult {
  outDir: string;
  gif: string;
  frames: string[];
  json: string;
  layer: string;
  label: string;
  predicted?: string;
  steps: number;
  units: number;
  /** Mean of each shown gate over units and steps (final model, or last checkpoint). */
  means: Record<string, number>;
  seconds: number;
}

interface Sequence {
  x: Float32Array;
  steps: number;
  features: number;
}

export async function animateLstm(runDir: string, options: LstmAnimationOptions): Promise<LstmAnimationResult> {
  const started = Date.now();
  await initTf();
  registerGlassboxLayers();
  const log = options.log ?? (() => {});
  const run = openRun(runDir);
  const gates = options.gates?.length ? options.gates : (['forget'] as GateName[]);
  const over = options.over ?? 'time';
  const ds = await loadRunDataset(run);
  const split = options.split === 'train' ? ds.train : ds.test;
  if (!Number.isInteger(options.index) || options.index < 0 || options.index >= split.count) {
    fail(`--index ${options.index}: the ${options.split ?? 'test'} split has examples 0..${split.count - 1}`);
  }
  const size = ds.inputShape.reduce((a, b) => a * b, 1);
  const example = split.x.slice(options.index * size, (options.index + 1) * size);
  const label = ds.classNames[split.y[options.index]];

  const finalDir = fs.existsSync(path.join(runDir, 'model', 'model.json')) ? path.join(runDir, 'model') : undefined;
  const traces: Array<{ epoch: number | 'final'; trace: GateTrace; seq: Sequence; predicted: string }> = [];
  let layerName = options.layer;
  const measure = (model: tf.LayersModel, epoch: number | 'final') => {
    const names = lstmLayers(model);
    if (names.length === 0) fail(`the model of ${runDir} has no LSTM layer (train one with "architecture": "lstm"; bidirectional layers are not supported)`);
    layerName ??= names[0];
    if (!names.includes(layerName)) fail(`--layer ${layerName}: not an LSTM layer of this model; choose from ${names.join(', ')}`);
    const seq = layerInput(model, layerName, example, ds.inputShape);
    const trace = computeGates(lstmWeights(model.getLayer(layerName)), seq.x, seq.steps);
    const logits = tf.tidy(() => (model.predict(tf.tensor(example, [1, ...ds.inputShape])) as tf.Tensor).dataSync());
    let best = 0;
    for (let c = 1; c < logits.length; c++) if (logits[c] > logits[best]) best = c;
    traces.push({ epoch, trace, seq, predicted: ds.classNames[best] });
  };
  if (over === 'time') {
    const model = finalDir ? await loadLayersModel(finalDir) : (await loadCheckpoint(run, run.epochs[run.epochs.length - 1])).model;
    try {
      measure(model, finalDir ? 'final' : run.epochs[run.epochs.length - 1]);
    } finally {
      model.dispose();
    }
  } else {
    for (const e of run.epochs) {
      const { model } = await loadCheckpoint(run, e);
      try {
        measure(model, e);
      } finally {
        model.dispose();
      }
    }
  }
  const lastTrace = traces[traces.length - 1];
  log(`layer ${layerName}: ${lastTrace.trace.units} units over ${lastTrace.trace.steps} steps of ${options.split ?? 'test'} example ${options.index} (class ${label})`);

  const images: RgbImage[] = [];
  const header = (epoch: number | 'final', predicted: string) =>
    `${layerName} ${options.split ?? 'test'} #${options.index} class ${label} pred ${predicted} ${epoch === 'final' ? 'final model' : `epoch ${epoch}/${run.epochs[run.epochs.length - 1]}`}`;
  if (over === 'time') {
    const { trace, seq, epoch, predicted } = lastTrace;
    for (let t = 0; t < trace.steps; t++) images.push(renderGateFrame(trace, seq, gates, t, header(epoch, predicted)));
  } else {
    for (const r of traces) images.push(renderGateFrame(r.trace, r.seq, gates, r.trace.steps - 1, header(r.epoch, r.predicted)));
  }
  const outDir = options.outDir ?? path.join(runDir, 'animations', `lstm-${options.split ?? 'test'}-${options.index}`);
  const frameDir = path.join(outDir, 'frames');
  fs.rmSync(frameDir, { recursive: true, force: true });
  fs.mkdirSync(frameDir, { recursive: true });
  const frames: string[] = [];
  for (let i = 0; i < images.length; i++) {
    const p = path.join(frameDir, `${over === 'time' ? 'step' : 'epoch'}-${String(over === 'time' ? i + 1 : (traces[i].epoch as number)).padStart(3, '0')}.png`);
    await writePng(images[i], p);
    frames.push(p);
  }
  const gif = path.join(outDir, `${gates.join('-')}.gif`);
  fs.writeFileSync(gif, encodeGif(images, { delayMs: options.delayMs ?? (over === 'time' ? 150 : 300), lastDelayMs: 2000 }));
  const means: Record<string, number> = {};
  for (const g of gates) means[g] = lastTrace.trace[g].reduce((s, v) => s + v, 0) / lastTrace.trace[g].length;
  const round = (v: number) => Math.round(v * 1e5) / 1e5;
  const json = path.join(outDir, 'gates.json');
  fs.writeFileSync(
    json,
    JSON.stringify({
      format: 'glassbox-lstm-gates/1',
      run: path.resolve(runDir),
      layer: layerName,
      example: { split: options.split ?? 'test', index: options.index, label },
      gateOrder: 'Keras/TF.js kernel columns [i | f | c | o]',
      over,
      gates,
      frames: frames.map((p) => path.relative(outDir, p)),
      traces: traces.map((r) => ({
        epoch: r.epoch,
        predicted: r.predicted,
        steps: r.trace.steps,
        units: r.trace.units,
        input: Array.from(r.seq.x, round),
        features: r.seq.features,
        // [step][unit] for every shown gate, plus the states.
        ...Object.fromEntries([...gates, 'c', 'h'].map((g) => [g, rows(r.trace[g as keyof GateTrace] as Float32Array, r.trace.units, round)])),
      })),
    }) + '\n',
  );
  return {
    outDir,
    gif,
    frames,
    json,
    layer: layerName!,
    label,
    predicted: lastTrace.predicted,
    steps: lastTrace.trace.steps,
    units: lastTrace.trace.units,
    means,
    seconds: (Date.now() - started) / 1000,
  };
}

function rows(a: Float32Array, width: number, round: (v: number) => number): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < a.length; i += width) out.push(Array.from(a.subarray(i, i + width), round));
  return out;
}

const PAD = 10;
const LABEL_W = 60;

/**
 * One frame: the input above (a line for one feature, a grey features × time map otherwise) and
 * one units × time map per gate, filled up to step `upTo` (later steps light grey), cursor in red.
 */
export function renderGateFrame(trace: GateTrace, seq: Sequence, gates: GateName[], upTo: number, title: string): RgbImage {
  const T = trace.steps;
  const U = trace.units;
  const cw = Math.max(4, Math.min(16, Math.floor(480 / T)));
  const ch = Math.max(2, Math.min(8, Math.floor(200 / U)));
  const inputH = seq.features === 1 ? 50 : Math.max(28, Math.min(112, seq.features * 2));
  const gateH = 12 + U * ch + 8;
  const width = PAD * 2 + LABEL_W + T * cw;
  const height = PAD + 14 + 12 + inputH + 8 + gates.length * gateH + 22 + PAD;
  const img = createImage(Math.max(width, 320), height);
  drawText(img, PAD, PAD, title, BLACK);
  let y = PAD + 14;
  const x0 = PAD + LABEL_W;
  drawText(img, PAD, y, `input (${seq.features} feature${seq.features === 1 ? '' : 's'} per step), step ${upTo + 1}/${T}`, BLACK);
  y += 12;
  // Input strip.
  if (seq.features === 1) {
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of seq.x) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    const span = hi - lo || 1;
    fillRect(img, x0, y, T * cw, inputH, [245, 245, 245]);
    drawPolyline(img, Array.from(seq.x, (v, t) => [x0 + t * cw + cw / 2, y + inputH - 2 - ((v - lo) / span) * (inputH - 4)] as [number, number]), BLACK);
  } else {
    const F = seq.features;
    const fh = inputH / F;
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of seq.x) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    const span = hi - lo || 1;
    for (let t = 0; t < T; t++) {
      for (let f = 0; f < F; f++) {
        // 32 grey levels: with the colour map's steps the frame stays within one exact GIF palette.
        const g = Math.round(255 - Math.round(((seq.x[t * F + f] - lo) / span) * 31) * (255 / 31));
        fillRect(img, x0 + t * cw, y + Math.floor(f * fh), cw, Math.ceil(fh), [g, g, g]);
      }
    }
  }
  fillRect(img, x0 + upTo * cw, y, Math.max(1, Math.floor(cw / 4)), inputH, RED);
  y += inputH + 8;
  for (const g of gates) {
    drawText(img, PAD, y, `${g} gate (units x time)${g === 'forget' ? ': bright = remembering, dark = forgetting' : ''}`, BLACK);
    y += 12;
    drawText(img, PAD, y, `${U} units`, BLACK);
    // units × time: row = unit, column = step.
    const t01 = new Float32Array(U * T).fill(NaN);
    const values = trace[g];
    const scaled = g === 'cell' ? (v: number) => (v + 1) / 2 : (v: number) => v;
    for (let u = 0; u < U; u++) for (let t = 0; t <= upTo; t++) t01[u * T + t] = scaled(values[t * U + u]);
    drawHeatmap(img, x0, y, t01, U, T, cw, ch, 'viridis');
    for (let u = 0; u < U; u++) for (let t = upTo + 1; t < T; t++) fillRect(img, x0 + t * cw, y + u * ch, cw, ch, LIGHT_GREY);
    fillRect(img, x0 + upTo * cw, y - 2, Math.max(1, Math.floor(cw / 4)), 2, RED);
    y += U * ch + 8;
  }
  drawColourBar(img, x0, y, 100, 5, 'viridis', gates.includes('cell') && gates.length === 1 ? '-1' : '0', '1');
  return img;
}
