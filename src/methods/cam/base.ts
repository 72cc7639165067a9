/**
 * The CAM pipeline, written once (after pytorch-grad-cam's BaseCAM): take a spatial layer's
 * activations A and score gradients G, let the variant turn them into "weighted activations"
 * (usually w_k·A_k with variant-specific channel weights w), sum them over channels (or, with
 * eigen-smoothing, take their first principal component), ReLU, upsample to the input's grid
 * and repeat over its channels. A variant is the smallest difference from this.
 *
 * Several layers: each layer's map is min–max normalised, upsampled, and the maps are averaged
 * and normalised again, as pytorch-grad-cam does. A single layer's map is left unnormalised, so
 * it equals the paper's formula.
 */
import { z } from 'zod';
import type { NdArray } from '../../core/ndarray.js';
import { batchItem } from '../../core/ndarray.js';
import { fail } from '../../core/errors.js';
import { resizeBilinear, resizeLinear } from '../../core/resize.js';
import type { InputKind, LayerInfo, Model } from '../../models/model.js';
import { defineMethod, throwIfAborted, type MethodContext, type MethodSpec } from '../method.js';
import { resolveSpatialLayer } from '../gradients.js';
import { firstComponentProjection } from './eigen.js';

/** One example's layer output, flattened to positions × channels (channels last). */
export interface LayerMaps {
  activation: Float32Array;
  /** ∂score/∂A; empty when the variant does not use gradients. */
  gradient: Float32Array;
  positions: number;
  channels: number;
}

/** What a variant may need beyond the maps (e.g. Score-CAM's extra forward passes). */
export interface CamContext {
  ctx: MethodContext;
  /** This example, as a batch of one. */
  input: NdArray;
  target: number;
  layer: LayerInfo;
  /** The layer's spatial grid ([H, W] or [L]). */
  grid: number[];
}

type Maybe<T> = T | Promise<T>;

export interface CamVariant {
  name: string;
  title: string;
  reference: string;
  /** Channel weights w_k; the weighted activations are w_k·A_k. */
  weights?: (maps: LayerMaps, cam: CamContext) => Maybe<Float32Array>;
  /** Weighted activations per position and channel (positions × channels), e.g. relu(G)·A. */
  weighted?: (maps: LayerMaps, cam: CamContext) => Maybe<Float32Array>;
  /** A whole map per position, for variants that are not a sum over channels (Eigen-CAM). */
  map?: (maps: LayerMaps, cam: CamContext) => Maybe<Float32Array>;
  /** Whether the variant needs gradients (Eigen-CAM does not). Default true. */
  usesGradients?: boolean;
}

export const camOptions = z.strictObject({
  layer: z
    .string()
    .optional()
    .describe('spatial layer to explain; default: the last spatial layer'),
  layers: z
    .array(z.string())
    .min(1)
    .optional()
    .describe(
      'several spatial layers: each map is min-max normalised, then they are averaged and normalised again',
    ),
  relu: z.boolean().default(true).describe('keep only positive evidence, as the papers do'),
  eigenSmooth: z
    .boolean()
    .default(false)
    .describe(
      'replace the channel sum by the first principal component of the weighted activations (less noise)',
    ),
});
export type CamOptions = z.infer<typeof camOptions>;

export function weightedSum(maps: LayerMaps, w: Float32Array): Float32Array {
  const { activation, positions, channels } = maps;
  const out = new Float32Array(positions);
  for (let p = 0; p < positions; p++) {
    let s = 0;
    for (let k = 0; k < channels; k++) s += w[k] * activation[p * channels + k];
    out[p] = s;
  }
  return out;
}

/** Mean over positions of each channel of `values`. */
export function channelMeans(
  values: Float32Array,
  positions: number,
  channels: number,
): Float32Array {
  const w = new Float32Array(channels);
  for (let p = 0; p < positions; p++)
    for (let k = 0; k < channels; k++) w[k] += values[p * channels + k];
  for (let k = 0; k < channels; k++) w[k] /= positions;
  return w;
}

/** Sum over channels of a positions × channels matrix. */
export function channelSum(
  values: Float32Array,
  positions: number,
  channels: number,
): Float32Array {
  const out = new Float32Array(positions);
  for (let p = 0; p < positions; p++) {
    let s = 0;
    for (let k = 0; k < channels; k++) s += values[p * channels + k];
    out[p] = s;
  }
  return out;
}

/** (v − min) / (max − min), with pytorch-grad-cam's 1e-7 guard against flat maps. */
export function minMaxNormalise(map: Float32Array): Float32Array {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of map) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return map.map((v) => (v - lo) / (hi - lo + 1e-7));
}

/** One map on a layer grid, resized to the input grid (bilinear for images, linear for signals). */
export function upsampleMap(map: Float32Array, grid: number[], inputGrid: number[]): Float32Array {
  return grid.length === 2
    ? resizeBilinear(map, grid[0], grid[1], inputGrid[0], inputGrid[1])
    : resizeLinear(map, inputGrid[0]);
}

/** Repeats per-example maps on the input grid over the input's channels: [N, ...inputShape] flat. */
export function repeatOverChannels(maps: Float32Array[], inputShape: number[]): Float32Array {
  const inChannels = inputShape[inputShape.length - 1];
  const inPositions = inputShape.slice(0, -1).reduce((a, b) => a * b, 1);
  const out = new Float32Array(maps.length * inPositions * inChannels);
  maps.forEach((m, i) => {
    const base = i * inPositions * inChannels;
    for (let p = 0; p < inPositions; p++)
      for (let c = 0; c < inChannels; c++) out[base + p * inChannels + c] = m[p];
  });
  return out;
}

