/**
 * Accumulates an ONNX graph: nodes, initializers and unique names, plus the layout moves every
 * converter needs (see layout.ts for the channels-first rule).
 */
import type { onnx as P } from 'onnx-proto';
import { attribute, floatTensor, int64Tensor, type AttrValue, ints } from './proto.js';
import { isChannelsFirstInside, toChannelsFirstPerm, toChannelsLastPerm, type TfShape } from './layout.js';

/** A tensor of the graph being built: its ONNX name and its TF shape (layout implied by rank). */
export interface TensorRef {
  name: string;
  shape: TfShape;
}

export class GraphBuilder {
  readonly nodes: P.INodeProto[] = [];
  readonly initializers: P.ITensorProto[] = [];
  private readonly names = new Set<string>();
  private readonly scalars = new Map<number, string>();
  private readonly producers = new Map<string, P.INodeProto>();
  private readonly transposed = new Map<string, string>();

  /** `base` if unused, else base_1, base_2, … */
  unique(base: string): string {
    let name = base;
    for (let k = 1; this.names.has(name); k++) name = `${base}_${k}`;
    this.names.add(name);
    return name;
  }

  /** Reserve a name that must exist exactly (graph inputs). */
  reserve(name: string): void {
    this.names.add(name);
  }

  /** Adds a node with one output; returns the output's name. */
  node(op: string, inputs: string[], name: string, attrs: Record<string, AttrValue> = {}): string {
    const nodeName = this.unique(name);
    const node: P.INodeProto = {
      name: nodeName,
      opType: op,
      input: inputs,
      output: [nodeName],
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
    };
    this.nodes.push(node);
    this.producers.set(nodeName, node);
    return nodeName;
  }

  /** True when `tensor` is the output of a node added at or after node index `since`. */
  producedSince(tensor: string, since: number): boolean {
    const node = this.producers.get(tensor);
    return node !== undefined && this.nodes.indexOf(node, since) >= 0;
  }

  /** Renames a node and its output (consumed by nothing yet) so the layer's name is the tensor's. */
  rename(tensor: string, to: string): string {
    const node = this.producers.get(tensor);
    if (!node) throw new Error(`no node produces ${tensor}`);
    const name = tensor === to ? to : this.unique(to);
    this.producers.delete(tensor);
    node.name = name;
    node.output = [name];
    this.producers.set(name, node);
    for (const [k, v] of this.transposed) if (v === tensor) this.transposed.set(k, name);
    return name;
  }

  floatConst(name: string, data: Float32Array, dims: number[]): string {
    const n = this.unique(name);
    this.initializers.push(floatTensor(n, data, dims));
    return n;
  }

  int64Const(name: string, data: number[], dims: number[] = [data.length]): string {
    const n = this.unique(name);
    this.initializers.push(int64Tensor(n, data, dims));
    return n;
  }

  /** A shared float scalar constant. */
  scalar(v: number): string {
    let n = this.scalars.get(v);
    if (!n) {
      n = this.floatConst(`const_${String(v).replace(/[^0-9a-z.-]/gi, '_')}`, Float32Array.of(v), []);
      this.scalars.set(v, n);
    }
    return n;
  }

  /** The tensor in TF.js order (a Transpose for rank ≥ 3, cached per tensor). */
  toTfOrder(t: TensorRef, nodeName: string): string {
    const rank = t.shape.length;
    if (!isChannelsFirstInside(rank)) return t.name;
    const key = `${t.name}>tf`;
    let out = this.transposed.get(key);
    if (!out) {
      out = this.node('Transpose', [t.name], nodeName, { perm: ints(toChannelsLastPerm(rank)) });
      this.transposed.set(key, out);
    }
    return out;
  }

  /** A tensor held in TF.js order brought into the internal layout (identity for rank < 3). */
  fromTfOrder(name: string, rank: number, nodeName: string): string {
    if (!isChannelsFirstInside(rank)) return name;
    return this.node('Transpose', [name], nodeName, { perm: ints(toChannelsFirstPerm(rank)) });
  }
}
