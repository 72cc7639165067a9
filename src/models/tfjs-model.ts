/** `Model` over a TF.js LayersModel, driven through TfjsGraph (see there for why). */
import { tf, initTf } from '../runtime/tf.js';
import type { NdArray } from '../core/ndarray.js';
import { fail } from '../core/errors.js';
import type { ChannelGradientRequest, ChannelGradientResult, GradientRequest, GradientResult, InputKind, LayerInfo, Model, OutputKind } from './model.js';
import { TfjsGraph } from './tfjs-graph.js';
import { detectTokenGrids, tokensToGrid } from './token-grid.js';
// Registers the ViT's custom layers, so saved Glassbox transformers load.
import '../train/architectures/vit-layers.js';
import { checkInputBatch, checkTargets, findLayer } from './validate.js';
import { loadLayersModel } from '../io/tfjs-files.js';

type T = tf.Tensor;

export interface TfjsModelOptions {
  name?: string;
  classNames?: string[];
  kind?: InputKind;
  /** Override the detected output kind (a final softmax means probabilities). */
  outputKind?: OutputKind;
}

export class TfjsModel implements Model {
  readonly name: string;
  readonly kind: InputKind;
  readonly inputShape: number[];
  readonly numClasses: number;
  readonly outputKind: OutputKind;
  readonly classNames?: string[];
  readonly whiteBox = true;
  private readonly graph: TfjsGraph;
  private readonly layerList: LayerInfo[];
  /** Layers every later layer depends on only through them (the head can start after them). */
  private readonly cuts: Set<string>;

  constructor(readonly layersModel: tf.LayersModel, options: TfjsModelOptions = {}) {
    this.name = options.name ?? layersModel.name;
    const inShape = layersModel.inputs[0].shape.slice(1);
    if (inShape.some((d) => d == null)) {
      fail(`model ${this.name} has an unknown input size [${inShape.join(', ')}]; give it a fixed input shape`);
    }
    this.inputShape = inShape as number[];
    const outShape = layersModel.outputs[0].shape;
    if (outShape.length !== 2 || outShape[1] == null) {
      fail(`model ${this.name} outputs shape [${outShape.join(', ')}]; Glassbox explains classifiers with output [N, classes]`);
    }
    this.numClasses = outShape[1] as number;
    this.kind = options.kind ?? (['table', 'signal', 'image'] as const)[this.inputShape.length - 1] ?? 'image';
    this.classNames = options.classNames;
    this.graph = new TfjsGraph(layersModel);
    this.outputKind = options.outputKind ?? (this.graph.endsWithSoftmax ? 'probabilities' : 'logits');
    this.cuts = cutLayers(this.graph);
    const tokenGrids = this.inputShape.length === 3 ? detectTokenGrids(this.graph.steps) : [];
    this.layerList = this.graph.steps.map((s, i) => {
      const shape = (s.layer.outputShape as (number | null)[]).slice(1).map((d) => d ?? -1);
      const spatialRank = this.inputShape.length; // image: H,W,C = 3; signal: L,C = 2
      const tokenGrid = tokenGrids[i];
      // Transformer tokens are shown (and returned) as their patch grid, so CAM methods apply.
      if (tokenGrid) return { name: s.name, type: s.className, outputShape: [...tokenGrid.grid, shape[1]], spatial: true, tokenGrid };
      return { name: s.name, type: s.className, outputShape: shape, spatial: spatialRank >= 2 && shape.length === spatialRank };
    });
  }

  static async load(modelPath: string, options: TfjsModelOptions = {}): Promise<TfjsModel> {
    await initTf();
    const m = await loadLayersModel(modelPath);
    return new TfjsModel(m, options);
  }

  layers(): LayerInfo[] {
    return this.layerList;
  }

  async predict(input: NdArray): Promise<NdArray> {
    checkInputBatch(input, this.inputShape, this.name);
    const out = tf.tidy(() => this.graph.run(this.tensor(input), { rule: 'standard' }).output);
    return toNdArray(out);
  }

  async activations(input: NdArray, layers: string[]): Promise<Map<string, NdArray>> {
    checkInputBatch(input, this.inputShape, this.name);
    for (const l of layers) findLayer(this.layerList, l, this.name);
    const captured = tf.tidy(() => {
      const r = this.graph.run(this.tensor(input), { rule: 'standard', capture: new Set(layers) });
      return layers.map((l) => this.view(l, r.captured.get(l)!));
    });
    const out = new Map<string, NdArray>();
    for (let i = 0; i < layers.length; i++) out.set(layers[i], await toNdArray(captured[i]));
    return out;
  }

