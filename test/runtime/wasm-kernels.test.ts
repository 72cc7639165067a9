/**
 * Every kernel Glassbox registers on wasm, against the cpu backend's kernel (where cpu implements
 * the case) and against plain-loop definitions (always; cpu's depthwise backprop ignores
 * dilations). Shapes cover strides, paddings (same/valid/numeric/explicit, crops and leftover
 * rows), dilations and channel multipliers.
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { initTf, tf } from '../../src/runtime/tf.js';
import { cachedFilterCount } from '../../src/runtime/wasm-kernels/filter-cache.js';
import {
  conv2dFilterGradRef,
  conv2dInputGradRef,
  depthwiseFilterGradRef,
  depthwiseInputGradRef,
  unsortedSegmentSumRef,
} from './conv-reference.js';
import { geometryOf, liveBuffers, randn, relErr, runCpu, runWasm } from './kernel-harness.js';

const TOL = 1e-4;
type Pad = tf.Conv2DBackpropFilterAttrs['pad'];
type Pair = number | [number, number];

beforeAll(async () => {
  expect(await initTf('wasm')).toBe('wasm');
});

const convCases: {
  x: number[];
  f: number[];
  s: Pair;
  pad: Pad;
  round?: 'ceil' | 'floor' | 'round';
}[] = [
  { x: [2, 7, 7, 3], f: [3, 3, 3, 4], s: 1, pad: 'same' },
  { x: [2, 8, 9, 3], f: [3, 2, 3, 5], s: 2, pad: 'valid' }, // last rows unread: output cropped
  { x: [1, 9, 9, 2], f: [5, 5, 2, 3], s: 2, pad: 'same' },
  { x: [3, 6, 5, 4], f: [1, 1, 4, 6], s: [2, 1], pad: 'valid' },
  { x: [1, 10, 10, 3], f: [3, 3, 3, 2], s: 1, pad: 2 },
  { x: [1, 8, 8, 2], f: [3, 3, 2, 2], s: 2, pad: 1, round: 'ceil' },
  {
    x: [2, 7, 8, 2],
    f: [3, 3, 2, 3],
    s: [1, 2],
    pad: [
      [0, 0],
      [2, 1],
      [0, 3],
      [0, 0],
    ],
  },
];

describe('Conv2DBackpropFilter', () => {
  it.each(convCases)('x $x, filter $f, strides $s, pad $pad', ({ x, f, s, pad, round }) => {
    const g = geometryOf(x, f, s, 1, pad, round);
    const xt = randn(x, 1);
    const dy = randn([...g.outShape, f[3]], 2);
    const attrs = { strides: s, pad, dataFormat: 'NHWC', dimRoundingMode: round, filterShape: f };
    const wasm = runWasm('Conv2DBackpropFilter', { x: xt, dy }, attrs);
    expect(wasm.shape).toEqual(f);
    expect(relErr(wasm.values, runCpu('Conv2DBackpropFilter', { x: xt, dy }, attrs))).toBeLessThan(
      TOL,
    );
    const ref = conv2dFilterGradRef(
      g,
      xt.dataSync() as Float32Array,
      dy.dataSync() as Float32Array,
      f[2],
      f[3],
    );
    expect(relErr(wasm.values, ref)).toBeLessThan(TOL);
    expect(wasm.leaked).toBe(0);
    tf.dispose([xt, dy]);
  });
});

describe("Conv2DBackpropInput (replaces tfjs-wasm's)", () => {
  it.each(convCases)('x $x, filter $f, strides $s, pad $pad', ({ x, f, s, pad, round }) => {
    const g = geometryOf(x, f, s, 1, pad, round);
    const filter = randn(f, 8);
    const dy = randn([...g.outShape, f[3]], 9);
    const attrs = { strides: s, pad, dataFormat: 'NHWC', dimRoundingMode: round, inputShape: x };
    const wasm = runWasm('Conv2DBackpropInput', { dy, filter }, attrs);
    expect(wasm.shape).toEqual(x);
    expect(relErr(wasm.values, runCpu('Conv2DBackpropInput', { dy, filter }, attrs))).toBeLessThan(
      TOL,
    );
    const ref = conv2dInputGradRef(
      g,
      filter.dataSync() as Float32Array,
      dy.dataSync() as Float32Array,
      f[2],
      f[3],
    );
    expect(relErr(wasm.values, ref)).toBeLessThan(TOL);
    expect(wasm.leaked).toBe(0);
    tf.dispose([filter, dy]);
  });

  it('NCHW', () => {
    const filter = randn([3, 3, 2, 4], 10);
    const dy = randn([2, 4, 4, 4], 11); // [N, C, H, W] for x [2, 2, 7, 7], stride 2, same
    const attrs = { strides: 2, pad: 'same', dataFormat: 'NCHW', inputShape: [2, 2, 7, 7] };
    const wasm = runWasm('Conv2DBackpropInput', { dy, filter }, attrs);
    expect(wasm.shape).toEqual([2, 2, 7, 7]);
    expect(relErr(wasm.values, runCpu('Conv2DBackpropInput', { dy, filter }, attrs))).toBeLessThan(
      TOL,
    );
    tf.dispose([filter, dy]);
  });
});

const depthwiseCases: { x: number[]; f: number[]; s: Pair; d: Pair; pad: Pad }[] = [
  { x: [2, 7, 7, 3], f: [3, 3, 3, 1], s: 1, d: 1, pad: 'same' },
  { x: [2, 8, 9, 3], f: [3, 3, 3, 2], s: 2, d: 1, pad: 'valid' },
  { x: [1, 9, 9, 2], f: [5, 5, 2, 3], s: 2, d: 1, pad: 'same' },
  { x: [2, 6, 7, 2], f: [3, 2, 2, 2], s: [1, 3], d: 1, pad: 'same' },
  { x: [2, 10, 10, 2], f: [3, 3, 2, 2], s: 1, d: 2, pad: 'same' },
  { x: [1, 11, 9, 3], f: [3, 2, 3, 1], s: 1, d: [2, 3], pad: 'valid' },
  {
    x: [2, 7, 8, 2],
    f: [3, 3, 2, 2],
    s: [1, 2],
    d: 1,
    pad: [
      [0, 0],
      [2, 1],
      [0, 3],
      [0, 0],
    ],
  },
  // Padding wider than the filter reaches: the transposed convolution must crop, not pad.
  {
    x: [1, 6, 6, 2],
    f: [2, 2, 2, 2],
    s: 1,
    d: 1,
    pad: [
      [0, 0],
      [3, 0],
      [0, 4],
      [0, 0],
    ],
  },
];
const dilated = (d: Pair) => (typeof d === 'number' ? d > 1 : d.some((v) => v > 1));

describe('DepthwiseConv2dNativeBackpropFilter', () => {
  it.each(depthwiseCases)(
    'x $x, filter $f, strides $s, dilations $d, pad $pad',
    ({ x, f, s, d, pad }) => {
      const g = geometryOf(x, f, s, d, pad);
      const xt = randn(x, 3);
      const dy = randn([...g.outShape, f[2] * f[3]], 4);
      const attrs = { strides: s, dilations: d, pad, filterShape: f };
      const wasm = runWasm('DepthwiseConv2dNativeBackpropFilter', { x: xt, dy }, attrs);
      expect(wasm.shape).toEqual(f);
      if (!dilated(d)) {
        expect(
          relErr(wasm.values, runCpu('DepthwiseConv2dNativeBackpropFilter', { x: xt, dy }, attrs)),
        ).toBeLessThan(TOL);
      }
      const ref = depthwiseFilterGradRef(
        g,
        xt.dataSync() as Float32Array,
        dy.dataSync() as Float32Array,
        f[2],
        f[3],
      );
      expect(relErr(wasm.values, ref)).toBeLessThan(TOL);
      expect(wasm.leaked).toBe(0);
      tf.dispose([xt, dy]);
    },
  );
});

describe('DepthwiseConv2dNativeBackpropInput', () => {
  it.each(depthwiseCases)(
    'x $x, filter $f, strides $s, dilations $d, pad $pad',
    ({ x, f, s, d, pad }) => {
      const g = geometryOf(x, f, s, d, pad);
      const filter = randn(f, 5);
      const dy = randn([...g.outShape, f[2] * f[3]], 6);
      const attrs = { strides: s, dilations: d, pad, inputShape: x };
      const wasm = runWasm('DepthwiseConv2dNativeBackpropInput', { dy, filter }, attrs);
      expect(wasm.shape).toEqual(x);
      if (!dilated(d)) {
        expect(
          relErr(wasm.values, runCpu('DepthwiseConv2dNativeBackpropInput', { dy, filter }, attrs)),
        ).toBeLessThan(TOL);
      }
      const ref = depthwiseInputGradRef(
        g,
        filter.dataSync() as Float32Array,
        dy.dataSync() as Float32Array,
        f[2],
        f[3],
      );
      expect(relErr(wasm.values, ref)).toBeLessThan(TOL);
      expect(wasm.leaked).toBe(0);
      tf.dispose([filter, dy]);
    },
  );
});

describe('UnsortedSegmentSum', () => {
  const cases: { x: number[]; ids: number[]; idShape: number[]; segments: number }[] = [
    { x: [6, 3], ids: [0, 2, 0, 1, 2, 2], idShape: [6], segments: 3 },
    { x: [6, 4], ids: [0, 1, 1, 3, 0, -1], idShape: [6], segments: 4 }, // -1 is dropped
    { x: [2, 3, 4], ids: [0, 1, 1, 3, 0, 2], idShape: [2, 3], segments: 4 }, // cpu: 1-D ids only
    { x: [5], ids: [1, 1, 7, 0, 1], idShape: [5], segments: 3 }, // 7 is dropped
    { x: [7, 2, 2], ids: [4, 4, 4, 4, 0, 4, 4], idShape: [7], segments: 6 }, // empty segments stay 0
  ];
  it.each(cases)('x $x, ids $ids, $segments segments', ({ x, ids, idShape, segments }) => {
    const xt = randn(x, 7);
    const segmentIds = tf.tensor(ids, idShape, 'int32');
    const attrs = { numSegments: segments };
    const wasm = runWasm('UnsortedSegmentSum', { x: xt, segmentIds }, attrs);
    expect(wasm.shape).toEqual([segments, ...x.slice(idShape.length)]);
    if (idShape.length === 1) {
      expect(
        relErr(wasm.values, runCpu('UnsortedSegmentSum', { x: xt, segmentIds }, attrs)),
      ).toBeLessThan(TOL);
    }
    const ref = unsortedSegmentSumRef(
      xt.dataSync() as Float32Array,
      Int32Array.from(ids),
      segments,
    );
    expect(relErr(wasm.values, ref)).toBeLessThan(TOL);
    expect(wasm.leaked).toBe(0);
    tf.dispose([xt, segmentIds]);
  });
});

describe('rearranged-filter cache', () => {
  const backend = () => tf.backend() as BackendWasm;
  const attrs = { strides: 1, pad: 'same', dataFormat: 'NHWC', inputShape: [1, 5, 5, 2] };

  it('reuses one entry per live filter, frees it with the filter, never serves a stale one', () => {
    const dy = randn([1, 5, 5, 3], 12);
    const first = randn([3, 3, 2, 3], 13);
    const a = runWasm('Conv2DBackpropInput', { dy, filter: first }, attrs);
    const count = cachedFilterCount(backend()); // earlier tests' entries are gone or going
    runWasm('Conv2DBackpropInput', { dy, filter: first }, attrs);
    expect(cachedFilterCount(backend())).toBe(count);
    expect(
      relErr(a.values, runCpu('Conv2DBackpropInput', { dy, filter: first }, attrs)),
    ).toBeLessThan(TOL);

    first.dispose();
    const second = randn([3, 3, 2, 3], 14);
    const b = runWasm('Conv2DBackpropInput', { dy, filter: second }, attrs);
    expect(
      relErr(b.values, runCpu('Conv2DBackpropInput', { dy, filter: second }, attrs)),
    ).toBeLessThan(TOL);
    expect(cachedFilterCount(backend())).toBe(count); // the first filter's entry made way
    tf.dispose([dy, second]);
  });
});

describe('Identity (shares the buffer instead of copying)', () => {
  it('clones read the same values, survive the original, and add no buffer', () => {
    const x = randn([3, 4], 15);
    const expected = Float32Array.from(x.dataSync());
    const before = liveBuffers();
    const y = tf.clone(x);
    expect(liveBuffers()).toBe(before);
    x.dispose();
    expect(Array.from(y.dataSync())).toEqual(Array.from(expected));
    y.dispose();
    expect(liveBuffers()).toBe(before - 1);
  });
});
