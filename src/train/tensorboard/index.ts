export { crc32c, maskCrc, unmaskCrc, maskedCrc32c } from './crc32c.js';
export { frameRecord, parseRecords, RECORD_OVERHEAD, type ParseRecordsOptions } from './record.js';
export {
  FILE_VERSION,
  encodeEvent,
  decodeEvent,
  encodeSummary,
  decodeSummary,
  encodeHistogram,
  decodeHistogram,
  type TbEvent,
  type SummaryValue,
  type SummaryImage,
  type HistogramProto,
} from './event.js';
export { buildHistogram, defaultBucketLimits, type HistogramBuckets } from './histogram.js';
export { TensorBoardWriter, type TensorBoardWriterOptions } from './writer.js';
export { readEvents, parseEvents, listEventFiles } from './reader.js';
