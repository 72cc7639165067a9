import { z } from 'zod';
import { fail } from '../core/errors.js';
import type { LayerInfo, Model } from '../models/model.js';
import { findLayer } from '../models/validate.js';
import { defineMethod, type MethodContext } from './method.js';
import { channelMask } from './score-cam.js';
import { classifierOperator } from './perturbation/common/operator.js';
import { PassCounter, runOptions, scorePerturbations, spreadOverChannels } from './perturbation/common/runner.js';

export const siseOptions = z.strictObject({
  layers: z.array(z.string()).min(1).optional().describe('layers to sample masks from, shallow to deep; default: the last layer of each spatial resolution'),
  maxLayers: z.number().int().min(1).default(4).describe('with automatic layers: keep this many of the deepest blocks'),
  gradientThreshold: z
    .number()
    .min(0)
    .max(1)
    .default(0)
    .describe('μ: keep feature maps whose mean gradient is positive and above μ × the largest mean gradient of the layer'),
  fusion: z
    .enum(['otsu', 'soft-otsu', 'simple'])
    .default('otsu')
    .describe('how layer maps are fused: (previous + current) × gate(current), the gate being Otsu binarisation (the paper), its sigmoid softening (the authors\' code, T=100) or the map itself'),
  ...runOptions,
});
export type SiseOptions = z.infer<typeof siseOptions>;

/** The last layer of every run of spatial layers sharing one grid: the ends of the network's blocks. */
export function blockEndLayers(model: Model): LayerInfo[] {
  const spatial = model.layers().filter((l) => l.spatial);
  const gridKey = (l: LayerInfo) => l.outputShape.slice(0, -1).join('x');
  return spatial.filter((l, i) => i === spatial.length - 1 || gridKey(spatial[i + 1]) !== gridKey(l));
}

/**
 * Otsu's threshold of values in [0, 1] on a 256-bin histogram (bin = round(256·v)): the cut that
 * maximises the between-class variance; values ≥ the returned threshold are the upper class.
 */
export function otsuThreshold(values: ArrayLike<number>): number {
  const bins = 256;
  const hist = new Float64Array(bins + 1);
  for (let i = 0; i < values.length; i++) hist[Math.min(bins, Math.max(0, Math.round(values[i] * bins)))]++;
  let total = 0;
  let totalMass = 0;
  for (let j = 0; j <= bins; j++) {
    total += hist[j];
    totalMass += j * hist[j];
  }
  let w0 = 0;
  let m0 = 0;
  let best = -1;
  let bestT = 1;
  for (let t = 1; t <= bins; t++) {
    w0 += hist[t - 1];
    m0 += (t - 1) * hist[t - 1];
    const w1 = total - w0;
    if (w0 === 0 || w1 === 0) continue;
    const between = w0 * w1 * (m0 / w0 - (totalMass - m0) / w1) ** 2;
    if (between > best) {
      best = between;
      bestT = t;
    }
  }
  return (bestT - 0.5) / bins;
}

/** SISE's cascaded fusion, shallow to deep: e ← (e + E_l) ⊙ gate(E_l). Maps are in [0, 1]. */
export function fuseLayerMaps(maps: Float32Array[], fusion: 'otsu' | 'soft-otsu' | 'simple'): Float32Array {
  const ex = Float32Array.from(maps[0]);
  for (let l = 1; l < maps.length; l++) {
    const e = maps[l];
    const thr = fusion === 'simple' ? 0 : otsuThreshold(e);
    for (let p = 0; p < ex.length; p++) {
      const gate = fusion === 'simple' ? e[p] : fusion === 'otsu' ? (e[p] >= thr ? 1 : 0) : 1 / (1 + Math.exp(-(e[p] - thr) * 100));
      ex[p] = (ex[p] + e[p]) * gate;
    }
  }
  return ex;
}

function minMax(a: Float64Array): Float32Array {
  let min = Infinity;
  let max = -Infinity;
  for (const v of a) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const r = max - min;
  return Float32Array.from(a, (v) => (r > 0 ? (v - min) / r : 0));
}

