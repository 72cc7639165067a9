/**
 * `Model` over an ONNX file on ONNX Runtime. The graph is extended, per request kind, with extra
 * outputs (activations) or a backward pass built from standard ONNX ops (src/onnx/backward), and
 * each variant runs as its own cached session. The canonical layout and the user's preprocessing
 * live in the graph (src/onnx/boundary.ts), so every result is with respect to the user's input.
 */
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import type { NdArray } from '../core/ndarray.js';
import { sizeOf, softmaxRows } from '../core/ndarray.js';
import { fail } from '../core/errors.js';
import type { BackwardRule, ChannelGradientRequest, ChannelGradientResult, GradientRequest, GradientResult, InputKind, LayerInfo, Model, OutputKind, ScoreKind } from './model.js';
import { checkInputBatch, checkTargets, findLayer } from './validate.js';
import { OnnxGraph } from '../onnx/graph.js';
import { parseOnnx, readOnnxBytes } from '../onnx/read.js';
import { addBoundary, INPUT, type Boundary, type Layout, type Preprocess } from '../onnx/boundary.js';
import { contentKey, inferTensorInfos, type TensorInfos } from '../onnx/shapes.js';
import { listLayers, type OnnxLayer } from '../onnx/layers.js';
import { buildBackward } from '../onnx/backward/builder.js';
import { reduceMean, reduceSum } from '../onnx/backward/emit.js';
import { SessionCache } from '../onnx/session-cache.js';
import { attrInt, type ModelProto } from '../onnx/proto.js';

export interface OnnxModelOptions {
  name?: string;
  classNames?: string[];
  kind?: InputKind;
  /** Override the detected output kind (a final Softmax means probabilities). */
  outputKind?: OutputKind;
  /** Normalisation applied inside the model: 'imagenet', or per-channel mean/std for [0,1] inputs. */
  preprocess?: Preprocess;
  /** The model's own input layout; default: detected (4-D with 1 or 3 channels first → NCHW). */
  layout?: Layout;
  /** Spatial input size ([H, W] or [L]) for models that accept any size. */
  size?: number[];
  /** Examples per ONNX Runtime run (default 32; a model with a fixed batch size uses that). */
  batchSize?: number;
  /** Sessions kept alive at once (default 8). */
  maxSessions?: number;
  /** Threads per session (default: all cores). */
  threads?: number;
}

const ONEHOT = 'glassbox/onehot';
const OUT = {
  output: 'glassbox/output',
  score: 'glassbox/score',
  inputGradient: 'glassbox/input_gradient',
  activation: 'glassbox/activation',
  layerGradient: 'glassbox/layer_gradient',
};

export class OnnxModel implements Model {
  readonly name: string;
  readonly kind: InputKind;
  readonly inputShape: number[];
  readonly numClasses: number;
  readonly outputKind: OutputKind;
  readonly classNames?: string[];
  readonly whiteBox = true;
  /** True when the graph ends in a Softmax (then 'logit' scores are that Softmax's input). */
  readonly endsWithSoftmax: boolean;
  private readonly layerList: OnnxLayer[];
  private readonly sessions: SessionCache;
  private readonly batchSize: number;

  private constructor(
    private readonly base: OnnxGraph,
    private readonly infos: TensorInfos,
    private readonly boundary: Boundary,
    private readonly output: string,
    private readonly logits: string,
    options: OnnxModelOptions & { name: string },
  ) {
    this.name = options.name;
    this.inputShape = boundary.canonicalShape;
    this.kind = options.kind ?? (['table', 'signal', 'image'] as const)[this.inputShape.length - 1] ?? 'image';
    this.classNames = options.classNames;
    const outShape = infos.get(output)!.shape;
    this.numClasses = outShape[1];
    this.endsWithSoftmax = logits !== output;
    this.outputKind = options.outputKind ?? (this.endsWithSoftmax ? 'probabilities' : 'logits');
    if (this.classNames && this.classNames.length !== this.numClasses) {
      fail(`got ${this.classNames.length} class names for model ${this.name}, which has ${this.numClasses} classes`);
    }
    const spatialRank = this.kind === 'table' ? 0 : this.inputShape.length;
    const inputLayout = this.inputShape.length < 2 ? 'none' : boundary.channelsFirst ? 'first' : 'last';
    this.layerList = listLayers(base, infos, boundary.modelInput, inputLayout, spatialRank);
    const threads = options.threads ?? (os.availableParallelism?.() ?? os.cpus().length);
    this.sessions = new SessionCache(options.maxSessions ?? 8, {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
      executionMode: 'sequential',
      // ORT's warnings (e.g. unused initializers it drops) are not the user's to act on.
      logSeverityLevel: 3,
      // Each session has its own intra-op pool, whose threads spin after a run. Explaining
      // alternates sessions (prediction, gradients, activations), and the idle pool's spinning
      // threads then take the cores from the busy one: predict + gradient on ResNet-18 took
      // 144 ms spinning against 81 ms (22 + 57) without, on 2 cores. Batched rows were unchanged
      // (forward batch 64, RISE, SAG; docs/bench.md).
      extra: { session: { intra_op: { allow_spinning: '0' } } },
    });
    this.batchSize = boundary.fixedBatch ?? Math.max(1, options.batchSize ?? 32);
  }

