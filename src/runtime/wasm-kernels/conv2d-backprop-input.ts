/**
 * Conv2DBackpropInput on wasm, replacing tfjs's own: theirs is a plain C++ loop nest (≈1 s per
 * ResNet-18 image, 8× the forward pass); this runs the transposed convolution as a forward one on
 * XNNPACK (see transposed-conv.ts), with the rearranged filter kept between calls (see
 * filter-cache.ts). Measured numbers are in docs/wasm-backend.md.
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { tf } from '../core.js';
import { convGeometry } from './conv-geometry.js';
import { derivedFilter } from './filter-cache.js';
import { inKernelScope } from './kernel-scope.js';
import { correlation, cropTo, flipTaps, zeroStuff } from './transposed-conv.js';

export const conv2dBackpropInputConfig: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropInput,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { dy, filter } = inputs as tf.Conv2DBackpropInputInputs;
    const { strides, pad, dataFormat, dimRoundingMode, inputShape } =
      attrs as unknown as tf.Conv2DBackpropInputAttrs;
    const nchw = dataFormat === 'NCHW';
    const [n, h, w, c] = nchw
      ? [inputShape[0], inputShape[2], inputShape[3], inputShape[1]]
      : inputShape;
    const { info } = convGeometry(
      [n, h, w, c],
      filter!.shape,
      strides,
      1,
      pad,
      dimRoundingMode,
      false,
    );
    const wasm = backend as BackendWasm;
    // [KH, KW, Cout, Cin], flipped; kept while the filter lives (see filter-cache.ts).
    const flipped = derivedFilter(wasm, filter!, 'conv2d-transpose', () =>
      inKernelScope(wasm, (k) => flipTaps(k, k.transpose(filter!, [0, 1, 3, 2]))),
    );
    return inKernelScope(wasm, (k) => {
      const dyNhwc = nchw ? k.transpose(dy!, [0, 2, 3, 1]) : dy!;
      const corr = correlation(k, zeroStuff(k, dyNhwc, info.strideHeight, info.strideWidth), info);
      const out = k.run(
        'Conv2D',
        { x: corr.input, filter: flipped },
        { strides: [1, 1], dilations: [1, 1], pad: corr.pad, dataFormat: 'NHWC' },
      );
      const dx = cropTo(k, out, h, w);
      return nchw ? k.transpose(dx, [0, 3, 1, 2]) : dx;
    });
  },
};
