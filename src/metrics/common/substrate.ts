/**
 * What deleted pixels become and what insertion starts from: zeros, a constant, the example's
 * per-channel mean, or the example blurred as in RISE's evaluation (a Gaussian kernel built by
 * `scipy.ndimage.gaussian_filter` on an 11×11 delta with σ = 5, applied per channel by a
 * convolution with zero padding klen//2).
 */
import { z } from 'zod';
import { fail } from '../../core/errors.js';
import type { Layout } from './layout.js';
import { reflectIndex } from './stats.js';

export const substrateOption = z
  .union([z.enum(['zero', 'blur', 'mean']), z.number()])
  .describe(
    '"zero", "blur" (RISE Gaussian blur), "mean" (the example\'s per-channel mean) or a constant value',
  );
export type Substrate = z.infer<typeof substrateOption>;

export const blurOptions = {
  klen: z
    .number()
    .int()
    .positive()
    .refine((v) => v % 2 === 1, 'klen must be odd')
    .default(11)
    .describe('blur kernel size (RISE: 11)'),
  sigma: z.number().positive().default(5).describe('blur kernel σ (RISE: 5)'),
};

/**
 * RISE's `gkern(klen, nsig)` in one dimension: `scipy.ndimage.gaussian_filter1d` (truncate 4,
 * "reflect" borders) of a delta at klen//2. The 2-D kernel is the outer product of this with
 * itself, exactly what `gaussian_filter` of a 2-D delta gives.
 */
export function gaussianKernel1d(klen: number, sigma: number): Float64Array {
  const radius = Math.floor(4 * sigma + 0.5);
  const weights = new Float64Array(2 * radius + 1);
  let total = 0;
  for (let k = -radius; k <= radius; k++)
    total += weights[k + radius] = Math.exp((-0.5 * k * k) / (sigma * sigma));
  for (let k = 0; k < weights.length; k++) weights[k] /= total;
  const centre = Math.floor(klen / 2);
  const out = new Float64Array(klen);
  // out[i] = Σ_k w[k]·delta[reflect(i + k)]
  for (let i = 0; i < klen; i++) {
    for (let k = -radius; k <= radius; k++)
      if (reflectIndex(i + k, klen) === centre) out[i] += weights[k + radius];
  }
  return out;
}

/** One example blurred per channel with the RISE kernel (outer(g, g) for images, g for signals), zero padding. */
export function blurExample(
  x: Float32Array,
  layout: Layout,
  klen: number,
  sigma: number,
): Float32Array {
  const g = gaussianKernel1d(klen, sigma);
  const half = Math.floor(klen / 2);
  const c = layout.channels;
  const out = new Float32Array(x.length);
  if (layout.kind === 'image') {
    const [h, w] = layout.grid;
    for (let y = 0; y < h; y++) {
      for (let xx = 0; xx < w; xx++) {
        for (let ch = 0; ch < c; ch++) {
          let s = 0;
          for (let dy = -half; dy <= half; dy++) {
            const yy = y + dy;
            if (yy < 0 || yy >= h) continue;
            const gy = g[dy + half];
            for (let dx = -half; dx <= half; dx++) {
              const xs = xx + dx;
              if (xs < 0 || xs >= w) continue;
              s += gy * g[dx + half] * x[(yy * w + xs) * c + ch];
            }
          }
          out[(y * w + xx) * c + ch] = s;
        }
      }
    }
    return out;
  }
  if (layout.kind === 'signal') {
    const [l] = layout.grid;
    for (let p = 0; p < l; p++) {
      for (let ch = 0; ch < c; ch++) {
        let s = 0;
        for (let d = -half; d <= half; d++) {
          const q = p + d;
          if (q >= 0 && q < l) s += g[d + half] * x[q * c + ch];
        }
        out[p * c + ch] = s;
      }
    }
    return out;
  }
  fail(
    'the "blur" substrate needs image or signal inputs: use "zero", "mean" or a number for tables',
  );
}

/** The substrate for one example. */
export function substrateFor(
  x: Float32Array,
  layout: Layout,
  substrate: Substrate,
  klen = 11,
  sigma = 5,
): Float32Array {
  if (typeof substrate === 'number') return new Float32Array(x.length).fill(substrate);
  if (substrate === 'zero') return new Float32Array(x.length);
  if (substrate === 'blur') return blurExample(x, layout, klen, sigma);
  const c = layout.channels;
  const means = new Float64Array(c);
  for (let i = 0; i < x.length; i++) means[i % c] += x[i];
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = means[i % c] / layout.positions;
  return out;
}
