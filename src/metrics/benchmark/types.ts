/** What the benchmark runs on and what it writes (benchmark.json follows `BenchmarkReport`). */
import type { NdArray } from '../../core/ndarray.js';
import type { Model } from '../../models/model.js';
import type { GroundTruth } from '../metric.js';

/** One model with its evaluation inputs: a built-in data set and its trained model, or the user's. */
export interface BenchmarkEntry {
  /** Label in the tables, e.g. "mnist". */
  name: string;
  model: Model;
  /** Identifies the model's weights for the cache (e.g. its file path and modification time). */
  modelId: string;
  /** Where the model came from, for the report. */
  modelSource: string;
  /** [N, ...model.inputShape] */
  inputs: NdArray;
  /** True classes, when known (accuracy is reported). */
  labels?: Int32Array;
  groundTruth?: GroundTruth;
  classNames?: string[];
}

export interface CurveSummary {
  name: string;
  xLabel: string;
  yLabel: string;
  x: number[];
  xNames?: string[];
  /** Mean over the inputs at each x. */
  mean: number[];
}

export interface MetricCell {
  metric: string;
  direction: 'higher' | 'lower';
  /** Mean of the finite per-input scores. */
  mean?: number;
  /** Standard error of that mean. */
  sem?: number;
  count?: number;
  /** Per-input scores; null where undefined (JSON has no NaN). */
  scores?: Array<number | null>;
  details?: Record<string, number>;
  curves?: CurveSummary[];
  seconds?: number;
  /** Why there is no value (metric does not apply, needs masks, failed). */
  skipped?: string;
}

export interface MethodRow {
  method: string;
  title: string;
  /** Mean wall time of the method per input, ms. */
  msPerInput?: number;
  metrics: Record<string, MetricCell>;
  /** Example map files relative to the output folder (PNG overlays or SVG profiles). */
  examples?: string[];
  skipped?: string;
}

export interface EntryReport {
  name: string;
  kind: string;
  inputShape: number[];
  modelSource: string;
  count: number;
  /** Accuracy of the model on the evaluated inputs (when labels are known). */
  accuracy?: number;
  /** Original inputs shown above the example maps. */
  exampleInputs?: string[];
  methods: MethodRow[];
}

export interface BenchmarkReport {
  format: 'glassbox-benchmark/1';
  createdAt: string;
  seed: number;
  count: number;
  metrics: Array<{
    name: string;
    title: string;
    family: string;
    direction: 'higher' | 'lower';
    reference: string;
  }>;
  entries: EntryReport[];
  /** Data sets that could not be prepared (e.g. files not installed), with the reason. */
  skippedEntries?: Array<{ name: string; reason: string }>;
  seconds: number;
  software: { node: string; glassbox: string };
}
