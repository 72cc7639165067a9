/**
 * Writes explanations to disk: per method a folder with attribution.npy (the shape of the input
 * as given), a picture per input (overlay PNG for images, a coloured line plot for signals,
 * feature bars for tables) and explanation.json; with several methods, a side-by-side grid per
 * input; summary.txt says each map in words and how the methods agree. Everything is staged in a hidden folder and moved into place only when complete, so a
 * failure leaves no partial output.
 */
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import type { NdArray } from '../core/ndarray.js';
import { sizeOf } from '../core/ndarray.js';
import type { InputKind } from '../models/model.js';
import type { Explanation } from '../methods/explanation.js';
import { explanationSummary } from '../methods/explanation.js';
import { overlayPng, type OverlayOptions } from '../viz/overlay.js';
import { featureBarsSvg, signalAttributionSvg } from '../viz/attribution-plots.js';
import { gridSvg, svgToPng, type Tile } from '../viz/grid.js';
import { encodePngFromUnit } from './image.js';
import { writeNpy } from './npy.js';
import { describeAgreement, describeExplanation } from '../describe/index.js';

export interface MethodOutput {
  method: string;
  explanations: Explanation[];
}

export interface ExplainedInputs {
  kind: InputKind;
  /** The batch the model saw, [N, ...inputShape]. */
  batch: NdArray;
  /** The shape the user gave; attributions are written in it. */
  givenShape: number[];
  /** Images in [0,1] for overlays, [N, H, W, C]. */
  display?: NdArray;
  featureNames?: string[];
}

interface Picture {
  file: string;
  png: Buffer;
  svg?: string;
}

function example(a: NdArray, i: number): NdArray {
  const shape = a.shape.slice(1);
  const per = sizeOf(shape);
  return { data: a.data.subarray(i * per, (i + 1) * per), shape };
}

/** Channel 0 of a signal example [L, C]. */
function firstChannel(a: NdArray): Float32Array {
  const [length, channels] = a.shape;
  return Float32Array.from({ length }, (_, t) => a.data[t * channels]);
}

async function picture(inputs: ExplainedInputs, e: Explanation, i: number, overlay: OverlayOptions, suffix: string): Promise<Picture | undefined> {
  const title = `${e.method}: class ${e.targetName ?? e.target}, ${e.scoreKind} ${e.score.toFixed(3)}`;
  if (inputs.kind === 'image' && inputs.display) {
    return { file: `overlay${suffix}.png`, png: await overlayPng(example(inputs.display, i), e.heatmap, { signed: e.signed, ...overlay }) };
  }
  if (inputs.kind === 'signal') {
    const svg = signalAttributionSvg(firstChannel(example(inputs.batch, i)), e.heatmap.data, { signed: e.signed, title });
    return { file: `plot${suffix}.png`, png: await svgToPng(svg), svg };
  }
  if (inputs.kind === 'table') {
    const svg = featureBarsSvg(inputs.featureNames ?? [], e.heatmap.data, { title });
    return { file: `bars${suffix}.png`, png: await svgToPng(svg), svg };
  }
  return undefined;
}

async function inputTile(inputs: ExplainedInputs, i: number): Promise<Tile | undefined> {
  if (inputs.kind === 'image' && inputs.display) {
    const img = example(inputs.display, i);
    const png = await sharp(await encodePngFromUnit(img)).resize({ width: 224, height: 224, fit: 'fill', kernel: 'nearest' }).png().toBuffer();
    return { title: 'input', png, width: 224, height: 224 };
  }
  return undefined;
}

export async function writeExplanations(outDir: string, outputs: MethodOutput[], inputs: ExplainedInputs, overlay: OverlayOptions = {}): Promise<string[]> {
  fs.mkdirSync(outDir, { recursive: true });
  const staging = fs.mkdtempSync(path.join(outDir, '.staging-'));
  const n = inputs.batch.shape[0];
  const suffixOf = (i: number) => (n === 1 ? '' : `-${i}`);
  try {
    const tiles: Tile[][] = Array.from({ length: n }, () => []);
    // Each map in words, once: for its explanation.json and for summary.txt.
    const words = outputs.map((o) => o.explanations.map((e) => describeExplanation(e, inputs.kind, { featureNames: inputs.featureNames }).text));
    for (const [m, { method, explanations }] of outputs.entries()) {
      const dir = path.join(staging, method);
      fs.mkdirSync(dir);
      const per = sizeOf(explanations[0].attribution.shape);
      const all = new Float32Array(per * explanations.length);
      explanations.forEach((e, i) => all.set(e.attribution.data, i * per));
      writeNpy(path.join(dir, 'attribution.npy'), { data: all, shape: inputs.givenShape });
      for (let i = 0; i < explanations.length; i++) {
        const pic = await picture(inputs, explanations[i], i, overlay, suffixOf(i));
        if (!pic) continue;
        fs.writeFileSync(path.join(dir, pic.file), pic.png);
        if (pic.svg) fs.writeFileSync(path.join(dir, pic.file.replace(/\.png$/, '.svg')), pic.svg);
        const meta = await sharp(pic.png).metadata();
        const e = explanations[i];
        tiles[i].push({ title: method, subtitle: `${e.milliseconds.toFixed(1)} ms`, png: pic.png, width: meta.width ?? 224, height: meta.height ?? 224 });
      }
      const json = {
        method,
        layer: explanations[0].layer,
        options: explanations[0].options,
        milliseconds: explanations.reduce((s, e) => s + e.milliseconds, 0),
        inputs: explanations.map((e, i) => ({ ...explanationSummary(e), text: words[m][i] })),
      };
      fs.writeFileSync(path.join(dir, 'explanation.json'), JSON.stringify(json, null, 2));
    }
    const gridFiles: string[] = [];
    if (outputs.length > 1) {
      for (let i = 0; i < n; i++) {
        const first = await inputTile(inputs, i);
        const all = first ? [first, ...tiles[i]] : tiles[i];
        if (all.length === 0) continue;
        const svg = gridSvg(all, inputs.kind === 'image' ? 6 : 2);
        const name = `grid${suffixOf(i)}`;
        fs.writeFileSync(path.join(staging, `${name}.png`), await svgToPng(svg));
        gridFiles.push(`${name}.png`);
      }
    }
    fs.writeFileSync(path.join(staging, 'summary.txt'), summaryInWords(outputs, words, n));
    const written: string[] = [];
    for (const { method } of outputs) {
      const target = path.join(outDir, method);
      fs.rmSync(target, { recursive: true, force: true });
      fs.renameSync(path.join(staging, method), target);
      written.push(target);
    }
    fs.renameSync(path.join(staging, 'summary.txt'), path.join(outDir, 'summary.txt'));
    written.push(path.join(outDir, 'summary.txt'));
    for (const g of gridFiles) {
      fs.renameSync(path.join(staging, g), path.join(outDir, g));
      written.push(path.join(outDir, g));
    }
    return written;
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

/** Per input: each method's map in words (`words[method][input]`), then how the methods agree. */
function summaryInWords(outputs: MethodOutput[], words: string[][], n: number): string {
  const blocks: string[] = [];
  for (let i = 0; i < n; i++) {
    const explanations = outputs.map((o) => o.explanations[i]);
    const lines = n > 1 ? [`Input ${i}:`] : [];
    explanations.forEach((e, m) => lines.push(`${e.method}: ${words[m][i]}`));
    const agreement = describeAgreement(explanations).text;
    if (agreement) lines.push(agreement);
    blocks.push(lines.join('\n'));
  }
  return blocks.join('\n\n') + '\n';
}
