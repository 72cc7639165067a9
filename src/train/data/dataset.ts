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
  /**
   * Optional bounding box of the deciding object per example, count × 4 as [x0, y0, x1, y1] in
   * pixels of the stored image: x0, y0 the first covered column and row, x1, y1 one past the last
   * (so x1 − x0 is the width). Consistent with `masks` when both are present.
   */
  boxes?: Float32Array;
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
  /** Column names of a table's features, in `x` order (tables only). */
  featureNames?: string[];
  /** Where the data came from (package, generator and seed, folder), for run.json. */
  provenance: string;
}

export function exampleSize(inputShape: number[]): number {
  return inputShape.reduce((a, b) => a * b, 1);
}
