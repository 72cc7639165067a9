/** Complexity: Shannon entropy (nats) of |heatmap| normalised to sum 1 (Bhatt et al. 2020; Quantus `Complexity`). Lower = simpler. */
import { z } from 'zod';
import { defineMetric } from './metric.js';
import { entropy as entropyOf } from './common/stats.js';

export const entropy = defineMetric({
  name: 'entropy',
  title: 'Complexity (entropy)',
  family: 'complexity',
  reference:
    'Bhatt, Weller & Moura 2020 (Quantus Complexity): entropy of the fractional contribution |h_p| / Σ|h| of each position; at most ln(positions)',
  direction: 'lower',
  kinds: ['image', 'signal', 'table'],
  needs: [],
  options: z.strictObject({}),
  async evaluate(_ctx, batch) {
    return { scores: batch.maps.map(entropyOf) };
  },
});
