import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import {
  buildHistogram,
  decodeEvent,
  defaultBucketLimits,
  encodeEvent,
  encodeHistogram,
  frameRecord,
  parseRecords,
  type TbEvent,
} from '../../src/train/tensorboard/index.js';

/** Little-endian bytes of one double / float, for hand-assembled messages. */
const f64 = (v: number) => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setFloat64(0, v, true);
  return [...b];
};
const f32 = (v: number) => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setFloat32(0, v, true);
  return [...b];
};
const str = (s: string) => [...new TextEncoder().encode(s)];

describe('Event encoding against hand-assembled bytes', () => {
  it('encodes a scalar summary event', () => {
    const value = [0x0a, 4, ...str('loss'), 0x15, ...f32(0.25)]; // tag=1, simple_value=2 (fixed32)
    const summary = [0x0a, value.length, ...value]; // Summary.value=1
    const expected = [
      0x09,
      ...f64(1.5), // wall_time=1, fixed64
      0x10,
      0xac,
      0x02, // step=2, varint 300
      0x2a,
      summary.length,
      ...summary, // summary=5, length-delimited
    ];
    expect(expected.length).toBe(27);
    const bytes = encodeEvent({
      wallTime: 1.5,
      step: 300,
      summary: [{ tag: 'loss', simpleValue: 0.25 }],
    });
    expect([...bytes]).toEqual(expected);
  });

  it('encodes the file_version event and leaves out proto3 defaults', () => {
    const bytes = encodeEvent({ wallTime: 2, step: 0, fileVersion: 'brain.Event:2' });
    expect([...bytes]).toEqual([0x09, ...f64(2), 0x1a, 13, ...str('brain.Event:2')]);
  });

  it('writes a zero simple_value (oneof members have presence)', () => {
    const bytes = encodeEvent({ wallTime: 0, step: 0, summary: [{ tag: 'a', simpleValue: 0 }] });
    expect([...bytes]).toEqual([0x2a, 10, 0x0a, 8, 0x0a, 1, ...str('a'), 0x15, 0, 0, 0, 0]);
  });

  it('encodes negative steps as 10-byte varints', () => {
    expect([...encodeEvent({ wallTime: 0, step: -1 })]).toEqual([
      0x10, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01,
    ]);
    expect(decodeEvent(encodeEvent({ wallTime: 0, step: -1 })).step).toBe(-1);
  });

  it('encodes a histogram with packed doubles', () => {
    const bytes = encodeHistogram({
      min: -1,
      max: 2,
      num: 3,
      sum: 1,
      sumSquares: 6,
      bucketLimit: [0, 2],
      bucket: [1, 2],
    });
    expect([...bytes]).toEqual([
      0x09,
      ...f64(-1),
      0x11,
      ...f64(2),
      0x19,
      ...f64(3),
      0x21,
      ...f64(1),
      0x29,
      ...f64(6),
      0x32,
      16,
      ...f64(0),
      ...f64(2), // bucket_limit=6, packed
      0x3a,
      16,
      ...f64(1),
      ...f64(2), // bucket=7, packed
    ]);
  });

  it('encodes an image summary', () => {
    const image = [0x08, 2, 0x10, 3, 0x18, 1, 0x22, 3, 7, 8, 9]; // height, width, colorspace, bytes
    const value = [0x0a, 2, ...str('im'), 0x22, image.length, ...image]; // image=4
    const bytes = encodeEvent({
      wallTime: 0,
      step: 1,
      summary: [
        {
          tag: 'im',
          image: { height: 2, width: 3, colorspace: 1, encodedImage: Uint8Array.of(7, 8, 9) },
        },
      ],
    });
    expect([...bytes]).toEqual([0x10, 1, 0x2a, value.length + 2, 0x0a, value.length, ...value]);
  });
});

// The same messages as TensorBoard's protos, field numbers copied from them, read by protobufjs:
// an independent protobuf implementation.
const PROTO = `
syntax = "proto3";
package tb;
message HistogramProto {
  double min = 1; double max = 2; double num = 3; double sum = 4; double sum_squares = 5;
  repeated double bucket_limit = 6 [packed = true];
  repeated double bucket = 7 [packed = true];
}
message Summary {
  message Image { int32 height = 1; int32 width = 2; int32 colorspace = 3; bytes encoded_image_string = 4; }
  message Value {
    string node_name = 7;
    string tag = 1;
    oneof value { float simple_value = 2; bytes obsolete_old_style_histogram = 3; Image image = 4; HistogramProto histo = 5; }
  }
  repeated Value value = 1;
}
message Event {
  double wall_time = 1;
  int64 step = 2;
  oneof what { string file_version = 3; bytes graph_def = 4; Summary summary = 5; }
}
`;