  /** Loads an .onnx file (external weight files are read from beside it). */
  static async load(file: string, options: OnnxModelOptions = {}): Promise<OnnxModel> {
    const bytes = readOnnxBytes(file);
    const model = parseOnnx(bytes, file, path.dirname(file));
    const name = options.name ?? path.basename(file).replace(/\.onnx$/i, '');
    return OnnxModel.fromProto(model, { ...options, name }, contentKey(bytes));
  }

  /** Builds from ONNX bytes already in memory. */
  static async fromBytes(bytes: Uint8Array, options: OnnxModelOptions = {}): Promise<OnnxModel> {
    return OnnxModel.fromProto(parseOnnx(bytes, options.name ?? 'the ONNX bytes'), options, contentKey(bytes));
  }

  /** `key` identifies the model's content, to reuse shape inference across loads. */
  static async fromProto(model: ModelProto, options: OnnxModelOptions = {}, key?: string): Promise<OnnxModel> {
    const name = options.name ?? (model.graph?.name || 'onnx-model');
    const graph = new OnnxGraph(model);
    const outputName = graph.outputs[0]?.name ?? '';
    const boundary = addBoundary(graph, name, options);
    graph.setOutputs([outputName]);
    const boundaryKey = key && `${key}|${JSON.stringify([options.layout, options.preprocess, options.size])}`;
    const infos = await inferTensorInfos(graph, INPUT, [boundary.fixedBatch ?? 1, ...boundary.canonicalShape], boundaryKey);
    const outShape = infos.get(outputName)?.shape ?? [];
    if (outShape.length !== 2) {
      fail(`model ${name} outputs shape [${outShape.join(', ')}]; Glassbox explains classifiers with output [N, classes]`);
    }
    return new OnnxModel(graph, infos, boundary, outputName, findLogits(graph, outputName, infos), { ...options, name });
  }

  layers(): LayerInfo[] {
    return this.layerList.map(({ name, type, outputShape, spatial }) => ({ name, type, outputShape: [...outputShape], spatial }));
  }

  /** Sessions currently cached (bounded by maxSessions). */
  get cachedSessions(): number {
    return this.sessions.size;
  }

  /** Sessions built so far (each cache miss builds one). */
  get sessionBuilds(): number {
    return this.sessions.builds;
  }

  async predict(input: NdArray): Promise<NdArray> {
    checkInputBatch(input, this.inputShape, this.name);
    const parts = await this.run('predict', () => this.predictGraph(), input, undefined, [OUT.output]);
    return parts[0];
  }

  async activations(input: NdArray, layers: string[]): Promise<Map<string, NdArray>> {
    checkInputBatch(input, this.inputShape, this.name);
    const chosen = layers.map((l) => this.layer(l));
    const names = chosen.map((_, i) => `glassbox/activation_${i}`);
    const key = `act|${chosen.map((l) => l.name).join('\u0000')}`;
    const parts = await this.run(key, () => this.activationGraph(chosen, names), input, undefined, names);
    return new Map(layers.map((l, i) => [l, parts[i]]));
  }

  async gradients(req: GradientRequest): Promise<GradientResult> {
    checkInputBatch(req.input, this.inputShape, this.name);
    const n = req.input.shape[0];
    checkTargets(req.targets, n, this.numClasses);
    const layer = req.layer ? this.layer(req.layer) : undefined;
    const wantInput = req.inputGradient ?? true;
    if (!wantInput && !layer) return { scores: await this.scores(req) };
    const rule = req.rule ?? 'standard';
    const score = req.score ?? 'logit';
    const outputs = [OUT.score, OUT.output, ...(wantInput ? [OUT.inputGradient] : []), ...(layer ? [OUT.activation, OUT.layerGradient] : [])];
    const key = `grad|${layer?.name ?? ''}|${wantInput}|${rule}|${score}`;
    const parts = await this.run(key, () => this.gradientGraph(layer, wantInput, rule, score), req.input, req.targets, outputs);
    const result: GradientResult = { scores: parts[0].data, outputs: parts[1] };
    let k = 2;
    if (wantInput) result.inputGradient = parts[k++];
    if (layer) {
      result.activation = parts[k++];
      result.layerGradient = parts[k++];
    }
    return result;
  }

