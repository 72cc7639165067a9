/**
 * The adapter's input boundary, written into the graph itself: the user's batch arrives in
 * Glassbox's canonical layout and [0, 1] range, is normalised ((x − mean)/std per channel) and
 * transposed to the model's channels-first layout. Being graph nodes, these steps are also
 * differentiated, so input gradients are with respect to what the user gave.
 */
import { fail } from '../core/errors.js';
import { inputDims, type OnnxGraph } from './graph.js';
import { DataType, makeNode, type NodeProto } from './proto.js';

export type Layout = 'nchw' | 'nhwc';
export type Preprocess = 'imagenet' | 'none' | { mean: number[]; std: number[] };

export const IMAGENET = { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] };

export const INPUT = 'glassbox/input';

export interface Boundary {
  /** The model's own input tensor (now produced by the boundary nodes). */
  modelInput: string;
  /** Shape of one example in Glassbox's layout. */
  canonicalShape: number[];
  /** Batch size fixed by the model, if any. */
  fixedBatch?: number;
  /** True when the model takes channels first (so 4-D/3-D tensors are transposed). */
  channelsFirst: boolean;
}

const CHANNELS_FIRST_OPS = new Set(['Conv', 'ConvTranspose', 'MaxPool', 'AveragePool', 'BatchNormalization', 'InstanceNormalization', 'LpPool', 'GlobalAveragePool', 'GlobalMaxPool']);

/** NCHW when a 4-D input has 1 or 3 channels first (or feeds a Conv), NCL when a 3-D input feeds a Conv. */
export function detectLayout(graph: OnnxGraph, input: string, dims: number[]): Layout {
  const feedsConv = graph.nodes.some((n) => CHANNELS_FIRST_OPS.has(n.opType ?? '') && n.input?.[0] === input);
  if (dims.length === 4) {
    const first = dims[1] === 1 || dims[1] === 3;
    const last = dims[3] === 1 || dims[3] === 3;
    if (first && !last) return 'nchw';
    if (last && !first) return 'nhwc';
    return feedsConv || first ? 'nchw' : 'nhwc';
  }
  if (dims.length === 3 || dims.length === 5) return feedsConv ? 'nchw' : 'nhwc';
  return 'nhwc';
}

export interface BoundaryOptions {
  layout?: Layout;
  preprocess?: Preprocess;
  /** Spatial size for models whose input size is not fixed: [H, W] or [L]. */
  size?: number[];
}

/** Rewires `graph` so that it reads INPUT (canonical layout, raw range); returns what it did. */
export function addBoundary(graph: OnnxGraph, modelName: string, options: BoundaryOptions): Boundary {
  const inputs = graph.dataInputs();
  if (inputs.length !== 1) {
    fail(`model ${modelName} has ${inputs.length} inputs (${inputs.map((v) => v.name).join(', ')}); Glassbox explains models with one input`);
  }
  const input = inputs[0];
  const name = input.name ?? '';
  const elem = input.type?.tensorType?.elemType;
  if (elem !== DataType.FLOAT) fail(`model ${modelName} takes input ${name} of a non-float32 type; Glassbox explains float32 models`);
  const dims = inputDims(input);
  if (!dims || dims.length < 2) fail(`model ${modelName}: input ${name} needs a known rank ≥ 2 ([batch, ...]); re-export it with a shaped input`);

  const layout = options.layout ?? detectLayout(graph, name, dims);
  const channelsFirst = layout === 'nchw' && dims.length >= 3;
  const spatialIdx = channelsFirst ? dims.slice(2).map((_, i) => i + 2) : dims.slice(1, -1).map((_, i) => i + 1);
  if (spatialIdx.some((i) => dims[i] < 0)) {
    const size = options.size;
    if (!size || size.length !== spatialIdx.length) {
      fail(`model ${modelName} accepts any input size; give the size to use (--size ${spatialIdx.map(() => 'N').join('x')})`);
    }
    spatialIdx.forEach((d, i) => (dims[d] = size[i]));
  }
  const channelDim = dims.length >= 3 ? (channelsFirst ? 1 : dims.length - 1) : -1;
  if (channelDim >= 0 && dims[channelDim] < 0) fail(`model ${modelName}: the channel count of input ${name} is not fixed`);
  if (dims.length === 2 && dims[1] < 0) fail(`model ${modelName}: the feature count of input ${name} is not fixed`);
  const canonical = channelsFirst ? [...dims.slice(2), dims[1]] : dims.slice(1);
  const channels = canonical[canonical.length - 1];

  const nodes: NodeProto[] = [];
  let x = INPUT;
  const pre = options.preprocess === 'imagenet' ? IMAGENET : options.preprocess === 'none' ? undefined : options.preprocess;
  if (pre) {
    const fit = (v: number[], what: string) => {
      if (v.length === 1) return v;
      if (v.length !== channels) fail(`${what} has ${v.length} values but model ${modelName} takes ${channels} channels`);
      return v;
    };
    const mean = fit(pre.mean, 'mean');
    const std = fit(pre.std, 'std');
    if (std.some((s) => !(s > 0))) fail('std values must be positive');
    const centred = graph.fresh('centred');
    const scaled = graph.fresh('normalised');
    nodes.push(makeNode('Sub', [x, graph.constFloat(mean, [mean.length])], [centred], {}, graph.fresh('preprocess_mean')));
    nodes.push(makeNode('Div', [centred, graph.constFloat(std, [std.length])], [scaled], {}, graph.fresh('preprocess_std')));
    x = scaled;
  }
  const r = dims.length;
  if (channelsFirst) {
    nodes.push(makeNode('Transpose', [x], [name], { perm: [0, r - 1, ...Array.from({ length: r - 2 }, (_, i) => i + 1)] }, graph.fresh('to_channels_first')));
  } else {
    nodes.push(makeNode('Identity', [x], [name], {}, graph.fresh('input')));
  }
  const fixedBatch = dims[0] > 0 ? dims[0] : undefined;
  graph.removeInput(name);
  graph.addInput(INPUT, [fixedBatch ?? 'N', ...canonical]);
  graph.prepend(nodes);
  return { modelInput: name, canonicalShape: canonical, fixedBatch, channelsFirst };
}

export { CHANNELS_FIRST_OPS };
