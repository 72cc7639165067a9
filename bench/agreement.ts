/** How far Glassbox's gradients are from PyTorch's, on the same input and target. */
import type { NdArray } from '../src/core/ndarray.js';
import { readNpy } from '../src/io/npy.js';
import { toNhwc, type GlassboxSide } from './glassbox.js';
import type { Prepared } from './python.js';

export interface Agreement {
  what: string;
  /** max |glassbox − pytorch| */
  maxAbs: number;
  /** max |pytorch| */
  scale: number;
  /** maxAbs / scale: the error relative to the gradient's own size. */
  relative: number;
  /** Largest elementwise |Δ| / |pytorch| among elements with |pytorch| ≥ 1e-3 · scale. */
  elementwise: number;
}

export function agreement(what: string, ours: NdArray, theirs: NdArray): Agreement {
  if (ours.data.length !== theirs.data.length) {
    throw new Error(`${what}: shapes differ: glassbox [${ours.shape}] vs pytorch [${theirs.shape}]`);
  }
  let maxAbs = 0;
  let scale = 0;
  for (let i = 0; i < theirs.data.length; i++) {
    maxAbs = Math.max(maxAbs, Math.abs(ours.data[i] - theirs.data[i]));
    scale = Math.max(scale, Math.abs(theirs.data[i]));
  }
  let elementwise = 0;
  for (let i = 0; i < theirs.data.length; i++) {
    const t = Math.abs(theirs.data[i]);
    if (t >= 1e-3 * scale) elementwise = Math.max(elementwise, Math.abs(ours.data[i] - theirs.data[i]) / t);
  }
  return { what, maxAbs, scale, relative: scale > 0 ? maxAbs / scale : NaN, elementwise };
}

/** Input gradient and Grad-CAM layer activation/gradient, compared with the .npy PyTorch saved. */
export async function gradientAgreement(side: GlassboxSide, prepared: Prepared, nhwc: NdArray, camLayer: string | undefined): Promise<Agreement[]> {
  if (!side.model) return [];
  const r = await side.model.gradients({ input: nhwc, targets: [prepared.target], layer: camLayer, inputGradient: true });
  const out: Agreement[] = [];
  out.push(agreement('input gradient', r.inputGradient!, toNhwc(readNpy(prepared.files.input_grad))));
  if (camLayer && r.activation && r.layerGradient) {
    out.push(agreement(`activation of ${camLayer}`, r.activation, toNhwc(readNpy(prepared.files.layer_act))));
    out.push(agreement(`gradient at ${camLayer}`, r.layerGradient, toNhwc(readNpy(prepared.files.layer_grad))));
  }
  out.push(agreement('target logit', { data: r.scores, shape: [1] }, { data: Float32Array.of(prepared.logit), shape: [1] }));
  return out;
}
