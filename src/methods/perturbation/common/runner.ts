/**
 * What every perturbation method shares: the `batchSize` and `seed` options, a counter of forward
 * passes that reports progress and honours cancellation, and batched scoring of perturbed copies
 * of one input written straight into a reused buffer.
 */
import { z } from 'zod';
import { sizeOf } from '../../../core/ndarray.js';
import { throwIfAborted, type MethodContext } from '../../method.js';
import type { Operator } from './operator.js';

/** Options every perturbation method takes. */
export const runOptions = {
  batchSize: z.number().int().positive().default(64).describe('perturbed inputs per forward pass'),
  seed: z.number().int().optional().describe('seed for every random choice; default: the explain seed'),
};

export function methodSeed(ctx: MethodContext, options: { seed?: number }): number {
  return options.seed ?? ctx.seed;
}

/** Counts forward passes (examples through the model) against a total, for progress. */
export class PassCounter {
  done = 0;

  constructor(
    private readonly ctx: MethodContext,
    public total: number,
  ) {}

  /** Throws when the run was cancelled; call between batches. */
  check(): void {
    throwIfAborted(this.ctx.signal);
  }

  add(n: number): void {
    this.done += n;
    this.ctx.onProgress?.(this.done, this.total);
  }

  /** For methods that learn their cost as they go (SISE drops feature maps after a gradient). */
  reduceTotal(n: number): void {
    this.total -= n;
  }
}

/**
 * Scores `count` perturbed copies of an input of shape `exampleShape`: `fill(i, out)` writes copy
 * `i` into `out`, and copies go through `op` `batchSize` at a time (batch b holds copies
 * b·batchSize … b·batchSize + batchSize − 1, so `i − start` is a copy's slot in its batch).
 */
export async function scorePerturbations(
  op: Operator,
  exampleShape: number[],
  count: number,
  batchSize: number,
  fill: (index: number, out: Float32Array) => void,
  passes: PassCounter,
  /**
   * Called after each batch with its first index and scores (e.g. to use per-batch state). The
   * next batch has already been filled by then (see below), so per-index state must outlive it.
   */
  onBatch?: (start: number, scores: Float32Array) => void,
): Promise<Float64Array> {
  const per = sizeOf(exampleShape);
  const scores = new Float64Array(count);
  const capacity = Math.max(1, Math.min(batchSize, count));
  // Two buffers: the next batch is built in JS while the engine scores the current one.
  const buffers = [new Float32Array(capacity * per), new Float32Array(capacity * per)];
  const build = (start: number, buffer: Float32Array) => {
    const n = Math.min(capacity, count - start);
    for (let j = 0; j < n; j++) fill(start + j, buffer.subarray(j * per, (j + 1) * per));
    return n === capacity ? buffer : buffer.subarray(0, n * per);
  };
  if (count === 0) return scores;
  passes.check();
  let data = build(0, buffers[0]);
  let pending = op({ data, shape: [data.length / per, ...exampleShape] });
  for (let start = 0, k = 0; start < count; start += capacity, k++) {
    const next = start + capacity < count ? build(start + capacity, buffers[(k + 1) % 2]) : undefined;
    const s = await pending;
    const n = data.length / per;
    if (s.length !== n) throw new Error(`operator returned ${s.length} scores for ${n} inputs`);
    for (let j = 0; j < n; j++) scores[start + j] = s[j];
    onBatch?.(start, s);
    passes.add(n);
    if (next) {
      passes.check();
      data = next;
      pending = op({ data, shape: [data.length / per, ...exampleShape] });
    }
  }
  return scores;
}

/** The grid of one example (no channel axis) and its channel count, per input kind. */
export function gridOf(inputShape: number[], kind: 'image' | 'signal' | 'table'): { grid: number[]; channels: number } {
  if (kind === 'table') return { grid: [...inputShape], channels: 1 };
  return { grid: inputShape.slice(0, -1), channels: inputShape[inputShape.length - 1] };
}

/** Repeats a per-position map over the channels (positions × channels, channels last). */
export function spreadOverChannels(map: ArrayLike<number>, channels: number, out: Float32Array, offset = 0): void {
  for (let p = 0; p < map.length; p++) {
    const v = map[p];
    for (let c = 0; c < channels; c++) out[offset + p * channels + c] = v;
  }
}
