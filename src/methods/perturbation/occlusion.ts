import { z } from 'zod';
import { fail } from '../../core/errors.js';
import { defineMethod, type MethodContext } from '../method.js';
import { classifierOperator, type Operator } from './common/operator.js';
import { gridOf, PassCounter, runOptions, scorePerturbations, spreadOverChannels } from './common/runner.js';
import { baselineFor, baselineOption, blurSigmaOption } from './common/baseline.js';
import { backgroundMean, backgroundOption, parseBackground } from './common/background.js';

const sizes = z.union([z.number().int().positive(), z.array(z.number().int().positive()).min(1).max(2)]);

export const occlusionOptions = z.strictObject({
  patch: sizes.optional().describe('patch size per grid axis (one number for all); default: images/signals a tenth of the smallest side, tables 1 column'),
  stride: sizes.optional().describe('step between patches; default: half the patch (tables: the patch)'),
  baseline: baselineOption.default(0).describe('value of the occluded patch: a number, "mean" (tables: the background mean) or "blur"'),
  blurSigma: blurSigmaOption,
  background: backgroundOption.describe('tables: training rows whose column means are the "mean" baseline'),
  ...runOptions,
});
export type OcclusionOptions = z.infer<typeof occlusionOptions>;

/** Window start positions along one axis: 0, s, 2s, … until the window reaches the end (Captum). */
export function windowStarts(length: number, window: number, stride: number): number[] {
  if (window >= length) return [0];
  const count = Math.ceil((length - window) / stride) + 1;
  return Array.from({ length: count }, (_, k) => k * stride);
}

/** Every window as the list of positions it covers (row-major over the grid). */
export function occlusionWindows(grid: number[], patch: number[], stride: number[]): Int32Array[] {
  const starts = grid.map((d, a) => windowStarts(d, patch[a], stride[a]));
  const windows: Int32Array[] = [];
  if (grid.length === 1) {
    for (const s of starts[0]) {
      const e = Math.min(s + patch[0], grid[0]);
      windows.push(Int32Array.from({ length: e - s }, (_, k) => s + k));
    }
    return windows;
  }
  const [h, w] = grid;
  for (const sy of starts[0]) {
    for (const sx of starts[1]) {
      const ey = Math.min(sy + patch[0], h);
      const ex = Math.min(sx + patch[1], w);
      const cover = new Int32Array((ey - sy) * (ex - sx));
      let k = 0;
      for (let y = sy; y < ey; y++) for (let x = sx; x < ex; x++) cover[k++] = y * w + x;
      windows.push(cover);
    }
  }
  return windows;
}

/**
 * Occlusion of one example (positions × channels): for every window, f(x) − f(x with the window
 * set to the baseline), averaged over the windows covering each position.
 */
export async function occlusionMap(
  x: Float32Array,
  exampleShape: number[],
  channels: number,
  windows: Int32Array[],
  baseline: Float32Array,
  op: Operator,
  batchSize: number,
  passes: PassCounter,
): Promise<{ map: Float32Array; score: number }> {
  const positions = x.length / channels;
  // Index 0 is the unoccluded input, index k > 0 hides window k − 1.
  const scores = await scorePerturbations(op, exampleShape, windows.length + 1, batchSize, (i, out) => {
    out.set(x);
    if (i === 0) return;
    for (const p of windows[i - 1]) for (let c = 0; c < channels; c++) out[p * channels + c] = baseline[p * channels + c];
  }, passes);
  const sum = new Float64Array(positions);
  const count = new Float64Array(positions);
  windows.forEach((cover, k) => {
    const drop = scores[0] - scores[k + 1];
    for (const p of cover) {
      sum[p] += drop;
      count[p]++;
    }
  });
  return { map: Float32Array.from(sum, (s, p) => (count[p] > 0 ? s / count[p] : 0)), score: scores[0] };
}

function perAxis(value: number | number[] | undefined, dims: number, fallback: number[], what: string): number[] {
  if (value === undefined) return fallback;
  const v = typeof value === 'number' ? Array(dims).fill(value) : value;
  if (v.length !== dims) fail(`occlusion ${what} has ${v.length} sizes but the input grid has ${dims} axes: give one number or ${dims}`);
  return v;
}

/** Occlusion: slide a patch over the input and record how much the score drops. */
export const occlusion = defineMethod({
  name: 'occlusion',
  title: 'Occlusion',
  family: 'perturbation',
  reference:
    'Zeiler & Fergus 2014, "Visualizing and Understanding Convolutional Networks" (attribution = f(x) − f(x with a patch replaced by a baseline), ' +
    'averaged over all patches covering a position, as Captum\'s Occlusion computes it)',
  needs: 'predict',
  kinds: ['image', 'signal', 'table'],
  reduce: 'mean',
  signed: true,
  options: occlusionOptions,
  async attribute(ctx: MethodContext, inputs, targets, options) {
    const { model } = ctx;
    const { grid, channels } = gridOf(model.inputShape, model.kind);
    const table = model.kind === 'table';
    const defaultPatch = table ? 1 : Math.max(1, Math.round(Math.min(...grid) / 10));
    const patch = perAxis(options.patch, grid.length, grid.map(() => defaultPatch), 'patch');
    const stride = perAxis(options.stride, grid.length, patch.map((p) => (table ? p : Math.max(1, Math.floor(p / 2)))), 'stride');
    const windows = occlusionWindows(grid, patch, stride);
    let tableBaseline: Float32Array | undefined;
    if (table && typeof options.baseline !== 'number') {
      if (options.baseline === 'blur') fail('occlusion: baseline "blur" needs an image or signal; for tables use a number or "mean" with background rows');
      const bg = parseBackground(options.background, model.inputShape, 'occlusion');
      if (!bg) fail('occlusion: baseline "mean" on a table needs background rows: pass options.background (e.g. training data)');
      tableBaseline = backgroundMean(bg);
    }
    const n = inputs.shape[0];
    const per = inputs.data.length / n;
    const passes = new PassCounter(ctx, n * (windows.length + 1));
    const out = new Float32Array(inputs.data.length);
    const extras: Record<string, number>[] = [];
    for (let i = 0; i < n; i++) {
      const x = inputs.data.subarray(i * per, (i + 1) * per);
      const baseline = tableBaseline ?? baselineFor(x, grid, channels, options.baseline, { blurSigma: options.blurSigma });
      const op = classifierOperator(model, targets[i], ctx.score);
      const { map, score } = await occlusionMap(x, model.inputShape, channels, windows, baseline, op, options.batchSize, passes);
      spreadOverChannels(map, channels, out, i * per);
      extras.push({ score, patches: windows.length });
    }
    return { attributions: { data: out, shape: [n, ...model.inputShape] }, extras };
  },
});
