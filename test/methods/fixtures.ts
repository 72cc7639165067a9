/** Small models with known weights and plain-JS references for the method tests. */
import { tf } from '../../src/runtime/tf.js';
import type { NdArray } from '../../src/core/ndarray.js';
import { TfjsModel } from '../../src/models/tfjs-model.js';
import { reseedWeights, seeded } from '../helpers/models.js';

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

export function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

/** Pearson correlation. */
export function correlation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i] / n;
    mb += b[i] / n;
  }
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) ** 2;
    sbb += (b[i] - mb) ** 2;
  }
  return sab / Math.sqrt(saa * sbb);
}

export function input(shape: number[], seed: number, scale = 1): NdArray {
  return {
    data: seeded(
      shape.reduce((a, b) => a * b, 1),
      seed,
      scale,
    ),
    shape,
  };
}

export function weightsOf(m: tf.LayersModel, layer: string): Float32Array[] {
  return m
    .getLayer(layer)
    .getWeights()
    .map((w) => w.dataSync() as Float32Array);
}

/** conv(same, 3×3) → [activation] → GAP → dense: Grad-CAM's gradient is W/(H·W) here. */
export function gapNet(
  opts: {
    activation?: 'relu' | 'linear' | 'tanh';
    shape?: number[];
    filters?: number;
    classes?: number;
    seed?: number;
    scale?: number;
  } = {},
): tf.LayersModel {
  const shape = opts.shape ?? [6, 6, 2];
  const m = tf.sequential();
  m.add(
    tf.layers.conv2d({
      inputShape: shape,
      filters: opts.filters ?? 4,
      kernelSize: 3,
      padding: 'same',
      activation: opts.activation ?? 'relu',
      name: 'conv',
    }),
  );
  m.add(tf.layers.globalAveragePooling2d({ name: 'gap' }));
  m.add(tf.layers.dense({ units: opts.classes ?? 3, name: 'logits' }));
  reseedWeights(m, opts.seed ?? 11, opts.scale);
  return m;
}

/** conv(same, 3×3) → [activation] → flatten → dense (optionally without bias). */
export function flattenNet(
  opts: {
    activation?: 'relu' | 'linear' | 'tanh';
    shape?: number[];
    bias?: boolean;
    seed?: number;
  } = {},
): tf.LayersModel {
  const shape = opts.shape ?? [5, 5, 2];
  const m = tf.sequential();
  m.add(
    tf.layers.conv2d({
      inputShape: shape,
      filters: 3,
      kernelSize: 3,
      padding: 'same',
      activation: opts.activation ?? 'relu',
      name: 'conv',
    }),
  );
  m.add(tf.layers.flatten({ name: 'flatten' }));
  m.add(tf.layers.dense({ units: 3, name: 'logits', useBias: opts.bias ?? true }));
  reseedWeights(m, opts.seed ?? 5);
  return m;
}

/** Two stacked same-padded convs, both on the input grid (for multi-layer CAM checks). */
export function twoConvNet(): tf.LayersModel {
  const m = tf.sequential();
  m.add(
    tf.layers.conv2d({
      inputShape: [6, 6, 1],
      filters: 3,
      kernelSize: 3,
      padding: 'same',
      activation: 'relu',
      name: 'c1',
    }),
  );
  m.add(
    tf.layers.conv2d({
      filters: 4,
      kernelSize: 3,
      padding: 'same',
      activation: 'relu',
      name: 'c2',
    }),
  );
  m.add(tf.layers.globalAveragePooling2d({ name: 'gap' }));
  m.add(tf.layers.dense({ units: 3, name: 'logits' }));
  reseedWeights(m, 21);
  return m;
}

/** conv1d(relu) → avg-pool → conv1d(tanh) → GAP → dense on [L, C] signals. */
export function signalNet(length = 16, channels = 2, seed = 14): tf.LayersModel {
  const m = tf.sequential();
  m.add(
    tf.layers.conv1d({
      inputShape: [length, channels],
      filters: 4,
      kernelSize: 3,
      padding: 'same',
      activation: 'relu',
      name: 'conv',
    }),
  );
  // Average, not max, pooling: tfjs-backend-wasm 4.22's MaxPoolGrad routes gradients to the
  // wrong channel when there is more than one, which would fail exact gradient checks here.
  m.add(tf.layers.averagePooling1d({ poolSize: 2, name: 'pool' }));
  m.add(
    tf.layers.conv1d({
      filters: 3,
      kernelSize: 3,
      padding: 'same',
      activation: 'tanh',
      name: 'conv2',
    }),
  );
  m.add(tf.layers.globalAveragePooling1d({ name: 'gap' }));
  m.add(tf.layers.dense({ units: 3, name: 'logits' }));
  reseedWeights(m, seed);
  return m;
}

/** dense(relu) → dense(tanh) → dense on tables. */
export function tableNet(features = 6): tf.LayersModel {
  const m = tf.sequential();
  m.add(tf.layers.dense({ inputShape: [features], units: 8, activation: 'relu', name: 'h1' }));
  m.add(tf.layers.dense({ units: 5, activation: 'tanh', name: 'h2' }));
  m.add(tf.layers.dense({ units: 3, name: 'logits' }));
  reseedWeights(m, 17);
  return m;
}

export function wrap(m: tf.LayersModel): TfjsModel {
  return new TfjsModel(m);
}

/** Plain-JS 'same' conv2d (stride 1, odd kernel) over one NHWC example; kernel [kh, kw, cin, cout]. */
export function conv2dSame(
  x: Float32Array,
  h: number,
  w: number,
  cin: number,
  kernel: Float32Array,
  k: number,
  cout: number,
  bias?: Float32Array,
): Float64Array {
  const out = new Float64Array(h * w * cout);
  const r = (k - 1) / 2;
  for (let y = 0; y < h; y++) {
    for (let xx = 0; xx < w; xx++) {
      for (let o = 0; o < cout; o++) {
        let s = bias ? bias[o] : 0;
        for (let dy = 0; dy < k; dy++) {
          for (let dx = 0; dx < k; dx++) {
            const yy = y + dy - r;
            const xs = xx + dx - r;
            if (yy < 0 || yy >= h || xs < 0 || xs >= w) continue;
            for (let c = 0; c < cin; c++)
              s += x[(yy * w + xs) * cin + c] * kernel[((dy * k + dx) * cin + c) * cout + o];
          }
        }
        out[(y * w + xx) * cout + o] = s;
      }
    }
  }
  return out;
}