  /** Gradient of one channel's mean activation per example (for activation maximisation). */
  async channelGradient(req: ChannelGradientRequest): Promise<ChannelGradientResult> {
    checkInputBatch(req.input, this.inputShape, this.name);
    const layer = this.layer(req.layer);
    const n = req.input.shape[0];
    const channels = layer.outputShape[layer.outputShape.length - 1];
    if (req.channels.length !== n) fail(`got ${req.channels.length} channels for ${n} inputs: give one channel per input`);
    for (const c of req.channels) {
      if (!Number.isInteger(c) || c < 0 || c >= channels) fail(`channel ${c} is out of range: layer ${req.layer} has channels 0..${channels - 1}`);
    }
    const key = `channel|${layer.name}`;
    const parts = await this.run(key, () => this.channelGraph(layer, channels), req.input, req.channels, [OUT.score, OUT.inputGradient], channels);
    return { values: parts[0].data, inputGradient: parts[1] };
  }

  dispose(): void {
    void this.sessions.clear();
  }

  // ------------------------------------------------------------------ graphs

  private layer(name: string): OnnxLayer {
    findLayer(this.layerList, name, this.name);
    return this.layerList.find((l) => l.name === name)!;
  }

  private predictGraph(): OnnxGraph {
    const g = this.base.clone();
    g.add('Identity', [this.output], {}, [OUT.output]);
    g.setOutputs([OUT.output]);
    return g;
  }

  /** Emits `tensor` under the fixed output name `as`, channels-last when it is channels-first. */
  private emitOutput(g: OnnxGraph, tensor: string, layer: OnnxLayer | undefined, as: string): void {
    const rank = this.infos.get(layer?.tensor ?? tensor)?.shape.length ?? 0;
    const first = layer?.layout === 'first';
    g.add(
      first ? 'Transpose' : 'Identity',
      [tensor],
      first ? { perm: [0, ...Array.from({ length: rank - 2 }, (_, i) => i + 2), 1] } : {},
      [as],
    );
  }

  private activationGraph(layers: OnnxLayer[], names: string[]): OnnxGraph {
    const g = this.base.clone();
    layers.forEach((l, i) => this.emitOutput(g, l.tensor, l, names[i]));
    g.setOutputs(names);
    return g;
  }

  private gradientGraph(layer: OnnxLayer | undefined, wantInput: boolean, rule: BackwardRule, score: ScoreKind): OnnxGraph {
    const g = this.base.clone();
    const infos: TensorInfos = new Map(this.infos);
    const batchShape = this.infos.get(this.output)!.shape;
    g.addInput(ONEHOT, [this.boundary.fixedBatch ?? 'N', this.numClasses]);
    infos.set(ONEHOT, { shape: batchShape, dtype: 'float32' });
    let explained = this.logits;
    if (score === 'probability' && !this.endsWithSoftmax && this.outputKind === 'logits') {
      explained = g.op('Softmax', [this.logits], { axis: g.opset >= 13 ? -1 : 1 });
      infos.set(explained, { shape: batchShape, dtype: 'float32' });
    } else if (score === 'probability') {
      explained = this.output;
    }
    const picked = g.op('Mul', [explained, ONEHOT]);
    infos.set(picked, { shape: batchShape, dtype: 'float32' });
    const total = reduceSum(g, picked, [1], false);
    infos.set(total, { shape: [batchShape[0]], dtype: 'float32' });
    const wrt = [...(wantInput ? [INPUT] : []), ...(layer ? [layer.tensor] : [])];
    const grads = buildBackward(g, { score: total, wrt, rule, infos });
    g.add('Identity', [total], {}, [OUT.score]);
    // The class outputs come with every gradient pass, so a caller needs no separate prediction.
    g.add('Identity', [this.output], {}, [OUT.output]);
    const outputs = [OUT.score, OUT.output];
    if (wantInput) {
      g.add('Identity', [grads.get(INPUT)!], {}, [OUT.inputGradient]);
      outputs.push(OUT.inputGradient);
    }
    if (layer) {
      this.emitOutput(g, layer.tensor, layer, OUT.activation);
      this.emitOutput(g, grads.get(layer.tensor)!, layer, OUT.layerGradient);
      outputs.push(OUT.activation, OUT.layerGradient);
    }
    g.setOutputs(outputs);
    return g;
  }

