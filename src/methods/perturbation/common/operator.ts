/**
 * The score a perturbation method explains, as a swappable function (Xplique's "operator"):
 * a batch of perturbed copies of one input in, one number per copy out. The same RISE, occlusion,
 * LIME or KernelSHAP code then explains a classifier's class score, a detector's box
 * (detection/operator.ts) or anything else that maps an input to a number.
 */
import type { NdArray } from '../../../core/ndarray.js';
import type { Model, ScoreKind } from '../../../models/model.js';

export type Operator = (batch: NdArray) => Promise<Float32Array>;

/**
 * The target class's score: the raw output when `score` is 'logit' (for a model that outputs
 * probabilities, the probability itself), its softmax probability when `score` is 'probability'.
 */
export function classifierOperator(model: Model, target: number, score: ScoreKind): Operator {
  const softmax = score === 'probability' && model.outputKind === 'logits';
  return async (batch) => pickScores(await model.predict(batch), target, softmax);
}

/** Column `target` of [N, K] outputs, optionally through a row softmax (computed in float64). */
export function pickScores(raw: NdArray, target: number, softmax: boolean): Float32Array {
  const [n, k] = raw.shape;
  const out = new Float32Array(n);
  const d = raw.data;
  for (let r = 0; r < n; r++) {
    const row = r * k;
    if (!softmax) {
      out[r] = d[row + target];
      continue;
    }
    let max = -Infinity;
    for (let j = 0; j < k; j++) max = Math.max(max, d[row + j]);
    let sum = 0;
    for (let j = 0; j < k; j++) sum += Math.exp(d[row + j] - max);
    out[r] = Math.exp(d[row + target] - max) / sum;
  }
  return out;
}
