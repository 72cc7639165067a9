/**
 * One writer per TF.js layer class: reads the layer's weights and config and writes the ONNX
 * nodes computing its output in the internal (channels-first) layout. Adding a layer is adding
 * an entry to `writers`. The walker (export-tfjs.ts) names the writer's last node after the layer.
 */
import { fail } from '../../core/errors.js';
import { writeActivation } from './activations.js';
import type { GraphBuilder, TensorRef } from './builder.js';
import { internalAxis, permute, samePads, toChannelsFirstPerm, toChannelsLastPerm, type TfShape } from './layout.js';
import { float, int, ints } from './proto.js';

export interface LayerContext {
  b: GraphBuilder;
  /** The tfjs-layers Layer (its typed surface does not expose weights and config fields). */
  layer: any;
  name: string;
  className: string;
  inputs: TensorRef[];
  /** TF shape of the layer's output. */
  outputShape: TfShape;
}

/** Writes the layer; returns the tensor holding its output (an input's name when it is a no-op). */
export type LayerWriter = (ctx: LayerContext) => string;

interface Weight {
  data: Float32Array;
  shape: number[];
}

function weight(layer: any, prop: string): Weight | undefined {
  const v = layer[prop];
  if (!v) return undefined;
  const t = v.read();
  return { data: t.dataSync() as Float32Array, shape: [...t.shape] };
}

function need(ctx: LayerContext, prop: string): Weight {
  const w = weight(ctx.layer, prop);
  if (!w) fail(`cannot export layer "${ctx.name}" (${ctx.className}): its ${prop} weights are missing (is the model built?)`);
  return w;
}

function tuple(v: number | number[] | undefined, n: number, dflt: number): number[] {
  if (v == null) return new Array<number>(n).fill(dflt);
  if (typeof v === 'number') return new Array<number>(n).fill(v);
  return v.length === n ? [...v] : new Array<number>(n).fill(v[0]);
}

function channelsLast(ctx: LayerContext): void {
  const df = ctx.layer.dataFormat;
  if (df !== undefined && df !== 'channelsLast') {
    fail(`cannot export layer "${ctx.name}" (${ctx.className}): dataFormat "${df}" is not supported, only channelsLast`);
  }
}

/** The input's spatial sizes (TF shape between batch and channels), which must be known. */
function spatialSizes(ctx: LayerContext, x: TensorRef = ctx.inputs[0]): number[] {
  const dims = x.shape.slice(1, -1);
  if (dims.some((d) => d == null)) {
    fail(`cannot export layer "${ctx.name}" (${ctx.className}): its input size [${x.shape.slice(1).join(', ')}] is not fixed; build the model with a fixed input shape`);
  }
  return dims as number[];
}

/** ONNX pads [b1, b2, …, e1, e2, …] for TF padding modes. */
function pads(ctx: LayerContext, padding: string, kernel: number[], strides: number[], dilations: number[]): number[] {
  const sizes = spatialSizes(ctx);
  const n = kernel.length;
  const begin = new Array<number>(n).fill(0);
  const end = new Array<number>(n).fill(0);
  for (let i = 0; i < n; i++) {
    if (padding === 'same') [begin[i], end[i]] = samePads(sizes[i], kernel[i], strides[i], dilations[i]);
    else if (padding !== 'valid') fail(`cannot export layer "${ctx.name}" (${ctx.className}): padding "${padding}" is not supported`);
  }
  return [...begin, ...end];
}

/** TF kernel [k…, in, out] → ONNX [out, in, k…]. */
function convKernel(w: Weight): Weight {
  const n = w.shape.length - 2;
  const perm = [n + 1, n, ...Array.from({ length: n }, (_, i) => i)];
  return { data: permute(w.data, w.shape, perm), shape: perm.map((p) => w.shape[p]) };
}

/** TF depthwise kernel [k…, in, mult] → ONNX grouped [in·mult, 1, k…] (out channel c·mult + m). */
function depthwiseKernel(w: Weight): Weight {
  const n = w.shape.length - 2;
  const flat = [...w.shape.slice(0, n), w.shape[n] * w.shape[n + 1], 1];
  const perm = [n, n + 1, ...Array.from({ length: n }, (_, i) => i)];
  return { data: permute(w.data, flat, perm), shape: perm.map((p) => flat[p]) };
}

