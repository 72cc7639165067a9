/**
 * Turning raw values into a `HistogramProto`. Two bucketings:
 * - `'tf'` (default): TensorFlow's default bucket limits, ±(1e-12 · 1.1^k) up to 1e20 plus 0
 *   and ±DBL_MAX (≈1550 edges). Values fall in the first bucket whose limit is greater than
 *   them, as in TF's `Histogram::Add`. Like TF's `EncodeToProto`, each run of empty buckets
 *   is collapsed into one; unlike it, empty runs at either end are dropped (as tensorboardX
 *   does), because TensorBoard takes the first bucket's left edge to be `min` and the last
 *   one's right edge to be `max`.
 * - `{ bins: n }`: n equal-width buckets from min to max, empty ones kept; the maximum falls in
 *   the last bucket (numpy's convention).
 * Non-finite values (NaN, ±Infinity) are skipped: a diverging run should still log.
 * TensorBoard re-bins either form for display, so the choice only affects resolution.
 */
import { GlassboxError } from '../../core/errors.js';
import type { HistogramProto } from './event.js';

export type HistogramBuckets = 'tf' | { bins: number };

let defaultLimits: Float64Array | undefined;

/** TensorFlow's default histogram bucket limits, ascending. */
export function defaultBucketLimits(): Float64Array {
  if (defaultLimits) return defaultLimits;
  const pos: number[] = [];
  for (let v = 1e-12; v < 1e20; v *= 1.1) pos.push(v);
  pos.push(Number.MAX_VALUE);
  const neg = pos.map((v) => -v).reverse();
  defaultLimits = Float64Array.from([...neg, 0, ...pos]);
  return defaultLimits;
}

/** Index of the first element of `sorted` greater than `x` (C++ `std::upper_bound`). */
export function upperBound(sorted: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] > x) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

export function buildHistogram(
  values: ArrayLike<number>,
  buckets: HistogramBuckets = 'tf',
): HistogramProto {
  let min = Infinity;
  let max = -Infinity;
  let num = 0;
  let sum = 0;
  let sumSquares = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
    num++;
    sum += v;
    sumSquares += v * v;
  }
  const stats = { min, max, num, sum, sumSquares };
  if (num === 0) {
    // TF's convention for an empty histogram: one empty bucket ending at DBL_MAX.
    return { ...stats, min: 0, max: 0, bucketLimit: [Number.MAX_VALUE], bucket: [0] };
  }
  if (buckets === 'tf') return { ...stats, ...tfBuckets(values) };
  const bins = buckets.bins;
  if (!Number.isInteger(bins) || bins < 1) {
    throw new GlassboxError(`histogram bins must be a positive integer, got ${bins}`);
  }
  return { ...stats, ...equalBuckets(values, min, max, bins) };
}

function tfBuckets(values: ArrayLike<number>): Pick<HistogramProto, 'bucketLimit' | 'bucket'> {
  const limits = defaultBucketLimits();
  const counts = new Float64Array(limits.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    // DBL_MAX itself would land past the last bucket; it belongs in it.
    counts[Math.min(upperBound(limits, v), limits.length - 1)]++;
  }
  let first = 0;
  while (counts[first] === 0) first++;
  let last = counts.length - 1;
  while (counts[last] === 0) last--;
  const bucketLimit: number[] = [];
  const bucket: number[] = [];
  for (let i = first; i <= last;) {
    let end = limits[i];
    const count = counts[i];
    i++;
    if (count === 0) {
      while (i <= last && counts[i] === 0) end = limits[i++];
    }
    bucketLimit.push(end);
    bucket.push(count);
  }
  return { bucketLimit, bucket };
}

function equalBuckets(
  values: ArrayLike<number>,
  min: number,
  max: number,
  bins: number,
): Pick<HistogramProto, 'bucketLimit' | 'bucket'> {
  if (min === max) {
    let count = 0;
    for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) count++;
    return { bucketLimit: [max], bucket: [count] };
  }
  const width = (max - min) / bins;
  const bucket = new Array<number>(bins).fill(0);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    bucket[Math.min(Math.floor((v - min) / width), bins - 1)]++;
  }
  const bucketLimit = bucket.map((_, i) => (i === bins - 1 ? max : min + (i + 1) * width));
  return { bucketLimit, bucket };
}
