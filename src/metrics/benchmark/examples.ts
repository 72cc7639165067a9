/**
 * Example maps for the HTML report: for images, the first inputs and each method's heatmap
 * overlaid on them (PNG, via viz/overlay.ts); for signals and tables, the input and the heatmap
 * as a line chart (SVG, via viz/svg-chart.ts). Files go to <out>/examples/<entry>/.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { NdArray } from '../../core/ndarray.js';
import type { Explanation } from '../../methods/explanation.js';
import { overlayPng } from '../../viz/overlay.js';
import { lineChart } from '../../viz/svg-chart.js';
import { safeName } from './cache.js';
import type { BenchmarkEntry } from './types.js';

/** Example i as a displayable image [H, W, 1|3] in [0, 1] (min–max scaled; other channel counts averaged). */
export function displayImage(inputs: NdArray, i: number): NdArray {
  const [h, w, c] = inputs.shape.slice(1);
  const size = h * w * c;
  const x = inputs.data.subarray(i * size, (i + 1) * size);
  const outC = c === 3 ? 3 : 1;
  const out = new Float32Array(h * w * outC);
  for (let p = 0; p < h * w; p++) {
    if (outC === 3) for (let k = 0; k < 3; k++) out[p * 3 + k] = x[p * 3 + k];
    else {
      let s = 0;
      for (let k = 0; k < c; k++) s += x[p * c + k];
      out[p] = s / c;
    }
  }
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of out) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  const range = hi > lo ? hi - lo : 1;
  for (let k = 0; k < out.length; k++) out[k] = (out[k] - lo) / range;
  return { data: out, shape: [h, w, outC] };
}

function profile(x: Float32Array, channels: number): number[] {
  const out: number[] = [];
  for (let p = 0; p < x.length / channels; p++) {
    let s = 0;
    for (let k = 0; k < channels; k++) s += x[p * channels + k];
    out.push(s / channels);
  }
  return out;
}

function scaled(values: ArrayLike<number>): number[] {
  let m = 0;
  for (let i = 0; i < values.length; i++) m = Math.max(m, Math.abs(values[i]));
  return Array.from(values, (v) => (m > 0 ? v / m : 0));
}

export async function writeExampleInputs(
  out: string,
  entry: BenchmarkEntry,
  count: number,
): Promise<string[]> {
  const n = Math.min(count, entry.inputs.shape[0]);
  const dir = path.join(out, 'examples', safeName(entry.name));
  fs.mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  for (let i = 0; i < n; i++) {
    if (entry.model.kind === 'image') {
      const img = displayImage(entry.inputs, i);
      const file = path.join(dir, `input-${i}.png`);
      fs.writeFileSync(
        file,
        await overlayPng(
          img,
          { data: new Float32Array(img.shape[0] * img.shape[1]), shape: img.shape.slice(0, 2) },
          { opacity: 0, minSize: 96 },
        ),
      );
      files.push(path.relative(out, file));
    } else {
      const size = entry.inputs.data.length / entry.inputs.shape[0];
      const channels = entry.model.kind === 'signal' ? entry.model.inputShape[1] : 1;
      const x = profile(entry.inputs.data.subarray(i * size, (i + 1) * size), channels);
      const file = path.join(dir, `input-${i}.svg`);
      fs.writeFileSync(
        file,
        lineChart({
          series: [{ name: 'input', points: x.map((v, j) => [j, v] as const), markers: false }],
          width: 200,
          height: 120,
        }),
      );
      files.push(path.relative(out, file));
    }
  }
  return files;
}

export async function writeExampleMaps(
  out: string,
  entry: BenchmarkEntry,
  method: string,
  explanations: Explanation[],
  count: number,
): Promise<string[]> {
  const n = Math.min(count, explanations.length);
  const dir = path.join(out, 'examples', safeName(entry.name));
  fs.mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  for (let i = 0; i < n; i++) {
    const e = explanations[i];
    if (entry.model.kind === 'image') {
      const file = path.join(dir, `${safeName(method)}-${i}.png`);
      fs.writeFileSync(
        file,
        await overlayPng(displayImage(entry.inputs, i), e.heatmap, {
          signed: e.signed,
          opacity: 0.6,
          minSize: 96,
        }),
      );
      files.push(path.relative(out, file));
    } else {
      const size = entry.inputs.data.length / entry.inputs.shape[0];
      const channels = entry.model.kind === 'signal' ? entry.model.inputShape[1] : 1;
      const x = scaled(profile(entry.inputs.data.subarray(i * size, (i + 1) * size), channels));
      const h = scaled(e.heatmap.data);
      const file = path.join(dir, `${safeName(method)}-${i}.svg`);
      fs.writeFileSync(
        file,
        lineChart({
          series: [
            {
              name: 'input',
              points: x.map((v, j) => [j, v] as const),
              color: '#bbb',
              markers: false,
            },
            { name: method, points: h.map((v, j) => [j, v] as const), markers: false },
          ],
          width: 200,
          height: 120,
          yDomain: [-1, 1],
        }),
      );
      files.push(path.relative(out, file));
    }
  }
  return files;
}
