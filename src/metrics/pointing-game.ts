/**
 * Pointing game (Zhang et al. 2018, "Top-down Neural Attention by Excitation Backprop"; Quantus
 * `PointingGame`): a hit when a position of maximal heatmap value lies on the object (within
 * `tolerance` positions of it, as the paper's 15-pixel tolerance). 1 = hit, 0 = miss, NaN when
 * the ground truth is empty. When several positions tie for the maximum, the score is the share
 * of them that hit — the expected hit if the tie were broken at random — so a constant map scores
 * the region's share of the image, not 1 (Quantus counts a hit when any of them hits).
 */
import { z } from 'zod';
import { defineMetric } from './metric.js';
import { countOnes, regionOf, regionOption } from './common/region.js';

const options = z.strictObject({
  tolerance: z
    .number()
    .min(0)
    .default(0)
    .describe(
      'a maximum within this Euclidean distance (in positions) of the region still counts (paper: 15 px at 224×224)',
    ),
  region: regionOption,
});

export const pointingGame = defineMetric({
  name: 'pointing-game',
  title: 'Pointing game',
  family: 'localisation',
  reference:
    'Zhang et al. 2018, "Top-down Neural Attention by Excitation Backprop" (Quantus PointingGame): hit if the maximum of the heatmap is on the ground-truth region, optionally within a tolerance',
  direction: 'higher',
  kinds: ['image', 'signal', 'table'],
  needs: ['groundTruth'],
  options,
  async evaluate(_ctx, batch, o) {
    const grid = batch.layout.grid;
    const scores = batch.maps.map((map, e) => {
      const region = regionOf(batch, e, o.region);
      if (countOnes(region) === 0) return NaN;
      let max = -Infinity;
      for (const v of map) max = Math.max(max, v);
      const r = Math.floor(o.tolerance);
      let maxima = 0;
      let hits = 0;
      for (let p = 0; p < map.length; p++) {
        if (map[p] !== max) continue;
        maxima++;
        if (region[p] || (o.tolerance > 0 && nearRegion(p, region, grid, o.tolerance, r))) hits++;
      }
      return hits / maxima;
    });
    return { scores };
  },
});

function nearRegion(
  p: number,
  region: Uint8Array,
  grid: number[],
  tol: number,
  r: number,
): boolean {
  if (grid.length === 1) {
    for (let d = -r; d <= r; d++) if (p + d >= 0 && p + d < grid[0] && region[p + d]) return true;
    return false;
  }
  const [h, w] = grid;
  const y = Math.floor(p / w);
  const x = p % w;
  for (let dy = -r; dy <= r; dy++) {
    for (let dx = -r; dx <= r; dx++) {
      if (dx * dx + dy * dy > tol * tol) continue;
      const yy = y + dy;
      const xx = x + dx;
      if (yy >= 0 && yy < h && xx >= 0 && xx < w && region[yy * w + xx]) return true;
    }
  }
  return false;
}
