/**
 * Writes explanations to disk: per method a folder with attribution.npy (the shape of the input
 * as given), overlay PNGs and explanation.json. Everything is staged in a hidden folder and moved
 * into place only when complete, so a failure leaves no partial output.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { NdArray } from '../core/ndarray.js';
import { batchItem, sizeOf } from '../core/ndarray.js';
import type { Explanation } from '../methods/explanation.js';
import { explanationSummary } from '../methods/explanation.js';
import { overlayPng, type OverlayOptions } from '../viz/overlay.js';
import { writeNpy } from './npy.js';

export interface MethodOutput {
  method: string;
  explanations: Explanation[];
}

export async function writeExplanations(
  outDir: string,
  outputs: MethodOutput[],
  givenShape: number[],
  display: NdArray | undefined,
  overlay: OverlayOptions,
): Promise<string[]> {
  fs.mkdirSync(outDir, { recursive: true });
  const staging = fs.mkdtempSync(path.join(outDir, '.staging-'));
  try {
    for (const { method, explanations } of outputs) {
      const dir = path.join(staging, method);
      fs.mkdirSync(dir);
      const per = sizeOf(explanations[0].attribution.shape);
      const all = new Float32Array(per * explanations.length);
      explanations.forEach((e, i) => all.set(e.attribution.data, i * per));
      writeNpy(path.join(dir, 'attribution.npy'), { data: all, shape: givenShape });
      if (display) {
        for (let i = 0; i < explanations.length; i++) {
          const image = batchItem(display, i);
          const png = await overlayPng({ data: image.data, shape: image.shape.slice(1) }, explanations[i].heatmap, {
            signed: explanations[i].signed,
            ...overlay,
          });
          fs.writeFileSync(path.join(dir, explanations.length === 1 ? 'overlay.png' : `overlay-${i}.png`), png);
        }
      }
      const json = {
        method,
        layer: explanations[0].layer,
        options: explanations[0].options,
        milliseconds: explanations.reduce((s, e) => s + e.milliseconds, 0),
        inputs: explanations.map(explanationSummary),
      };
      fs.writeFileSync(path.join(dir, 'explanation.json'), JSON.stringify(json, null, 2));
    }
    const written: string[] = [];
    for (const { method } of outputs) {
      const target = path.join(outDir, method);
      fs.rmSync(target, { recursive: true, force: true });
      fs.renameSync(path.join(staging, method), target);
      written.push(target);
    }
    return written;
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}
