/**
 * The contract every explanation method talks to. Two implementations: TF.js (tfjs-model.ts)
 * and ONNX Runtime (onnx-model.ts). Methods never know which one they hold.
 *
 * All arrays are in Glassbox's canonical layout: images [N, H, W, C], signals [N, L, C],
 * tables [N, F]; an engine whose native layout differs transposes at its own boundary.
 */
import type { NdArray } from '../core/ndarray.js';

export type InputKind = 'image' | 'signal' | 'table';
export type OutputKind = 'logits' | 'probabilities';
/** How ReLUs pass gradients back: plain chain rule, guided backprop, or deconvnet. */
export type BackwardRule = 'standard' | 'guided' | 'deconvnet';
/** Which number is explained: the raw class output (logit) or its softmax probability. */
export type ScoreKind = 'logit' | 'probability';

export interface LayerInfo {
  name: string;
  /** Engine-specific type, e.g. "Conv2D" or "Conv". */
  type: string;
  /** Output shape of one example, canonical layout (no batch dimension). */
  outputShape: number[];
  /** True when the output keeps a spatial grid (H×W×C or L×C): what CAM methods need. */
  spatial: boolean;
  /**
   * Set for transformer token layers shown as their patch grid: the engine reports
   * `outputShape` [rows, cols, D] and returns activations and gradients in that view, with the
   * prefix (class) tokens dropped (see models/token-grid.ts).
   */
  tokenGrid?: TokenGrid;
}

/** How a token layer [tokens, D] maps onto its patch grid. */
export interface TokenGrid {
  /** Tokens per example in the layer's own output. */
  tokens: number;
  /** Leading non-patch tokens (the class token), dropped from the grid view. */
  prefix: number;
  /** [rows, cols] of patches, row-major in the token order. */
  grid: [number, number];
}

export interface GradientRequest {
  /** [N, ...inputShape] */
  input: NdArray;
  /** One class index per example. */
  targets: number[];
  /** Also return this layer's activation and the gradient of the score with respect to it. */
  layer?: string;
  /** Default true; false lets engines skip the backward pass below `layer`. */
  inputGradient?: boolean;
  rule?: BackwardRule;
  /** Default 'logit' (for models that output probabilities, the probability itself). */
  score?: ScoreKind;
}

export interface GradientResult {
  /** The explained score for each example. */
  scores: Float32Array;
  /** [N, ...inputShape], when asked. */
  inputGradient?: NdArray;
  /** [N, ...layer output shape], when a layer was named. */
  activation?: NdArray;
  layerGradient?: NdArray;
  /** The raw model output [N, numClasses] of the same forward pass, when the engine gives it. */
  outputs?: NdArray;
}

/** Gradient of one channel's mean activation (mean over the layer's positions) per example. */
export interface ChannelGradientRequest {
  /** [N, ...inputShape] */
  input: NdArray;
  layer: string;
  /** One channel (last axis of the layer output) per example. */
  channels: number[];
}

export interface ChannelGradientResult {
  /** The mean activation of each example's channel. */
  values: Float32Array;
  /** [N, ...inputShape] */
  inputGradient: NdArray;
}

export interface Model {
  readonly name: string;
  readonly kind: InputKind;
  /** Shape of one example, canonical layout. */
  readonly inputShape: number[];
  readonly numClasses: number;
  readonly outputKind: OutputKind;
  readonly classNames?: string[];
  /** True when `gradients` is available. */
  readonly whiteBox: boolean;
  layers(): LayerInfo[];
  /** Raw model output, [N, numClasses]. */
  predict(input: NdArray): Promise<NdArray>;
  /** Activations of the named layers for a batch. */
  activations(input: NdArray, layers: string[]): Promise<Map<string, NdArray>>;
  gradients(request: GradientRequest): Promise<GradientResult>;
  /** Optional: what activation maximisation (filter visualisation) needs. */
  channelGradient?(request: ChannelGradientRequest): Promise<ChannelGradientResult>;
  dispose(): void;
}
