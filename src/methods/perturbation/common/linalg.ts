/**
 * The small dense linear algebra LIME and KernelSHAP need, in float64: weighted (ridge) least
 * squares through the normal equations. Problems have at most a few hundred unknowns.
 */

/**
 * Solves A·x = b for a symmetric n×n A (row-major) by Gaussian elimination with partial pivoting.
 * A singular A (e.g. too few samples for the unknowns) gets a tiny ridge so an answer still exists.
 */
export function solveSymmetric(A: Float64Array, b: Float64Array, n: number): Float64Array {
  let trace = 0;
  for (let i = 0; i < n; i++) trace += Math.abs(A[i * n + i]);
  const scale = trace / Math.max(1, n) || 1;
  for (const jitter of [0, 1e-10, 1e-7, 1e-4]) {
    const x = eliminate(A, b, n, jitter * scale, 1e-13 * scale);
    if (x) return x;
  }
  throw new Error('linear system is singular even with regularisation');
}

function eliminate(A0: Float64Array, b0: Float64Array, n: number, ridge: number, tiny: number): Float64Array | undefined {
  const A = Float64Array.from(A0);
  const b = Float64Array.from(b0);
  for (let i = 0; i < n; i++) A[i * n + i] += ridge;
  for (let col = 0; col < n; col++) {
    let piv = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(A[r * n + col]) > Math.abs(A[piv * n + col])) piv = r;
    if (!(Math.abs(A[piv * n + col]) > tiny)) return undefined;
    if (piv !== col) {
      for (let c = 0; c < n; c++) {
        const t = A[col * n + c];
        A[col * n + c] = A[piv * n + c];
        A[piv * n + c] = t;
      }
      const t = b[col];
      b[col] = b[piv];
      b[piv] = t;
    }
    const d = A[col * n + col];
    for (let r = col + 1; r < n; r++) {
      const f = A[r * n + col] / d;
      if (f === 0) continue;
      for (let c = col; c < n; c++) A[r * n + c] -= f * A[col * n + c];
      b[r] -= f * b[col];
    }
  }
  const x = new Float64Array(n);
  for (let r = n - 1; r >= 0; r--) {
    let s = b[r];
    for (let c = r + 1; c < n; c++) s -= A[r * n + c] * x[c];
    x[r] = s / A[r * n + r];
  }
  return x;
}

/** Xᵀ·W·X (d×d) and Xᵀ·W·y (d) for row-major X (rows×d) and row weights w. */
export function weightedNormalEquations(X: Float64Array, y: Float64Array, w: Float64Array, rows: number, d: number): { xtx: Float64Array; xty: Float64Array } {
  const xtx = new Float64Array(d * d);
  const xty = new Float64Array(d);
  for (let r = 0; r < rows; r++) {
    const wr = w[r];
    if (wr === 0) continue;
    const o = r * d;
    for (let i = 0; i < d; i++) {
      const xi = X[o + i] * wr;
      if (xi === 0) continue;
      xty[i] += xi * y[r];
      for (let j = i; j < d; j++) xtx[i * d + j] += xi * X[o + j];
    }
  }
  for (let i = 0; i < d; i++) for (let j = 0; j < i; j++) xtx[i * d + j] = xtx[j * d + i];
  return { xtx, xty };
}

export interface RidgeFit {
  coef: Float64Array;
  intercept: number;
  /** Weighted coefficient of determination on the fitted data (sklearn's `score`). */
  r2: number;
}

/**
 * sklearn's Ridge(alpha, fit_intercept=True) with sample weights, which LIME uses: centre X and y
 * on their weighted means, solve (XcᵀWXc + αI)β = XcᵀWyc, intercept = ȳ − x̄·β.
 */
export function weightedRidge(X: Float64Array, y: Float64Array, w: Float64Array, rows: number, d: number, alpha: number): RidgeFit {
  let wsum = 0;
  let ymean = 0;
  const xmean = new Float64Array(d);
  for (let r = 0; r < rows; r++) {
    wsum += w[r];
    ymean += w[r] * y[r];
    for (let j = 0; j < d; j++) xmean[j] += w[r] * X[r * d + j];
  }
  ymean /= wsum;
  for (let j = 0; j < d; j++) xmean[j] /= wsum;
  const Xc = new Float64Array(rows * d);
  const yc = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    yc[r] = y[r] - ymean;
    for (let j = 0; j < d; j++) Xc[r * d + j] = X[r * d + j] - xmean[j];
  }
  const { xtx, xty } = weightedNormalEquations(Xc, yc, w, rows, d);
  for (let j = 0; j < d; j++) xtx[j * d + j] += alpha;
  const coef = solveSymmetric(xtx, xty, d);
  let intercept = ymean;
  for (let j = 0; j < d; j++) intercept -= xmean[j] * coef[j];
  let ssRes = 0;
  let ssTot = 0;
  for (let r = 0; r < rows; r++) {
    let pred = intercept;
    for (let j = 0; j < d; j++) pred += X[r * d + j] * coef[j];
    ssRes += w[r] * (y[r] - pred) ** 2;
    ssTot += w[r] * (y[r] - ymean) ** 2;
  }
  return { coef, intercept, r2: ssTot > 0 ? 1 - ssRes / ssTot : 1 };
}
