/**
 * What a metric is: a named, documented function from a model, a batch of inputs, their target
 * classes and one explanation per input to one score per input (plus curves where the metric
 * has them). Options are validated by a zod schema; every random choice is seeded; forward
 * passes are batched. Metrics are registered in a table (registry.ts) that the CLI, the API and
 * the benchmark all list from.
 */
import type { z } from 'zod';
import type { NdArray } from '../core/ndarray.js';
import type { InputKind, Model } from '../models/model.js';
import type { Explanation } from '../methods/explanation.js';
import type { Layout } from './common/layout.js';

export type MetricFamily =
  'faithfulness' | 'localisation' | 'randomisation' | 'robustness' | 'complexity';

/** Ground truth for localisation metrics: one entry per input, over the heatmap's positions. */
export interface GroundTruth {
  /** N × positions, 1 = the deciding object. */
  masks?: Uint8Array;
  /** N × 4 as [x0, y0, x1, y1] (x1, y1 exclusive), images only. */
  boxes?: Float32Array;
}

export interface MetricContext {
  model: Model;
  seed: number;
  /** Inputs per forward pass (and per explain call when a metric re-explains). */
  batchSize: number;
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
  log?: (message: string) => void;
  /**
   * Explains `inputs` again with the method and options that produced the explanations under
   * test (randomisation and robustness metrics), optionally on another model.
   */
  reexplain(inputs: NdArray, targets: number[], model?: Model): Promise<Explanation[]>;
}

/** Everything a metric sees about the batch, already checked for consistency. */
export interface MetricBatch {
  /** [N, ...model.inputShape] */
  inputs: NdArray;
  targets: number[];
  explanations: Explanation[];
  /** Each explanation's heatmap, one value per position (layout.positions). */
  maps: Float32Array[];
  layout: Layout;
  groundTruth?: GroundTruth;
}

export interface MetricCurve {
  /** e.g. "deletion", "morf", "lerf", "spearman". */
  name: string;
  xLabel: string;
  yLabel: string;
  /** Shared x values. */
  x: number[];
  /** Names for the x values (layer names of the randomisation curves). */
  xNames?: string[];
  /** One row per input. */
  y: number[][];
}

export interface MetricOutput {
  /** One number per input; NaN where the metric is undefined (e.g. an empty mask). */
  scores: number[];
  curves?: MetricCurve[];
  /** Further per-input numbers worth reporting (e.g. ROAD's MoRF and LeRF means). */
  details?: Record<string, number[]>;
}

export interface MetricResult extends MetricOutput {
  metric: string;
  method: string;
  options: Record<string, unknown>;
  direction: 'higher' | 'lower';
  /** Mean of the finite scores (NaN when there are none). */
  mean: number;
  /** Inputs whose score is finite. */
  count: number;
  milliseconds: number;
}

export interface MetricSpec<S extends z.ZodTypeAny = z.ZodTypeAny> {
  name: string;
  title: string;
  family: MetricFamily;
  /** The paper (and code) the implementation follows, and any convention it adopts. */
  reference: string;
  /** Which scores are better. */
  direction: 'higher' | 'lower';
  kinds: InputKind[];
  /** What the metric needs beyond predictions: ground-truth masks, re-explaining, a TF.js model. */
  needs: Array<'groundTruth' | 'reexplain' | 'tfjs'>;
  options: S;
  evaluate(ctx: MetricContext, batch: MetricBatch, options: z.infer<S>): Promise<MetricOutput>;
}

/** Declares a metric with its option type inferred from the schema. */
export function defineMetric<S extends z.ZodTypeAny>(spec: MetricSpec<S>): MetricSpec<S> {
  return spec;
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new Error('cancelled');
}
