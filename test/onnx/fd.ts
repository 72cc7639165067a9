/**
 * Independent references for gradient tests: central finite differences of the *forward* model
 * run by ONNX Runtime directly on the original bytes (no Glassbox graph editing involved).
 */
import * as ort from 'onnxruntime-node';
import { seeded } from '../helpers/models.js';

export async function rawSession(bytes: Uint8Array): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, logSeverityLevel: 3 });
}

/** Runs a single-input single-output session on a batch: returns [n, ...] output data. */
export async function forward(session: ort.InferenceSession, x: Float32Array, shape: number[]): Promise<{ data: Float32Array; dims: number[] }> {
  const out = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', x, shape) });
  const t = out[session.outputNames[0]] as ort.Tensor;
  return { data: t.data as Float32Array, dims: [...t.dims] };
}

/**
 * d output[e, target_e] / d x[e, j] by the five-point stencil
 * (−f(x+2h) + 8f(x+h) − 8f(x−h) + f(x−2h)) / 12h, all perturbed copies in one batched run.
 * `f` maps a batch [m, ...example] to scores [m, K]. With `kinkTolerance`, coordinates whose
 * stencil points are not collinear to that relative tolerance (a ReLU or max-pool kink lies
 * within ±2h, or a tie) come back as NaN; callers count how many were skipped. Use ~1e-3 for
 * piecewise-linear functions, more for smooth ones (their curvature also bends the stencil).
 */
export async function finiteDifferences(
  f: (batch: Float32Array, m: number) => Promise<Float32Array>,
  x: Float32Array,
  n: number,
  targets: number[],
  k: number,
  h = 1e-2,
  kinkTolerance?: number,
): Promise<Float32Array> {
  const per = x.length / n;
  const steps = [2 * h, h, 0, -h, -2 * h];
  const weights = [-1, 8, 0, -8, 1];
  const grad = new Float32Array(x.length);
  const chunkRows = 4096;
  const jobs: { e: number; j: number }[] = [];
  for (let e = 0; e < n; e++) for (let j = 0; j < per; j++) jobs.push({ e, j });
  const perChunk = Math.floor(chunkRows / steps.length);
  for (let start = 0; start < jobs.length; start += perChunk) {
    const part = jobs.slice(start, start + perChunk);
    const m = part.length * steps.length;
    const batch = new Float32Array(m * per);
    part.forEach(({ e, j }, q) => {
      steps.forEach((s, si) => {
        const row = q * steps.length + si;
        batch.set(x.subarray(e * per, (e + 1) * per), row * per);
        batch[row * per + j] += s;
      });
    });
    const scores = await f(batch, m);
    part.forEach(({ e, j }, q) => {
      const v = steps.map((_, si) => scores[(q * steps.length + si) * k + targets[e]]);
      let acc = 0;
      v.forEach((fv, si) => (acc += weights[si] * fv));
      grad[e * per + j] = acc / (12 * h);
      if (kinkTolerance !== undefined) {
        // Collinear points: every first difference equals the others (to float32 noise).
        const diffs = [v[0] - v[1], v[1] - v[2], v[2] - v[3], v[3] - v[4]];
        const noise = 4e-6 * Math.max(1, ...v.map(Math.abs)) + kinkTolerance * Math.max(...diffs.map(Math.abs));
        if (Math.max(...diffs) - Math.min(...diffs) > noise) grad[e * per + j] = NaN;
      }
    });
  }
  return grad;
}

/** max |a − b| relative to the largest |b| (floored so near-zero gradients are not divided up). */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>, floor = 1e-2): number {
  let diff = 0;
  let scale = floor;
  for (let i = 0; i < b.length; i++) {
    if (Number.isNaN(b[i])) continue;
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return diff / scale;
}

export function countNaN(a: ArrayLike<number>): number {
  let c = 0;
  for (let i = 0; i < a.length; i++) if (Number.isNaN(a[i])) c++;
  return c;
}

export function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

/** Values whose |v| ≥ lo, so no perturbation of size < lo crosses 0. */
export function awayFromZero(count: number, seed: number, lo = 0.2, hi = 1): Float32Array {
  return seeded(count, seed, 1).map((v) => Math.sign(v || 1) * (lo + (hi - lo) * Math.abs(v)));
}

/** A shuffled grid of distinct values `gap` apart (no ties for max-pooling to flip between). */
export function distinct(count: number, seed: number, gap = 0.05): Float32Array {
  const order = Array.from(seeded(count, seed, 1), (v, i) => ({ v, i })).sort((a, b) => a.v - b.v);
  const out = new Float32Array(count);
  order.forEach(({ i }, rank) => (out[i] = (rank - count / 2) * gap));
  return out;
}

/** Uniform values in [lo, hi] kept at least `margin` away from every kink. */
export function avoiding(count: number, seed: number, lo: number, hi: number, kinks: number[], margin = 0.1): Float32Array {
  return seeded(count, seed, 1).map((u) => {
    let v = lo + ((u + 1) / 2) * (hi - lo);
    for (const k of kinks) if (Math.abs(v - k) < margin) v = k + (v >= k ? margin : -margin);
    return v;
  });
}

/** [N, C, ...spatial] → [N, ...spatial, C] */
export function toChannelsLast(data: Float32Array, shape: number[]): Float32Array {
  const [n, c] = shape;
  const inner = shape.slice(2).reduce((a, b) => a * b, 1);
  const out = new Float32Array(data.length);
  for (let e = 0; e < n; e++) for (let ch = 0; ch < c; ch++) for (let p = 0; p < inner; p++) out[(e * inner + p) * c + ch] = data[(e * c + ch) * inner + p];
  return out;
}

/** [N, ...spatial, C] → [N, C, ...spatial] */
export function toChannelsFirst(data: Float32Array, shape: number[]): Float32Array {
  const n = shape[0];
  const c = shape[shape.length - 1];
  const inner = shape.slice(1, -1).reduce((a, b) => a * b, 1);
  const out = new Float32Array(data.length);
  for (let e = 0; e < n; e++) for (let p = 0; p < inner; p++) for (let ch = 0; ch < c; ch++) out[(e * c + ch) * inner + p] = data[(e * inner + p) * c + ch];
  return out;
}
