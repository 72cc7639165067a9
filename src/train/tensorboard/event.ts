/**
 * The subset of TensorBoard's `Event` / `Summary` protos Glassbox writes and reads, encoded by
 * hand. Field numbers (tensorboard/compat/proto/event.proto, summary.proto, histogram.proto):
 *   Event          wall_time=1 double, step=2 int64, file_version=3 string, summary=5 Summary
 *   Summary        value=1 repeated Value
 *   Summary.Value  tag=1 string, simple_value=2 float, image=4 Image, histo=5 HistogramProto
 *   Summary.Image  height=1, width=2, colorspace=3 (int32), encoded_image_string=4 bytes
 *   HistogramProto min=1, max=2, num=3, sum=4, sum_squares=5 (double),
 *                  bucket_limit=6, bucket=7 (packed repeated double)
 * Encoding follows proto3: scalar fields at their default (0, "") are left out, members of a
 * oneof (simple_value, image, histo) are always written, fields go in field-number order.
 */
import {
  ProtoWriter,
  asBytes,
  asDouble,
  asFloat,
  asInt,
  asString,
  pushDoubles,
  readFields,
} from './proto.js';

/** The version string every event file starts with. */
export const FILE_VERSION = 'brain.Event:2';

export interface HistogramProto {
  min: number;
  max: number;
  num: number;
  sum: number;
  sumSquares: number;
  /** Right edge of each bucket; bucket i covers [bucketLimit[i-1], bucketLimit[i]). */
  bucketLimit: number[];
  /** Count per bucket, parallel to `bucketLimit`. */
  bucket: number[];
}

export interface SummaryImage {
  height: number;
  width: number;
  /** 1 grey, 2 grey+alpha, 3 RGB, 4 RGBA (= channel count for those four). */
  colorspace: number;
  /** Encoded image file (PNG here). */
  encodedImage: Uint8Array;
}

/**
 * One tagged value. At most one of `simpleValue`, `histo`, `image` is set; a value read from a
 * file written by another tool may carry none (tensor or audio summaries, not decoded).
 */
export interface SummaryValue {
  tag: string;
  simpleValue?: number;
  histo?: HistogramProto;
  image?: SummaryImage;
}

export interface TbEvent {
  /** Seconds since the Unix epoch. */
  wallTime: number;
  step: number;
  fileVersion?: string;
  summary?: SummaryValue[];
}

export function encodeEvent(event: TbEvent): Uint8Array {
  const w = new ProtoWriter();
  if (event.wallTime !== 0) w.doubleField(1, event.wallTime);
  if (event.step !== 0) w.varintField(2, BigInt(event.step));
  if (event.fileVersion !== undefined) w.stringField(3, event.fileVersion);
  if (event.summary !== undefined) w.bytesField(5, encodeSummary(event.summary));
  return w.finish();
}

export function encodeSummary(values: SummaryValue[]): Uint8Array {
  const w = new ProtoWriter();
  for (const v of values) w.bytesField(1, encodeValue(v));
  return w.finish();
}

function encodeValue(v: SummaryValue): Uint8Array {
  const w = new ProtoWriter();
  if (v.tag !== '') w.stringField(1, v.tag);
  if (v.simpleValue !== undefined) w.floatField(2, v.simpleValue);
  if (v.image !== undefined) w.bytesField(4, encodeImage(v.image));
  if (v.histo !== undefined) w.bytesField(5, encodeHistogram(v.histo));
  return w.finish();
}

function encodeImage(img: SummaryImage): Uint8Array {
  const w = new ProtoWriter();
  if (img.height !== 0) w.varintField(1, img.height);
  if (img.width !== 0) w.varintField(2, img.width);
  if (img.colorspace !== 0) w.varintField(3, img.colorspace);
  if (img.encodedImage.length > 0) w.bytesField(4, img.encodedImage);
  return w.finish();
}

export function encodeHistogram(h: HistogramProto): Uint8Array {
  const w = new ProtoWriter();
  const doubles: [number, number][] = [
    [1, h.min],
    [2, h.max],
    [3, h.num],
    [4, h.sum],
    [5, h.sumSquares],
  ];
  // Object.is keeps -0, which proto3 serialisers write (it is not the default bit pattern).
  for (const [field, value] of doubles) if (!Object.is(value, 0)) w.doubleField(field, value);
  if (h.bucketLimit.length > 0) w.packedDoubleField(6, h.bucketLimit);
  if (h.bucket.length > 0) w.packedDoubleField(7, h.bucket);
  return w.finish();
}

/** Decodes one Event; fields Glassbox does not use (graphs, session logs, …) are skipped. */
export function decodeEvent(bytes: Uint8Array): TbEvent {
  const event: TbEvent = { wallTime: 0, step: 0 };
  for (const f of readFields(bytes, 'Event')) {
    if (f.field === 1) event.wallTime = asDouble(f);
    else if (f.field === 2) event.step = asInt(f);
    else if (f.field === 3) event.fileVersion = asString(f);
    else if (f.field === 5)
      event.summary = [...(event.summary ?? []), ...decodeSummary(asBytes(f))];
  }
  return event;
}

export function decodeSummary(bytes: Uint8Array): SummaryValue[] {
  const values: SummaryValue[] = [];
  for (const f of readFields(bytes, 'Summary')) {
    if (f.field === 1) values.push(decodeValue(asBytes(f)));
  }
  return values;
}

function decodeValue(bytes: Uint8Array): SummaryValue {
  const v: SummaryValue = { tag: '' };
  const setOneof = (apply: () => void): void => {
    delete v.simpleValue;
    delete v.histo;
    delete v.image;
    apply();
  };
  for (const f of readFields(bytes, 'Summary.Value')) {
    if (f.field === 1) v.tag = asString(f);
    else if (f.field === 2) setOneof(() => (v.simpleValue = asFloat(f)));
    else if (f.field === 4) setOneof(() => (v.image = decodeImage(asBytes(f))));
    else if (f.field === 5) setOneof(() => (v.histo = decodeHistogram(asBytes(f))));
    else if (f.field === 3 || f.field === 6 || f.field === 8) setOneof(() => undefined);
  }
  return v;
}

function decodeImage(bytes: Uint8Array): SummaryImage {
  const img: SummaryImage = { height: 0, width: 0, colorspace: 0, encodedImage: new Uint8Array(0) };
  for (const f of readFields(bytes, 'Summary.Image')) {
    if (f.field === 1) img.height = asInt(f);
    else if (f.field === 2) img.width = asInt(f);
    else if (f.field === 3) img.colorspace = asInt(f);
    else if (f.field === 4) img.encodedImage = asBytes(f).slice();
  }
  return img;
}

export function decodeHistogram(bytes: Uint8Array): HistogramProto {
  const h: HistogramProto = {
    min: 0,
    max: 0,
    num: 0,
    sum: 0,
    sumSquares: 0,
    bucketLimit: [],
    bucket: [],
  };
  for (const f of readFields(bytes, 'HistogramProto')) {
    if (f.field === 1) h.min = asDouble(f);
    else if (f.field === 2) h.max = asDouble(f);
    else if (f.field === 3) h.num = asDouble(f);
    else if (f.field === 4) h.sum = asDouble(f);
    else if (f.field === 5) h.sumSquares = asDouble(f);
    else if (f.field === 6) pushDoubles(f, h.bucketLimit);
    else if (f.field === 7) pushDoubles(f, h.bucket);
  }
  return h;
}