function convNode(
  ctx: LayerContext,
  x: string,
  kernel: Weight,
  bias: Weight | undefined,
  attrs: { strides: number[]; dilations: number[]; pads: number[]; group: number },
  name: string,
): string {
  const { b } = ctx;
  const inputs = [x, b.floatConst(`${name}/W`, kernel.data, kernel.shape)];
  if (bias) inputs.push(b.floatConst(`${name}/B`, bias.data, bias.shape));
  return b.node('Conv', inputs, name, {
    kernel_shape: ints(kernel.shape.slice(2)),
    strides: ints(attrs.strides),
    dilations: ints(attrs.dilations),
    pads: ints(attrs.pads),
    group: int(attrs.group),
  });
}

function activate(ctx: LayerContext, x: string): string {
  return writeActivation(ctx.b, ctx.layer.getConfig().activation, { name: x, shape: ctx.outputShape }, `${ctx.name}/act`, ctx.name);
}

function conv(ctx: LayerContext): string {
  channelsLast(ctx);
  const n = ctx.inputs[0].shape.length - 2;
  const kernel = need(ctx, 'kernel');
  const k = kernel.shape.slice(0, n);
  const strides = tuple(ctx.layer.strides, n, 1);
  const dilations = tuple(ctx.layer.dilationRate, n, 1);
  const y = convNode(ctx, ctx.inputs[0].name, convKernel(kernel), weight(ctx.layer, 'bias'), {
    strides,
    dilations,
    pads: pads(ctx, ctx.layer.padding, k, strides, dilations),
    group: 1,
  }, `${ctx.name}/conv`);
  return activate(ctx, y);
}

function depthwise(ctx: LayerContext): string {
  channelsLast(ctx);
  const kernel = need(ctx, 'depthwiseKernel');
  const k = kernel.shape.slice(0, 2);
  const strides = tuple(ctx.layer.strides, 2, 1);
  const dilations = tuple(ctx.layer.dilationRate, 2, 1);
  const y = convNode(ctx, ctx.inputs[0].name, depthwiseKernel(kernel), weight(ctx.layer, 'bias'), {
    strides,
    dilations,
    pads: pads(ctx, ctx.layer.padding, k, strides, dilations),
    group: kernel.shape[2],
  }, `${ctx.name}/depthwise`);
  return activate(ctx, y);
}

function separable(ctx: LayerContext): string {
  channelsLast(ctx);
  const dw = need(ctx, 'depthwiseKernel');
  const k = dw.shape.slice(0, 2);
  const strides = tuple(ctx.layer.strides, 2, 1);
  const dilations = tuple(ctx.layer.dilationRate, 2, 1);
  const mid = convNode(ctx, ctx.inputs[0].name, depthwiseKernel(dw), undefined, {
    strides,
    dilations,
    pads: pads(ctx, ctx.layer.padding, k, strides, dilations),
    group: dw.shape[2],
  }, `${ctx.name}/depthwise`);
  const y = convNode(ctx, mid, convKernel(need(ctx, 'pointwiseKernel')), weight(ctx.layer, 'bias'), {
    strides: [1, 1],
    dilations: [1, 1],
    pads: [0, 0, 0, 0],
    group: 1,
  }, `${ctx.name}/pointwise`);
  return activate(ctx, y);
}

function dense(ctx: LayerContext): string {
  const { b } = ctx;
  const x = ctx.inputs[0];
  const kernel = need(ctx, 'kernel');
  const bias = weight(ctx.layer, 'bias');
  const W = b.floatConst(`${ctx.name}/W`, kernel.data, kernel.shape);
  let y: string;
  if (x.shape.length === 2) {
    const inputs = [x.name, W];
    if (bias) inputs.push(b.floatConst(`${ctx.name}/B`, bias.data, bias.shape));
    y = b.node('Gemm', inputs, `${ctx.name}/gemm`);
  } else {
    // Dense acts on the last TF axis: do it in TF order, then return to the internal layout.
    y = b.node('MatMul', [b.toTfOrder(x, `${ctx.name}/to_tf`), W], `${ctx.name}/matmul`);
    if (bias) y = b.node('Add', [y, b.floatConst(`${ctx.name}/B`, bias.data, bias.shape)], `${ctx.name}/bias`);
    y = b.fromTfOrder(y, x.shape.length, `${ctx.name}/from_tf`);
  }
  return activate(ctx, y);
}

