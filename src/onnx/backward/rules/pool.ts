/**
 * Pools, all as one depthwise ConvTranspose (no Scatter, so every opset ≥ 11 works and
 * overlapping windows add up correctly):
 * - AveragePool: dy divided by each window's divisor, spread with a kernel of ones.
 * - MaxPool: the forward pass also returns argmax indices; for each kernel offset k a mask says
 *   whether window o took its max at offset k; dy·mask_k goes back through a one-hot kernel e_k.
 *   Stacking the K offsets as channels (group = C, K channels per group) makes it a single op.
 * - Global pools: broadcast dy back over the grid.
 */
import { attrInt, attrInts, makeNode, type NodeProto } from '../../proto.js';
import { maskOf, mul, scalar, shapeOf, unsqueeze } from '../emit.js';
import { transposeAttributes, windowGeometry, type WindowGeometry } from '../geometry.js';
import { registerGradient } from '../registry.js';
import type { GradContext } from '../types.js';

function poolGeometry(c: GradContext): { geo: WindowGeometry; inSpatial: number[]; outSpatial: number[]; channels: number } {
  const xShape = c.shape(c.input(0));
  const yShape = c.shape(c.output(0));
  const kernel = attrInts(c.node, 'kernel_shape');
  if (!kernel) c.fail('kernel_shape is missing');
  const inSpatial = xShape.slice(2);
  const outSpatial = yShape.slice(2);
  return { geo: windowGeometry(c.node, kernel, inSpatial, outSpatial), inSpatial, outSpatial, channels: xShape[1] };
}

/** Multi-index of each flat position in a grid (row-major). */
function gridPositions(grid: number[]): number[][] {
  const total = grid.reduce((a, b) => a * b, 1);
  const out: number[][] = [];
  for (let p = 0; p < total; p++) {
    const idx: number[] = [];
    let rest = p;
    for (let d = grid.length - 1; d >= 0; d--) {
      idx.unshift(rest % grid[d]);
      rest = Math.floor(rest / grid[d]);
    }
    out.push(idx);
  }
  return out;
}

function scatterBack(c: GradContext, values: string, weights: string, channels: number, geo: WindowGeometry, inSpatial: number[], outSpatial: number[]): string {
  const { pads, output_padding } = transposeAttributes(geo, inSpatial, outSpatial);
  return c.graph.op('ConvTranspose', [values, weights], {
    group: channels,
    strides: geo.strides,
    dilations: geo.dilations,
    kernel_shape: geo.kernel,
    pads,
    output_padding,
  });
}

registerGradient('AveragePool', (c) => {
  const g = c.graph;
  const { geo, inSpatial, outSpatial, channels } = poolGeometry(c);
  const includePad = attrInt(c.node, 'count_include_pad', 0) === 1;
  // Divisor of each output position: taps inside the input (or inside the padded input).
  const inverse = gridPositions(outSpatial).map((o) => {
    let count = 1;
    for (let d = 0; d < o.length; d++) {
      const lo = includePad ? -geo.begin[d] : 0;
      const hi = includePad ? inSpatial[d] + geo.end[d] : inSpatial[d];
      let n = 0;
      for (let k = 0; k < geo.kernel[d]; k++) {
        const p = o[d] * geo.strides[d] - geo.begin[d] + k * geo.dilations[d];
        if (p >= lo && p < hi) n++;
      }
      count *= n;
    }
    return count > 0 ? 1 / count : 0;
  });
  const scaled = mul(g, c.dy()!, g.constFloat(inverse, outSpatial));
  const taps = geo.kernel.reduce((a, b) => a * b, 1);
  const ones = g.constFloat(new Float32Array(channels * taps).fill(1), [channels, 1, ...geo.kernel]);
  return [scatterBack(c, scaled, ones, channels, geo, inSpatial, outSpatial)];
});

/** The forward MaxPool, replaced by a copy that also outputs argmax indices (row-major). */
function maxPoolIndices(c: GradContext): string {
  const existing = c.node.output?.[1];
  if (existing) {
    if (attrInt(c.node, 'storage_order', 0) !== 0) c.fail('column-major (storage_order=1) indices are not supported');
    return existing;
  }
  const g = c.graph;
  const indices = g.fresh('maxpool_indices');
  const copy: NodeProto = makeNode(c.node.opType!, [...(c.node.input ?? [])], [c.node.output![0], indices], {}, c.node.name ?? '');
  copy.attribute = (c.node.attribute ?? []).filter((a) => a.name !== 'storage_order');
  g.replaceNode(c.node, copy);
  return indices;
}

registerGradient('MaxPool', (c) => {
  const g = c.graph;
  const { geo, inSpatial, outSpatial, channels } = poolGeometry(c);
  const indices = maxPoolIndices(c);
  const inSize = inSpatial.reduce((a, b) => a * b, 1);
  const offsets = gridPositions(geo.kernel);
  const outPositions = gridPositions(outSpatial);
  // expected[k, o]: flat input position of kernel offset k in window o (-1 in the padding).
  const expected: number[] = [];
  for (const k of offsets) {
    for (const o of outPositions) {
      let flat = 0;
      let inside = true;
      for (let d = 0; d < o.length; d++) {
        const p = o[d] * geo.strides[d] - geo.begin[d] + k[d] * geo.dilations[d];
        if (p < 0 || p >= inSpatial[d]) inside = false;
        flat = flat * inSpatial[d] + p;
      }
      expected.push(inside ? flat : -1);
    }
  }
  const K = offsets.length;
  const local = g.op('Mod', [indices, g.constInt64([inSize], [])]);
  const hit = g.op('Equal', [unsqueeze(g, local, [2]), g.constInt64(expected, [K, ...outSpatial])]);
  const routed = mul(g, maskOf(g, hit), unsqueeze(g, c.dy()!, [2]));
  const stacked = g.op('Reshape', [routed, g.constInt64([0, channels * K, ...outSpatial])]);
  const taps = K;
  const oneHot = new Float32Array(channels * K * taps);
  for (let ch = 0; ch < channels; ch++) for (let k = 0; k < K; k++) oneHot[(ch * K + k) * taps + k] = 1;
  const kernel = g.constFloat(oneHot, [channels * K, 1, ...geo.kernel]);
  return [scatterBack(c, stacked, kernel, channels, geo, inSpatial, outSpatial)];
});

registerGradient('GlobalAveragePool', (c) => {
  const g = c.graph;
  const x = c.input(0);
  const size = c.shape(x).slice(2).reduce((a, b) => a * b, 1);
  return [mul(g, g.op('Expand', [c.dy()!, shapeOf(g, x)]), scalar(g, 1 / size))];
});

registerGradient('GlobalMaxPool', (c) => {
  const g = c.graph;
  const hit = maskOf(g, g.op('Equal', [c.input(0), c.output(0)]));
  return [mul(g, hit, c.dy()!)];
});
