import type { ClassificationMetrics } from './metrics.js';

/** One row of training history. Validation fields are absent when there was no validation split. */
export interface EpochRecord {
  epoch: number;
  loss: number;
  acc: number;
  valLoss?: number;
  valAcc?: number;
  lr?: number;
  /** Wall-clock duration of the epoch. */
  seconds?: number;
}

/** An example image: an encoded PNG, or 8-bit interleaved pixels [height, width, channels]. */
export type ReportImage =
  { png: Uint8Array } | { pixels: Uint8Array; width: number; height: number; channels: number };

/** A misclassified test example; `prob` is the probability given to the predicted class. */
export type MisclassifiedExample = ReportImage & { true: number; pred: number; prob: number };

export interface ReportInput {
  runName: string;
  /** The run's configuration, written as JSON. */
  config?: unknown;
  history: EpochRecord[];
  metrics: ClassificationMetrics;
  /** Shown in the order given; pass the ones worth looking at (e.g. the most confident). */
  misclassified?: MisclassifiedExample[];
}
