/**
 * The in-memory data set every loader returns and the trainer, explainers and metrics consume.
 * Examples are stored flat, in Glassbox's canonical layout: images [H, W, C], signals [L, C],
 * tables [F]; one row of `x` per example.
 */
export type DataKind = 'image' | 'signal' | 'table';

export interface Split {
  /** count × prod(inputShape) values, row-major, already normalised as `normalisation` says. */
  x: Float32Array;
  /** Class index per example. */
  y: Int32Array;
  count: number;
  /** Optional ground-truth relevance mask per example, count × H × W (1 = the deciding object). */
  masks?: Uint8Array;
}

export interface Dataset {
  name: string;
  kind: DataKind;
  /** Per-example shape, without the batch dimension. */
  inputShape: number[];
  classNames: string[];
  train: Split;
  validation?: Split;
  test: Split;
  /** How raw values were mapped into `x`, so inputs from files can be prepared the same way. */
  normalisation: { mean: number[]; std: number[] } | { scale: number };
  /** Where the data came from (package, generator and seed, folder), for run.json. */
  provenance: string;
}

export function exampleSize(inputShape: number[]): number {
  return inputShape.reduce((a, b) => a * b, 1);
}
