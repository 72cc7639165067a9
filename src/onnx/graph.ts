/**
 * A small editor over an ONNX graph: look up producers, consumers and constants; append nodes,
 * initializers, inputs and outputs under fresh names; serialise to bytes for
 * `InferenceSession.create(buffer)`. Copies are shallow: initializers (the weights) are shared,
 * so editing a copy never duplicates a model's weights in memory.
 */
import { fail } from '../core/errors.js';
import {
  DataType,
  encodeModel,
  floatTensor,
  int64Tensor,
  makeNode,
  num,
  tensorValues,
  type AttrValue,
  type ModelProto,
  type NodeProto,
  type TensorProto,
  type ValueInfoProto,
} from './proto.js';
import { defaultOpset } from './read.js';

export class OnnxGraph {
  readonly opset: number;
  nodes: NodeProto[];
  initializers: TensorProto[];
  inputs: ValueInfoProto[];
  outputs: ValueInfoProto[];
  private readonly names: Set<string>;
  private readonly initByName: Map<string, TensorProto>;
  private producerMap?: Map<string, NodeProto>;
  private counter = 0;

  constructor(readonly model: ModelProto) {
    const g = model.graph!;
    this.opset = defaultOpset(model);
    this.nodes = [...(g.node ?? [])];
    this.initializers = [...(g.initializer ?? [])];
    this.inputs = [...(g.input ?? [])];
    this.outputs = [...(g.output ?? [])];
    this.initByName = new Map(this.initializers.map((t) => [t.name ?? '', t]));
    this.names = new Set<string>();
    for (const t of this.initializers) this.names.add(t.name ?? '');
    for (const v of this.inputs) this.names.add(v.name ?? '');
    for (const n of this.nodes) for (const o of n.output ?? []) this.names.add(o);
  }

  /** A copy that can be edited without touching this graph (weights are shared). */
  clone(): OnnxGraph {
    const copy = new OnnxGraph(this.toModel());
    copy.counter = this.counter;
    return copy;
  }

  /** Graph inputs that are real inputs (old models also list their initializers as inputs). */
  dataInputs(): ValueInfoProto[] {
    return this.inputs.filter((v) => !this.initByName.has(v.name ?? ''));
  }

  has(name: string): boolean {
    return this.names.has(name);
  }

  /** A name not used anywhere in the graph, derived from `base`. */
  fresh(base: string): string {
    let name: string;
    do name = `glassbox/${base}_${this.counter++}`;
    while (this.names.has(name));
    this.names.add(name);
    return name;
  }

  producer(tensor: string): NodeProto | undefined {
    if (!this.producerMap) {
      this.producerMap = new Map();
      for (const n of this.nodes) for (const o of n.output ?? []) if (o) this.producerMap.set(o, n);
    }
    return this.producerMap.get(tensor);
  }

  initializer(name: string): TensorProto | undefined {
    return this.initByName.get(name);
  }

  /** Values of a tensor fixed at build time (an initializer or a Constant node), else undefined. */
  constantValues(name: string): number[] | undefined {
    const t = this.initByName.get(name);
    if (t) return tensorValues(t);
    const p = this.producer(name);
    if (p?.opType !== 'Constant') return undefined;
    const a = p.attribute?.[0];
    if (!a) return undefined;
    if (a.t) return tensorValues(a.t);
    if (a.name === 'value_float') return [a.f ?? 0];
    if (a.name === 'value_floats') return [...(a.floats ?? [])];
    if (a.name === 'value_int') return [num(a.i as number)];
    if (a.name === 'value_ints') return (a.ints ?? []).map((v) => num(v as number));
    return undefined;
  }

  /** Appends a node; returns its output names (fresh unless given). */
  add(opType: string, inputs: string[], attrs: Record<string, AttrValue> = {}, outputs: number | string[] = 1): string[] {
    const outs = typeof outputs === 'number' ? Array.from({ length: outputs }, () => this.fresh(opType.toLowerCase())) : outputs;
    for (const o of outs) this.names.add(o);
    const node = makeNode(opType, inputs, outs, attrs, this.fresh(`${opType}_node`));
    this.nodes.push(node);
    for (const o of outs) this.producerMap?.set(o, node);
    return outs;
  }

