/** The ground-truth region of one input for localisation metrics: its mask, or its bounding box as a mask. */
import { z } from 'zod';
import { fail } from '../../core/errors.js';
import type { MetricBatch } from '../metric.js';

export const regionOption = z
  .enum(['mask', 'box'])
  .default('mask')
  .describe('ground truth: the object\'s pixel "mask" or its bounding "box"');

export function regionOf(batch: MetricBatch, e: number, region: 'mask' | 'box'): Uint8Array {
  const { positions, grid } = batch.layout;
  const gt = batch.groundTruth;
  if (region === 'mask') {
    if (!gt?.masks)
      fail(
        'this metric needs ground-truth masks: use a data set that has them (e.g. shapes) or pass masks',
      );
    return gt.masks.subarray(e * positions, (e + 1) * positions);
  }
  if (!gt?.boxes || grid.length !== 2)
    fail(
      'region "box" needs ground-truth boxes on images: use region "mask" or a data set with boxes (e.g. shapes)',
    );
  const [x0, y0, x1, y1] = gt.boxes.subarray(e * 4, e * 4 + 4);
  const [h, w] = grid;
  const out = new Uint8Array(positions);
  for (let y = Math.max(0, Math.floor(y0)); y < Math.min(h, Math.ceil(y1)); y++) {
    for (let x = Math.max(0, Math.floor(x0)); x < Math.min(w, Math.ceil(x1)); x++)
      out[y * w + x] = 1;
  }
  return out;
}

export function countOnes(mask: ArrayLike<number>): number {
  let n = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i]) n++;
  return n;
}