/** Per-channel values shaped to broadcast along internal axis `axis` of a rank-`rank` tensor. */
function alongAxis(b: GraphBuilder, name: string, data: Float32Array, axis: number, rank: number): string {
  const dims = [data.length, ...new Array<number>(rank - 1 - axis).fill(1)];
  return b.floatConst(name, data, dims);
}

function singleAxis(ctx: LayerContext, axis: number | number[]): number {
  const a = Array.isArray(axis) ? axis : [axis];
  if (a.length !== 1) fail(`cannot export layer "${ctx.name}" (${ctx.className}): normalising over several axes [${a.join(', ')}] is not supported`);
  return internalAxis(a[0], ctx.inputs[0].shape.length);
}

function batchNorm(ctx: LayerContext): string {
  const { b, layer } = ctx;
  const x = ctx.inputs[0];
  const rank = x.shape.length;
  const axis = singleAxis(ctx, layer.axis);
  const mean = need(ctx, 'movingMean').data;
  const variance = need(ctx, 'movingVariance').data;
  const c = mean.length;
  const gamma = weight(layer, 'gamma')?.data ?? new Float32Array(c).fill(1);
  const beta = weight(layer, 'beta')?.data ?? new Float32Array(c);
  if (axis === 1) {
    const ins = [x.name, ...[gamma, beta, mean, variance].map((v, i) => b.floatConst(`${ctx.name}/${['scale', 'B', 'mean', 'var'][i]}`, v, [c]))];
    return b.node('BatchNormalization', ins, `${ctx.name}/bn`, { epsilon: float(layer.epsilon) });
  }
  // Another axis: fold into y = x·s + t with s = γ/√(σ²+ε), t = β − μ·s.
  const s = new Float32Array(c);
  const t = new Float32Array(c);
  for (let i = 0; i < c; i++) {
    s[i] = gamma[i] / Math.sqrt(variance[i] + layer.epsilon);
    t[i] = beta[i] - mean[i] * s[i];
  }
  const scaled = b.node('Mul', [x.name, alongAxis(b, `${ctx.name}/s`, s, axis, rank)], `${ctx.name}/mul`);
  return b.node('Add', [scaled, alongAxis(b, `${ctx.name}/t`, t, axis, rank)], `${ctx.name}/add`);
}

function layerNorm(ctx: LayerContext): string {
  const { b, layer } = ctx;
  const x = ctx.inputs[0];
  const rank = x.shape.length;
  const axis = singleAxis(ctx, layer.axis);
  const p = ctx.name;
  const mean = b.node('ReduceMean', [x.name], `${p}/mean`, { axes: ints([axis]), keepdims: int(1) });
  const d = b.node('Sub', [x.name, mean], `${p}/centre`);
  const variance = b.node('ReduceMean', [b.node('Mul', [d, d], `${p}/sq`)], `${p}/var`, { axes: ints([axis]), keepdims: int(1) });
  const std = b.node('Sqrt', [b.node('Add', [variance, b.scalar(layer.epsilon)], `${p}/eps`)], `${p}/std`);
  let y = b.node('Div', [d, std], `${p}/norm`);
  const gamma = weight(layer, 'gamma');
  const beta = weight(layer, 'beta');
  if (gamma) y = b.node('Mul', [y, alongAxis(b, `${p}/gamma`, gamma.data, axis, rank)], `${p}/scale`);
  if (beta) y = b.node('Add', [y, alongAxis(b, `${p}/beta`, beta.data, axis, rank)], `${p}/shift`);
  return y;
}

