/**
 * Energy-based pointing game (Wang et al. 2020, "Score-CAM"): the share of the heatmap's positive
 * energy, Σ max(h, 0), that falls on the ground-truth region. NaN when the ground truth is empty or
 * the heatmap has no positive value.
 */
import { z } from 'zod';
import { defineMetric } from './metric.js';
import { countOnes, regionOf, regionOption } from './common/region.js';

export const energyPointingGame = defineMetric({
  name: 'energy-pointing-game',
  title: 'Energy-based pointing game',
  family: 'localisation',
  reference:
    'Wang et al. 2020, "Score-CAM: Score-Weighted Visual Explanations for CNNs" (§ localisation): Σ positive heatmap inside the region / Σ positive heatmap',
  direction: 'higher',
  kinds: ['image', 'signal', 'table'],
  needs: ['groundTruth'],
  options: z.strictObject({ region: regionOption }),
  async evaluate(_ctx, batch, o) {
    const scores = batch.maps.map((map, e) => {
      const region = regionOf(batch, e, o.region);
      if (countOnes(region) === 0) return NaN;
      let inside = 0;
      let total = 0;
      for (let p = 0; p < map.length; p++) {
        const v = Math.max(0, map[p]);
        total += v;
        if (region[p]) inside += v;
      }
      return total > 0 ? inside / total : NaN;
    });
    return { scores };
  },
});