  /** Appends a one-output node and returns the output name. */
  op(opType: string, inputs: string[], attrs: Record<string, AttrValue> = {}): string {
    return this.add(opType, inputs, attrs, 1)[0];
  }

  /** Swaps a node for another (same position; the old node object is left untouched). */
  replaceNode(old: NodeProto, replacement: NodeProto): void {
    const i = this.nodes.indexOf(old);
    if (i < 0) throw new Error(`replaceNode: node ${old.name} is not in the graph`);
    this.nodes[i] = replacement;
    for (const o of replacement.output ?? []) {
      this.names.add(o);
      this.producerMap?.set(o, replacement);
    }
  }

  /** Puts nodes before all existing ones (for the input boundary). */
  prepend(nodes: NodeProto[]): void {
    for (const n of nodes) for (const o of n.output ?? []) this.names.add(o);
    this.nodes = [...nodes, ...this.nodes];
    this.producerMap = undefined;
  }

  addInitializer(t: TensorProto): string {
    const name = t.name && !this.names.has(t.name) ? t.name : this.fresh('const');
    this.names.add(name);
    const tensor = { ...t, name };
    this.initializers.push(tensor);
    this.initByName.set(name, tensor);
    return name;
  }

  constFloat(values: ArrayLike<number>, dims: number[] = []): string {
    return this.addInitializer(floatTensor(this.fresh('f'), dims, values));
  }

  constInt64(values: ArrayLike<number>, dims: number[] = [values.length]): string {
    return this.addInitializer(int64Tensor(this.fresh('i'), dims, values));
  }

  addInput(name: string, dims: (number | string)[], elemType: number = DataType.FLOAT): void {
    if (this.names.has(name) && !this.inputs.some((v) => v.name === name)) fail(`internal: input name ${name} already used`);
    this.names.add(name);
    this.inputs.push(valueInfo(name, dims, elemType));
  }

  removeInput(name: string): void {
    this.inputs = this.inputs.filter((v) => v.name !== name);
  }

  /** Adds a graph output (no type needed: ONNX Runtime infers it). */
  addOutput(name: string): void {
    if (!this.outputs.some((o) => o.name === name)) this.outputs.push({ name });
  }

  setOutputs(names: string[]): void {
    const known = new Map(this.outputs.map((o) => [o.name, o]));
    this.outputs = names.map((n) => known.get(n) ?? { name: n });
  }

  toModel(): ModelProto {
    const g = this.model.graph!;
    return {
      irVersion: this.model.irVersion,
      opsetImport: this.model.opsetImport,
      producerName: this.model.producerName,
      producerVersion: this.model.producerVersion,
      domain: this.model.domain,
      modelVersion: this.model.modelVersion,
      metadataProps: this.model.metadataProps,
      functions: this.model.functions,
      graph: {
        name: g.name,
        node: this.nodes,
        initializer: this.initializers,
        sparseInitializer: g.sparseInitializer,
        input: this.inputs,
        output: this.outputs,
        valueInfo: g.valueInfo,
      },
    };
  }

  toBytes(): Uint8Array {
    return encodeModel(this.toModel());
  }
}

export function valueInfo(name: string, dims: (number | string)[], elemType: number = DataType.FLOAT): ValueInfoProto {
  return {
    name,
    type: { tensorType: { elemType, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } },
  };
}

/** Dims of a graph input as numbers, with symbolic or missing dims as -1. */
export function inputDims(v: ValueInfoProto): number[] | undefined {
  const shape = v.type?.tensorType?.shape;
  if (!shape) return undefined;
  return (shape.dim ?? []).map((d) => (!d.dimParam && num(d.dimValue as number) > 0 ? num(d.dimValue as number) : -1));
}

export function nodeLabel(n: NodeProto): string {
  return n.name || n.output?.[0] || '?';
}

