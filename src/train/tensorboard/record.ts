/**
 * TFRecord framing, the container of TensorBoard event files. Each record is
 *   uint64 length (LE) | uint32 masked crc32c(length bytes) | data | uint32 masked crc32c(data)
 */
import { GlassboxError } from '../../core/errors.js';
import { maskedCrc32c } from './crc32c.js';

/** Bytes a record adds around its data. */
export const RECORD_OVERHEAD = 16;

/** Frames one record. */
export function frameRecord(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(data.length + RECORD_OVERHEAD);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(data.length), true);
  view.setUint32(8, maskedCrc32c(out.subarray(0, 8)), true);
  out.set(data, 12);
  view.setUint32(12 + data.length, maskedCrc32c(data), true);
  return out;
}

export interface ParseRecordsOptions {
  /** Name used in error messages (a file path, usually). */
  source?: string;
  /**
   * What to do with an incomplete record at the end, as a file still being written can have:
   * `'error'` (default) throws, `'ignore'` drops it. Checksum mismatches always throw.
   */
  truncatedTail?: 'error' | 'ignore';
}

/** Splits a TFRecord stream into its records' data, verifying both checksums of every record. */
export function parseRecords(bytes: Uint8Array, options: ParseRecordsOptions = {}): Uint8Array[] {
  const source = options.source ?? 'TFRecord data';
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const records: Uint8Array[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    const truncated = (what: string): Uint8Array[] => {
      if (options.truncatedTail === 'ignore') return records;
      throw new GlassboxError(
        `${source}: record ${records.length} at byte ${pos} is truncated (${what}); the file is incomplete or not a TFRecord file`,
      );
    };
    if (pos + 12 > bytes.length) return truncated('header');
    const lengthCrc = view.getUint32(pos + 8, true);
    if (maskedCrc32c(bytes.subarray(pos, pos + 8)) !== lengthCrc) {
      throw new GlassboxError(
        `${source}: length checksum mismatch in record ${records.length} at byte ${pos}; the file is corrupt or not a TFRecord file`,
      );
    }
    const length = view.getBigUint64(pos, true);
    if (length > BigInt(bytes.length - pos - RECORD_OVERHEAD)) return truncated('data');
    const start = pos + 12;
    const end = start + Number(length);
    const data = bytes.subarray(start, end);
    if (maskedCrc32c(data) !== view.getUint32(end, true)) {
      throw new GlassboxError(
        `${source}: data checksum mismatch in record ${records.length} at byte ${pos}; the file is corrupt`,
      );
    }
    records.push(data);
    pos = end + 4;
  }
  return records;
}
