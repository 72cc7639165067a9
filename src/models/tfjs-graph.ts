/**
 * Runs a TF.js LayersModel layer by layer with plain (unfused) ops.
 *
 * Why not `model.predict` under `tf.grad`: tfjs-layers uses fused conv/dense ops whose gradient
 * always computes the filter gradient too (wasted work for explanations, and a kernel the wasm
 * backend lacks). Walking the graph ourselves also lets us capture any layer's activation, inject
 * a probe to read its gradient, swap the ReLU backward rule, and stop before a final softmax.
 * Layers we do not know run through their own `apply`, which is correct, only slower.
 */
import { tf } from '../runtime/tf.js';
import type { BackwardRule } from './model.js';
import { applyActivation } from './tfjs-activations.js';

type T = tf.Tensor;

export interface Step {
  layer: any;
  name: string;
  className: string;
  inputKeys: string[];
  outputKey: string;
  /** Config activation of the layer, when it has one. */
  activation?: string;
}

export interface RunOptions {
  rule: BackwardRule;
  /** Added to this layer's output: a zero tensor whose gradient is the layer gradient. */
  probe?: { layer: string; value: T };
  /** Stop after this layer and return its output. */
  stopAfter?: string;
  /** Start after this layer, using `value` as its output (everything before is skipped). */
  startAfter?: { layer: string; value: T };
  /** Return the final layer's output before its softmax. */
  logits?: boolean;
  /** Keep these layers' outputs. */
  capture?: Set<string>;
}

export interface RunResult {
  output: T;
  captured: Map<string, T>;
}

const key = (layerName: string, nodeIndex: number, tensorIndex: number) => `${layerName}_${nodeIndex}_${tensorIndex}`;

export class TfjsGraph {
  readonly steps: Step[];
  readonly inputKey: string;
  readonly outputKey: string;
  /** True when the model's last operation is a softmax (it outputs probabilities). */
  readonly endsWithSoftmax: boolean;

  constructor(model: tf.LayersModel) {
    // Sequential keeps its graph in an inner functional model, built lazily.
    if ((model as any).model === undefined && model.getClassName() === "Sequential") model.countParams();
    const inner = (model as any).model;
    const graph: any = inner?.inputLayers?.length ? inner : model;
    if (graph.inputLayers.length !== 1 || graph.outputLayers.length !== 1) {
      throw new Error(`models with ${graph.inputLayers.length} inputs and ${graph.outputLayers.length} outputs are not supported; Glassbox explains single-input, single-output classifiers`);
    }
    this.inputKey = key(graph.inputLayers[0].name, 0, 0);
    this.outputKey = key(graph.outputLayers[0].name, graph.outputLayersNodeIndices[0], graph.outputLayersTensorIndices[0]);
    this.steps = [];
    const depths = Object.keys(graph.nodesByDepth).map(Number).sort((a, b) => b - a);
    for (const depth of depths) {
      for (const node of graph.nodesByDepth[depth]) {
        const layer = node.outboundLayer;
        if (layer.getClassName() === 'InputLayer') continue;
        const nodeIndex = layer.inboundNodes.indexOf(node);
        const inputKeys = node.inboundLayers.map((l: any, j: number) => key(l.name, node.nodeIndices[j], node.tensorIndices[j]));
        const config = layer.getConfig();
        this.steps.push({
          layer,
          name: layer.name,
          className: layer.getClassName(),
          inputKeys,
          outputKey: key(layer.name, nodeIndex, 0),
          activation: typeof config.activation === 'string' ? config.activation : undefined,
        });
      }
    }
    const last = this.steps[this.steps.length - 1];
    this.endsWithSoftmax =
      last?.activation === 'softmax' || last?.className === 'Softmax';
  }

