/**
 * MaxPoolGrad on wasm. tfjs-backend-wasm 4.22 ships this kernel, but it routes the gradient to
 * the wrong channel whenever the stride exceeds 1 (e.g. [2,6,6,5], 2×2 stride 2: off by up to
 * the whole gradient), which corrupts training and every gradient explanation of a max-pooling
 * CNN. This replacement sends each output gradient to the first maximum of its window in
 * row-major scan order, skipping padding, exactly as the cpu backend does.
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { tf } from '../core.js';

export const maxPoolGradConfig: tf.KernelConfig = {
  kernelName: tf.MaxPoolGrad,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { dy, input } = inputs as tf.MaxPoolGradInputs;
    const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as tf.MaxPoolGradAttrs;
    const wasm = backend as BackendWasm;
    const x = wasm.readSync(input!.dataId) as Float32Array;
    const g = wasm.readSync(dy!.dataId) as Float32Array;
    const info = tf.backend_util.computePool2DInfo(input!.shape as [number, number, number, number], filterSize, strides, 1, pad, dimRoundingMode);
    const { batchSize, inHeight, inWidth, inChannels: channels, outHeight, outWidth } = info;
    const { strideHeight, strideWidth, dilationHeight, dilationWidth, effectiveFilterHeight, effectiveFilterWidth } = info;
    const top = info.padInfo.top;
    const left = info.padInfo.left;
    const dx = new Float32Array(x.length);
    for (let b = 0; b < batchSize; b++) {
      const inBase = b * inHeight * inWidth * channels;
      for (let oy = 0; oy < outHeight; oy++) {
        const y0 = oy * strideHeight - top;
        for (let ox = 0; ox < outWidth; ox++) {
          const x0 = ox * strideWidth - left;
          const outBase = ((b * outHeight + oy) * outWidth + ox) * channels;
          for (let c = 0; c < channels; c++) {
            let best = -Infinity;
            let where = -1;
            for (let wy = 0; wy < effectiveFilterHeight; wy += dilationHeight) {
              const yy = y0 + wy;
              if (yy < 0 || yy >= inHeight) continue;
              for (let wx = 0; wx < effectiveFilterWidth; wx += dilationWidth) {
                const xx = x0 + wx;
                if (xx < 0 || xx >= inWidth) continue;
                const at = inBase + (yy * inWidth + xx) * channels + c;
                if (x[at] > best) {
                  best = x[at];
                  where = at;
                }
              }
            }
            if (where >= 0) dx[where] += g[outBase + c];
          }
        }
      }
    }
    return wasm.makeOutput(input!.shape, 'float32', undefined, dx);
  },
};
