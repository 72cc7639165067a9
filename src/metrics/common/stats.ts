/** Small statistics the metrics share: orderings, AUC, correlations, SSIM, Gini, entropy. */

/**
 * Positions in order of decreasing value, as RISE's evaluation does it
 * (`np.flip(np.argsort(map))`) with a stable sort: ties go to the higher index first.
 */
export function saliencyOrder(map: ArrayLike<number>): Int32Array {
  const order = Int32Array.from({ length: map.length }, (_, i) => i);
  order.sort((a, b) => map[b] - map[a] || b - a);
  return order;
}

/** Normalised area under a curve sampled at equal steps on [0, 1]: RISE's `auc` (trapezoid rule). */
export function auc(curve: ArrayLike<number>): number {
  const n = curve.length;
  if (n < 2) throw new Error('auc needs at least two points');
  let sum = 0;
  for (let i = 0; i < n; i++) sum += curve[i];
  return (sum - curve[0] / 2 - curve[n - 1] / 2) / (n - 1);
}

export function mean(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i];
  return values.length ? s / values.length : NaN;
}

/** Mean of the finite values (NaN when there are none). */
export function finiteMean(values: ArrayLike<number>): { mean: number; count: number } {
  let s = 0;
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    if (Number.isFinite(values[i])) {
      s += values[i];
      n++;
    }
  }
  return { mean: n ? s / n : NaN, count: n };
}

/** Pearson correlation; NaN when either side is constant. */
export function pearson(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  if (n !== b.length) throw new Error('pearson: lengths differ');
  const ma = mean(a);
  const mb = mean(b);
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const da = a[i] - ma;
    const db = b[i] - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  if (saa === 0 || sbb === 0) return NaN;
  return sab / Math.sqrt(saa * sbb);
}

/** Ranks 1..n with ties given their average rank (as scipy.stats.rankdata). */
export function averageRanks(values: ArrayLike<number>): Float64Array {
  const n = values.length;
  const order = Int32Array.from({ length: n }, (_, i) => i).sort((a, b) => values[a] - values[b]);
  const ranks = new Float64Array(n);
  let i = 0;
  while (i < n) {
    let j = i;
    while (j + 1 < n && values[order[j + 1]] === values[order[i]]) j++;
    const r = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[order[k]] = r;
    i = j + 1;
  }
  return ranks;
}

/** Spearman rank correlation (Pearson of average ranks); NaN when either side is constant. */
export function spearman(a: ArrayLike<number>, b: ArrayLike<number>): number {
  return pearson(averageRanks(a), averageRanks(b));
}

/**
 * Gini index of |values| as in Chalasani et al. 2020 / Quantus `Sparseness`, on values sorted
 * ascending: Σ (2i − n − 1)·a_i / (n·Σ a_i). 0 for a constant vector, 1 − 1/n for a one-hot one;
 * 0 for an all-zero vector (Quantus adds 1e-7 to every value, which gives the same limit).
 */
export function gini(values: ArrayLike<number>): number {
  const n = values.length;
  const a = Float64Array.from(values, Math.abs).sort();
  let num = 0;
  let total = 0;
  for (let i = 0; i < n; i++) {
    num += (2 * (i + 1) - n - 1) * a[i];
    total += a[i];
  }
  return total > 0 ? num / (n * total) : 0;
}

/** Shannon entropy (nats) of |values| normalised to sum 1, as Quantus `Complexity`; NaN if all zero. */
export function entropy(values: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < values.length; i++) total += Math.abs(values[i]);
  if (!(total > 0)) return NaN;
  let h = 0;
  for (let i = 0; i < values.length; i++) {
    const p = Math.abs(values[i]) / total;
    if (p > 0) h -= p * Math.log(p);
  }
  return h;
}

/** |values| / max|values| (all zeros stay zeros). */
export function normaliseAbs(values: ArrayLike<number>): Float64Array {
  let m = 0;
  for (let i = 0; i < values.length; i++) m = Math.max(m, Math.abs(values[i]));
  return Float64Array.from(values, (v) => (m > 0 ? Math.abs(v) / m : 0));
}

/** Euclidean norm. */
export function norm2(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i] * values[i];
  return Math.sqrt(s);
}

/**
 * Mean structural similarity of two maps on the same grid ([H, W] or [L]), as
 * `skimage.metrics.structural_similarity` with its defaults: a 7-wide uniform window (narrowed
 * to the largest odd size that fits), K1 = 0.01, K2 = 0.03, sample covariances, reflect
 * padding, and the mean over positions at least half a window away from the border.
 */
export function ssim(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  grid: number[],
  dataRange = 1,
): number {
  let win = Math.min(7, ...grid);
  if (win % 2 === 0) win--;
  if (win < 1) return NaN;
  const np = win ** grid.length;
  const covNorm = np > 1 ? np / (np - 1) : 1;
  const fx = Float64Array.from(x);
  const fy = Float64Array.from(y);
  const ux = uniformFilter(fx, grid, win);
  const uy = uniformFilter(fy, grid, win);
  const uxx = uniformFilter(
    fx.map((v) => v * v),
    grid,
    win,
  );
  const uyy = uniformFilter(
    fy.map((v) => v * v),
    grid,
    win,
  );
  const uxy = uniformFilter(
    fx.map((v, i) => v * fy[i]),
    grid,
    win,
  );
  const c1 = (0.01 * dataRange) ** 2;
  const c2 = (0.03 * dataRange) ** 2;
  const pad = (win - 1) / 2;
  const strides = grid.map((_, a) => grid.slice(a + 1).reduce((p, d) => p * d, 1));
  let sum = 0;
  let count = 0;
  for (let i = 0; i < fx.length; i++) {
    let inside = true;
    for (let a = 0; a < grid.length; a++) {
      const c = Math.floor(i / strides[a]) % grid[a];
      if (c < pad || c >= grid[a] - pad) inside = false;
    }
    if (!inside) continue;
    const vx = covNorm * (uxx[i] - ux[i] * ux[i]);
    const vy = covNorm * (uyy[i] - uy[i] * uy[i]);
    const vxy = covNorm * (uxy[i] - ux[i] * uy[i]);
    const s =
      ((2 * ux[i] * uy[i] + c1) * (2 * vxy + c2)) /
      ((ux[i] ** 2 + uy[i] ** 2 + c1) * (vx + vy + c2));
    sum += s;
    count++;
  }
  return sum / count;
}

/** Mean over a `win`-wide window along every axis, scipy.ndimage "reflect" (d c b a | a b c d) borders. */
function uniformFilter(values: Float64Array, grid: number[], win: number): Float64Array {
  let cur = values;
  const half = (win - 1) / 2;
  for (let a = 0; a < grid.length; a++) {
    const n = grid[a];
    const stride = grid.slice(a + 1).reduce((p, d) => p * d, 1);
    const out = new Float64Array(cur.length);
    for (let i = 0; i < cur.length; i++) {
      const c = Math.floor(i / stride) % n;
      const base = i - c * stride;
      let s = 0;
      for (let k = -half; k <= half; k++) s += cur[base + reflectIndex(c + k, n) * stride];
      out[i] = s / win;
    }
    cur = out;
  }
  return cur;
}

/** scipy.ndimage "reflect" boundary: half-sample symmetric, period 2n. */
export function reflectIndex(j: number, n: number): number {
  const period = 2 * n;
  let m = ((j % period) + period) % period;
  if (m >= n) m = period - 1 - m;
  return m;
}
