/** Conv: the input gradient is a ConvTranspose of dy with the same weights and window. */
import { attrInt } from '../../proto.js';
import { transposeAttributes, windowGeometry } from '../geometry.js';
import { registerGradient } from '../registry.js';

registerGradient('Conv', (c) => {
  if (c.needs(1) || c.needs(2)) c.fail('gradients through weights computed from the input are not supported');
  const xShape = c.shape(c.input(0));
  const wShape = c.shape(c.input(1));
  const yShape = c.shape(c.output(0));
  const inSpatial = xShape.slice(2);
  const outSpatial = yShape.slice(2);
  const geo = windowGeometry(c.node, wShape.slice(2), inSpatial, outSpatial);
  const { pads, output_padding } = transposeAttributes(geo, inSpatial, outSpatial);
  return [
    c.graph.op('ConvTranspose', [c.dy()!, c.input(1)], {
      group: attrInt(c.node, 'group', 1),
      strides: geo.strides,
      dilations: geo.dilations,
      kernel_shape: geo.kernel,
      pads,
      output_padding,
    }),
  ];
});
