/** The one verb every face of Glassbox uses to judge explanations: evaluate them with a named metric. */
import type { NdArray } from '../core/ndarray.js';
import { fail } from '../core/errors.js';
import { parseOptions } from '../core/options.js';
import type { Model } from '../models/model.js';
import { checkInputBatch, checkTargets } from '../models/validate.js';
import { TfjsModel } from '../models/tfjs-model.js';
import { explain } from '../methods/index.js';
import type { Explanation } from '../methods/explanation.js';
import { layoutOf } from './common/layout.js';
import { finiteMean } from './common/stats.js';
import type {
  GroundTruth,
  MetricBatch,
  MetricContext,
  MetricResult,
  MetricSpec,
} from './metric.js';
import { getMetric } from './registry.js';

export interface EvaluateOptions {
  /** One class per input; default: each explanation's target. */
  targets?: number[];
  seed?: number;
  /** Inputs per forward pass (default 64). */
  batchSize?: number;
  /** Metric options (validated against the metric's schema). */
  options?: Record<string, unknown>;
  /** Masks (and boxes) for localisation metrics. */
  groundTruth?: GroundTruth;
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
  log?: (message: string) => void;
}

/** Why `metric` cannot judge these explanations on this model (undefined when it can). */
export function metricUnavailable(
  metric: MetricSpec,
  model: Model,
  groundTruth?: GroundTruth,
): string | undefined {
  if (!metric.kinds.includes(model.kind))
    return `${metric.name} does not apply to ${model.kind} inputs (it supports: ${metric.kinds.join(', ')})`;
  if (metric.needs.includes('tfjs') && !(model instanceof TfjsModel))
    return `${metric.name} needs a TF.js model (it randomises weights); ONNX models are not supported yet`;
  if (metric.needs.includes('groundTruth') && !groundTruth?.masks && !groundTruth?.boxes) {
    return `${metric.name} needs ground-truth masks, which this data has none of (the shapes data set has them)`;
  }
  return undefined;
}

export async function evaluateMetric(
  model: Model,
  inputs: NdArray,
  explanations: Explanation[],
  metricName: string,
  opts: EvaluateOptions = {},
): Promise<MetricResult> {
  const metric = getMetric(metricName);
  const why = metricUnavailable(metric, model, opts.groundTruth);
  if (why) fail(why);
  const options = parseOptions(metric.options, opts.options, `options for ${metric.name}`);
  checkInputBatch(inputs, model.inputShape, model.name);
  const n = inputs.shape[0];
  if (explanations.length !== n)
    fail(`got ${explanations.length} explanations for ${n} inputs: give one explanation per input`);
  const targets = opts.targets ?? explanations.map((e) => e.target);
  checkTargets(targets, n, model.numClasses);
  const layout = layoutOf(model);
  const maps = explanations.map((e, i) => {
    if (e.heatmap.data.length !== layout.positions) {
      fail(
        `explanation ${i} (${e.method}) has a heatmap of shape [${e.heatmap.shape.join(', ')}]; metrics need one value per position, [${layout.grid.join(', ')}]`,
      );
    }
    if (e.heatmap.data.some((v) => !Number.isFinite(v)))
      fail(`explanation ${i} (${e.method}) has NaN or infinite heatmap values`);
    return e.heatmap.data;
  });
  const method = explanations[0]?.method;
  if (metric.needs.includes('reexplain') && explanations.some((e) => e.method !== method)) {
    fail(
      `${metric.name} explains again with the method that made the explanations: give explanations from one method at a time`,
    );
  }
  const seed = opts.seed ?? 0;
  const batchSize = Math.max(1, opts.batchSize ?? 64);
  const batch: MetricBatch = {
    inputs,
    targets,
    explanations,
    maps,
    layout,
    groundTruth: opts.groundTruth,
  };
  const ctx: MetricContext = {
    model,
    seed,
    batchSize,
    onProgress: opts.onProgress,
    signal: opts.signal,
    log: opts.log,
    reexplain: (x, t, other) =>
      explain(other ?? model, x, method, {
        targets: t,
        seed,
        options: explanations[0].options,
        score: explanations[0].scoreKind,
        batchSize,
        signal: opts.signal,
      }),
  };
  const started = performance.now();
  const out = await metric.evaluate(ctx, batch, options);
  const { mean, count } = finiteMean(out.scores);
  return {
    metric: metric.name,
    method: method ?? '',
    options: options as Record<string, unknown>,
    direction: metric.direction,
    mean,
    count,
    milliseconds: performance.now() - started,
    ...out,
  };
}