function pool(op: 'MaxPool' | 'AveragePool'): LayerWriter {
  return (ctx) => {
    channelsLast(ctx);
    const n = ctx.inputs[0].shape.length - 2;
    const kernel = tuple(ctx.layer.poolSize, n, 2);
    const strides = tuple(ctx.layer.strides ?? kernel, n, 1);
    const attrs = {
      kernel_shape: ints(kernel),
      strides: ints(strides),
      pads: ints(pads(ctx, ctx.layer.padding ?? 'valid', kernel, strides, new Array<number>(n).fill(1))),
      // TF averages over the window's real pixels only.
      ...(op === 'AveragePool' ? { count_include_pad: int(0) } : {}),
    };
    return ctx.b.node(op, [ctx.inputs[0].name], `${ctx.name}/pool`, attrs);
  };
}

function globalPool(op: 'avg' | 'max'): LayerWriter {
  return (ctx) => {
    channelsLast(ctx);
    const { b } = ctx;
    const x = ctx.inputs[0];
    // Max as a whole-window MaxPool: same result, and an op the gradient builder already knows.
    const pooled =
      op === 'avg'
        ? b.node('GlobalAveragePool', [x.name], `${ctx.name}/pool`)
        : b.node('MaxPool', [x.name], `${ctx.name}/pool`, { kernel_shape: ints(spatialSizes(ctx)) });
    if (ctx.outputShape.length === x.shape.length) return pooled; // keepDims
    return b.node('Flatten', [pooled], `${ctx.name}/flatten`, { axis: int(1) });
  };
}

function flatten(ctx: LayerContext): string {
  // TF.js flattens in NHWC order: return to it first.
  const x = ctx.b.toTfOrder(ctx.inputs[0], `${ctx.name}/to_tf`);
  return ctx.b.node('Flatten', [x], `${ctx.name}/flatten`, { axis: int(1) });
}

function reshape(ctx: LayerContext): string {
  const { b } = ctx;
  const target: number[] = ctx.layer.targetShape;
  const x = b.toTfOrder(ctx.inputs[0], `${ctx.name}/to_tf`);
  const y = b.node('Reshape', [x, b.int64Const(`${ctx.name}/shape`, [0, ...target])], `${ctx.name}/reshape`);
  return b.fromTfOrder(y, target.length + 1, `${ctx.name}/from_tf`);
}

function permuteLayer(ctx: LayerContext): string {
  const rank = ctx.inputs[0].shape.length;
  const q = [0, ...(ctx.layer.dims as number[])];
  const cf = toChannelsFirstPerm(rank);
  const cfInv = toChannelsLastPerm(rank).map((_, i) => cf.indexOf(i));
  // internal out axis i = TF out axis cf[i] = TF in axis q[cf[i]] = internal in axis cfInv[q[cf[i]]].
  const perm = cf.map((a) => cfInv[q[a]]);
  return ctx.b.node('Transpose', [ctx.inputs[0].name], `${ctx.name}/transpose`, { perm: ints(perm) });
}

function merge(op: 'Add' | 'Mul' | 'Max' | 'Min' | 'Average'): LayerWriter {
  return (ctx) => {
    const { b } = ctx;
    const rank = ctx.inputs[0].shape.length;
    if (ctx.inputs.some((t) => t.shape.length !== rank)) {
      fail(`cannot export layer "${ctx.name}" (${ctx.className}): inputs of different ranks are not supported`);
    }
    const binary = op === 'Average' ? 'Add' : op;
    let y = ctx.inputs[0].name;
    for (let i = 1; i < ctx.inputs.length; i++) y = b.node(binary, [y, ctx.inputs[i].name], `${ctx.name}/${binary.toLowerCase()}`);
    if (op === 'Average') y = b.node('Mul', [y, b.scalar(1 / ctx.inputs.length)], `${ctx.name}/mean`);
    return y;
  };
}

function concatenate(ctx: LayerContext): string {
  const axis = internalAxis(ctx.layer.axis ?? -1, ctx.inputs[0].shape.length);
  return ctx.b.node('Concat', ctx.inputs.map((t) => t.name), `${ctx.name}/concat`, { axis: int(axis) });
}

function zeroPadding2d(ctx: LayerContext): string {
  channelsLast(ctx);
  const [[top, bottom], [left, right]] = ctx.layer.padding as number[][];
  const p = ctx.b.int64Const(`${ctx.name}/pads`, [0, 0, top, left, 0, 0, bottom, right]);
  return ctx.b.node('Pad', [ctx.inputs[0].name, p], `${ctx.name}/pad`, {});
}

