/**
 * Layout bookkeeping for the TF.js → ONNX exporter.
 *
 * The one rule: inside the exported graph every tensor of rank ≥ 3 is channels-first
 * ([N, C, H, W], [N, C, L]) — what ONNX's Conv/Pool/BatchNormalization expect and what any
 * PyTorch export looks like, so the ONNX adapter reads our layers the same way as everyone
 * else's. Rank-2 tensors are the same in both layouts. Only the graph's input and output stay in
 * TF.js order (NHWC), so users feed the arrays they fed TF.js. "TF shape" below always means the
 * shape as TF.js reports it (channels last, batch first, batch may be null).
 */
export type TfShape = (number | null)[];

/** Internal axis i holds TF axis cf[i]: [0, r-1, 1, …, r-2]. Also the NHWC→NCHW Transpose perm. */
export function toChannelsFirstPerm(rank: number): number[] {
  if (rank < 3) return Array.from({ length: rank }, (_, i) => i);
  return [0, rank - 1, ...Array.from({ length: rank - 2 }, (_, i) => i + 1)];
}

/** The NCHW→NHWC Transpose perm: [0, 2, …, r-1, 1]. */
export function toChannelsLastPerm(rank: number): number[] {
  if (rank < 3) return Array.from({ length: rank }, (_, i) => i);
  return [0, ...Array.from({ length: rank - 2 }, (_, i) => i + 2), 1];
}

/** Where TF axis `axis` (negative allowed) lives in the internal layout of a rank-`rank` tensor. */
export function internalAxis(axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) throw new Error(`axis ${axis} out of range for rank ${rank}`);
  if (rank < 3 || a === 0) return a;
  return a === rank - 1 ? 1 : a + 1;
}

/** The internal (channels-first) shape of a TF shape. */
export function internalShape(shape: TfShape): TfShape {
  return toChannelsFirstPerm(shape.length).map((a) => shape[a]);
}

export function isChannelsFirstInside(rank: number): boolean {
  return rank >= 3;
}

/** Reorders a dense row-major array: output axis i is input axis perm[i] (like ONNX Transpose). */
export function permute(data: Float32Array, shape: number[], perm: number[]): Float32Array {
  const rank = shape.length;
  const outShape = perm.map((p) => shape[p]);
  const inStrides = strides(shape);
  const stepAlongOut = perm.map((p) => inStrides[p]);
  const out = new Float32Array(data.length);
  const idx = new Array<number>(rank).fill(0);
  let src = 0;
  for (let o = 0; o < out.length; o++) {
    out[o] = data[src];
    for (let d = rank - 1; d >= 0; d--) {
      idx[d]++;
      src += stepAlongOut[d];
      if (idx[d] < outShape[d]) break;
      src -= stepAlongOut[d] * outShape[d];
      idx[d] = 0;
    }
  }
  return out;
}

function strides(shape: number[]): number[] {
  const s = new Array<number>(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) s[i] = s[i + 1] * shape[i + 1];
  return s;
}

/**
 * TF's 'same' padding for one spatial axis: output ceil(in/stride), total padding split with the
 * extra pixel at the end (ONNX's SAME_UPPER), written out explicitly as [begin, end].
 */
export function samePads(inSize: number, kernel: number, stride: number, dilation = 1): [number, number] {
  const effective = (kernel - 1) * dilation + 1;
  const out = Math.ceil(inSize / stride);
  const total = Math.max((out - 1) * stride + effective - inSize, 0);
  const begin = Math.floor(total / 2);
  return [begin, total - begin];
}