  async gradients(req: GradientRequest): Promise<GradientResult> {
    checkInputBatch(req.input, this.inputShape, this.name);
    const n = req.input.shape[0];
    checkTargets(req.targets, n, this.numClasses);
    if (req.layer) findLayer(this.layerList, req.layer, this.name);
    const rule = req.rule ?? 'standard';
    const wantInput = req.inputGradient ?? true;
    const probability = req.score === 'probability';
    const oneHot = () => tf.oneHot(tf.tensor1d(req.targets, 'int32'), this.numClasses).toFloat();
    // Explain the pre-softmax logit unless the probability is asked for. Softmax is applied only
    // to logits: a final softmax layer gives probabilities already, and so does a model declared
    // to output probabilities (e.g. sigmoid scores) without one.
    const addSoftmax = probability && !this.graph.endsWithSoftmax && this.outputKind === 'logits';
    const score = (out: T, mask: T) => tf.sum(tf.mul(addSoftmax ? tf.softmax(out) : out, mask), 1);
    const logits = !probability;

    const result: { scores: T; inputGradient?: T; activation?: T; layerGradient?: T } = tf.tidy(() => {
      const x = this.tensor(req.input);
      const mask = oneHot();
      if (!req.layer) {
        const f = (xs: T) => tf.sum(score(this.graph.run(xs, { rule, logits }).output, mask));
        const g = tf.grad(f)(x);
        const s = score(this.graph.run(x, { rule: 'standard', logits }).output, mask);
        return { scores: s, inputGradient: g };
      }
      const layer = req.layer;
      if (!wantInput && this.cuts.has(layer)) {
        // Head-only backward pass: forward to the layer without a tape, differentiate the rest.
        const a = this.graph.run(x, { rule, stopAfter: layer }).output;
        const head = (act: T) => score(this.graph.run(x, { rule, logits, startAfter: { layer, value: act } }).output, mask);
        const grad = tf.grad((act: T) => tf.sum(head(act)))(a);
        return { scores: head(a), activation: this.view(layer, a), layerGradient: this.view(layer, grad) };
      }
      // A zero probe added to the layer output: its gradient is the layer gradient, read from
      // the same backward pass that gives the input gradient.
      const a = this.graph.run(x, { rule: 'standard', stopAfter: layer }).output;
      const probe = tf.zerosLike(a);
      if (!wantInput) {
        // A layer bypassed by a residual path: differentiate the whole net for the probe only.
        const g = tf.grad((p: T) => tf.sum(score(this.graph.run(x, { rule, logits, probe: { layer, value: p } }).output, mask)))(probe);
        const s = score(this.graph.run(x, { rule: 'standard', logits }).output, mask);
        return { scores: s, activation: this.view(layer, a), layerGradient: this.view(layer, g) };
      }
      const f = (xs: T, p: T) => tf.sum(score(this.graph.run(xs, { rule, logits, probe: { layer, value: p } }).output, mask));
      const [gx, gp] = tf.grads(f as any)([x, probe]);
      const s = score(this.graph.run(x, { rule: 'standard', logits }).output, mask);
      return { scores: s, inputGradient: gx, activation: this.view(layer, a), layerGradient: this.view(layer, gp) };
    });
    const out: GradientResult = { scores: (await toNdArray(result.scores)).data };
    if (result.inputGradient) out.inputGradient = await toNdArray(result.inputGradient);
    if (result.activation) out.activation = await toNdArray(result.activation);
    if (result.layerGradient) out.layerGradient = await toNdArray(result.layerGradient);
    return out;
  }

  async channelGradient(req: ChannelGradientRequest): Promise<ChannelGradientResult> {
    checkInputBatch(req.input, this.inputShape, this.name);
    const info = findLayer(this.layerList, req.layer, this.name);
    const n = req.input.shape[0];
    const channels = info.outputShape[info.outputShape.length - 1];
    if (req.channels.length !== n) fail(`got ${req.channels.length} channels for ${n} inputs: give one channel per input`);
    for (const c of req.channels) {
      if (!Number.isInteger(c) || c < 0 || c >= channels) fail(`channel ${c} is out of range: layer ${req.layer} has channels 0..${channels - 1}`);
    }
    const result = tf.tidy(() => {
      const x = this.tensor(req.input);
      const mask = tf.oneHot(tf.tensor1d(req.channels, 'int32'), channels).toFloat();
      // Mean over positions, then the chosen channel by a one-hot multiply (no gather: see DESIGN).
      const value = (xs: T) => {
        const a = this.view(req.layer, this.graph.run(xs, { rule: 'standard', stopAfter: req.layer }).output);
        const perChannel = a.rank > 2 ? tf.mean(a, Array.from({ length: a.rank - 2 }, (_, i) => i + 1)) : a;
        return tf.sum(tf.mul(perChannel, mask), 1);
      };
      const g = tf.grad((xs: T) => tf.sum(value(xs)))(x);
      return { values: value(x), gradient: g };
    });
    return { values: (await toNdArray(result.values)).data, inputGradient: await toNdArray(result.gradient) };
  }

  dispose(): void {
    this.layersModel.dispose();
  }

  /** A layer's output as `layers()` describes it (token layers as their patch grid). */
  private view(layer: string, t: T): T {
    const grid = this.layerList.find((l) => l.name === layer)?.tokenGrid;
    return grid ? tokensToGrid(t, grid) : t;
  }

  private tensor(input: NdArray): T {
    return tf.tensor(input.data, input.shape, 'float32');
  }
}

/** Names of the layers after which every later layer reads only later outputs (no skip over them). */
function cutLayers(graph: TfjsGraph): Set<string> {
  const producer = new Map<string, number>([[graph.inputKey, -1]]);
  graph.steps.forEach((s, i) => producer.set(s.outputKey, i));
  // Earliest producer read by any step at or after j.
  const earliest = new Array<number>(graph.steps.length + 1).fill(Infinity);
  for (let j = graph.steps.length - 1; j >= 0; j--) {
    const reads = graph.steps[j].inputKeys.map((k) => producer.get(k) ?? -1);
    earliest[j] = Math.min(earliest[j + 1], ...reads);
  }
  return new Set(graph.steps.filter((_, i) => earliest[i + 1] >= i).map((s) => s.name));
}

/** Copies a tensor out and disposes it. */
async function toNdArray(t: T): Promise<NdArray> {
  const data = (await t.data()) as Float32Array;
  const shape = [...t.shape];
  t.dispose();
  return { data: data instanceof Float32Array ? data : Float32Array.from(data), shape };
}
