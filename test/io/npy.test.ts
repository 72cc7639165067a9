import { describe, expect, it } from 'vitest';
import { decodeNpy, encodeNpy } from '../../src/io/npy.js';

/** The bytes numpy 1.x writes for np.save(f, np.array([[1, 2, 3]], dtype='<f4')), built by hand. */
function numpyBytes(descr: string, shape: string, body: Buffer): Buffer {
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  header += ' '.repeat(64 - ((10 + header.length + 1) % 64)) + '\n';
  const pre = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, header.length & 0xff, header.length >> 8]);
  return Buffer.concat([pre, Buffer.from(header, 'latin1'), body]);
}

describe('.npy', () => {
  it('reads what NumPy writes (float32 and float64, 1-D and N-D)', () => {
    const f32 = Buffer.alloc(12);
    [1, 2, 3].forEach((v, i) => f32.writeFloatLE(v, i * 4));
    const a = decodeNpy(numpyBytes('<f4', '(1, 3)', f32));
    expect(a.shape).toEqual([1, 3]);
    expect(Array.from(a.data)).toEqual([1, 2, 3]);
    const f64 = Buffer.alloc(16);
    f64.writeDoubleLE(0.5, 0);
    f64.writeDoubleLE(-2.25, 8);
    const b = decodeNpy(numpyBytes('<f8', '(2,)', f64));
    expect(b.shape).toEqual([2]);
    expect(Array.from(b.data)).toEqual([0.5, -2.25]);
  });

  it('writes a header NumPy accepts: magic, version 1.0, 64-byte aligned data, C order', () => {
    const buf = encodeNpy({ data: Float32Array.from([1.5, -1]), shape: [2, 1] });
    expect(Array.from(buf.subarray(0, 8))).toEqual([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
    const headerLen = buf.readUInt16LE(8);
    expect((10 + headerLen) % 64).toBe(0);
    const header = buf.subarray(10, 10 + headerLen).toString('latin1');
    expect(header).toMatch(/^\{'descr': '<f4', 'fortran_order': False, 'shape': \(2, 1\), \} *\n$/);
    expect(buf.readFloatLE(10 + headerLen)).toBe(1.5);
    const round = decodeNpy(buf);
    expect(round.shape).toEqual([2, 1]);
    expect(Array.from(round.data)).toEqual([1.5, -1]);
    expect(decodeNpy(encodeNpy({ data: Float32Array.from([7]), shape: [1] })).shape).toEqual([1]);
  });

  it('rejects non-npy, truncated, Fortran-ordered and unsupported files clearly', () => {
    expect(() => decodeNpy(Buffer.from('hello world, not numpy'))).toThrow(/not a NumPy .npy file/);
    expect(() => decodeNpy(numpyBytes('<f4', '(4,)', Buffer.alloc(8)))).toThrow(/truncated/);
    expect(() => decodeNpy(numpyBytes('<c8', '(1,)', Buffer.alloc(8)))).toThrow(/dtype <c8 is not supported/);
    const fortran = numpyBytes('<f4', '(1,)', Buffer.alloc(4));
    fortran.write("True ", fortran.indexOf('False'), 'latin1');
    expect(() => decodeNpy(fortran)).toThrow(/Fortran/);
  });
});
