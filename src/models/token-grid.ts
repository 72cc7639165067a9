/**
 * Layer discovery for transformers: which token layers [T, D] of a TF.js graph are really a patch
 * grid, so map methods (Grad-CAM and friends, Score-CAM, feature maps) can treat them like
 * convolutional layers. A layer is shown as the grid [rows, cols, D] when
 *   - it descends from a Reshape [rows, cols, D] → [rows·cols, D] (a ViT's patch tokens),
 *   - it has T = rows·cols + prefix tokens with 0 ≤ prefix < rows·cols (the class token and any
 *     other extra tokens come first, as in ViT/DeiT), and
 *   - its patch tokens still reach the output: some later layer mixes tokens (attention, 1-D
 *     global pooling, flatten). After the last attention of a class-token ViT only the class
 *     token reaches the output, so those layers' patch gradients are zero and they stay tokens.
 * The grid view drops the prefix tokens (pytorch-grad-cam's `reshape_transform` for ViTs).
 */
import { tf } from '../runtime/tf.js';
import type { TokenGrid } from './model.js';

/** Layers that mix information across tokens. */
const TOKEN_MIXERS = new Set([
  'GlassboxMultiHeadSelfAttention',
  'MultiHeadAttention',
  'GlobalAveragePooling1D',
  'GlobalMaxPooling1D',
  'Flatten',
]);

export interface GraphStepLike {
  layer: { outputShape: unknown; input?: unknown };
  className: string;
  inputKeys: string[];
  outputKey: string;
}

function shapeOf(s: unknown): number[] | undefined {
  if (!Array.isArray(s) || Array.isArray(s[0])) return undefined;
  const dims = (s as Array<number | null>).slice(1);
  return dims.every((d) => typeof d === 'number') ? (dims as number[]) : undefined;
}

/** A layer's input shape, when it has exactly one input (shared layers have none). */
function inputShapeOf(layer: { input?: unknown }): number[] | undefined {
  try {
    const input = layer.input as { shape?: unknown } | unknown[] | undefined;
    return Array.isArray(input) ? undefined : shapeOf(input?.shape);
  } catch {
    return undefined;
  }
}

/** Token grid of each step (same order as `steps`; undefined where the layer is not a grid). */
export function detectTokenGrids(steps: GraphStepLike[]): Array<TokenGrid | undefined> {
  const out: Array<TokenGrid | undefined> = steps.map(() => undefined);
  const producer = new Map(steps.map((s, i) => [s.outputKey, i]));
  // Patch grid a step descends from (the first patch reshape upstream).
  const grids: Array<[number, number] | undefined> = steps.map(() => undefined);
  steps.forEach((s, i) => {
    const inShape = inputShapeOf(s.layer);
    const outShape = shapeOf(s.layer.outputShape);
    if (
      s.className === 'Reshape' &&
      inShape?.length === 3 &&
      outShape?.length === 2 &&
      outShape[0] === inShape[0] * inShape[1] &&
      outShape[1] === inShape[2]
    ) {
      grids[i] = [inShape[0], inShape[1]];
      return;
    }
    for (const k of s.inputKeys) {
      const j = producer.get(k);
      if (j !== undefined && grids[j]) grids[i] = grids[j];
    }
  });
  // Whether a step's output reaches a token-mixing layer (steps are in forward order).
  const feedsMixer = steps.map(() => false);
  for (let i = steps.length - 1; i >= 0; i--) {
    const s = steps[i];
    for (const k of s.inputKeys) {
      const j = producer.get(k);
      if (j !== undefined && (TOKEN_MIXERS.has(s.className) || feedsMixer[i])) feedsMixer[j] = true;
    }
  }
  steps.forEach((s, i) => {
    const grid = grids[i];
    const shape = shapeOf(s.layer.outputShape);
    if (!grid || !shape || shape.length !== 2 || !feedsMixer[i]) return;
    const patches = grid[0] * grid[1];
    const prefix = shape[0] - patches;
    if (prefix >= 0 && prefix < patches)
      out[i] = { tokens: shape[0], prefix, grid: [grid[0], grid[1]] };
  });
  return out;
}

/** Tokens [N, T, D] → patch grid [N, rows, cols, D] (prefix tokens dropped). */
export function tokensToGrid(t: tf.Tensor, g: TokenGrid): tf.Tensor {
  return tf.tidy(() => {
    const [n, , d] = t.shape;
    return tf.reshape(tf.slice(t, [0, g.prefix, 0], [-1, g.tokens - g.prefix, -1]), [
      n,
      g.grid[0],
      g.grid[1],
      d,
    ]);
  });
}
