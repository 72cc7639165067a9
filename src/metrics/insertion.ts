import { defineMetric } from './metric.js';
import { causalCurves, causalOptions } from './common/causal.js';

/** RISE insertion: restore the most important positions first into a blurred copy; a faithful map makes the probability rise fast. */
export const insertion = defineMetric({
  name: 'insertion',
  title: 'Insertion AUC',
  family: 'faithfulness',
  reference:
    'Petsiuk, Das & Saenko 2018, "RISE" (eclique/RISE evaluation.py CausalMetric, mode "ins"): start from the image blurred by gkern(11, 5), insert original positions in order of decreasing heatmap value, `step` per step; AUC of the target probability by the trapezoid rule',
  direction: 'higher',
  kinds: ['image', 'signal', 'table'],
  needs: [],
  options: causalOptions('insertion'),
  evaluate: (ctx, batch, options) => causalCurves('insertion', ctx, batch, options),
});
