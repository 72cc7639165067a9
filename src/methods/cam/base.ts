/**
 * The CAM pipeline, written once (after pytorch-grad-cam's BaseCAM): take a spatial layer's
 * activations A and score gradients G, let the variant turn them into a map (usually
 * Σ_k w_k·A_k with variant-specific channel weights w), ReLU, upsample to the input's grid and
 * repeat over its channels. A variant is the smallest difference from this.
 */
import { z } from 'zod';
import type { NdArray } from '../../core/ndarray.js';
import { resizeBilinear, resizeLinear } from '../../core/resize.js';
import { defineMethod, type MethodSpec } from '../method.js';
import { resolveSpatialLayer } from '../gradients.js';

/** One example's layer output, flattened to positions × channels (channels last). */
export interface LayerMaps {
  activation: Float32Array;
  gradient: Float32Array;
  positions: number;
  channels: number;
}

export interface CamVariant {
  name: string;
  title: string;
  reference: string;
  /** Channel weights w_k; the map is relu(Σ_k w_k A_k). */
  weights?: (maps: LayerMaps) => Float32Array;
  /** A whole map per position, for variants that are not a channel-weighted sum. */
  map?: (maps: LayerMaps) => Float32Array;
  /** Whether the variant needs gradients (Eigen-CAM does not). Default true. */
  usesGradients?: boolean;
}

export const camOptions = z.strictObject({
  layer: z.string().optional().describe('spatial layer to explain; default: the last spatial layer'),
  relu: z.boolean().default(true).describe('keep only positive evidence, as the papers do'),
});

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
export function channelMeans(values: Float32Array, positions: number, channels: number): Float32Array {
  const w = new Float32Array(channels);
  for (let p = 0; p < positions; p++) for (let k = 0; k < channels; k++) w[k] += values[p * channels + k];
  for (let k = 0; k < channels; k++) w[k] /= positions;
  return w;
}

/**
 * Upsamples per-example maps on a layer grid ([N, ...grid] flat) to the model's input grid and
 * repeats them over its channels, giving attributions shaped like the input.
 */
export function mapsToInput(maps: Float32Array[], grid: number[], inputShape: number[]): Float32Array {
  const inGrid = inputShape.slice(0, -1);
  const inChannels = inputShape[inputShape.length - 1];
  const inPositions = inGrid.reduce((a, b) => a * b, 1);
  const out = new Float32Array(maps.length * inPositions * inChannels);
  maps.forEach((cam, i) => {
    const up = grid.length === 2 ? resizeBilinear(cam, grid[0], grid[1], inGrid[0], inGrid[1]) : resizeLinear(cam, inGrid[0]);
    const base = i * inPositions * inChannels;
    for (let p = 0; p < inPositions; p++) for (let c = 0; c < inChannels; c++) out[base + p * inChannels + c] = up[p];
  });
  return out;
}

export function defineCam(variant: CamVariant): MethodSpec<typeof camOptions> {
  return defineMethod({
    name: variant.name,
    title: variant.title,
    family: 'cam',
    reference: variant.reference,
    needs: 'gradients',
    kinds: ['image', 'signal'],
    reduce: 'mean',
    signed: false,
    options: camOptions,
    async attribute(ctx, inputs, targets, options) {
      const { model } = ctx;
      const layer = resolveSpatialLayer(model, options.layer, variant.title, ctx.log);
      const r = await model.gradients({ input: inputs, targets, layer: layer.name, inputGradient: false, score: ctx.score });
      const act = r.activation!;
      const grad = r.layerGradient!;
      const n = inputs.shape[0];
      const grid = act.shape.slice(1, -1);
      const channels = act.shape[act.shape.length - 1];
      const positions = grid.reduce((a, b) => a * b, 1);
      const cams: Float32Array[] = [];
      const extras: Record<string, number>[] = [];
      for (let i = 0; i < n; i++) {
        const size = positions * channels;
        const maps: LayerMaps = {
          activation: act.data.subarray(i * size, (i + 1) * size),
          gradient: grad.data.subarray(i * size, (i + 1) * size),
          positions,
          channels,
        };
        const cam = variant.map ? variant.map(maps) : weightedSum(maps, variant.weights!(maps));
        cams.push(options.relu ? cam.map((v) => (v > 0 ? v : 0)) : cam);
        extras.push({ score: r.scores[i] });
      }
      const out = mapsToInput(cams, grid, model.inputShape);
      return { attributions: { data: out, shape: [n, ...model.inputShape] }, layer: layer.name, extras };
    },
  });
}