/**
 * Upsamples per-example maps on a layer grid ([N, ...grid] flat) to the model's input grid and
 * repeats them over its channels, giving attributions shaped like the input.
 */
export function mapsToInput(
  maps: Float32Array[],
  grid: number[],
  inputShape: number[],
): Float32Array {
  const inGrid = inputShape.slice(0, -1);
  return repeatOverChannels(
    maps.map((m) => upsampleMap(m, grid, inGrid)),
    inputShape,
  );
}

export interface CamResult {
  /** One map per example on the input grid (unnormalised for one layer, in [0, 1] for several). */
  maps: Float32Array[];
  layers: string[];
  extras: Record<string, number>[];
}

/** The whole pipeline for a batch: what `defineCam` methods and guided Grad-CAM share. */
export async function computeCams(
  ctx: MethodContext,
  variant: CamVariant,
  inputs: NdArray,
  targets: number[],
  options: CamOptions,
): Promise<CamResult> {
  const { model } = ctx;
  if (options.layer !== undefined && options.layers !== undefined)
    fail(`${variant.title}: give either layer or layers, not both`);
  const names = options.layers ?? [options.layer];
  const layers = names.map((name) => resolveSpatialLayer(model, name, variant.title, ctx.log));
  const n = inputs.shape[0];
  const inGrid = model.inputShape.slice(0, -1);
  const inPositions = inGrid.reduce((a, b) => a * b, 1);
  const several = layers.length > 1;
  const sums: Float32Array[] = Array.from({ length: n }, () => new Float32Array(inPositions));
  const extras: Record<string, number>[] = Array.from({ length: n }, () => ({}));
  const usesGradients = variant.usesGradients ?? true;

  for (const [li, layer] of layers.entries()) {
    throwIfAborted(ctx.signal);
    let act: NdArray;
    let grad: NdArray | undefined;
    if (usesGradients) {
      const r = await model.gradients({
        input: inputs,
        targets,
        layer: layer.name,
        inputGradient: false,
        score: ctx.score,
      });
      act = r.activation!;
      grad = r.layerGradient!;
      if (li === 0) r.scores.forEach((s, i) => (extras[i].score = s));
    } else {
      act = (await model.activations(inputs, [layer.name])).get(layer.name)!;
    }
    const grid = act.shape.slice(1, -1);
    const channels = act.shape[act.shape.length - 1];
    const positions = grid.reduce((a, b) => a * b, 1);
    const size = positions * channels;
    for (let i = 0; i < n; i++) {
      const maps: LayerMaps = {
        activation: act.data.subarray(i * size, (i + 1) * size),
        gradient: grad ? grad.data.subarray(i * size, (i + 1) * size) : new Float32Array(0),
        positions,
        channels,
      };
      const cam: CamContext = { ctx, input: batchItem(inputs, i), target: targets[i], layer, grid };
      let map = await layerMap(variant, maps, cam, options.eigenSmooth);
      if (options.relu) map = map.map((v) => (v > 0 ? v : 0));
      if (several) map = minMaxNormalise(map);
      const up = upsampleMap(map, grid, inGrid);
      if (several) for (let p = 0; p < inPositions; p++) sums[i][p] += up[p];
      else sums[i] = up;
    }
    ctx.onProgress?.(li + 1, layers.length);
  }
  const maps = several
    ? sums.map((s) => minMaxNormalise(s.map((v) => Math.max(0, v) / layers.length)))
    : sums;
  return { maps, layers: layers.map((l) => l.name), extras };
}

async function layerMap(
  variant: CamVariant,
  maps: LayerMaps,
  cam: CamContext,
  eigenSmooth: boolean,
): Promise<Float32Array> {
  const { positions, channels, activation } = maps;
  if (variant.map) return variant.map(maps, cam);
  let weighted: Float32Array;
  if (variant.weighted) weighted = await variant.weighted(maps, cam);
  else if (variant.weights) {
    const w = await variant.weights(maps, cam);
    if (!eigenSmooth) return weightedSum(maps, w);
    weighted = new Float32Array(positions * channels);
    for (let p = 0; p < positions; p++)
      for (let k = 0; k < channels; k++)
        weighted[p * channels + k] = w[k] * activation[p * channels + k];
  } else throw new Error(`CAM variant ${variant.name} defines neither weights, weighted nor map`);
  return eigenSmooth
    ? firstComponentProjection(weighted, positions, channels)
    : channelSum(weighted, positions, channels);
}

export function defineCam(variant: CamVariant): MethodSpec<typeof camOptions> {
  const usesGradients = variant.usesGradients ?? true;
  return defineMethod({
    name: variant.name,
    title: variant.title,
    family: 'cam',
    reference: variant.reference,
    needs: usesGradients ? 'gradients' : 'predict',
    kinds: ['image', 'signal'] as InputKind[],
    reduce: 'mean',
    signed: false,
    options: camOptions,
    async attribute(ctx, inputs, targets, options) {
      const r = await computeCams(ctx, variant, inputs, targets, options);
      const data = repeatOverChannels(r.maps, ctx.model.inputShape);
      return {
        attributions: { data, shape: [inputs.shape[0], ...ctx.model.inputShape] },
        layer: r.layers.join(','),
        extras: r.extras,
      };
    },
  });
}
