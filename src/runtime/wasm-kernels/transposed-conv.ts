/**
 * Input gradients of convolutions as forward convolutions (for XNNPACK).
 *
 * dx[h] = Σ_k dy'[h + top - k·d] · f[k], where dy' is dy with stride-1 zeros between its
 * entries. That is a correlation of dy' (padded by (K-1)·d - top) with the flipped filter.
 * Inserting zeros costs stride² extra multiplies but keeps everything on the fast path.
 */
import { tf } from '../core.js';
import type { KernelScope } from './kernel-scope.js';

type Info = tf.TensorInfo;

/**
 * filter [KH, KW, ...] with its taps in reverse order, (i, j) → (KH-1-i, KW-1-j), by copying
 * whole tap blocks on the wasm heap: tfjs-wasm's Reverse (and Gather, Slice+Concat) take ~0.4 s
 * for a 3×3×512×512 filter, a block copy ~2 ms.
 */
export function flipTaps(k: KernelScope, filter: Info): Info {
  const [kh, kw, ...rest] = filter.shape;
  const taps = kh * kw;
  const block = rest.reduce((a, b) => a * b, 1);
  const out = k.make(filter.shape, 'float32');
  // Views only after allocating: malloc may grow (and so replace) the heap.
  const src = k.backend.typedArrayFromHeap(filter) as Float32Array;
  const dst = k.backend.typedArrayFromHeap(out) as Float32Array;
  for (let t = 0; t < taps; t++)
    dst.set(src.subarray(t * block, (t + 1) * block), (taps - 1 - t) * block);
  return out;
}

/** dy [N,OH,OW,C] with s-1 zero rows/columns after each entry: [N, OH·sh, OW·sw, C]. */
export function zeroStuff(k: KernelScope, dy: Info, sh: number, sw: number): Info {
  if (sh === 1 && sw === 1) return dy;
  const [n, oh, ow, c] = dy.shape;
  let out = dy;
  if (sh > 1) {
    const rows = k.pad(k.reshape(out, [n, oh, 1, ow * c]), [
      [0, 0],
      [0, 0],
      [0, sh - 1],
      [0, 0],
    ]);
    out = k.reshape(rows, [n, oh * sh, ow, c]);
  }
  if (sw > 1) {
    const cols = k.pad(k.reshape(out, [n * oh * sh, ow, 1, c]), [
      [0, 0],
      [0, 0],
      [0, sw - 1],
      [0, 0],
    ]);
    out = k.reshape(cols, [n, oh * sh, ow * sw, c]);
  }
  return out;
}

export interface Correlation {
  /** Stuffed dy, cropped where the needed padding is negative (explicit pads wider than K). */
  input: Info;
  /** Explicit padding for the stride-1 forward convolution. */
  pad: [[number, number], [number, number], [number, number], [number, number]];
}

/** Padding that turns the transposed convolution into a stride-1 forward one over `stuffed`. */
export function correlation(
  k: KernelScope,
  stuffed: Info,
  info: tf.backend_util.Conv2DInfo,
): Correlation {
  let top = (info.filterHeight - 1) * info.dilationHeight - info.padInfo.top;
  let left = (info.filterWidth - 1) * info.dilationWidth - info.padInfo.left;
  let input = stuffed;
  if (top < 0 || left < 0) {
    const [n, h, w, c] = stuffed.shape;
    const dt = Math.max(0, -top);
    const dl = Math.max(0, -left);
    input = k.slice(stuffed, [0, dt, dl, 0], [n, h - dt, w - dl, c]);
    top = Math.max(0, top);
    left = Math.max(0, left);
  }
  // Rows the last dx row still reads; a negative count means the output comes out too long and
  // is cropped by the caller.
  const bottom = Math.max(0, info.inHeight + info.padInfo.top - stuffed.shape[1]);
  const right = Math.max(0, info.inWidth + info.padInfo.left - stuffed.shape[2]);
  return {
    input,
    pad: [
      [0, 0],
      [top, bottom],
      [left, right],
      [0, 0],
    ],
  };
}

/** Crops a convolution result to the input's spatial size when it came out larger. */
export function cropTo(k: KernelScope, x: Info, h: number, w: number): Info {
  const [n, xh, xw, c] = x.shape;
  return xh === h && xw === w ? x : k.slice(x, [0, 0, 0, 0], [n, h, w, c]);
}
