import { defineMetric } from './metric.js';
import { causalCurves, causalOptions } from './common/causal.js';

/** RISE deletion: remove the most important positions first; a faithful map makes the probability fall fast. */
export const deletion = defineMetric({
  name: 'deletion',
  title: 'Deletion AUC',
  family: 'faithfulness',
  reference:
    'Petsiuk, Das & Saenko 2018, "RISE" (eclique/RISE evaluation.py CausalMetric, mode "del"): positions set to zeros in order of decreasing heatmap value, `step` per step; AUC of the target probability by the trapezoid rule',
  direction: 'lower',
  kinds: ['image', 'signal', 'table'],
  needs: [],
  options: causalOptions('deletion'),
  evaluate: (ctx, batch, options) => causalCurves('deletion', ctx, batch, options),
});
