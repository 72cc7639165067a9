/** Models and explanations with known behaviour for the metric tests. */
import type { NdArray } from '../../src/core/ndarray.js';
import type {
  GradientRequest,
  GradientResult,
  InputKind,
  Model,
  OutputKind,
} from '../../src/models/model.js';
import type { Explanation } from '../../src/methods/explanation.js';

/**
 * logits = W·flatten(x) + b, written in plain JS (no engine): W is [K][size]. Its input gradient
 * is exact (row `target` of W), so gradient methods work on it.
 */
export class LinearModel implements Model {
  readonly name = 'linear';
  readonly whiteBox = true;
  readonly numClasses: number;
  predictCalls = 0;
  constructor(
    readonly inputShape: number[],
    readonly weights: Float64Array[],
    readonly bias: number[],
    readonly kind: InputKind = 'image',
    readonly outputKind: OutputKind = 'logits',
  ) {
    this.numClasses = weights.length;
  }
  layers() {
    return [];
  }
  async predict(input: NdArray): Promise<NdArray> {
    this.predictCalls++;
    const n = input.shape[0];
    const size = input.data.length / n;
    const k = this.numClasses;
    const out = new Float32Array(n * k);
    for (let i = 0; i < n; i++) {
      for (let c = 0; c < k; c++) {
        let s = this.bias[c];
        const w = this.weights[c];
        for (let j = 0; j < size; j++) s += w[j] * input.data[i * size + j];
        out[i * k + c] = s;
      }
    }
    return { data: out, shape: [n, k] };
  }
  async activations(): Promise<Map<string, NdArray>> {
    return new Map();
  }
  async gradients(req: GradientRequest): Promise<GradientResult> {
    const n = req.input.shape[0];
    const size = req.input.data.length / n;
    const logits = await this.predict(req.input);
    const g = new Float32Array(req.input.data.length);
    const scores = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      g.set(Float32Array.from(this.weights[req.targets[i]]), i * size);
      scores[i] = logits.data[i * this.numClasses + req.targets[i]];
    }
    return { scores, inputGradient: { data: g, shape: [...req.input.shape] } };
  }
  dispose(): void {}
}

/** An Explanation carrying `heatmap` (and the same values as attribution), for metrics that only read maps. */
export function mapExplanation(
  heatmap: Float32Array,
  grid: number[],
  target: number,
  method = 'given',
): Explanation {
  return {
    method,
    options: {},
    target,
    score: 0,
    scoreKind: 'logit',
    predicted: target,
    milliseconds: 0,
    signed: true,
    attribution: { data: heatmap, shape: [...grid] },
    heatmap: { data: heatmap, shape: [...grid] },
    extras: {},
  };
}

/** Deterministic values in [0, 1) (xorshift), independent of Glassbox's RNG. */
export function uniformValues(n: number, seed: number): Float32Array {
  let s = seed >>> 0 || 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    out[i] = s / 4294967296;
  }
  return out;
}
