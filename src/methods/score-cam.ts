import { z } from 'zod';
import { defineMethod, type MethodContext } from './method.js';
import { resolveSpatialLayer } from './gradients.js';
import { mapsToInput, upsampleMap } from './cam/base.js';
import { classifierOperator } from './perturbation/common/operator.js';
import { gridOf, PassCounter, runOptions, scorePerturbations } from './perturbation/common/runner.js';
import { baselineFor, blurSigmaOption } from './perturbation/common/baseline.js';

export const scoreCamOptions = z.strictObject({
  layer: z.string().optional().describe('spatial layer whose maps become masks; default: the last spatial layer'),
  variant: z
    .enum(['increase', 'softmax'])
    .default('increase')
    .describe('"increase": w_k = p(x⊙M_k) − p(baseline), p the target\'s softmax probability (the paper); "softmax": w = softmax over channels of the target score (pytorch-grad-cam)'),
  baseline: z
    .union([z.number(), z.enum(['zero', 'mean', 'blur'])])
    .default(0)
    .describe('what masked-out inputs become: a number, "zero" (the paper: 0, i.e. x⊙M), "mean" (per-channel mean of the input) or "blur" (Gaussian blur of the input)'),
  blurSigma: blurSigmaOption,
  relu: z.boolean().default(true).describe('keep only positive evidence'),
  ...runOptions,
});
export type ScoreCamOptions = z.infer<typeof scoreCamOptions>;

/** One channel of a positions × channels map, upsampled to the input grid and min–max scaled to [0, 1]. */
export function channelMask(act: Float32Array, channel: number, channels: number, grid: number[], inGrid: number[]): Float32Array {
  const positions = act.length / channels;
  const map = new Float32Array(positions);
  for (let p = 0; p < positions; p++) map[p] = act[p * channels + channel];
  const up = upsampleMap(map, grid, inGrid);
  let min = Infinity;
  let max = -Infinity;
  for (const v of up) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const range = max - min;
  for (let i = 0; i < up.length; i++) up[i] = range > 0 ? (up[i] - min) / range : 0;
  return up;
}

/** Channels whose map is not constant (a constant map makes no mask). */
export function varyingChannels(act: Float32Array, channels: number): number[] {
  const positions = act.length / channels;
  const out: number[] = [];
  for (let k = 0; k < channels; k++) {
    let min = Infinity;
    let max = -Infinity;
    for (let p = 0; p < positions; p++) {
      const v = act[p * channels + k];
      if (v < min) min = v;
      if (v > max) max = v;
    }
    if (max > min) out.push(k);
  }
  return out;
}

/**
 * Score-CAM: each activation map of a layer, upsampled and scaled to [0, 1], masks the input; the
 * target's softmax probability on the masked input minus that on the baseline weights the map.
 */
export const scoreCam = defineMethod({
  name: 'score-cam',
  title: 'Score-CAM',
  family: 'cam',
  reference:
    'Wang et al. 2020, "Score-CAM: Score-Weighted Visual Explanations for CNNs" (masks H_k = minmax(up(A_k)); ' +
    'w_k = softmax-probability of the target on x⊙H_k minus on the baseline input (the paper\'s "increase of confidence"); ' +
    'map = ReLU(Σ_k w_k A_k) upsampled; variant "softmax" follows pytorch-grad-cam instead)',
  needs: 'predict',
  kinds: ['image', 'signal'],
  reduce: 'mean',
  signed: false,
  options: scoreCamOptions,
  async attribute(ctx: MethodContext, inputs, targets, options) {
    const { model } = ctx;
    const layer = resolveSpatialLayer(model, options.layer, 'Score-CAM', ctx.log);
    const acts = (await model.activations(inputs, [layer.name])).get(layer.name)!;
    const n = inputs.shape[0];
    const grid = acts.shape.slice(1, -1);
    const channels = acts.shape[acts.shape.length - 1];
    const positions = grid.reduce((a, b) => a * b, 1);
    const { grid: inGrid, channels: inChannels } = gridOf(model.inputShape, model.kind);
    const per = inputs.data.length / n;
    const actOf = (i: number) => acts.data.subarray(i * positions * channels, (i + 1) * positions * channels);
    const used = Array.from({ length: n }, (_, i) => varyingChannels(actOf(i), channels));
    const passes = new PassCounter(ctx, used.reduce((t, u) => t + u.length + 1, 0));
    const cams: Float32Array[] = [];
    const extras: Record<string, number>[] = [];
    for (let i = 0; i < n; i++) {
      const x = inputs.data.subarray(i * per, (i + 1) * per);
      const act = actOf(i);
      const base = baselineFor(x, inGrid, inChannels, options.baseline === 'zero' ? 0 : options.baseline, { blurSigma: options.blurSigma });
      const ks = used[i];
      const scoreKind = options.variant === 'increase' ? 'probability' : ctx.score;
      const op = classifierOperator(model, targets[i], scoreKind);
      // Index 0: the baseline input; index j > 0: the input masked by channel ks[j − 1].
      const scores = await scorePerturbations(op, model.inputShape, ks.length + 1, options.batchSize, (j, out) => {
        if (j === 0) return out.set(base);
        const m = channelMask(act, ks[j - 1], channels, grid, inGrid);
        for (let p = 0; p < m.length; p++) {
          for (let c = 0; c < inChannels; c++) {
            const q = p * inChannels + c;
            out[q] = x[q] * m[p] + base[q] * (1 - m[p]);
          }
        }
      }, passes);
      const w = new Float64Array(ks.length);
      if (options.variant === 'increase') {
        for (let j = 0; j < ks.length; j++) w[j] = scores[j + 1] - scores[0];
      } else {
        let max = -Infinity;
        for (let j = 0; j < ks.length; j++) max = Math.max(max, scores[j + 1]);
        let sum = 0;
        for (let j = 0; j < ks.length; j++) sum += w[j] = Math.exp(scores[j + 1] - max);
        for (let j = 0; j < ks.length; j++) w[j] /= sum;
      }
      const cam = new Float32Array(positions);
      for (let p = 0; p < positions; p++) {
        let s = 0;
        for (let j = 0; j < ks.length; j++) s += w[j] * act[p * channels + ks[j]];
        cam[p] = options.relu && s < 0 ? 0 : s;
      }
      cams.push(cam);
      extras.push({ baselineScore: scores[0], masks: ks.length });
    }
    const out = mapsToInput(cams, grid, model.inputShape);
    return { attributions: { data: out, shape: [n, ...model.inputShape] }, layer: layer.name, extras };
  },
});
