/**
 * Filter visualisation by activation maximisation: start from faint noise and climb the gradient
 * of one channel's mean activation with respect to the input, with the regularisers of Yosinski
 * et al. 2015 ("Understanding Neural Networks Through Deep Visualization": L2 decay, periodic
 * Gaussian blur, clipping to the valid range) and the random jitter of Olah et al. 2017
 * ("Feature Visualization") that keeps high-frequency patterns from winning. Channels are
 * optimised together, one per batch row; every random draw comes from the seed.
 */
import { z } from 'zod';
import type { NdArray } from '../../core/ndarray.js';
import { sizeOf } from '../../core/ndarray.js';
import { fail } from '../../core/errors.js';
import { parseOptions } from '../../core/options.js';
import { createRng, type Rng } from '../../core/random.js';
import type { Model } from '../../models/model.js';
import { findLayer } from '../../models/validate.js';
import { gaussianBlur } from '../blur.js';
import { tileGrid } from './tile.js';

export const filterVisualisationOptions = z.strictObject({
  layer: z.string().describe('layer whose channels (filters) to visualise'),
  channels: z
    .array(z.number().int().min(0))
    .min(1)
    .optional()
    .describe('channels to visualise; default: the first maxChannels'),
  maxChannels: z.number().int().min(1).default(16),
  steps: z.number().int().min(0).default(128).describe('gradient-ascent steps'),
  learningRate: z
    .number()
    .positive()
    .default(0.05)
    .describe('step length as a fraction of the range, for an RMS-normalised gradient'),
  jitter: z
    .number()
    .int()
    .min(0)
    .default(2)
    .describe('random circular shift of up to this many positions per step'),
  blurEvery: z.number().int().min(0).default(4).describe('blur every this many steps (0: never)'),
  blurSigma: z.number().min(0).default(0.5),
  l2: z
    .number()
    .min(0)
    .max(1)
    .default(1e-3)
    .describe('L2 decay toward the middle of the range per step'),
  range: z
    .tuple([z.number(), z.number()])
    .refine(([lo, hi]) => lo < hi, 'range must be [low, high]')
    .default([0, 1])
    .describe('valid input values; results are clipped to it'),
  seed: z.number().int().default(0),
  batchSize: z.number().int().min(1).default(16).describe('channels optimised per gradient call'),
});
export type FilterVisualisationOptions = z.input<typeof filterVisualisationOptions>;

export interface FilterVisualisation {
  layer: string;
  channels: number[];
  /** [K, ...inputShape]: the input that maximises each channel. */
  images: NdArray;
  /** Each channel's mean activation at the start (noise) and at the result. */
  initial: Float32Array;
  final: Float32Array;
  /** All images as one grid picture (each normalised), see tileGrid. */
  grid: NdArray;
}

export async function visualizeFilters(
  model: Model,
  options: FilterVisualisationOptions,
): Promise<FilterVisualisation> {
  const o = parseOptions(filterVisualisationOptions, options, 'filter visualisation options');
  const channelGradient = model.channelGradient?.bind(model);
  if (!channelGradient) {
    fail(
      `filter visualisation needs the gradient of a channel with respect to the input, which model ${model.name} does not provide; use a TF.js model`,
    );
  }
  const layer = findLayer(model.layers(), o.layer, model.name);
  const available = layer.outputShape[layer.outputShape.length - 1];
  const channels =
    o.channels ?? Array.from({ length: Math.min(available, o.maxChannels) }, (_, i) => i);
  for (const c of channels)
    if (c >= available)
      fail(`channel ${c} is out of range: layer ${layer.name} has channels 0..${available - 1}`);
  const tail = model.inputShape;
  const per = sizeOf(tail);
  const [lo, hi] = o.range;
  const mid = (lo + hi) / 2;
  const rng = createRng(o.seed);
  const images = new Float32Array(channels.length * per);
  const initial = new Float32Array(channels.length);
  const final = new Float32Array(channels.length);
  const spatial = tail.length - 1; // spatial axes: 2 for images, 1 for signals, 0 for tables

  for (let start = 0; start < channels.length; start += o.batchSize) {
    const batch = channels.slice(start, start + o.batchSize);
    const m = batch.length;
    const shape = [m, ...tail];
    let x: NdArray = { data: new Float32Array(m * per), shape };
    for (let j = 0; j < x.data.length; j++) x.data[j] = mid + 0.1 * (hi - lo) * (rng.next() - 0.5);
    initial.set(
      (await channelGradient({ input: x, layer: layer.name, channels: batch })).values,
      start,
    );
    for (let step = 0; step < o.steps; step++) {
      const shifts =
        spatial > 0 && o.jitter > 0 ? drawShifts(rng, m, spatial, o.jitter) : undefined;
      const input = shifts ? roll(x, shifts, 1) : x;
      const r = await channelGradient({ input, layer: layer.name, channels: batch });
      const g = shifts ? roll(r.inputGradient, shifts, -1) : r.inputGradient;
      for (let i = 0; i < m; i++) {
        let ss = 0;
        for (let j = i * per; j < (i + 1) * per; j++) ss += g.data[j] * g.data[j];
        const scale = (o.learningRate * (hi - lo)) / (Math.sqrt(ss / per) + 1e-8);
        for (let j = i * per; j < (i + 1) * per; j++)
          x.data[j] = mid + (x.data[j] + scale * g.data[j] - mid) * (1 - o.l2);
      }
      if (spatial > 0 && o.blurEvery > 0 && o.blurSigma > 0 && (step + 1) % o.blurEvery === 0)
        x = gaussianBlur(x, o.blurSigma);
      for (let j = 0; j < x.data.length; j++) x.data[j] = Math.min(hi, Math.max(lo, x.data[j]));
    }
    final.set(
      (await channelGradient({ input: x, layer: layer.name, channels: batch })).values,
      start,
    );
    images.set(x.data, start * per);
  }
  const imagesArray = { data: images, shape: [channels.length, ...tail] };
  const pictures = spatial === 0 ? { data: images, shape: [channels.length, per] } : imagesArray;
  return {
    layer: layer.name,
    channels,
    images: imagesArray,
    initial,
    final,
    grid: tileGrid(pictures),
  };
}

function drawShifts(rng: Rng, m: number, axes: number, jitter: number): number[][] {
  return Array.from({ length: m }, () =>
    Array.from({ length: axes }, () => rng.int(2 * jitter + 1) - jitter),
  );
}

/** Circular shift of each example along its spatial axes by sign × its shifts. */
function roll(a: NdArray, shifts: number[][], sign: 1 | -1): NdArray {
  const [n, ...tail] = a.shape;
  const grid = tail.slice(0, -1);
  const c = tail[tail.length - 1];
  const per = sizeOf(tail);
  const out = new Float32Array(a.data.length);
  const h = grid.length === 2 ? grid[0] : 1;
  const w = grid[grid.length - 1];
  for (let i = 0; i < n; i++) {
    const dy = grid.length === 2 ? sign * shifts[i][0] : 0;
    const dx = sign * shifts[i][grid.length - 1];
    for (let y = 0; y < h; y++) {
      const ty = (((y + dy) % h) + h) % h;
      for (let x = 0; x < w; x++) {
        const tx = (((x + dx) % w) + w) % w;
        const src = i * per + (y * w + x) * c;
        const dst = i * per + (ty * w + tx) * c;
        for (let k = 0; k < c; k++) out[dst + k] = a.data[src + k];
      }
    }
  }
  return { data: out, shape: [...a.shape] };
}
