/**
 * NumPy .npy (format 1.0/2.0) reading and writing, so Python users can compare our numbers with
 * theirs. We write little-endian float32, C order; we read float32/64 and (u)int8/16/32/64.
 */
import fs from 'node:fs';
import type { NdArray } from '../core/ndarray.js';
import { sizeOf } from '../core/ndarray.js';
import { fail } from '../core/errors.js';

const MAGIC = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]);

export function encodeNpy(a: NdArray): Buffer {
  const shape = a.shape.length === 1 ? `(${a.shape[0]},)` : `(${a.shape.join(', ')})`;
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': ${shape}, }`;
  // Pad so the data starts on a 64-byte boundary; the header ends with a newline.
  const unpadded = MAGIC.length + 2 + 2 + header.length + 1;
  header += ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const head = Buffer.alloc(MAGIC.length + 4);
  MAGIC.copy(head);
  head[6] = 1;
  head[7] = 0;
  head.writeUInt16LE(header.length, 8);
  const data = Buffer.from(a.data.buffer, a.data.byteOffset, a.data.byteLength);
  return Buffer.concat([head, Buffer.from(header, 'latin1'), data]);
}

export function writeNpy(file: string, a: NdArray): void {
  fs.writeFileSync(file, encodeNpy(a));
}

export function decodeNpy(buf: Buffer, name = 'array'): NdArray {
  if (buf.length < 10 || !buf.subarray(0, 6).equals(MAGIC)) fail(`${name} is not a NumPy .npy file (bad magic bytes)`);
  const major = buf[6];
  const headerLen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const start = major === 1 ? 10 : 12;
  const header = buf.subarray(start, start + headerLen).toString('latin1');
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || !fortran || shapeText === undefined) fail(`${name}: unreadable .npy header`);
  if (fortran === 'True') fail(`${name}: Fortran-ordered arrays are not supported; save with np.ascontiguousarray`);
  const shape = shapeText.split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  const n = sizeOf(shape);
  const body = buf.subarray(start + headerLen);
  const readers: Record<string, [number, (b: Buffer, i: number) => number]> = {
    '<f4': [4, (b, i) => b.readFloatLE(i)],
    '<f8': [8, (b, i) => b.readDoubleLE(i)],
    '|u1': [1, (b, i) => b.readUInt8(i)],
    '|i1': [1, (b, i) => b.readInt8(i)],
    '<u2': [2, (b, i) => b.readUInt16LE(i)],
    '<i2': [2, (b, i) => b.readInt16LE(i)],
    '<i4': [4, (b, i) => b.readInt32LE(i)],
    '<u4': [4, (b, i) => b.readUInt32LE(i)],
    '<i8': [8, (b, i) => Number(b.readBigInt64LE(i))],
    '<u8': [8, (b, i) => Number(b.readBigUInt64LE(i))],
  };
  const reader = readers[descr];
  if (!reader) fail(`${name}: dtype ${descr} is not supported; save as float32`);
  const [width, read] = reader;
  if (body.length < n * width) fail(`${name}: .npy data is truncated (${body.length} bytes for ${n} values of ${descr})`);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = read(body, i * width);
  return { data, shape };
}

export function readNpy(file: string): NdArray {
  if (!fs.existsSync(file)) fail(`file not found: ${file}`);
  return decodeNpy(fs.readFileSync(file), file);
}
