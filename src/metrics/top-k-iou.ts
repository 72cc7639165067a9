/**
 * IoU of the top-k region with the ground truth: the k highest-valued positions (ties broken as in
 * the deletion order) against the mask. By default k is the mask's own size, so a map that ranks
 * exactly the object first scores 1; `percent` fixes k to a share of all positions instead.
 */
import { z } from 'zod';
import { defineMetric } from './metric.js';
import { countOnes, regionOf, regionOption } from './common/region.js';
import { saliencyOrder } from './common/stats.js';

const options = z.strictObject({
  percent: z
    .number()
    .gt(0)
    .max(100)
    .optional()
    .describe(
      'top-k region as a percentage of the positions; default: as many positions as the ground truth has',
    ),
  region: regionOption,
});

export const topKIou = defineMetric({
  name: 'top-k-iou',
  title: 'Top-k IoU with the mask',
  family: 'localisation',
  reference:
    'Intersection over union of the k most relevant positions with the ground-truth mask (k = mask size unless `percent` is given), as in weakly supervised localisation benchmarks',
  direction: 'higher',
  kinds: ['image', 'signal', 'table'],
  needs: ['groundTruth'],
  options,
  async evaluate(_ctx, batch, o) {
    const positions = batch.layout.positions;
    const scores = batch.maps.map((map, e) => {
      const region = regionOf(batch, e, o.region);
      const size = countOnes(region);
      if (size === 0) return NaN;
      const k =
        o.percent !== undefined ? Math.max(1, Math.round((positions * o.percent) / 100)) : size;
      const order = saliencyOrder(map);
      let inter = 0;
      for (let i = 0; i < k; i++) if (region[order[i]]) inter++;
      return inter / (k + size - inter);
    });
    return { scores };
  },
});
