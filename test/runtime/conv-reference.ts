/**
 * Convolution gradients straight from their definitions, in plain loops over NHWC arrays.
 * Slow and obviously right: the independent check for dilations, where the cpu backend's
 * depthwise backprop kernels ignore the dilation attribute.
 */
export interface Geometry {
  n: number;
  h: number;
  w: number;
  oh: number;
  ow: number;
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  dh: number;
  dw: number;
  top: number;
  left: number;
}

/** Calls visit(n, y, x, row, col, i, j) for every (output pixel, tap) that reads an in-range input. */
function forEachTap(
  g: Geometry,
  visit: (b: number, y: number, x: number, r: number, c: number, i: number, j: number) => void,
) {
  for (let b = 0; b < g.n; b++)
    for (let y = 0; y < g.oh; y++)
      for (let x = 0; x < g.ow; x++)
        for (let i = 0; i < g.kh; i++)
          for (let j = 0; j < g.kw; j++) {
            const r = y * g.sh + i * g.dh - g.top;
            const c = x * g.sw + j * g.dw - g.left;
            if (r >= 0 && r < g.h && c >= 0 && c < g.w) visit(b, y, x, r, c, i, j);
          }
}

/** dW[i,j,ci,co] of a full convolution. */
export function conv2dFilterGradRef(
  g: Geometry,
  x: Float32Array,
  dy: Float32Array,
  cin: number,
  cout: number,
) {
  const dW = new Float64Array(g.kh * g.kw * cin * cout);
  forEachTap(g, (b, y, xx, r, c, i, j) => {
    const xo = ((b * g.h + r) * g.w + c) * cin;
    const yo = ((b * g.oh + y) * g.ow + xx) * cout;
    for (let ci = 0; ci < cin; ci++)
      for (let co = 0; co < cout; co++)
        dW[((i * g.kw + j) * cin + ci) * cout + co] += x[xo + ci] * dy[yo + co];
  });
  return Float32Array.from(dW);
}

/** dx[b,r,c,ci] of a full convolution. */
export function conv2dInputGradRef(
  g: Geometry,
  f: Float32Array,
  dy: Float32Array,
  cin: number,
  cout: number,
) {
  const dx = new Float64Array(g.n * g.h * g.w * cin);
  forEachTap(g, (b, y, xx, r, c, i, j) => {
    const xo = ((b * g.h + r) * g.w + c) * cin;
    const yo = ((b * g.oh + y) * g.ow + xx) * cout;
    for (let ci = 0; ci < cin; ci++)
      for (let co = 0; co < cout; co++)
        dx[xo + ci] += f[((i * g.kw + j) * cin + ci) * cout + co] * dy[yo + co];
  });
  return Float32Array.from(dx);
}

/** dW[i,j,c,m] of a depthwise convolution with channel multiplier m. */
export function depthwiseFilterGradRef(
  g: Geometry,
  x: Float32Array,
  dy: Float32Array,
  ch: number,
  mult: number,
) {
  const dW = new Float64Array(g.kh * g.kw * ch * mult);
  forEachTap(g, (b, y, xx, r, c, i, j) => {
    const xo = ((b * g.h + r) * g.w + c) * ch;
    const yo = ((b * g.oh + y) * g.ow + xx) * ch * mult;
    for (let k = 0; k < ch * mult; k++)
      dW[(i * g.kw + j) * ch * mult + k] += x[xo + Math.floor(k / mult)] * dy[yo + k];
  });
  return Float32Array.from(dW);
}

/** dx[b,r,c,ch] of a depthwise convolution with channel multiplier m. */
export function depthwiseInputGradRef(
  g: Geometry,
  f: Float32Array,
  dy: Float32Array,
  ch: number,
  mult: number,
) {
  const dx = new Float64Array(g.n * g.h * g.w * ch);
  forEachTap(g, (b, y, xx, r, c, i, j) => {
    const xo = ((b * g.h + r) * g.w + c) * ch;
    const yo = ((b * g.oh + y) * g.ow + xx) * ch * mult;
    for (let k = 0; k < ch * mult; k++)
      dx[xo + Math.floor(k / mult)] += f[(i * g.kw + j) * ch * mult + k] * dy[yo + k];
  });
  return Float32Array.from(dx);
}

/** out[s, ...] = Σ x[i, ...] over ids[i] == s; ids outside [0, segments) are dropped. */
export function unsortedSegmentSumRef(x: Float32Array, ids: Int32Array, segments: number) {
  const width = x.length / ids.length;
  const out = new Float64Array(segments * width);
  ids.forEach((s, i) => {
    if (s < 0 || s >= segments) return;
    for (let k = 0; k < width; k++) out[s * width + k] += x[i * width + k];
  });
  return Float32Array.from(out);
}
