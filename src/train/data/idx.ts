/**
 * Reader for the IDX format of MNIST-style data sets (plain or gzipped): a big-endian header
 * (magic 0x0000TTNN: TT the element type, NN the number of dimensions, then one uint32 per
 * dimension) followed by the elements. Only unsigned bytes (TT = 0x08) are needed here.
 */
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { fail } from '../../core/errors.js';

export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

/** Reads an IDX ubyte file; `limit` keeps only the first rows along dimension 0. */
export function readIdx(file: string, limit?: number): IdxArray {
  let buf: Buffer;
  try {
    buf = limit === undefined ? readFileSync(file) : readPrefix(file, limit);
  } catch (e) {
    fail(
      `cannot read IDX file ${file} (${(e as NodeJS.ErrnoException).code ?? String(e)}): check the path`,
    );
  }
  if (buf[0] === 0x1f && buf[1] === 0x8b) {
    try {
      buf = gunzipSync(buf);
    } catch {
      fail(`IDX file ${file} is not a valid gzip file: reinstall the data`);
    }
  }
  return parseIdx(buf, file, limit);
}

/** Only the header and the first `limit` rows of an uncompressed file (the whole of a gzipped one). */
function readPrefix(file: string, limit: number): Buffer {
  const fd = openSync(file, 'r');
  try {
    const head = Buffer.alloc(4);
    readSync(fd, head, 0, 4, 0);
    if ((head[0] === 0x1f && head[1] === 0x8b) || head[3] === 0) return readFileSync(file);
    const ndim = head[3];
    const dimsBuf = Buffer.alloc(4 * ndim);
    readSync(fd, dimsBuf, 0, dimsBuf.length, 4);
    let rowSize = 1;
    for (let d = 1; d < ndim; d++) rowSize *= dimsBuf.readUInt32BE(4 * d);
    const rows = Math.min(limit, dimsBuf.readUInt32BE(0));
    const total = 4 + dimsBuf.length + rows * rowSize;
    const out = Buffer.alloc(total);
    const got = readSync(fd, out, 0, total, 0);
    return out.subarray(0, got);
  } finally {
    closeSync(fd);
  }
}

export function parseIdx(buf: Uint8Array, name: string, limit?: number): IdxArray {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  if (buf.length < 4 || view.getUint16(0) !== 0)
    fail(`${name} is not an IDX file (bad magic number)`);
  const type = buf[2];
  const ndim = buf[3];
  if (type !== 0x08)
    fail(
      `${name} holds IDX element type 0x${type.toString(16)}; only unsigned bytes (0x08) are supported`,
    );
  const headerBytes = 4 + 4 * ndim;
  if (ndim === 0 || buf.length < headerBytes) fail(`${name} has a truncated IDX header`);
  const dims: number[] = [];
  for (let d = 0; d < ndim; d++) dims.push(view.getUint32(4 + 4 * d));
  const rowSize = dims.slice(1).reduce((a, b) => a * b, 1);
  const stated = dims.join('×');
  if (limit !== undefined && limit < dims[0]) dims[0] = limit;
  if (buf.length < headerBytes + dims[0] * rowSize) {
    fail(`${name} is truncated: header says ${stated} but the file is shorter; reinstall the data`);
  }
  return { dims, data: buf.subarray(headerBytes, headerBytes + dims[0] * rowSize) };
}
