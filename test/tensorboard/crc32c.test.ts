import { describe, expect, it } from 'vitest';
import { crc32c, maskCrc, maskedCrc32c, unmaskCrc } from '../../src/train/tensorboard/crc32c.js';

const ascii = (s: string) => new TextEncoder().encode(s);

describe('crc32c', () => {
  // Check value of CRC-32C and the RFC 3720 (iSCSI) B.4 test vectors.
  it('matches published vectors', () => {
    expect(crc32c(ascii('123456789'))).toBe(0xe3069283);
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa);
    expect(crc32c(new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43);
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i))).toBe(0x46dd794e);
    expect(crc32c(new Uint8Array(0))).toBe(0);
  });

  it('continues a running checksum', () => {
    const all = ascii('123456789');
    expect(crc32c(all.subarray(4), crc32c(all.subarray(0, 4)))).toBe(0xe3069283);
  });

  it('masks as TFRecord does', () => {
    // Hand: rotr15(0xe3069283) = 0x2507c60d; + 0xa282ead8 = 0xc78ab0e5.
    expect(maskCrc(0xe3069283)).toBe(0xc78ab0e5);
    // Values from an independent bitwise Python implementation.
    expect(maskedCrc32c(new Uint8Array(32))).toBe(0x0fd7fffa);
    expect(maskedCrc32c(new Uint8Array(32).fill(0xff))).toBe(0xf909b029);
    for (const c of [0, 1, 0xffffffff, 0x80000000, 0x5d7c1e2a])
      expect(unmaskCrc(maskCrc(c))).toBe(c);
  });
});
