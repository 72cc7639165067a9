/** Registers every built-in metric. Adding a metric: write its file, add it to the list here. */
import { registerMetric, listMetrics, getMetric } from './registry.js';
import { deletion } from './deletion.js';
import { insertion } from './insertion.js';
import { faithfulnessCorrelation } from './faithfulness-correlation.js';
import { road } from './road.js';
import { pointingGame } from './pointing-game.js';
import { energyPointingGame } from './energy-pointing-game.js';
import { topKIou } from './top-k-iou.js';
import { cascadingRandomisation, independentRandomisation } from './model-randomisation.js';
import { randomLogit } from './random-logit.js';
import { maxSensitivity, avgSensitivity } from './sensitivity.js';
import { sparseness } from './sparseness.js';
import { entropy } from './entropy.js';

let done = false;

export function registerBuiltinMetrics(): void {
  if (done) return;
  done = true;
  for (const m of [
    deletion,
    insertion,
    faithfulnessCorrelation,
    road,
    pointingGame,
    energyPointingGame,
    topKIou,
    cascadingRandomisation,
    independentRandomisation,
    randomLogit,
    maxSensitivity,
    avgSensitivity,
    sparseness,
    entropy,
  ]) {
    registerMetric(m);
  }
}

registerBuiltinMetrics();

export { listMetrics, getMetric, registerMetric };
export { evaluateMetric, metricUnavailable, type EvaluateOptions } from './evaluate.js';
export type { MetricResult, MetricSpec, MetricCurve, GroundTruth, MetricFamily } from './metric.js';