/** SISE: RISE-style sampling with feature-map masks chosen by gradient, fused across blocks. */
export const sise = defineMethod({
  name: 'sise',
  title: 'SISE',
  family: 'perturbation',
  reference:
    'Sattarzadeh et al. 2021, "Explaining Convolutional Neural Networks through Attribution-Based Input Sampling and Block-Wise Feature Aggregation" ' +
    '(per layer: maps with positive mean gradient, upsampled and min–max scaled, weighted by the score of x⊙mask / mask sum; ' +
    'layer maps min–max scaled and fused shallow to deep by addition and Otsu-gated multiplication)',
  needs: 'gradients',
  kinds: ['image', 'signal'],
  reduce: 'mean',
  signed: false,
  options: siseOptions,
  async attribute(ctx: MethodContext, inputs, targets, options) {
    const { model } = ctx;
    let layers: LayerInfo[];
    if (options.layers) {
      layers = options.layers.map((name) => {
        const l = findLayer(model.layers(), name, model.name);
        if (!l.spatial) fail(`layer "${name}" has no spatial grid; SISE needs convolutional layers (try \`glassbox layers\`)`);
        return l;
      });
    } else {
      layers = blockEndLayers(model).slice(-options.maxLayers);
      if (layers.length === 0) fail(`model ${model.name} has no layer with a spatial grid, so SISE cannot be used`);
      ctx.log?.(`SISE: using layers ${layers.map((l) => l.name).join(', ')} (block ends; choose others with the layers option)`);
    }
    const n = inputs.shape[0];
    const per = inputs.data.length / n;
    const inGrid = model.inputShape.slice(0, -1);
    const inChannels = model.inputShape[model.inputShape.length - 1];
    const inPositions = per / inChannels;
    const passes = new PassCounter(ctx, n * layers.reduce((t, l) => t + l.outputShape[l.outputShape.length - 1], 0));
    const layerMaps: Float32Array[][] = Array.from({ length: n }, () => []);
    const extras: Record<string, number>[] = Array.from({ length: n }, () => ({ masks: 0 }));
    for (const layer of layers) {
      passes.check();
      const r = await model.gradients({ input: inputs, targets, layer: layer.name, inputGradient: false, score: ctx.score });
      const act = r.activation!;
      const grad = r.layerGradient!;
      const grid = act.shape.slice(1, -1);
      const channels = act.shape[act.shape.length - 1];
      const size = act.data.length / n;
      const positions = size / channels;
      for (let i = 0; i < n; i++) {
        const a = act.data.subarray(i * size, (i + 1) * size);
        const g = grad.data.subarray(i * size, (i + 1) * size);
        const mean = new Float64Array(channels);
        for (let p = 0; p < positions; p++) for (let k = 0; k < channels; k++) mean[k] += g[p * channels + k] / positions;
        const top = Math.max(...mean);
        const chosen: number[] = [];
        for (let k = 0; k < channels; k++) if (mean[k] > 0 && mean[k] > options.gradientThreshold * top) chosen.push(k);
        passes.reduceTotal(channels - chosen.length);
        extras[i].masks += chosen.length;
        const x = inputs.data.subarray(i * per, (i + 1) * per);
        // Masks are rebuilt when needed rather than held: a deep layer can have hundreds of them.
        const mask = (j: number) => channelMask(a, chosen[j], channels, grid, inGrid);
        const op = classifierOperator(model, targets[i], ctx.score);
        const scores = await scorePerturbations(op, model.inputShape, chosen.length, options.batchSize, (j, out) => {
          const m = mask(j);
          for (let p = 0; p < inPositions; p++) for (let c = 0; c < inChannels; c++) out[p * inChannels + c] = x[p * inChannels + c] * m[p];
        }, passes);
        const map = new Float64Array(inPositions);
        chosen.forEach((_, j) => {
          const m = mask(j);
          let total = 0;
          for (const v of m) total += v;
          const w = scores[j] / (total + 1e-6);
          for (let p = 0; p < inPositions; p++) map[p] += w * m[p];
        });
        // A layer without a positively contributing map carries no evidence; leave it out of the fusion.
        if (chosen.length > 0) layerMaps[i].push(minMax(map));
      }
    }
    const out = new Float32Array(inputs.data.length);
    for (let i = 0; i < n; i++) {
      if (layerMaps[i].length > 0) spreadOverChannels(fuseLayerMaps(layerMaps[i], options.fusion), inChannels, out, i * per);
    }
    return { attributions: { data: out, shape: [n, ...model.inputShape] }, layer: layers.map((l) => l.name).join(','), extras };
  },
});