  private channelGraph(layer: OnnxLayer, channels: number): OnnxGraph {
    const g = this.base.clone();
    const infos: TensorInfos = new Map(this.infos);
    const shape = this.infos.get(layer.tensor)!.shape;
    const channelAxis = layer.layout === 'first' ? 1 : shape.length - 1;
    const positions = shape.map((_, i) => i).filter((i) => i !== 0 && i !== channelAxis);
    const perChannel = positions.length ? reduceMean(g, layer.tensor, positions) : layer.tensor;
    const perShape = [shape[0], channels];
    infos.set(perChannel, { shape: perShape, dtype: 'float32' });
    g.addInput(ONEHOT, [this.boundary.fixedBatch ?? 'N', channels]);
    infos.set(ONEHOT, { shape: perShape, dtype: 'float32' });
    const picked = g.op('Mul', [perChannel, ONEHOT]);
    infos.set(picked, { shape: perShape, dtype: 'float32' });
    const total = reduceSum(g, picked, [1], false);
    infos.set(total, { shape: [shape[0]], dtype: 'float32' });
    const grads = buildBackward(g, { score: total, wrt: [INPUT], rule: 'standard', infos });
    g.add('Identity', [total], {}, [OUT.score]);
    g.add('Identity', [grads.get(INPUT)!], {}, [OUT.inputGradient]);
    g.setOutputs([OUT.score, OUT.inputGradient]);
    return g;
  }

  // ------------------------------------------------------------------ running

  /** Scores alone (no gradient wanted): a forward pass. */
  private async scores(req: GradientRequest): Promise<Float32Array> {
    const raw = await this.predict(req.input);
    const k = this.numClasses;
    if ((req.score ?? 'logit') === 'logit' && this.endsWithSoftmax) {
      const r = await this.gradients({ ...req, inputGradient: true });
      return r.scores;
    }
    const probs = req.score === 'probability' && this.outputKind === 'logits' ? softmaxRows(raw) : raw;
    return Float32Array.from(req.targets, (t, i) => probs.data[i * k + t]);
  }

  /**
   * Runs the session for `key` over the batch in chunks (padded to the model's fixed batch size
   * when it has one) and concatenates each output along the batch axis.
   */
  private async run(key: string, build: () => OnnxGraph, input: NdArray, targets: number[] | undefined, outputs: string[], classes = this.numClasses): Promise<NdArray[]> {
    const n = input.shape[0];
    const per = sizeOf(this.inputShape);
    const chunks: { count: number; tensors: Map<string, ort.Tensor> }[] = [];
    await this.sessions.use(key, () => build().toBytes(), async (session) => {
      for (let start = 0; start < n; start += this.batchSize) {
        const count = Math.min(this.batchSize, n - start);
        const rows = this.boundary.fixedBatch ?? count;
        const x = new Float32Array(rows * per);
        x.set(input.data.subarray(start * per, (start + count) * per));
        const feeds: Record<string, ort.Tensor> = { [INPUT]: new ort.Tensor('float32', x, [rows, ...this.inputShape]) };
        if (targets) {
          const onehot = new Float32Array(rows * classes);
          for (let i = 0; i < count; i++) onehot[i * classes + targets[start + i]] = 1;
          feeds[ONEHOT] = new ort.Tensor('float32', onehot, [rows, classes]);
        }
        const result = await session.run(feeds, outputs);
        chunks.push({ count, tensors: new Map(outputs.map((o) => [o, result[o] as ort.Tensor])) });
      }
    });
    return outputs.map((o) => {
      const tail = chunks[0].tensors.get(o)!.dims.slice(1);
      const rowSize = sizeOf(tail);
      const data = new Float32Array(n * rowSize);
      let offset = 0;
      for (const { count, tensors } of chunks) {
        const t = tensors.get(o)!;
        data.set((t.data as Float32Array).subarray(0, count * rowSize), offset);
        offset += count * rowSize;
        t.dispose?.();
      }
      return { data, shape: [n, ...tail] };
    });
  }
}

/** The tensor explained as the "logit": the input of a final Softmax over classes, else the output. */
function findLogits(graph: OnnxGraph, output: string, infos: TensorInfos): string {
  let t = output;
  for (;;) {
    const p = graph.producer(t);
    if (!p) return output;
    if (p.opType === 'Identity') {
      t = p.input![0];
      continue;
    }
    if (p.opType !== 'Softmax') return output;
    const rank = infos.get(p.input![0])?.shape.length ?? 0;
    const axis = attrInt(p, 'axis', graph.opset >= 13 ? -1 : 1);
    return rank === 2 && (axis === -1 || axis === 1) ? p.input![0] : output;
  }
}
