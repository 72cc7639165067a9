/**
 * Batched forward passes for metrics: inputs are added one at a time (each a copy of one
 * example), sent to the model `batchSize` at a time, and the target's raw output, its softmax
 * probability and the predicted class come back in the order they were added.
 */
import { argmaxRows, softmaxRows } from '../../core/ndarray.js';
import type { Model } from '../../models/model.js';
import { throwIfAborted } from '../metric.js';

export interface Predictions {
  /** The target's raw model output (a logit, or a probability for probability models). */
  raw: Float32Array;
  /** The target's probability: softmax of logits, or the output itself for probability models. */
  prob: Float32Array;
  predicted: Int32Array;
}

export class PredictionQueue {
  private readonly size: number;
  private readonly buffer: Float32Array;
  private readonly pendingTargets: number[] = [];
  private readonly raw: number[] = [];
  private readonly prob: number[] = [];
  private readonly predicted: number[] = [];

  constructor(
    private readonly model: Model,
    private readonly batchSize: number,
    private readonly signal?: AbortSignal,
    private readonly onBatch?: (done: number) => void,
  ) {
    this.size = model.inputShape.reduce((a, b) => a * b, 1);
    this.buffer = new Float32Array(this.size * Math.max(1, batchSize));
  }

  /** Queues one example (copied at once, so the caller may reuse its buffer). */
  async add(x: Float32Array, target: number): Promise<void> {
    this.buffer.set(x, this.pendingTargets.length * this.size);
    this.pendingTargets.push(target);
    if (this.pendingTargets.length >= this.batchSize) await this.flush();
  }

  async finish(): Promise<Predictions> {
    await this.flush();
    return {
      raw: Float32Array.from(this.raw),
      prob: Float32Array.from(this.prob),
      predicted: Int32Array.from(this.predicted),
    };
  }

  private async flush(): Promise<void> {
    const n = this.pendingTargets.length;
    if (n === 0) return;
    throwIfAborted(this.signal);
    const out = await this.model.predict({
      data: this.buffer.subarray(0, n * this.size),
      shape: [n, ...this.model.inputShape],
    });
    const probs = this.model.outputKind === 'logits' ? softmaxRows(out) : out;
    const k = out.shape[1];
    const pred = argmaxRows(out);
    for (let i = 0; i < n; i++) {
      const t = this.pendingTargets[i];
      this.raw.push(out.data[i * k + t]);
      this.prob.push(probs.data[i * k + t]);
      this.predicted.push(pred[i]);
    }
    this.pendingTargets.length = 0;
    this.onBatch?.(this.raw.length);
  }
}

/** Predictions for a whole batch of examples. */
export async function predictTargets(
  model: Model,
  x: Float32Array,
  targets: number[],
  batchSize: number,
  signal?: AbortSignal,
): Promise<Predictions> {
  const q = new PredictionQueue(model, batchSize, signal);
  const size = x.length / targets.length;
  for (let i = 0; i < targets.length; i++)
    await q.add(x.subarray(i * size, (i + 1) * size), targets[i]);
  return q.finish();
}
