/**
 * Models whose decision is a known function of which patches are visible, for SAG tests.
 * The input is an all-ones image; hidden patches become black (0), so a patch's visibility is
 * the mean of its pixels (channel 0). Class 1's logit is `f(visibilities)`, class 0's is 0.
 */
import type { NdArray } from '../../src/core/ndarray.js';
import type { Model } from '../../src/models/model.js';
import { PatchGrid } from '../../src/sag/patches.js';
import { structuredAttentionGraph, type SagOptions, type SagResult } from '../../src/sag/index.js';

export const SIZE = 28;
export const GRID = 7;

export class PatchRuleModel implements Model {
  readonly name = 'patch-rule';
  readonly kind = 'image' as const;
  readonly inputShape: number[];
  readonly numClasses = 2;
  readonly outputKind = 'logits' as const;
  readonly whiteBox = false;
  /** Examples per predict call, in order. */
  readonly batches: number[] = [];
  private readonly grid: PatchGrid;

  constructor(
    readonly logit: (visibility: Float32Array) => number,
    readonly channels = 1,
    size = SIZE,
    grid = GRID,
  ) {
    this.inputShape = [size, size, channels];
    this.grid = new PatchGrid(size, size, grid, grid, 'nearest');
  }

  get calls(): number {
    return this.batches.length;
  }

  get passes(): number {
    return this.batches.reduce((a, b) => a + b, 0);
  }

  /** Visibility of every patch in one image [H, W, C]. */
  visibility(image: Float32Array): Float32Array {
    const c = this.channels;
    const plane = Float32Array.from({ length: image.length / c }, (_, i) => image[i * c]);
    return this.grid.patchMeans(plane);
  }

  layers() {
    return [];
  }

  async predict(x: NdArray): Promise<NdArray> {
    const n = x.shape[0];
    this.batches.push(n);
    const per = x.data.length / n;
    const out = new Float32Array(n * 2);
    for (let i = 0; i < n; i++)
      out[i * 2 + 1] = this.logit(this.visibility(x.data.subarray(i * per, (i + 1) * per)));
    return { data: out, shape: [n, 2] };
  }

  async activations(): Promise<Map<string, NdArray>> {
    throw new Error('not white-box');
  }

  async gradients(): Promise<never> {
    throw new Error('not white-box');
  }

  dispose(): void {}
}

export const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/**
 * Fires when every patch of some clause is visible: logit = gain·max_clause Π v − bias.
 * With gain 8, bias 4: p = sigmoid(4) ≈ 0.982 when a clause is visible, sigmoid(−4) ≈ 0.018 otherwise.
 */
export function clauses(list: number[][], gain = 8, bias = 4): (v: Float32Array) => number {
  return (v) => gain * Math.max(0, ...list.map((c) => c.reduce((s, p) => s * v[p], 1))) - bias;
}

/** logit = Σ w_p·v_p − bias. */
export function additive(
  weights: Record<number, number>,
  bias: number,
): (v: Float32Array) => number {
  return (v) => Object.entries(weights).reduce((s, [p, w]) => s + w * v[Number(p)], 0) - bias;
}

export function onesImage(channels = 1, size = SIZE): NdArray {
  return {
    data: new Float32Array(size * size * channels).fill(1),
    shape: [1, size, size, channels],
  };
}

/** Heuristic scores that rank `order` first (in that order), then every other patch by index. */
export function ranking(order: number[], count = GRID * GRID): Float32Array {
  const s = Float32Array.from({ length: count }, (_, p) => -p / 1000);
  order.forEach((p, i) => (s[p] = 10 - i));
  return s;
}

/**
 * `structuredAttentionGraph` with hidden patches black (0) unless the options say otherwise:
 * these models read a patch's visibility from its pixels, which only a black baseline keeps
 * exact (SAG's default, blur, would leave an all-ones image unchanged).
 */
export function sagOnBlack(
  model: Model,
  input: NdArray,
  options: SagOptions = {},
): Promise<SagResult> {
  return structuredAttentionGraph(model, input, { baseline: 'black', ...options });
}
