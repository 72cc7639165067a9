/**
 * Quickshift superpixels (Vedaldi & Soatto 2008), following skimage.segmentation.quickshift (lime's
 * default segmenter, kernel_size 4, max_dist 200, ratio 0.2): a Parzen density over
 * (ratio·colour, position) with a Gaussian of σ = kernelSize in a window of radius ⌈3σ⌉; every
 * pixel links to the nearest pixel of higher density in that window unless it is further than
 * maxDist; the roots of the resulting forest are the segments. Ties are broken by tiny seeded noise.
 */
import type { Rng } from '../../core/random.js';

export interface QuickshiftOptions {
  kernelSize: number;
  maxDist: number;
  ratio: number;
}

export function quickshift(features: Float64Array, h: number, w: number, c: number, options: QuickshiftOptions, rng: Rng): { labels: Int32Array; count: number } {
  const n = h * w;
  const img = new Float64Array(features.length);
  for (let i = 0; i < img.length; i++) img[i] = features[i] * options.ratio;
  const inv = -0.5 / (options.kernelSize * options.kernelSize);
  const radius = Math.ceil(3 * options.kernelSize);
  const density = new Float64Array(n);
  for (let p = 0; p < n; p++) density[p] = rng.normal(0, 0.00001);

  // Squared (ratio-scaled colour, position) distance between pixels p and q.
  const dist2 = (p: number, q: number, dy: number, dx: number): number => {
    let d = dy * dy + dx * dx;
    const po = p * c;
    const qo = q * c;
    for (let k = 0; k < c; k++) {
      const t = img[po + k] - img[qo + k];
      d += t * t;
    }
    return d;
  };

  // The kernel is symmetric, so each pair is evaluated once and added to both pixels.
  const local = new Float64Array(n);
  for (let r = 0; r < h; r++) {
    const r1 = Math.min(r + radius + 1, h);
    for (let col = 0; col < w; col++) {
      const p = r * w + col;
      local[p] += 1; // the pixel itself: exp(0)
      const c0 = Math.max(col - radius, 0);
      const c1 = Math.min(col + radius + 1, w);
      // Pairs with q after p in raster order: the rest of this row, then the rows below.
      for (let cc = col + 1; cc < c1; cc++) {
        const e = Math.exp(dist2(p, r * w + cc, 0, col - cc) * inv);
        local[p] += e;
        local[r * w + cc] += e;
      }
      for (let rr = r + 1; rr < r1; rr++) {
        for (let cc = c0; cc < c1; cc++) {
          const q = rr * w + cc;
          const e = Math.exp(dist2(p, q, r - rr, col - cc) * inv);
          local[p] += e;
          local[q] += e;
        }
      }
    }
  }
  for (let p = 0; p < n; p++) density[p] += local[p];

  const parent = new Int32Array(n);
  const maxDist2 = options.maxDist * options.maxDist;
  for (let r = 0; r < h; r++) {
    const r0 = Math.max(r - radius, 0);
    const r1 = Math.min(r + radius + 1, h);
    for (let col = 0; col < w; col++) {
      const c0 = Math.max(col - radius, 0);
      const c1 = Math.min(col + radius + 1, w);
      const p = r * w + col;
      const own = density[p];
      let closest = Infinity;
      let best = p;
      for (let rr = r0; rr < r1; rr++) {
        for (let cc = c0; cc < c1; cc++) {
          const q = rr * w + cc;
          if (density[q] <= own) continue;
          const d = dist2(p, q, r - rr, col - cc);
          if (d < closest) {
            closest = d;
            best = q;
          }
        }
      }
      parent[p] = closest > maxDist2 ? p : best;
    }
  }

  // Follow parents to the roots (densities strictly increase along a path, so it terminates).
  const root = new Int32Array(n);
  for (let p = 0; p < n; p++) {
    let q = p;
    while (parent[q] !== q) q = parent[q];
    root[p] = q;
  }
  // Label roots in increasing index order, like np.unique(..., return_inverse=True).
  const ids = new Int32Array(n).fill(-1);
  let count = 0;
  for (let p = 0; p < n; p++) if (root[p] === p) ids[p] = count++;
  const labels = new Int32Array(n);
  for (let p = 0; p < n; p++) labels[p] = ids[root[p]];
  return { labels, count };
}
