/**
 * MLP class-activation animation: for every checkpoint (epoch 0 = the initial model when it can
 * be rebuilt), each hidden ReLU layer's activation averaged per class over a fixed, balanced
 * probe set, drawn as a classes × units heatmap. One frame per epoch, all hidden layers stacked;
 * written as an animated GIF, one PNG per frame and a JSON file with the numbers (for the web app).
 *
 * Units keep one order in every frame, fixed by the last epoch: grouped by the class they respond
 * to most, strongest first, dead units last. Each layer's colour scale is fixed across frames (its
 * largest class mean over all epochs), so growth over training is visible. Units that never fire
 * on the probe set at an epoch ("dead") get a red mark under their column and are counted.
 */
import fs from 'node:fs';
import path from 'node:path';
import { initTf } from '../runtime/tf.js';
import { fail } from '../core/errors.js';
import { initialModel, loadCheckpoint, openRun, type TrainingRun } from './checkpoints.js';
import { deadUnits, layerActivity, reluLayers } from './activations.js';
import { encodeGif } from './gif.js';
import { balancedProbe, loadRunDataset, type ProbeSet, type ProbeSplit } from './probe.js';
import { BLACK, createImage, drawColourBar, drawHeatmap, drawText, fillRect, GREY, RED, textWidth, writePng, type RgbImage } from './raster.js';

export interface MlpFrameLayer {
  name: string;
  units: number;
  /** classes × units, row-major, in the model's unit order. */
  means: Float32Array;
  dead: number[];
}

export interface MlpFrame {
  epoch: number;
  layers: MlpFrameLayer[];
  loss?: number;
  acc?: number;
}

export interface MlpAnimationOptions {
  outDir?: string;
  split?: ProbeSplit;
  perClass?: number;
  seed?: number;
  /** Only these layers (default every hidden ReLU layer). */
  layers?: string[];
  delayMs?: number;
  /** Use this probe set instead of the run's data (tests). */
  probe?: ProbeSet;
  log?: (line: string) => void;
}

export interface MlpAnimationResult {
  outDir: string;
  gif: string;
  frames: string[];
  json: string;
  summary: Array<{ layer: string; units: number; deadAtEnd: number; deadThroughout: number }>;
  seconds: number;
}

/** Class-mean activations of every checkpoint (and the initial model). */
export async function mlpFrames(run: TrainingRun, probe: ProbeSet, only?: string[]): Promise<MlpFrame[]> {
  await initTf();
  const k = probe.classNames.length;
  const frames: MlpFrame[] = [];
  const measure = (epoch: number, model: Parameters<typeof reluLayers>[0]) => {
    let layers = reluLayers(model);
    if (only?.length) {
      const missing = only.filter((n) => !layers.some((l) => l.name === n));
      if (missing.length) fail(`--layers ${missing.join(',')}: not a hidden ReLU layer of this model; choose from ${layers.map((l) => l.name).join(', ') || '(none)'}`);
      layers = layers.filter((l) => only.includes(l.name));
    }
    if (layers.length === 0) fail(`the model of ${run.dir} has no hidden ReLU layers to animate (train an mlp with activation "relu")`);
    const acts = layerActivity(model, probe, layers, { numClasses: k });
    const h = run.history.find((r) => r.epoch === epoch);
    frames.push({
      epoch,
      layers: acts.map((a) => ({ name: a.name, units: a.units, means: a.classMeans!, dead: deadUnits(a) })),
      ...(h ? { loss: h.loss, acc: h.acc } : {}),
    });
  };
  const first = await loadCheckpoint(run, run.epochs[0]);
  const init = initialModel(run, first.weights);
  if (init) {
    try {
      measure(0, init);
    } finally {
      init.dispose();
    }
  }
  for (let i = 0; i < run.epochs.length; i++) {
    const { model } = i === 0 ? first : await loadCheckpoint(run, run.epochs[i]);
    try {
      measure(run.epochs[i], model);
    } finally {
      model.dispose();
    }
  }
  return frames;
}

/** The display order of a layer's units from its last frame: by preferred class, strongest first, dead last. */
export function unitOrder(last: MlpFrameLayer, numClasses: number): number[] {
  const u = last.units;
  const dead = new Set(last.dead);
  const pref = Array.from({ length: u }, (_, j) => {
    let best = 0;
    for (let c = 1; c < numClasses; c++) if (last.means[c * u + j] > last.means[best * u + j]) best = c;
    return { j, cls: best, value: last.means[best * u + j], dead: dead.has(j) };
  });
  pref.sort((a, b) => Number(a.dead) - Number(b.dead) || a.cls - b.cls || b.value - a.value || a.j - b.j);
  return pref.map((p) => p.j);
}

const CELL_H = 12;
const MARK_H = 4;
const PAD = 10;

