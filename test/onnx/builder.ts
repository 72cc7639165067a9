/** A tiny ONNX model builder for tests: ModelProto through onnx-proto, no Python needed. */
import onnxProto from 'onnx-proto';
import { seeded } from '../helpers/models.js';

const { onnx } = onnxProto;
type AttrValue = number | number[] | string | { f: number } | { floats: number[] } | { t: onnxProto.onnx.ITensorProto };

function attribute(name: string, v: AttrValue): onnxProto.onnx.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if (typeof v === 'number') return { name, type: T.INT, i: v };
  if (typeof v === 'string') return { name, type: T.STRING, s: new TextEncoder().encode(v) };
  if (Array.isArray(v)) return { name, type: T.INTS, ints: v };
  if ('f' in v) return { name, type: T.FLOAT, f: v.f };
  if ('floats' in v) return { name, type: T.FLOATS, floats: v.floats };
  return { name, type: T.TENSOR, t: v.t };
}

export function tensor(name: string, dims: number[], values: ArrayLike<number>, type: 'float' | 'int64' = 'float'): onnxProto.onnx.ITensorProto {
  if (type === 'int64') return { name, dims, dataType: onnx.TensorProto.DataType.INT64, int64Data: Array.from(values) };
  return { name, dims, dataType: onnx.TensorProto.DataType.FLOAT, floatData: Array.from(values) };
}

export class ModelBuilder {
  private nodes: onnxProto.onnx.INodeProto[] = [];
  private inits: onnxProto.onnx.ITensorProto[] = [];
  private inputs: onnxProto.onnx.IValueInfoProto[] = [];
  private outputs: onnxProto.onnx.IValueInfoProto[] = [];
  private count = 0;

  constructor(readonly opset = 13) {}

  input(name: string, dims: (number | string)[]): string {
    this.inputs.push({
      name,
      type: { tensorType: { elemType: 1, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } },
    });
    return name;
  }

  init(dims: number[], values: ArrayLike<number>, type: 'float' | 'int64' = 'float'): string {
    const name = `init${this.count++}`;
    this.inits.push(tensor(name, dims, values, type));
    return name;
  }

  /** A float initializer with seeded values in [-scale, scale]. */
  rand(dims: number[], seed: number, scale = 0.5): string {
    return this.init(dims, seeded(dims.reduce((a, b) => a * b, 1), seed, scale));
  }

  ints(values: number[]): string {
    return this.init([values.length], values, 'int64');
  }

  node(op: string, inputs: string[], attrs: Record<string, AttrValue> = {}, outputs = 1, name = ''): string[] {
    const outs = Array.from({ length: outputs }, () => `t${this.count++}`);
    this.nodes.push({ opType: op, input: inputs, output: outs, name, attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)) });
    return outs;
  }

  op(op: string, inputs: string[], attrs: Record<string, AttrValue> = {}, name = ''): string {
    return this.node(op, inputs, attrs, 1, name)[0];
  }

  /** ReduceX with axes as an attribute or an input, as the opset wants. */
  reduce(op: 'ReduceSum' | 'ReduceMean', x: string, axes: number[], keepdims: number): string {
    const asInput = op === 'ReduceSum' ? this.opset >= 13 : this.opset >= 18;
    return asInput ? this.op(op, [x, this.ints(axes)], { keepdims }) : this.op(op, [x], { axes, keepdims });
  }

  unsqueeze(x: string, axes: number[]): string {
    return this.opset >= 13 ? this.op('Unsqueeze', [x, this.ints(axes)]) : this.op('Unsqueeze', [x], { axes });
  }

  squeeze(x: string, axes: number[]): string {
    return this.opset >= 13 ? this.op('Squeeze', [x, this.ints(axes)]) : this.op('Squeeze', [x], { axes });
  }

  output(name: string): void {
    this.outputs.push({ name });
  }

  /** Drops the declared outputs (to rebuild the head). */
  clearOutputs(): void {
    this.outputs = [];
  }

  bytes(): Uint8Array {
    const model = {
      irVersion: 8,
      opsetImport: [{ domain: '', version: this.opset }],
      producerName: 'glassbox-test',
      graph: { name: 'test', node: this.nodes, initializer: this.inits, input: this.inputs, output: this.outputs },
    };
    return onnx.ModelProto.encode(model as onnxProto.onnx.ModelProto).finish();
  }
}