function cropping2d(ctx: LayerContext): string {
  channelsLast(ctx);
  const [h, w] = spatialSizes(ctx);
  const [[top, bottom], [left, right]] = ctx.layer.cropping as number[][];
  const { b } = ctx;
  const ins = [ctx.inputs[0].name, b.int64Const(`${ctx.name}/starts`, [top, left]), b.int64Const(`${ctx.name}/ends`, [h - bottom, w - right]), b.int64Const(`${ctx.name}/axes`, [2, 3])];
  return b.node('Slice', ins, `${ctx.name}/slice`);
}

const identity: LayerWriter = (ctx) => ctx.inputs[0].name;

export const writers: Record<string, LayerWriter> = {
  Conv1D: conv,
  Conv2D: conv,
  DepthwiseConv2D: depthwise,
  SeparableConv2D: separable,
  Dense: dense,
  BatchNormalization: batchNorm,
  LayerNormalization: layerNorm,
  MaxPooling1D: pool('MaxPool'),
  MaxPooling2D: pool('MaxPool'),
  AveragePooling1D: pool('AveragePool'),
  AveragePooling2D: pool('AveragePool'),
  GlobalAveragePooling1D: globalPool('avg'),
  GlobalAveragePooling2D: globalPool('avg'),
  GlobalMaxPooling1D: globalPool('max'),
  GlobalMaxPooling2D: globalPool('max'),
  Activation: (ctx) => activate(ctx, ctx.inputs[0].name),
  ReLU: (ctx) =>
    ctx.layer.maxValue == null
      ? ctx.b.node('Relu', [ctx.inputs[0].name], `${ctx.name}/relu`)
      : ctx.b.node('Clip', [ctx.inputs[0].name, ctx.b.scalar(0), ctx.b.scalar(ctx.layer.maxValue)], `${ctx.name}/clip`),
  LeakyReLU: (ctx) => ctx.b.node('LeakyRelu', [ctx.inputs[0].name], `${ctx.name}/leaky`, { alpha: float(ctx.layer.alpha) }),
  ELU: (ctx) => ctx.b.node('Elu', [ctx.inputs[0].name], `${ctx.name}/elu`, { alpha: float(ctx.layer.alpha) }),
  // x · [x > θ], as ops with gradient rules (ThresholdedRelu has none in the backward builder).
  ThresholdedReLU: (ctx) => {
    const { b } = ctx;
    const x = ctx.inputs[0].name;
    const keep = b.node('Cast', [b.node('Greater', [x, b.scalar(ctx.layer.theta)], `${ctx.name}/above`)], `${ctx.name}/mask`, { to: int(1) });
    return b.node('Mul', [x, keep], `${ctx.name}/mul`);
  },
  Softmax: (ctx) => {
    const axes = Array.isArray(ctx.layer.axis) ? ctx.layer.axis : [ctx.layer.axis];
    if (axes.length !== 1) fail(`cannot export layer "${ctx.name}" (Softmax): softmax over several axes is not supported`);
    return ctx.b.node('Softmax', [ctx.inputs[0].name], `${ctx.name}/softmax`, { axis: int(internalAxis(axes[0], ctx.inputs[0].shape.length)) });
  },
  Rescaling: (ctx) => {
    const y = ctx.b.node('Mul', [ctx.inputs[0].name, ctx.b.scalar(ctx.layer.scale)], `${ctx.name}/scale`);
    return ctx.layer.offset ? ctx.b.node('Add', [y, ctx.b.scalar(ctx.layer.offset)], `${ctx.name}/offset`) : y;
  },
  Flatten: flatten,
  Reshape: reshape,
  Permute: permuteLayer,
  Add: merge('Add'),
  Multiply: merge('Mul'),
  Maximum: merge('Max'),
  Minimum: merge('Min'),
  Average: merge('Average'),
  Concatenate: concatenate,
  ZeroPadding2D: zeroPadding2d,
  Cropping2D: cropping2d,
  // Inference-time identities: no node, the layer's name resolves to its input.
  Dropout: identity,
  SpatialDropout1D: identity,
  GaussianNoise: identity,
  GaussianDropout: identity,
  AlphaDropout: identity,
};

export const supportedLayers = (): string[] => Object.keys(writers).sort();