/** Draws one frame: every layer's classes × units heatmap, units in `orders`, values over `scales`. */
export function renderMlpFrame(frame: MlpFrame, classNames: string[], orders: number[][], scales: number[], lastEpoch: number): RgbImage {
  const k = classNames.length;
  const labelW = Math.max(...classNames.map((c) => textWidth(c))) + 8;
  const cellWs = frame.layers.map((l) => Math.max(2, Math.min(10, Math.floor(640 / l.units))));
  const width = PAD * 2 + labelW + Math.max(...frame.layers.map((l, i) => l.units * cellWs[i]), 200);
  const layerH = 12 + k * CELL_H + 2 + MARK_H + 22;
  const height = PAD + 16 + frame.layers.length * layerH + PAD;
  const img = createImage(width, height);
  const stats = frame.loss !== undefined ? `  train loss ${frame.loss.toFixed(3)}  acc ${(frame.acc ?? 0).toFixed(3)}` : '';
  drawText(img, PAD, PAD, `EPOCH ${frame.epoch}/${lastEpoch}${stats}`, BLACK);
  let y = PAD + 16;
  frame.layers.forEach((l, li) => {
    const cw = cellWs[li];
    const order = orders[li];
    const dead = new Set(l.dead);
    drawText(img, PAD, y, `${l.name}: ${l.units} units, ${l.dead.length} dead (red)  scale 0-${scales[li].toPrecision(3)}`, BLACK);
    y += 12;
    const t = new Float32Array(k * l.units);
    for (let c = 0; c < k; c++) for (let p = 0; p < l.units; p++) t[c * l.units + p] = l.means[c * l.units + order[p]] / scales[li];
    for (let c = 0; c < k; c++) drawText(img, PAD, y + c * CELL_H + 2, classNames[c], BLACK);
    const x0 = PAD + labelW;
    drawHeatmap(img, x0, y, t, k, l.units, cw, CELL_H, 'viridis');
    const markY = y + k * CELL_H + 2;
    fillRect(img, x0, markY, l.units * cw, MARK_H, GREY.map((v) => Math.min(255, v + 80)) as unknown as typeof GREY);
    order.forEach((j, p) => {
      if (dead.has(j)) fillRect(img, x0 + p * cw, markY, cw, MARK_H, RED);
    });
    drawColourBar(img, x0, markY + MARK_H + 4, 60, 4, 'viridis', '0', scales[li].toPrecision(2));
    y += k * CELL_H + 2 + MARK_H + 22;
  });
  return img;
}

export async function animateMlp(runDir: string, options: MlpAnimationOptions = {}): Promise<MlpAnimationResult> {
  const started = Date.now();
  const log = options.log ?? (() => {});
  const run = openRun(runDir);
  const split = options.split ?? 'train';
  const probe = options.probe ?? balancedProbe(await loadRunDataset(run), split, options.perClass ?? 50, options.seed ?? 0);
  log(`computing class-mean activations for ${run.epochs.length} checkpoints on ${probe.count} examples (${probe.source})`);
  const frames = await mlpFrames(run, probe, options.layers);
  const k = probe.classNames.length;
  const last = frames[frames.length - 1];
  const orders = last.layers.map((l) => unitOrder(l, k));
  const scales = last.layers.map((_, li) => {
    let m = 0;
    for (const f of frames) for (const v of f.layers[li].means) if (v > m) m = v;
    return m > 0 ? m : 1;
  });
  const outDir = options.outDir ?? path.join(runDir, 'animations', 'mlp');
  const frameDir = path.join(outDir, 'frames');
  fs.rmSync(frameDir, { recursive: true, force: true });
  fs.mkdirSync(frameDir, { recursive: true });
  const images = frames.map((f) => renderMlpFrame(f, probe.classNames, orders, scales, last.epoch));
  const framePaths: string[] = [];
  for (let i = 0; i < frames.length; i++) {
    const p = path.join(frameDir, `epoch-${String(frames[i].epoch).padStart(3, '0')}.png`);
    await writePng(images[i], p);
    framePaths.push(p);
  }
  const gif = path.join(outDir, 'activations.gif');
  fs.writeFileSync(gif, encodeGif(images, { delayMs: options.delayMs ?? 300, lastDelayMs: 2000 }));
  const summary = last.layers.map((l, li) => ({
    layer: l.name,
    units: l.units,
    deadAtEnd: l.dead.length,
    deadThroughout: l.dead.filter((j) => frames.every((f) => f.layers[li].dead.includes(j))).length,
  }));
  const json = path.join(outDir, 'activations.json');
  const round = (v: number) => Math.round(v * 1e4) / 1e4;
  fs.writeFileSync(
    json,
    JSON.stringify({
      format: 'glassbox-mlp-activations/1',
      run: path.resolve(runDir),
      probe: probe.source,
      classNames: probe.classNames,
      epochs: frames.map((f) => f.epoch),
      layers: last.layers.map((l, li) => ({
        name: l.name,
        order: orders[li],
        scale: scales[li],
        ...summary[li],
        frames: frames.map((f) => ({
          epoch: f.epoch,
          dead: f.layers[li].dead,
          means: Array.from({ length: k }, (_, c) => Array.from(f.layers[li].means.subarray(c * l.units, (c + 1) * l.units), round)),
        })),
      })),
      frames: framePaths.map((p) => path.relative(outDir, p)),
    }) + '\n',
  );
  return { outDir, gif, frames: framePaths, json, summary, seconds: (Date.now() - started) / 1000 };
}
