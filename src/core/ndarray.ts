/**
 * The array type at every Glassbox boundary: a flat float32 buffer and its shape.
 * Methods and metrics work on these, so they never hold engine tensors (nothing to leak) and
 * never care whether a TF.js or an ONNX model produced them.
 */
export interface NdArray {
  data: Float32Array;
  shape: number[];
}

export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function ndarray(data: Float32Array | number[], shape: number[]): NdArray {
  const buf = data instanceof Float32Array ? data : Float32Array.from(data);
  if (buf.length !== sizeOf(shape)) {
    throw new Error(`ndarray: ${buf.length} values do not fill shape [${shape.join(', ')}]`);
  }
  return { data: buf, shape: [...shape] };
}

export function zeros(shape: number[]): NdArray {
  return { data: new Float32Array(sizeOf(shape)), shape: [...shape] };
}

export function full(shape: number[], value: number): NdArray {
  return { data: new Float32Array(sizeOf(shape)).fill(value), shape: [...shape] };
}

/** Shape of one example: the array's shape without its leading batch dimension. */
export function exampleShape(a: NdArray): number[] {
  return a.shape.slice(1);
}

/** Example i of a batch, as a batch of one (a view: shares memory). */
export function batchItem(a: NdArray, i: number): NdArray {
  const per = sizeOf(a.shape.slice(1));
  return { data: a.data.subarray(i * per, (i + 1) * per), shape: [1, ...a.shape.slice(1)] };
}

/** Concatenate batches along the first axis. */
export function concatBatches(parts: NdArray[]): NdArray {
  if (parts.length === 0) throw new Error('concatBatches: nothing to concatenate');
  const tail = parts[0].shape.slice(1);
  const total = parts.reduce((n, p) => n + p.shape[0], 0);
  const data = new Float32Array(total * sizeOf(tail));
  let offset = 0;
  for (const p of parts) {
    data.set(p.data, offset);
    offset += p.data.length;
  }
  return { data, shape: [total, ...tail] };
}

/** Repeat one example (batch of one) n times. */
export function repeatExample(a: NdArray, n: number): NdArray {
  const per = sizeOf(a.shape.slice(1));
  const data = new Float32Array(per * n);
  for (let i = 0; i < n; i++) data.set(a.data.subarray(0, per), i * per);
  return { data, shape: [n, ...a.shape.slice(1)] };
}

export function map(a: NdArray, f: (v: number, i: number) => number): NdArray {
  const out = new Float32Array(a.data.length);
  for (let i = 0; i < out.length; i++) out[i] = f(a.data[i], i);
  return { data: out, shape: [...a.shape] };
}

export function zip(a: NdArray, b: NdArray, f: (x: number, y: number) => number): NdArray {
  assertSameShape(a, b, 'zip');
  const out = new Float32Array(a.data.length);
  for (let i = 0; i < out.length; i++) out[i] = f(a.data[i], b.data[i]);
  return { data: out, shape: [...a.shape] };
}

export function assertSameShape(a: NdArray, b: NdArray, what: string): void {
  if (a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i])) {
    throw new Error(`${what}: shapes [${a.shape.join(', ')}] and [${b.shape.join(', ')}] differ`);
  }
}

export function hasNonFinite(a: NdArray): boolean {
  for (let i = 0; i < a.data.length; i++) if (!Number.isFinite(a.data[i])) return true;
  return false;
}

/** Row-wise softmax of [N, K] scores. */
export function softmaxRows(a: NdArray): NdArray {
  const [n, k] = a.shape;
  const out = new Float32Array(a.data.length);
  for (let r = 0; r < n; r++) {
    let max = -Infinity;
    for (let j = 0; j < k; j++) max = Math.max(max, a.data[r * k + j]);
    let sum = 0;
    for (let j = 0; j < k; j++) sum += out[r * k + j] = Math.exp(a.data[r * k + j] - max);
    for (let j = 0; j < k; j++) out[r * k + j] /= sum;
  }
  return { data: out, shape: [n, k] };
}

export function argmaxRows(a: NdArray): number[] {
  const [n, k] = a.shape;
  const out: number[] = [];
  for (let r = 0; r < n; r++) {
    let best = 0;
    for (let j = 1; j < k; j++) if (a.data[r * k + j] > a.data[r * k + best]) best = j;
    out.push(best);
  }
  return out;
}