  run(x: T, opts: RunOptions): RunResult {
    const values = new Map<string, T>();
    const captured = new Map<string, T>();
    let started = opts.startAfter === undefined;
    values.set(this.inputKey, x);
    const lastIndex = this.steps.length - 1;
    for (let i = 0; i < this.steps.length; i++) {
      const step = this.steps[i];
      if (!started) {
        if (step.name === opts.startAfter!.layer) {
          values.set(step.outputKey, opts.startAfter!.value);
          started = true;
        }
        continue;
      }
      const inputs = step.inputKeys.map((k) => {
        const v = values.get(k);
        if (!v) throw new Error(`layer ${step.name} needs ${k}, which was not computed (starting after a layer that is not on every path?)`);
        return v;
      });
      const skipSoftmax = opts.logits === true && i === lastIndex && this.endsWithSoftmax;
      let out = runLayer(step, inputs, opts.rule, skipSoftmax);
      if (opts.probe && opts.probe.layer === step.name) out = tf.add(out, opts.probe.value);
      values.set(step.outputKey, out);
      if (opts.capture?.has(step.name)) captured.set(step.name, out);
      if (opts.stopAfter === step.name) return { output: out, captured };
    }
    if (!started) throw new Error(`layer ${opts.startAfter!.layer} not found`);
    const output = values.get(this.outputKey);
    if (!output) throw new Error('model output was not computed');
    return { output, captured };
  }
}

function weight(layer: any, prop: string): T | undefined {
  const v = layer[prop];
  return v ? (v.read() as T) : undefined;
}

function act(step: Step, x: T, rule: BackwardRule, skipSoftmax: boolean): T {
  if (skipSoftmax && step.activation === 'softmax') return x;
  const y = applyActivation(step.activation, x, rule);
  if (y) return y;
  return step.layer.activation.apply(x) as T;
}

function pad(config: any): 'same' | 'valid' | undefined {
  return config.padding === 'same' || config.padding === 'valid' ? config.padding : undefined;
}

function pair(v: number | number[]): [number, number] {
  return Array.isArray(v) ? [v[0], v[1] ?? v[0]] : [v, v];
}

function single(v: number | number[]): number {
  return Array.isArray(v) ? v[0] : v;
}

function addBias(y: T, layer: any): T {
  const bias = weight(layer, 'bias');
  return bias ? tf.add(y, bias) : y;
}

