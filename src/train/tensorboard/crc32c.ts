/**
 * CRC-32C (Castagnoli, reflected polynomial 0x82F63B78) and the masked form TFRecord stores.
 * Table-driven, one byte at a time: event files are small, so simplicity beats slicing-by-8.
 */

const TABLE = buildTable(0x82f63b78);

function buildTable(poly: number): Uint32Array {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ poly : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
}

/** CRC-32C of `bytes` as an unsigned 32-bit number. `crc` continues a previous result. */
export function crc32c(bytes: Uint8Array, crc = 0): number {
  let c = ~crc >>> 0;
  for (let i = 0; i < bytes.length; i++) c = TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

/**
 * TFRecord's mask: rotate right by 15 and add a constant, so that a CRC stored inside data that
 * is itself CRC'd does not produce degenerate checksums.
 */
export function maskCrc(crc: number): number {
  return ((((crc >>> 15) | (crc << 17)) >>> 0) + 0xa282ead8) >>> 0;
}

/** Inverse of `maskCrc`. */
export function unmaskCrc(masked: number): number {
  const rot = (masked - 0xa282ead8) >>> 0;
  return ((rot >>> 17) | (rot << 15)) >>> 0;
}

/** `maskCrc(crc32c(bytes))`: the checksum TFRecord writes after the length and after the data. */
export function maskedCrc32c(bytes: Uint8Array): number {
  return maskCrc(crc32c(bytes));
}
