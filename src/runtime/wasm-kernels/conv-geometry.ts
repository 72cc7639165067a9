/**
 * Index arithmetic shared by the convolution-gradient kernels. All of them rewrite a gradient as a
 * forward (depthwise) convolution so that XNNPACK, the wasm backend's fast path, does the work.
 */
import { tf } from '../core.js';

export type ConvPad = tf.Conv2DBackpropFilterAttrs['pad'];
export type RoundingMode = tf.Conv2DBackpropFilterAttrs['dimRoundingMode'];
type Pad = tf.backend_util.Conv2DInfo['padInfo'];

export interface ConvGeometry {
  info: tf.backend_util.Conv2DInfo;
  pad: Pad;
  /** Rows/columns of padding past the input that the last output actually reads (≥ 0). */
  extraBottom: number;
  extraRight: number;
}

export function convGeometry(
  xShape: number[],
  filterShape: number[],
  strides: number | [number, number],
  dilations: number | [number, number],
  pad: ConvPad,
  dimRoundingMode: RoundingMode,
  depthwise: boolean,
): ConvGeometry {
  const info = tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    strides,
    dilations,
    pad,
    dimRoundingMode,
    depthwise,
  );
  const reach = (out: number, stride: number, k: number) => (out - 1) * stride + k;
  const extraBottom = Math.max(
    0,
    reach(info.outHeight, info.strideHeight, info.effectiveFilterHeight) -
      info.padInfo.top -
      info.inHeight,
  );
  const extraRight = Math.max(
    0,
    reach(info.outWidth, info.strideWidth, info.effectiveFilterWidth) -
      info.padInfo.left -
      info.inWidth,
  );
  return { info, pad: info.padInfo, extraBottom, extraRight };
}

/** Explicit NHWC padding for a kernel attribute. */
export function explicitPad(top: number, bottom: number, left: number, right: number): ConvPad {
  return [
    [0, 0],
    [top, bottom],
    [left, right],
    [0, 0],
  ];
}