function runLayer(step: Step, inputs: T[], rule: BackwardRule, skipSoftmax: boolean): T {
  const { layer } = step;
  const config = layer.getConfig();
  const channelsLast = config.dataFormat === undefined || config.dataFormat === 'channelsLast';
  const x = inputs[0];
  switch (step.className) {
    case 'Conv2D': {
      const padding = pad(config);
      if (!padding || !channelsLast) break;
      const y = tf.conv2d(x as tf.Tensor4D, weight(layer, 'kernel') as tf.Tensor4D, pair(config.strides), padding, 'NHWC', pair(config.dilationRate));
      return act(step, addBias(y, layer), rule, skipSoftmax);
    }
    case 'Conv1D': {
      const padding = pad(config);
      if (!padding || !channelsLast) break;
      const y = tf.conv1d(x as tf.Tensor3D, weight(layer, 'kernel') as tf.Tensor3D, single(config.strides), padding, 'NWC', single(config.dilationRate));
      return act(step, addBias(y, layer), rule, skipSoftmax);
    }
    case 'DepthwiseConv2D': {
      const padding = pad(config);
      if (!padding || !channelsLast) break;
      const y = tf.depthwiseConv2d(x as tf.Tensor4D, weight(layer, 'depthwiseKernel') as tf.Tensor4D, pair(config.strides), padding, 'NHWC', pair(config.dilationRate));
      return act(step, addBias(y, layer), rule, skipSoftmax);
    }
    case 'SeparableConv2D': {
      const padding = pad(config);
      if (!padding || !channelsLast) break;
      const dw = tf.depthwiseConv2d(x as tf.Tensor4D, weight(layer, 'depthwiseKernel') as tf.Tensor4D, pair(config.strides), padding, 'NHWC', pair(config.dilationRate));
      const y = tf.conv2d(dw, weight(layer, 'pointwiseKernel') as tf.Tensor4D, 1, 'valid');
      return act(step, addBias(y, layer), rule, skipSoftmax);
    }
    case 'Dense': {
      const kernel = weight(layer, 'kernel') as tf.Tensor2D;
      const flat = x.rank === 2 ? (x as tf.Tensor2D) : tf.reshape(x, [-1, x.shape[x.rank - 1]]) as tf.Tensor2D;
      let y: T = tf.matMul(flat, kernel);
      if (x.rank !== 2) y = tf.reshape(y, [...x.shape.slice(0, -1), kernel.shape[1]]);
      return act(step, addBias(y, layer), rule, skipSoftmax);
    }
    case 'BatchNormalization': {
      const axis = Array.isArray(config.axis) ? config.axis[0] : config.axis;
      if (axis !== -1 && axis !== x.rank - 1) break;
      const mean = weight(layer, 'movingMean')!;
      const variance = weight(layer, 'movingVariance')!;
      // Fold into one scale and shift: cheaper than batchNorm's four-term formula.
      let scale = tf.rsqrt(tf.add(variance, config.epsilon));
      const gamma = weight(layer, 'gamma');
      if (gamma) scale = tf.mul(scale, gamma);
      let shift = tf.neg(tf.mul(mean, scale));
      const beta = weight(layer, 'beta');
      if (beta) shift = tf.add(shift, beta);
      return tf.add(tf.mul(x, scale), shift);
    }
    case 'Activation':
      return act(step, x, rule, skipSoftmax);
    case 'ReLU': {
      if (config.maxValue != null && config.maxValue !== 6) break;
      return applyActivation(config.maxValue === 6 ? 'relu6' : 'relu', x, rule)!;
    }
    case 'LeakyReLU':
      return tf.leakyRelu(x, config.alpha);
    case 'Softmax':
      return skipSoftmax ? x : tf.softmax(x, config.axis ?? -1);
    case 'MaxPooling2D':
    case 'AveragePooling2D': {
      const padding = pad(config);
      if (!padding || !channelsLast) break;
      const pool = step.className === 'MaxPooling2D' ? tf.maxPool : tf.avgPool;
      return pool(x as tf.Tensor4D, pair(config.poolSize), pair(config.strides ?? config.poolSize), padding);
    }
    case 'MaxPooling1D':
    case 'AveragePooling1D': {
      const padding = pad(config);
      if (!padding) break;
      const pool = step.className === 'MaxPooling1D' ? tf.maxPool : tf.avgPool;
      const size = single(config.poolSize);
      const stride = single(config.strides ?? config.poolSize);
      const y = pool(tf.expandDims(x, 2) as tf.Tensor4D, [size, 1], [stride, 1], padding);
      return tf.squeeze(y, [2]);
    }
    case 'GlobalAveragePooling2D':
      return tf.mean(x, [1, 2]);
    case 'GlobalMaxPooling2D':
      return tf.max(x, [1, 2]);
    case 'GlobalAveragePooling1D':
      return tf.mean(x, 1);
    case 'GlobalMaxPooling1D':
      return tf.max(x, 1);
    case 'Flatten':
      return tf.reshape(x, [x.shape[0], -1]);
    case 'Reshape':
      return tf.reshape(x, [x.shape[0], ...config.targetShape]);
    case 'Dropout':
    case 'SpatialDropout1D':
    case 'SpatialDropout2D':
    case 'GaussianNoise':
    case 'GaussianDropout':
    case 'AlphaDropout':
      return x;
    case 'Add':
      return inputs.slice(1).reduce((a, b) => tf.add(a, b), x);
    case 'Multiply':
      return inputs.slice(1).reduce((a, b) => tf.mul(a, b), x);
    case 'Average':
      return tf.div(inputs.slice(1).reduce((a, b) => tf.add(a, b), x), inputs.length);
    case 'Concatenate':
      return tf.concat(inputs, config.axis ?? -1);
    case 'ZeroPadding2D': {
      const p = config.padding as [[number, number], [number, number]] | number;
      const [[t, b], [l, r]] = typeof p === 'number' ? [[p, p], [p, p]] : p;
      return tf.pad(x, [[0, 0], [t, b], [l, r], [0, 0]]);
    }
  }
  // Unknown layer or an unusual configuration: the layer's own implementation.
  const out = layer.apply(inputs.length === 1 ? x : inputs, { training: false });
  return (Array.isArray(out) ? out[0] : out) as T;
}
