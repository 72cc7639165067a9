/**
 * Scores patch sets: the target probability of `image·M + baseline·(1−M)`. Every request is a
 * list of sets scored in as few `predict` calls as `batchSize` allows; sets already scored are
 * answered from a cache, so each distinct set costs exactly one forward pass.
 */
import { softmaxRows } from '../core/ndarray.js';
import type { Model } from '../models/model.js';
import { throwIfAborted } from '../methods/method.js';
import { setKey, type PatchGrid } from './patches.js';

export type ScoreSets = (sets: readonly (readonly number[])[]) => Promise<number[]>;

export interface ScorerOptions {
  batchSize: number;
  signal?: AbortSignal;
  /** Called after every predict call with (passes so far, passes scheduled so far). */
  onPasses?: (done: number, scheduled: number) => void;
}

export class PatchScorer {
  /** Examples sent through the model. */
  forwardPasses = 0;
  /** `predict` calls made. */
  predictCalls = 0;
  private scheduled = 0;
  private readonly cache = new Map<string, number>();
  private readonly difference: Float32Array;
  /** Composed images of one predict call, kept between calls (a 64-image batch is 38 MB at 224 px). */
  private buffer = new Float32Array(0);
  private busy = false;
  private readonly scratch: Float32Array;
  private readonly perExample: number;
  private readonly channels: number;

  constructor(
    private readonly model: Model,
    private readonly image: Float32Array,
    private readonly baseline: Float32Array,
    private readonly grid: PatchGrid,
    private readonly target: number,
    private readonly options: ScorerOptions,
  ) {
    this.perExample = image.length;
    this.channels = image.length / (grid.height * grid.width);
    this.difference = new Float32Array(image.length);
    for (let i = 0; i < image.length; i++) this.difference[i] = image[i] - baseline[i];
    this.scratch = new Float32Array(grid.height * grid.width);
  }

  /** Cached probability of a set, if it was scored. */
  known(patches: readonly number[]): number | undefined {
    return this.cache.get(setKey(patches));
  }

  /** Target probability of each set (sorted patch lists), in order. */
  readonly score: ScoreSets = async (sets) => {
    const todo: (readonly number[])[] = [];
    const queued = new Set<string>();
    for (const s of sets) {
      const k = setKey(s);
      if (!this.cache.has(k) && !queued.has(k)) {
        queued.add(k);
        todo.push(s);
      }
    }
    this.scheduled += todo.length;
    const { batchSize, signal } = this.options;
    const capacity = Math.max(1, Math.min(batchSize, todo.length));
    // Overlapping calls (not made by SAG itself) each get their own images.
    const shared = !this.busy;
    if (shared && this.buffer.length < capacity * this.perExample)
      this.buffer = new Float32Array(capacity * this.perExample);
    const buffer = shared ? this.buffer : new Float32Array(capacity * this.perExample);
    const scratch = shared ? this.scratch : new Float32Array(this.scratch.length);
    this.busy = true;
    try {
      await this.run(todo, capacity, buffer, scratch);
    } finally {
      if (shared) this.busy = false;
    }
    throwIfAborted(signal);
    return sets.map((s) => this.cache.get(setKey(s))!);
  };

  private async run(
    todo: readonly (readonly number[])[],
    capacity: number,
    buffer: Float32Array,
    scratch: Float32Array,
  ): Promise<void> {
    const { signal } = this.options;
    for (let start = 0; start < todo.length; start += capacity) {
      throwIfAborted(signal);
      const n = Math.min(capacity, todo.length - start);
      for (let j = 0; j < n; j++) {
        const out = buffer.subarray(j * this.perExample, (j + 1) * this.perExample);
        this.grid.compose(
          todo[start + j],
          this.baseline,
          this.difference,
          this.channels,
          out,
          scratch,
        );
      }
      const probs = await this.probabilities(buffer.subarray(0, n * this.perExample), n);
      for (let j = 0; j < n; j++) this.cache.set(setKey(todo[start + j]), probs[j]);
      this.options.onPasses?.(this.forwardPasses, this.scheduled);
    }
  }

  private async probabilities(data: Float32Array, n: number): Promise<Float32Array> {
    const raw = await this.model.predict({
      data,
      shape: [n, this.grid.height, this.grid.width, this.channels],
    });
    this.predictCalls++;
    this.forwardPasses += n;
    const probs = this.model.outputKind === 'logits' ? softmaxRows(raw) : raw;
    const k = this.model.numClasses;
    return Float32Array.from({ length: n }, (_, i) => probs.data[i * k + this.target]);
  }
}
