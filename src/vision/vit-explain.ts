/**
 * Everything `glassbox vit` shows for a batch: per block and head the class token's attention to
 * the patches, attention rollout, gradient-weighted rollout and Grad-CAM on the tokens (the CAM
 * pipeline on a token layer, shown by TfjsModel as its patch grid), each as a patch-grid map and
 * bilinearly upsampled to the image.
 */
import type { NdArray } from '../core/ndarray.js';
import { fail } from '../core/errors.js';
import { resizeBilinear } from '../core/resize.js';
import type { TfjsModel } from '../models/tfjs-model.js';
import { explain } from '../methods/index.js';
import {
  attentionRollout,
  gradientRollout,
  headMap,
  tokenMap,
  vitAttention,
  type AttentionStack,
  type RolloutOptions,
  type VitStructure,
} from './vit-attention.js';

export interface VitExplainOptions {
  /** One class per input; default the predicted class. */
  targets?: number[];
  rollout?: RolloutOptions;
  /** Token layer for Grad-CAM; default the CAM pipeline's choice (the last token grid layer). */
  camLayer?: string;
}

export interface VitMaps {
  target: number;
  score: number;
  attention: AttentionStack;
  /** [block][head] → the readout token's attention to each patch (grid, row-major). */
  heads: Float32Array[][];
  rolloutMatrix: Float64Array;
  /** Largest |row sum − 1| of the rollout matrix (0 up to rounding: rows are distributions). */
  rolloutRowError: number;
  rollout: Float32Array;
  gradRollout: Float32Array;
  /** Grad-CAM on the input grid (already upsampled by the CAM pipeline). */
  gradCam: Float32Array;
  camLayer: string;
}

export interface VitExplanation {
  structure: VitStructure;
  maps: VitMaps[];
}

/** A patch-grid map bilinearly upsampled to the image (half-pixel centres, as cv2.resize). */
export function upsampleGrid(
  map: Float32Array,
  grid: [number, number],
  size: [number, number],
): Float32Array {
  return resizeBilinear(map, grid[0], grid[1], size[0], size[1]);
}

export async function explainVit(
  model: TfjsModel,
  input: NdArray,
  options: VitExplainOptions = {},
): Promise<VitExplanation> {
  if (model.kind !== 'image')
    fail(`model ${model.name} takes ${model.kind} inputs; ViT explanations need images`);
  const n = input.shape[0];
  let targets = options.targets;
  if (!targets) {
    const raw = await model.predict(input);
    const k = model.numClasses;
    targets = Array.from({ length: n }, (_, i) => {
      let best = 0;
      for (let c = 1; c < k; c++) if (raw.data[i * k + c] > raw.data[i * k + best]) best = c;
      return best;
    });
  }
  const att = await vitAttention(model.layersModel, input, targets);
  const { structure } = att;
  const cams = await explain(model, input, 'grad-cam', {
    targets,
    options: options.camLayer ? { layer: options.camLayer } : {},
  });
  const maps = att.attention.map((stack, i): VitMaps => {
    const rolloutMatrix = attentionRollout(stack, options.rollout);
    let rowError = 0;
    for (let r = 0; r < stack.tokens; r++) {
      let s = 0;
      for (let c = 0; c < stack.tokens; c++) s += rolloutMatrix[r * stack.tokens + c];
      rowError = Math.max(rowError, Math.abs(s - 1));
    }
    const heads = stack.blocks.map((_, b) =>
      Array.from({ length: stack.heads }, (_, h) => headMap(stack, b, h, structure.prefix)),
    );
    const chefer = gradientRollout(stack, att.gradients![i]);
    return {
      target: targets![i],
      score: att.scores![i],
      attention: stack,
      heads,
      rolloutMatrix,
      rolloutRowError: rowError,
      rollout: tokenMap(rolloutMatrix, stack.tokens, structure.prefix),
      gradRollout: tokenMap(chefer, stack.tokens, structure.prefix, true),
      gradCam: reduceToMap(cams[i].attribution),
      camLayer: cams[i].layer ?? '',
    };
  });
  return { structure, maps };
}

/** The CAM attribution [H, W, C] repeats one map over channels: take channel 0. */
function reduceToMap(a: NdArray): Float32Array {
  const c = a.shape[a.shape.length - 1];
  return Float32Array.from({ length: a.data.length / c }, (_, p) => a.data[p * c]);
}

/** Index of the largest value (first on ties). */
export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}

/**
 * Whether the peak pixel of an image-sized map [H·W] has its centre inside box [x0, y0, x1, y1]
 * (pixel coordinates; for whole-pixel boxes with x1/y1 exclusive this is x0 ≤ x < x1).
 */
export function peakInBox(map: Float32Array, width: number, box: ArrayLike<number>): boolean {
  const p = argmax(map);
  const x = (p % width) + 0.5;
  const y = Math.floor(p / width) + 0.5;
  return x >= box[0] && x <= box[2] && y >= box[1] && y <= box[3];
}
