/** Sparseness: the Gini index of |heatmap| (Chalasani et al. 2020; Quantus `Sparseness`). Higher = fewer positions carry the attribution. */
import { z } from 'zod';
import { defineMetric } from './metric.js';
import { gini } from './common/stats.js';

export const sparseness = defineMetric({
  name: 'sparseness',
  title: 'Sparseness (Gini)',
  family: 'complexity',
  reference:
    'Chalasani et al. 2020, "Concise Explanations of Neural Networks using Adversarial Training" (Quantus Sparseness): Gini index of the absolute heatmap',
  direction: 'higher',
  kinds: ['image', 'signal', 'table'],
  needs: [],
  options: z.strictObject({}),
  async evaluate(_ctx, batch) {
    return { scores: batch.maps.map(gini) };
  },
});
