/**
 * Conv: the input gradient scatters dy back through the same window. For stride 1 that scatter
 * is itself a Conv — dy correlated with the weights flipped in space and with input and output
 * channels swapped within each group, padded by d·(k−1) − p — which ONNX Runtime runs on its
 * blocked (NCHWc) convolution path; ConvTranspose goes through im2col and col2im and cost 1.4×
 * the forward convolutions on ResNet-18's 3×3 layers. Strided convolutions, weights not fixed
 * at build time, and pads larger than the dilated kernel keep the ConvTranspose.
 */
import { attrInt } from '../../proto.js';
import { transposeAttributes, windowGeometry, type WindowGeometry } from '../geometry.js';
import { registerGradient } from '../registry.js';

registerGradient('Conv', (c) => {
  if (c.needs(1) || c.needs(2)) c.fail('gradients through weights computed from the input are not supported');
  const xShape = c.shape(c.input(0));
  const wShape = c.shape(c.input(1));
  const yShape = c.shape(c.output(0));
  const inSpatial = xShape.slice(2);
  const outSpatial = yShape.slice(2);
  const geo = windowGeometry(c.node, wShape.slice(2), inSpatial, outSpatial);
  const group = attrInt(c.node, 'group', 1);
  const pads = correlationPads(geo);
  const weights = pads && c.graph.constantValues(c.input(1));
  if (pads && weights) {
    const flipped = flipWeights(weights, wShape, group);
    const w = c.graph.constFloat(flipped, [wShape[1] * group, wShape[0] / group, ...wShape.slice(2)]);
    return [c.graph.op('Conv', [c.dy()!, w], { group, dilations: geo.dilations, kernel_shape: geo.kernel, pads })];
  }
  const { pads: tPads, output_padding } = transposeAttributes(geo, inSpatial, outSpatial);
  return [
    c.graph.op('ConvTranspose', [c.dy()!, c.input(1)], {
      group,
      strides: geo.strides,
      dilations: geo.dilations,
      kernel_shape: geo.kernel,
      pads: tPads,
      output_padding,
    }),
  ];
});

/** Pads of the correlation that equals the transposed convolution, or undefined when there is none. */
function correlationPads(geo: WindowGeometry): number[] | undefined {
  if (geo.strides.some((s) => s !== 1)) return undefined;
  const reach = geo.kernel.map((k, i) => geo.dilations[i] * (k - 1));
  const pads = [...reach.map((r, i) => r - geo.begin[i]), ...reach.map((r, i) => r - geo.end[i])];
  return pads.every((p) => p >= 0) ? pads : undefined;
}

/**
 * Weights [O, I/g, ...k] → [I, O/g, ...k]: within each group, output and input channels swap,
 * and every spatial axis is reversed (reversing the flat row-major window index does both).
 */
export function flipWeights(w: ArrayLike<number>, shape: number[], group: number): Float32Array {
  const [outChannels, inPerGroup] = shape;
  const window = shape.slice(2).reduce((a, b) => a * b, 1);
  const outPerGroup = outChannels / group;
  const out = new Float32Array(w.length);
  for (let g = 0; g < group; g++)
    for (let o = 0; o < outPerGroup; o++)
      for (let i = 0; i < inPerGroup; i++) {
        const from = ((g * outPerGroup + o) * inPerGroup + i) * window;
        const to = ((g * inPerGroup + i) * outPerGroup + o) * window;
        for (let p = 0; p < window; p++) out[to + p] = w[from + window - 1 - p];
      }
  return out;
}
