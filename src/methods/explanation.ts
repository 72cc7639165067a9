/**
 * The result of explaining one input: the raw attribution (the input's shape, channels kept),
 * a heatmap with one value per position (channels reduced as the method declares), and what
 * produced it. Serialises to .npy + JSON (see io/explanation-files.ts).
 */
import type { NdArray } from '../core/ndarray.js';
import type { ChannelReduction } from './method.js';

export interface Explanation {
  method: string;
  options: Record<string, unknown>;
  target: number;
  targetName?: string;
  /** The model's score for the target (logit or probability, see `scoreKind`). */
  score: number;
  scoreKind: 'logit' | 'probability';
  predicted: number;
  layer?: string;
  /** Wall time of the method for this input (the batch's time divided among its inputs). */
  milliseconds: number;
  signed: boolean;
  /** [...inputShape] */
  attribution: NdArray;
  /** [H, W] for images, [L] for signals, [F] for tables. */
  heatmap: NdArray;
  extras: Record<string, number>;
}

/** Reduce the channel axis of one example's attribution ([H,W,C], [L,C] or [F]). */
export function reduceChannels(attribution: NdArray, reduce: ChannelReduction): NdArray {
  const shape = attribution.shape;
  if (shape.length === 1) {
    const data = reduce === 'absmax' || reduce === 'abssum' ? attribution.data.map(Math.abs) : attribution.data.slice();
    return { data, shape: [...shape] };
  }
  const c = shape[shape.length - 1];
  const positions = attribution.data.length / c;
  const out = new Float32Array(positions);
  const a = attribution.data;
  for (let p = 0; p < positions; p++) {
    let v = reduce === 'absmax' ? 0 : 0;
    for (let k = 0; k < c; k++) {
      const x = a[p * c + k];
      if (reduce === 'absmax') v = Math.max(v, Math.abs(x));
      else if (reduce === 'abssum') v += Math.abs(x);
      else v += x;
    }
    out[p] = reduce === 'mean' ? v / c : v;
  }
  return { data: out, shape: shape.slice(0, -1) };
}

/** JSON-safe summary (arrays omitted; they go to .npy files). */
export function explanationSummary(e: Explanation): Record<string, unknown> {
  return {
    method: e.method,
    options: e.options,
    target: e.target,
    targetName: e.targetName,
    predicted: e.predicted,
    score: e.score,
    scoreKind: e.scoreKind,
    layer: e.layer,
    milliseconds: Math.round(e.milliseconds * 100) / 100,
    signed: e.signed,
    attributionShape: e.attribution.shape,
    heatmapShape: e.heatmap.shape,
    extras: e.extras,
  };
}
