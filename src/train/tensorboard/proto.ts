/**
 * The few protobuf wire-format pieces event files need, written by hand so Glassbox has no
 * generated code: varints, fixed32/fixed64, length-delimited fields and packed doubles.
 */
import { GlassboxError } from '../../core/errors.js';

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_LEN = 2;
export const WIRE_FIXED32 = 5;

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder('utf-8', { fatal: true });

/** Appends protobuf fields to a growing buffer. Field order is the caller's. */
export class ProtoWriter {
  private buf = new Uint8Array(64);
  private view = new DataView(this.buf.buffer);
  private len = 0;

  private reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  /** Unsigned varint; negative int64 values go through their 64-bit two's complement. */
  varint(value: number | bigint): this {
    let v = BigInt.asUintN(64, BigInt(value));
    this.reserve(10);
    while (v >= 0x80n) {
      this.buf[this.len++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.buf[this.len++] = Number(v);
    return this;
  }

  tag(field: number, wireType: number): this {
    return this.varint((field << 3) | wireType);
  }

  rawDouble(value: number): this {
    this.reserve(8);
    this.view.setFloat64(this.len, value, true);
    this.len += 8;
    return this;
  }

  bytes(data: Uint8Array): this {
    this.reserve(data.length);
    this.buf.set(data, this.len);
    this.len += data.length;
    return this;
  }

  doubleField(field: number, value: number): this {
    return this.tag(field, WIRE_FIXED64).rawDouble(value);
  }

  floatField(field: number, value: number): this {
    this.tag(field, WIRE_FIXED32).reserve(4);
    this.view.setFloat32(this.len, value, true);
    this.len += 4;
    return this;
  }

  varintField(field: number, value: number | bigint): this {
    return this.tag(field, WIRE_VARINT).varint(value);
  }

  bytesField(field: number, data: Uint8Array): this {
    return this.tag(field, WIRE_LEN).varint(data.length).bytes(data);
  }

  stringField(field: number, value: string): this {
    return this.bytesField(field, textEncoder.encode(value));
  }

  packedDoubleField(field: number, values: ArrayLike<number>): this {
    this.tag(field, WIRE_LEN).varint(values.length * 8);
    for (let i = 0; i < values.length; i++) this.rawDouble(values[i]);
    return this;
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

/** One decoded field: numbers for varint/fixed fields, a view for length-delimited ones. */
export type ProtoField =
  | { field: number; wireType: typeof WIRE_VARINT; value: bigint }
  | { field: number; wireType: typeof WIRE_FIXED64; value: DataView }
  | { field: number; wireType: typeof WIRE_LEN; value: Uint8Array }
  | { field: number; wireType: typeof WIRE_FIXED32; value: DataView };

/** Iterates over the fields of one message; unknown fields are the caller's to skip. */
export function* readFields(bytes: Uint8Array, what = 'message'): Generator<ProtoField> {
  let pos = 0;
  const bad = (why: string): never => {
    throw new GlassboxError(`malformed protobuf ${what}: ${why} at byte ${pos}`);
  };
  const varint = (): bigint => {
    let result = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      if (pos >= bytes.length) bad('truncated varint');
      const b = bytes[pos++];
      result |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return BigInt.asUintN(64, result);
    }
    return bad('varint longer than 10 bytes');
  };
  while (pos < bytes.length) {
    const key = varint();
    const field = Number(key >> 3n);
    const wireType = Number(key & 7n);
    if (field === 0) bad('field number 0');
    switch (wireType) {
      case WIRE_VARINT:
        yield { field, wireType, value: varint() };
        break;
      case WIRE_FIXED64:
      case WIRE_FIXED32: {
        const size = wireType === WIRE_FIXED64 ? 8 : 4;
        if (pos + size > bytes.length) bad('truncated fixed-width field');
        const value = new DataView(bytes.buffer, bytes.byteOffset + pos, size);
        pos += size;
        yield { field, wireType, value };
        break;
      }
      case WIRE_LEN: {
        const n = varint();
        if (n > BigInt(bytes.length - pos)) bad('length past the end');
        const value = bytes.subarray(pos, pos + Number(n));
        pos += Number(n);
        yield { field, wireType, value };
        break;
      }
      default:
        bad(`unsupported wire type ${wireType}`);
    }
  }
}

/** Field value helpers: each checks the wire type a field of that proto type must have. */
export function asDouble(f: ProtoField): number {
  if (f.wireType !== WIRE_FIXED64) return wrongType(f, 'double');
  return f.value.getFloat64(0, true);
}

export function asFloat(f: ProtoField): number {
  if (f.wireType !== WIRE_FIXED32) return wrongType(f, 'float');
  return f.value.getFloat32(0, true);
}

/** int64/int32 as a JS number (exact below 2^53). */
export function asInt(f: ProtoField): number {
  if (f.wireType !== WIRE_VARINT) return wrongType(f, 'integer');
  return Number(BigInt.asIntN(64, f.value));
}

export function asBytes(f: ProtoField): Uint8Array {
  if (f.wireType !== WIRE_LEN) return wrongType(f, 'bytes');
  return f.value;
}

export function asString(f: ProtoField): string {
  try {
    return textDecoder.decode(asBytes(f));
  } catch (e) {
    if (e instanceof GlassboxError) throw e;
    throw new GlassboxError(`malformed protobuf: field ${f.field} is not valid UTF-8`);
  }
}

/** Repeated double: accepts packed (the proto3 default) and unpacked encodings. */
export function pushDoubles(f: ProtoField, out: number[]): void {
  if (f.wireType === WIRE_FIXED64) {
    out.push(f.value.getFloat64(0, true));
    return;
  }
  const b = asBytes(f);
  if (b.length % 8 !== 0) {
    throw new GlassboxError(`malformed protobuf: packed doubles of ${b.length} bytes`);
  }
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  for (let i = 0; i < b.length; i += 8) out.push(view.getFloat64(i, true));
}

function wrongType(f: ProtoField, expected: string): never {
  throw new GlassboxError(
    `malformed protobuf: field ${f.field} has wire type ${f.wireType}, expected a ${expected}`,
  );
}
