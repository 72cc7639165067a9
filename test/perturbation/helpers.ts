/** Tiny hand-written models for black-box method tests (the Model contract, nothing else). */
import type { NdArray } from '../../src/core/ndarray.js';
import type { InputKind, Model, OutputKind } from '../../src/models/model.js';
import { detectorModel, type Detection, type DetectorModel } from '../../src/methods/detection/detector.js';

/**
 * A Model whose class scores are computed by `f` from one example (float64 inside, float32 out,
 * like a real engine). Counts examples it was asked to predict.
 */
export function functionModel(
  inputShape: number[],
  numClasses: number,
  f: (x: Float32Array) => number[],
  opts: { kind?: InputKind; outputKind?: OutputKind; name?: string } = {},
): Model & { calls: number; examples: number } {
  const per = inputShape.reduce((a, b) => a * b, 1);
  const model = {
    calls: 0,
    examples: 0,
    name: opts.name ?? 'function-model',
    kind: opts.kind ?? (['table', 'signal', 'image'] as const)[inputShape.length - 1],
    inputShape,
    numClasses,
    outputKind: opts.outputKind ?? 'logits',
    whiteBox: false,
    layers: () => [],
    async predict(input: NdArray): Promise<NdArray> {
      const n = input.shape[0];
      model.calls++;
      model.examples += n;
      const out = new Float32Array(n * numClasses);
      for (let i = 0; i < n; i++) out.set(f(input.data.subarray(i * per, (i + 1) * per)), i * numClasses);
      return { data: out, shape: [n, numClasses] };
    },
    async activations(): Promise<Map<string, NdArray>> {
      throw new Error('no layers');
    },
    async gradients(): Promise<never> {
      throw new Error('no gradients');
    },
    dispose() {},
  };
  return model;
}

/** f(x) = w·x + b as class 0 and its negative as class 1 (logits). */
export function linearModel(inputShape: number[], w: Float64Array | number[], b = 0, kind?: InputKind) {
  return functionModel(
    inputShape,
    2,
    (x) => {
      let s = b;
      for (let i = 0; i < x.length; i++) s += w[i] * x[i];
      return [s, -s];
    },
    { kind },
  );
}

/** Seeded uniform values in [lo, hi) (xorshift; independent of the library's RNG). */
export function uniform(n: number, seed: number, lo = 0, hi = 1): Float64Array {
  let s = seed >>> 0 || 1;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    out[i] = lo + (hi - lo) * (s / 4294967296);
  }
  return out;
}

/** Standard normal values by Box–Muller over `uniform`. */
export function normals(n: number, seed: number): Float64Array {
  const u = uniform(2 * n, seed);
  return Float64Array.from({ length: n }, (_, i) => Math.sqrt(-2 * Math.log(1 - u[2 * i])) * Math.cos(2 * Math.PI * u[2 * i + 1]));
}

/**
 * A test detector for RGB images: every 4-connected blob of pixels whose brightest channel exceeds
 * 0.5 is a detection; its box is the blob's bounding box, its class probabilities the softmax of
 * 8 × the blob's mean colour (class = dominant channel R/G/B), its objectness the blob's mean
 * brightness.
 */
export function blobDetector(h: number, w: number): DetectorModel & { examples: number } {
  let examples = 0;
  const detect = async (input: NdArray): Promise<Detection[][]> => {
    const n = input.shape[0];
    examples += n;
    const per = h * w * 3;
    const out: Detection[][] = [];
    for (let i = 0; i < n; i++) {
      const img = input.data.subarray(i * per, (i + 1) * per);
      const bright = (p: number) => Math.max(img[p * 3], img[p * 3 + 1], img[p * 3 + 2]);
      const seen = new Uint8Array(h * w);
      const dets: Detection[] = [];
      for (let p0 = 0; p0 < h * w; p0++) {
        if (seen[p0] || bright(p0) <= 0.5) continue;
        const stack = [p0];
        seen[p0] = 1;
        let x0 = w;
        let y0 = h;
        let x1 = 0;
        let y1 = 0;
        const sum = [0, 0, 0];
        let count = 0;
        let lum = 0;
        while (stack.length) {
          const p = stack.pop()!;
          const y = Math.floor(p / w);
          const x = p % w;
          x0 = Math.min(x0, x);
          y0 = Math.min(y0, y);
          x1 = Math.max(x1, x + 1);
          y1 = Math.max(y1, y + 1);
          for (let c = 0; c < 3; c++) sum[c] += img[p * 3 + c];
          lum += bright(p);
          count++;
          for (const [dy, dx] of [[1, 0], [-1, 0], [0, 1], [0, -1]]) {
            const yy = y + dy;
            const xx = x + dx;
            if (yy < 0 || yy >= h || xx < 0 || xx >= w) continue;
            const q = yy * w + xx;
            if (!seen[q] && bright(q) > 0.5) {
              seen[q] = 1;
              stack.push(q);
            }
          }
        }
        const e = sum.map((s) => Math.exp((8 * s) / count));
        const z = e[0] + e[1] + e[2];
        dets.push({ box: [x0, y0, x1, y1], objectness: lum / count, classProbs: Float32Array.from(e, (v) => v / z) });
      }
      out.push(dets);
    }
    return out;
  };
  const model = detectorModel({ name: 'blob-detector', inputShape: [h, w, 3], numClasses: 3, classNames: ['red', 'green', 'blue'], detect });
  return Object.defineProperty(model, 'examples', { get: () => examples }) as DetectorModel & { examples: number };
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

export function argmax(a: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < a.length; i++) if (a[i] > a[best]) best = i;
  return best;
}

/** Ranks (0 = largest) of values. */
export function ranks(a: ArrayLike<number>): number[] {
  const order = Array.from(a, (v, i) => [v, i] as const).sort((x, y) => y[0] - x[0]);
  const r = new Array<number>(a.length);
  order.forEach(([, i], k) => (r[i] = k));
  return r;
}
