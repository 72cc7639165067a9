/**
 * The operator that lets perturbation methods explain one detected box (D-RISE, Petsiuk et al.
 * 2021): a perturbed image scores max_j IoU(L_t, L_j) · cos(P_t, P_j) · O_j over its detections j,
 * where L is a box, P a class-probability vector and O objectness — how well the perturbed image
 * still yields the target detection. Plug it into RISE (d-rise.ts), occlusion or LIME cores.
 */
import type { Operator } from '../perturbation/common/operator.js';
import type { Box, Detection, DetectorModel } from './detector.js';

export interface DetectionTarget {
  box: Box;
  classProbs: Float32Array;
}

export function iou(a: Box, b: Box): number {
  const ix = Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0]));
  const iy = Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
  const inter = ix * iy;
  const union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter;
  return union > 0 ? inter / union : 0;
}

export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  return aa > 0 && bb > 0 ? ab / Math.sqrt(aa * bb) : 0;
}

/** D-RISE's similarity of one proposal to the target vector d_t = (L_t, 1, P_t). */
export function detectionSimilarity(target: DetectionTarget, d: Detection): number {
  return iou(target.box, d.box) * cosine(target.classProbs, d.classProbs) * d.objectness;
}

/** Best similarity to the target over each image's detections (0 when nothing is detected). */
export function detectionOperator(detector: DetectorModel, target: DetectionTarget): Operator {
  return async (batch) => {
    const dets = await detector.detect(batch);
    return Float32Array.from(dets, (list) => list.reduce((best, d) => Math.max(best, detectionSimilarity(target, d)), 0));
  };
}
