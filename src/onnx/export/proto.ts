/**
 * The ONNX protobuf messages the exporter writes, from `onnx-proto` (a maintained, generated
 * definition; the ONNX reader in src/onnx/ uses the same package), and small constructors for
 * tensors and attributes so the converters read as graph code, not protobuf plumbing.
 */
import onnxProto from 'onnx-proto';

// onnx-proto is CommonJS whose exports Node cannot see statically: take the namespace off the default.
export const onnx = onnxProto.onnx;
type Proto = typeof onnxProto.onnx;

export type AttrValue =
  | { int: number }
  | { float: number }
  | { ints: number[] }
  | { floats: number[] }
  | { string: string };

export const int = (v: number): AttrValue => ({ int: v });
export const float = (v: number): AttrValue => ({ float: v });
export const ints = (v: number[]): AttrValue => ({ ints: v });
export const str = (v: string): AttrValue => ({ string: v });

export function attribute(name: string, v: AttrValue): InstanceType<Proto['AttributeProto']> {
  const T = onnx.AttributeProto.AttributeType;
  if ('int' in v) return onnx.AttributeProto.create({ name, type: T.INT, i: v.int });
  if ('float' in v) return onnx.AttributeProto.create({ name, type: T.FLOAT, f: v.float });
  if ('ints' in v) return onnx.AttributeProto.create({ name, type: T.INTS, ints: v.ints });
  if ('floats' in v) return onnx.AttributeProto.create({ name, type: T.FLOATS, floats: v.floats });
  return onnx.AttributeProto.create({ name, type: T.STRING, s: new TextEncoder().encode(v.string) });
}

/** A float32 initializer, stored as little-endian raw bytes. */
export function floatTensor(name: string, data: Float32Array, dims: number[]): InstanceType<Proto['TensorProto']> {
  const bytes = new Uint8Array(data.length * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < data.length; i++) view.setFloat32(i * 4, data[i], true);
  return onnx.TensorProto.create({ name, dims, dataType: onnx.TensorProto.DataType.FLOAT, rawData: bytes });
}

/** An int64 initializer (shapes, pads, axes). */
export function int64Tensor(name: string, data: number[], dims: number[]): InstanceType<Proto['TensorProto']> {
  const bytes = new Uint8Array(data.length * 8);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < data.length; i++) view.setBigInt64(i * 8, BigInt(data[i]), true);
  return onnx.TensorProto.create({ name, dims, dataType: onnx.TensorProto.DataType.INT64, rawData: bytes });
}

/** A float tensor type with a named batch dimension (and named unknown dims). */
export function valueInfo(name: string, shape: (number | null)[]): InstanceType<Proto['ValueInfoProto']> {
  const dim = shape.map((d, i) =>
    d == null ? onnx.TensorShapeProto.Dimension.create({ dimParam: i === 0 ? 'N' : `d${i}` }) : onnx.TensorShapeProto.Dimension.create({ dimValue: d }),
  );
  return onnx.ValueInfoProto.create({
    name,
    type: onnx.TypeProto.create({
      tensorType: onnx.TypeProto.Tensor.create({
        elemType: onnx.TensorProto.DataType.FLOAT,
        shape: onnx.TensorShapeProto.create({ dim }),
      }),
    }),
  });
}
