/**
 * Per-layer feature maps: every channel of a spatial layer's activation, and their sum over
 * channels as a saliency-like map. `featureMaps` gives the arrays (channel-first, ready for
 * `tileGrid`); the registered method `feature-maps` gives the channel sum upsampled to the input.
 */
import { z } from 'zod';
import type { NdArray } from '../../core/ndarray.js';
import type { Model } from '../../models/model.js';
import { defineMethod } from '../method.js';
import { channelSum, repeatOverChannels, upsampleMap } from '../cam/base.js';
import { resolveSpatialLayer } from '../gradients.js';
import { tileGrid, type TileOptions } from './tile.js';

export interface FeatureMaps {
  layer: string;
  /** The layer's grid, [H, W] or [L]. */
  grid: number[];
  channels: number;
  /** [N, channels, ...grid]: one picture per channel. */
  maps: NdArray;
  /** [N, ...grid]: the sum over channels. */
  sum: NdArray;
}

/** Feature maps of one spatial layer (default: the last one) for a batch. */
export async function featureMaps(
  model: Model,
  inputs: NdArray,
  layerName?: string,
  log?: (m: string) => void,
): Promise<FeatureMaps> {
  const layer = resolveSpatialLayer(model, layerName, 'feature maps', log);
  const act = (await model.activations(inputs, [layer.name])).get(layer.name)!;
  const n = act.shape[0];
  const grid = act.shape.slice(1, -1);
  const channels = act.shape[act.shape.length - 1];
  const positions = grid.reduce((a, b) => a * b, 1);
  const maps = new Float32Array(act.data.length);
  const sum = new Float32Array(n * positions);
  for (let i = 0; i < n; i++) {
    const a = act.data.subarray(i * positions * channels, (i + 1) * positions * channels);
    for (let p = 0; p < positions; p++)
      for (let k = 0; k < channels; k++)
        maps[(i * channels + k) * positions + p] = a[p * channels + k];
    sum.set(channelSum(a, positions, channels), i * positions);
  }
  return {
    layer: layer.name,
    grid,
    channels,
    maps: { data: maps, shape: [n, channels, ...grid] },
    sum: { data: sum, shape: [n, ...grid] },
  };
}

/** Example i's channels as one grid picture (each channel normalised unless told otherwise). */
export function featureMapGrid(f: FeatureMaps, i: number, options?: TileOptions): NdArray {
  const per = f.channels * f.grid.reduce((a, b) => a * b, 1);
  return tileGrid(
    { data: f.maps.data.subarray(i * per, (i + 1) * per), shape: [f.channels, ...f.grid] },
    options,
  );
}

export const featureMapsMethod = defineMethod({
  name: 'feature-maps',
  title: 'Feature maps (channel sum)',
  family: 'layer',
  reference:
    'Zeiler & Fergus 2014 (activation maps); the channel sum Σ_k A_k of a spatial layer, bilinearly upsampled, as a class-agnostic saliency-like map. Ignores the target class',
  needs: 'predict',
  kinds: ['image', 'signal'],
  reduce: 'mean',
  signed: false,
  options: z.strictObject({
    layer: z.string().optional().describe('spatial layer; default: the last spatial layer'),
  }),
  async attribute(ctx, inputs, _targets, options) {
    const f = await featureMaps(ctx.model, inputs, options.layer, ctx.log);
    const inGrid = ctx.model.inputShape.slice(0, -1);
    const positions = f.grid.reduce((a, b) => a * b, 1);
    const maps = Array.from({ length: inputs.shape[0] }, (_, i) =>
      upsampleMap(f.sum.data.subarray(i * positions, (i + 1) * positions), f.grid, inGrid),
    );
    return {
      attributions: {
        data: repeatOverChannels(maps, ctx.model.inputShape),
        shape: [inputs.shape[0], ...ctx.model.inputShape],
      },
      layer: f.layer,
    };
  },
});
