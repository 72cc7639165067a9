/**
 * DepthwiseConv2dNativeBackpropInput on wasm: the transposed depthwise convolution as a forward
 * depthwise one on XNNPACK (see transposed-conv.ts). With a channel multiplier M, each of the
 * C·M dy channels is correlated with its own flipped tap and the M results per input channel
 * are summed.
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { tf } from '../core.js';
import { convGeometry } from './conv-geometry.js';
import { derivedFilter } from './filter-cache.js';
import { inKernelScope } from './kernel-scope.js';
import { correlation, cropTo, flipTaps, zeroStuff } from './transposed-conv.js';

export const depthwiseBackpropInputConfig: tf.KernelConfig = {
  kernelName: tf.DepthwiseConv2dNativeBackpropInput,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { dy, filter } = inputs as tf.DepthwiseConv2dNativeBackpropInputInputs;
    const { strides, dilations, pad, dimRoundingMode, inputShape } =
      attrs as unknown as tf.DepthwiseConv2dNativeBackpropInputAttrs;
    const { info } = convGeometry(
      inputShape,
      filter!.shape,
      strides,
      dilations,
      pad,
      dimRoundingMode,
      true,
    );
    const [n, h, w, c] = inputShape;
    const [kh, kw, , m] = filter!.shape;
    const wasm = backend as BackendWasm;
    const flippedTaps = derivedFilter(wasm, filter!, 'depthwise-transpose', () =>
      inKernelScope(wasm, (k) => flipTaps(k, filter!)),
    );
    return inKernelScope(wasm, (k) => {
      const flipped = k.reshape(flippedTaps, [kh, kw, c * m, 1]);
      const corr = correlation(k, zeroStuff(k, dy!, info.strideHeight, info.strideWidth), info);
      const out = k.run(
        'DepthwiseConv2dNative',
        { x: corr.input, filter: flipped },
        { strides: [1, 1], dilations: [info.dilationHeight, info.dilationWidth], pad: corr.pad },
      );
      const dx = cropTo(k, out, h, w);
      return m === 1 ? k.reshape(dx, inputShape) : k.sum(k.reshape(dx, [n, h, w, c, m]), [4]);
    });
  },
};
