/**
 * Conv2DBackpropFilter on wasm: dW as one forward convolution, run by XNNPACK.
 *
 * dW[i,j,c,o] = Σ_{n,y,x} x[n, y·s + i - top, x·s + j - left, c] · dy[n,y,x,o] is a convolution
 * of x (channels c as batch, batch n as channels) with dy as the filter, with the original
 * stride as dilation. Measured against KH·KW strided slices + MatMul: equal at 64+ channels,
 * 15× faster for a 7×7/2 stem on RGB (25 ms vs 385 ms), since no tap is a thin matmul.
 * Also used for dilated convolutions (dilation becomes the stride).
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { tf } from '../core.js';
import { weightGradientsSkipped } from '../input-gradients-only.js';
import { convGeometry, explicitPad, type ConvPad, type RoundingMode } from './conv-geometry.js';
import { inKernelScope, zeros } from './kernel-scope.js';

export function conv2dFilterGrad(
  backend: BackendWasm,
  x: tf.TensorInfo,
  dy: tf.TensorInfo,
  filterShape: [number, number, number, number],
  strides: number | [number, number],
  dilations: number | [number, number],
  pad: ConvPad,
  dimRoundingMode: RoundingMode,
): tf.TensorInfo {
  const g = convGeometry(x.shape, filterShape, strides, dilations, pad, dimRoundingMode, false);
  const [kh, kw, cin, cout] = filterShape;
  return inKernelScope(backend, (k) => {
    const xT = k.transpose(x, [3, 1, 2, 0]); // [Cin, H, W, N]
    const dyT = k.transpose(dy, [1, 2, 0, 3]); // [OH, OW, N, Cout]
    const out = k.run(
      'Conv2D',
      { x: xT, filter: dyT },
      {
        strides: [g.info.dilationHeight, g.info.dilationWidth],
        dilations: [g.info.strideHeight, g.info.strideWidth],
        pad: explicitPad(g.pad.top, g.extraBottom, g.pad.left, g.extraRight),
        dataFormat: 'NHWC',
      },
    ); // [Cin, ≥KH, ≥KW, Cout]: rows past the last tap come from unread input
    const taps =
      out.shape[1] === kh && out.shape[2] === kw
        ? out
        : k.slice(out, [0, 0, 0, 0], [cin, kh, kw, cout]);
    return k.transpose(taps, [1, 2, 0, 3]);
  });
}

export const conv2dBackpropFilterConfig: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { x, dy } = inputs as tf.Conv2DBackpropFilterInputs;
    const { strides, pad, dataFormat, dimRoundingMode, filterShape } =
      attrs as unknown as tf.Conv2DBackpropFilterAttrs;
    if (dataFormat === 'NCHW') throw new Error('wasm Conv2DBackpropFilter supports NHWC only');
    if (weightGradientsSkipped()) return zeros(backend as BackendWasm, filterShape);
    return conv2dFilterGrad(
      backend as BackendWasm,
      x!,
      dy!,
      filterShape,
      strides,
      1,
      pad,
      dimRoundingMode,
    );
  },
};