describe('Event encoding against protobufjs', () => {
  const Event = protobuf.parse(PROTO, { keepCase: true }).root.lookupType('tb.Event');
  const event: TbEvent = {
    wallTime: 1712345678.123,
    step: 4242,
    summary: [
      { tag: 'train/loss', simpleValue: 0.3125 },
      { tag: 'weights/dense', histo: buildHistogram(Float32Array.of(-0.5, 0, 0.25, 0.25, 3)) },
      {
        tag: 'img',
        image: { height: 5, width: 4, colorspace: 3, encodedImage: Uint8Array.of(1, 2, 3, 250) },
      },
    ],
  };

  it('protobufjs decodes our bytes to the same fields', () => {
    const obj = Event.toObject(Event.decode(encodeEvent(event)), {
      longs: Number,
      defaults: true,
    }) as any;
    expect(obj.wall_time).toBe(event.wallTime);
    expect(obj.step).toBe(4242);
    expect(obj.summary.value).toHaveLength(3);
    expect(obj.summary.value[0].tag).toBe('train/loss');
    expect(obj.summary.value[0].simple_value).toBe(0.3125);
    const h = event.summary![1].histo!;
    expect(obj.summary.value[1].histo).toMatchObject({
      min: -0.5,
      max: 3,
      num: 5,
      sum: 3,
      sum_squares: 0.25 + 0.0625 * 2 + 9,
      bucket_limit: h.bucketLimit,
      bucket: h.bucket,
    });
    expect([...obj.summary.value[2].image.encoded_image_string]).toEqual([1, 2, 3, 250]);
    expect(obj.summary.value[2].image).toMatchObject({ height: 5, width: 4, colorspace: 3 });
  });

  it('our decoder reads what protobufjs encodes', () => {
    const bytes = Event.encode(
      Event.fromObject({
        wall_time: 9.75,
        step: 7,
        summary: {
          value: [
            { tag: 'acc', simple_value: 0.5 },
            {
              tag: 'h',
              histo: {
                min: 1,
                max: 1,
                num: 1,
                sum: 1,
                sum_squares: 1,
                bucket_limit: [1.5],
                bucket: [1],
              },
            },
          ],
        },
      }),
    ).finish();
    expect(decodeEvent(bytes)).toEqual({
      wallTime: 9.75,
      step: 7,
      summary: [
        { tag: 'acc', simpleValue: 0.5 },
        {
          tag: 'h',
          histo: { min: 1, max: 1, num: 1, sum: 1, sumSquares: 1, bucketLimit: [1.5], bucket: [1] },
        },
      ],
    });
  });
});

describe('TFRecord framing', () => {
  it('frames as length | masked crc | data | masked crc', () => {
    const data = Uint8Array.of(1, 2, 3);
    const rec = frameRecord(data);
    expect(rec.length).toBe(19);
    const view = new DataView(rec.buffer);
    expect(view.getBigUint64(0, true)).toBe(3n);
    expect([...rec.subarray(12, 15)]).toEqual([1, 2, 3]);
    // Masked crc32c of the 8-byte length 27, from an independent Python implementation.
    expect(new DataView(frameRecord(new Uint8Array(27)).buffer).getUint32(8, true)).toBe(
      0x139e0d1a,
    );
    expect(parseRecords(rec).map((r) => [...r])).toEqual([[1, 2, 3]]);
  });
});

describe('histogram buckets', () => {
  it('has TF default limits: 775 per side, 0 in the middle, symmetric, increasing', () => {
    const l = defaultBucketLimits();
    // 1e-12·1.1^k < 1e20 for k = 0..773 (ln(1e32)/ln(1.1) ≈ 773.1), then DBL_MAX.
    expect(l.length).toBe(2 * 775 + 1);
    expect(l[775]).toBe(0);
    expect(l[776]).toBe(1e-12);
    expect(l[l.length - 1]).toBe(Number.MAX_VALUE);
    for (let i = 1; i < l.length; i++) {
      expect(l[i]).toBeGreaterThan(l[i - 1]);
      expect(l[l.length - 1 - i] === -l[i]).toBe(true);
    }
  });

  it('counts every value in the bucket [previous limit, limit) and collapses empty runs', () => {
    const values = Float32Array.of(-3, -1, 0, 0, 0.5, 1, 1, 1, 100, NaN, Infinity);
    const h = buildHistogram(values);
    expect(h).toMatchObject({
      min: -3,
      max: 100,
      num: 9,
      sum: 99.5,
      sumSquares: 9 + 1 + 0.25 + 3 + 10000,
    });
    const limits = defaultBucketLimits();
    let prev = -Infinity;
    for (let i = 0; i < h.bucket.length; i++) {
      const inside = [...values].filter((v) => v >= prev && v < h.bucketLimit[i]).length;
      expect(h.bucket[i]).toBe(inside);
      expect(limits.includes(h.bucketLimit[i])).toBe(true);
      // Empty buckets only appear as single collapsed runs between non-empty ones.
      if (h.bucket[i] === 0) expect(h.bucket[i - 1]).toBeGreaterThan(0);
      prev = h.bucketLimit[i];
    }
    expect(h.bucket[0]).toBeGreaterThan(0);
    expect(h.bucket[h.bucket.length - 1]).toBeGreaterThan(0);
    // Six distinct non-empty buckets (-3, -1, 0, 0.5, 1, 100) with an empty run between each.
    expect(h.bucket.filter((c) => c > 0)).toEqual([1, 1, 2, 1, 3, 1]);
    expect(h.bucket.length).toBe(11);
  });

  it('builds equal-width buckets by hand', () => {
    expect(buildHistogram([0, 1, 2, 3, 4], { bins: 2 })).toMatchObject({
      bucketLimit: [2, 4],
      bucket: [2, 3],
    });
    expect(buildHistogram([0, 10], { bins: 4 })).toMatchObject({
      bucketLimit: [2.5, 5, 7.5, 10],
      bucket: [1, 0, 0, 1],
    });
    expect(buildHistogram([2, 2, 2], { bins: 3 })).toMatchObject({ bucketLimit: [2], bucket: [3] });
    expect(() => buildHistogram([1], { bins: 0 })).toThrow(/bins/);
  });
});
