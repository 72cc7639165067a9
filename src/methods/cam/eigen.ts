/**
 * The first principal component of a positions × channels matrix, as a map over positions:
 * what Eigen-CAM shows and what eigen-smoothing replaces the channel sum with
 * (pytorch-grad-cam's `get_2d_projection`: centre each channel, project on the first right
 * singular vector).
 *
 * The SVD leaves the component's sign arbitrary (pytorch-grad-cam keeps whatever LAPACK returns,
 * after centring so that it is usually positive). We fix it: the projection is made to correlate
 * positively with the channel sum of the uncentred matrix, i.e. to point where the mass is.
 */
import { createRng } from '../../core/random.js';

export function firstComponentProjection(
  matrix: Float32Array,
  positions: number,
  channels: number,
): Float32Array {
  const x = new Float64Array(positions * channels);
  for (let k = 0; k < channels; k++) {
    let mean = 0;
    for (let p = 0; p < positions; p++) mean += matrix[p * channels + k];
    mean /= positions;
    for (let p = 0; p < positions; p++) x[p * channels + k] = matrix[p * channels + k] - mean;
  }
  const projection = new Float64Array(positions);
  if (channels <= positions) {
    // v = top eigenvector of XᵀX; projection = X v.
    const m = gram(x, positions, channels, 'columns');
    const v = topEigenvector(m, channels);
    for (let p = 0; p < positions; p++) {
      let s = 0;
      for (let k = 0; k < channels; k++) s += x[p * channels + k] * v[k];
      projection[p] = s;
    }
  } else {
    // u = top eigenvector of XXᵀ with eigenvalue σ²; X v = σ u.
    const m = gram(x, positions, channels, 'rows');
    const u = topEigenvector(m, positions);
    let lambda = 0;
    for (let i = 0; i < positions; i++) {
      let s = 0;
      for (let j = 0; j < positions; j++) s += m[i * positions + j] * u[j];
      lambda += u[i] * s;
    }
    const sigma = Math.sqrt(Math.max(0, lambda));
    for (let p = 0; p < positions; p++) projection[p] = sigma * u[p];
  }
  // Sign: positive correlation with the uncentred channel sum; ties fall back to the largest entry.
  let corr = 0;
  let largest = 0;
  for (let p = 0; p < positions; p++) {
    let s = 0;
    for (let k = 0; k < channels; k++) s += matrix[p * channels + k];
    corr += s * projection[p];
    if (Math.abs(projection[p]) > Math.abs(largest)) largest = projection[p];
  }
  const flip = corr < 0 || (corr === 0 && largest < 0) ? -1 : 1;
  return Float32Array.from(projection, (v) => flip * v);
}

/** XᵀX ('columns', channels × channels) or XXᵀ ('rows', positions × positions). */
function gram(
  x: Float64Array,
  rows: number,
  cols: number,
  which: 'columns' | 'rows',
): Float64Array {
  if (which === 'columns') {
    const m = new Float64Array(cols * cols);
    for (let r = 0; r < rows; r++) {
      const o = r * cols;
      for (let i = 0; i < cols; i++) {
        const xi = x[o + i];
        if (xi === 0) continue;
        for (let j = i; j < cols; j++) m[i * cols + j] += xi * x[o + j];
      }
    }
    for (let i = 0; i < cols; i++) for (let j = 0; j < i; j++) m[i * cols + j] = m[j * cols + i];
    return m;
  }
  const m = new Float64Array(rows * rows);
  for (let i = 0; i < rows; i++) {
    for (let j = i; j < rows; j++) {
      let s = 0;
      for (let k = 0; k < cols; k++) s += x[i * cols + k] * x[j * cols + k];
      m[i * rows + j] = m[j * rows + i] = s;
    }
  }
  return m;
}

/** Power iteration on a symmetric positive semi-definite matrix, from a fixed seeded start. */
function topEigenvector(m: Float64Array, n: number): Float64Array {
  const rng = createRng(0x5eed);
  let v = Float64Array.from({ length: n }, () => rng.normal());
  normalise(v);
  let next = new Float64Array(n);
  for (let iter = 0; iter < 5000; iter++) {
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += m[i * n + j] * v[j];
      next[i] = s;
    }
    if (normalise(next) === 0) return next; // the matrix is zero: no direction to show
    let change = 0;
    for (let i = 0; i < n; i++) change = Math.max(change, Math.abs(next[i] - v[i]));
    [v, next] = [next, v];
    if (change < 1e-12) break;
  }
  return v;
}

function normalise(v: Float64Array): number {
  let s = 0;
  for (const x of v) s += x * x;
  const norm = Math.sqrt(s);
  if (norm > 0) for (let i = 0; i < v.length; i++) v[i] /= norm;
  return norm;
}
