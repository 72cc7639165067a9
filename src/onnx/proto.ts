/**
 * The ONNX protobuf messages (from `onnx-proto`) and small helpers to read and make tensors,
 * attributes and nodes. int64 values arrive as numbers or `Long`s; `num()` flattens both.
 */
import onnxProto from 'onnx-proto';

export const onnx = onnxProto.onnx;
export type ModelProto = onnxProto.onnx.IModelProto;
export type GraphProto = onnxProto.onnx.IGraphProto;
export type NodeProto = onnxProto.onnx.INodeProto;
export type TensorProto = onnxProto.onnx.ITensorProto;
export type AttributeProto = onnxProto.onnx.IAttributeProto;
export type ValueInfoProto = onnxProto.onnx.IValueInfoProto;

export const DataType = onnx.TensorProto.DataType;
export const AttrType = onnx.AttributeProto.AttributeType;

type IntLike = number | { toNumber(): number } | null | undefined;

/** A protobuf int64 (number or Long) as a JS number. */
export function num(v: IntLike): number {
  if (v == null) return 0;
  return typeof v === 'number' ? v : v.toNumber();
}

export function decodeModel(bytes: Uint8Array): ModelProto {
  return onnx.ModelProto.decode(bytes);
}

export function encodeModel(model: ModelProto): Uint8Array {
  return onnx.ModelProto.encode(model as onnxProto.onnx.ModelProto).finish();
}

// ---------------------------------------------------------------- attributes

export function attr(node: NodeProto, name: string): AttributeProto | undefined {
  return node.attribute?.find((a) => a.name === name);
}

export function attrInt(node: NodeProto, name: string, fallback: number): number {
  const a = attr(node, name);
  return a ? num(a.i as IntLike) : fallback;
}

export function attrFloat(node: NodeProto, name: string, fallback: number): number {
  const a = attr(node, name);
  return a && a.f != null ? a.f : fallback;
}

export function attrInts(node: NodeProto, name: string): number[] | undefined {
  const a = attr(node, name);
  return a ? (a.ints ?? []).map((v) => num(v as IntLike)) : undefined;
}

export function attrFloats(node: NodeProto, name: string): number[] | undefined {
  const a = attr(node, name);
  return a ? [...(a.floats ?? [])] : undefined;
}

export function attrString(node: NodeProto, name: string, fallback: string): string {
  const a = attr(node, name);
  return a?.s ? new TextDecoder().decode(a.s) : fallback;
}

export type AttrValue = number | number[] | string | TensorProto | { floats: number[] } | { float: number };

/** Integers stay INT/INTS; wrap floats as {float} / {floats} to make FLOAT attributes. */
export function makeAttr(name: string, value: AttrValue): AttributeProto {
  if (typeof value === 'number') return { name, type: AttrType.INT, i: value };
  if (typeof value === 'string') return { name, type: AttrType.STRING, s: new TextEncoder().encode(value) };
  if (Array.isArray(value)) return { name, type: AttrType.INTS, ints: value };
  if ('float' in value) return { name, type: AttrType.FLOAT, f: value.float };
  if ('floats' in value) return { name, type: AttrType.FLOATS, floats: value.floats };
  return { name, type: AttrType.TENSOR, t: value };
}

export function makeNode(opType: string, inputs: string[], outputs: string[], attrs: Record<string, AttrValue> = {}, name = ''): NodeProto {
  return {
    opType,
    input: inputs,
    output: outputs,
    name,
    attribute: Object.entries(attrs).map(([k, v]) => makeAttr(k, v)),
  };
}

// ------------------------------------------------------------------- tensors

export function floatTensor(name: string, dims: number[], values: ArrayLike<number>): TensorProto {
  const data = Float32Array.from(values);
  return { name, dims, dataType: DataType.FLOAT, rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

export function int64Tensor(name: string, dims: number[], values: ArrayLike<number>): TensorProto {
  const data = BigInt64Array.from(Array.from(values, (v) => BigInt(v)));
  return { name, dims, dataType: DataType.INT64, rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

export function tensorDims(t: TensorProto): number[] {
  return (t.dims ?? []).map((d) => num(d as IntLike));
}

function rawView(t: TensorProto): DataView | undefined {
  if (!t.rawData || t.rawData.length === 0) return undefined;
  return new DataView(t.rawData.buffer, t.rawData.byteOffset, t.rawData.byteLength);
}

/** Values of a numeric tensor as numbers (float, double, int and bool types). */
export function tensorValues(t: TensorProto): number[] {
  const size = tensorDims(t).reduce((a, b) => a * b, 1);
  const view = rawView(t);
  const type = t.dataType ?? DataType.UNDEFINED;
  const out: number[] = [];
  if (view) {
    const width: Record<number, number> = {
      [DataType.FLOAT]: 4, [DataType.DOUBLE]: 8, [DataType.INT64]: 8, [DataType.INT32]: 4, [DataType.UINT64]: 8,
      [DataType.INT8]: 1, [DataType.UINT8]: 1, [DataType.BOOL]: 1, [DataType.INT16]: 2, [DataType.UINT16]: 2, [DataType.UINT32]: 4,
    };
    const w = width[type];
    if (!w) throw new Error(`tensorValues: data type ${type} not supported`);
    for (let i = 0; i < size; i++) {
      const o = i * w;
      switch (type) {
        case DataType.FLOAT: out.push(view.getFloat32(o, true)); break;
        case DataType.DOUBLE: out.push(view.getFloat64(o, true)); break;
        case DataType.INT64: out.push(Number(view.getBigInt64(o, true))); break;
        case DataType.UINT64: out.push(Number(view.getBigUint64(o, true))); break;
        case DataType.INT32: out.push(view.getInt32(o, true)); break;
        case DataType.UINT32: out.push(view.getUint32(o, true)); break;
        case DataType.INT16: out.push(view.getInt16(o, true)); break;
        case DataType.UINT16: out.push(view.getUint16(o, true)); break;
        case DataType.INT8: out.push(view.getInt8(o)); break;
        default: out.push(view.getUint8(o));
      }
    }
    return out;
  }
  if (t.floatData?.length) return [...t.floatData];
  if (t.doubleData?.length) return [...t.doubleData];
  if (t.int64Data?.length) return t.int64Data.map((v) => num(v as IntLike));
  if (t.int32Data?.length) return [...t.int32Data];
  if (t.uint64Data?.length) return t.uint64Data.map((v) => num(v as IntLike));
  return out;
}

export function isFloatType(dataType: number | null | undefined): boolean {
  return dataType === DataType.FLOAT || dataType === DataType.DOUBLE || dataType === DataType.FLOAT16 || dataType === DataType.BFLOAT16;
}
