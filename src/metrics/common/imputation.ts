/**
 * ROAD's noisy linear imputation (Rong, Leemann et al. 2022; tleemann/road_evaluation
 * `NoisyLinearImputer`): every removed position becomes the weighted mean of its neighbours
 * (images: 1/6 for the four direct neighbours, 1/12 for the four diagonal ones; signals: 1/2 for
 * each side), neighbours outside the grid dropped from the mean. Removed neighbours are unknowns
 * too, so this is one sparse linear system per channel,
 *     W_i·v_i − Σ_{j removed} w_ij·v_j = Σ_{j kept} w_ij·x_j,
 * solved here by Jacobi-preconditioned conjugate gradients (the matrix is symmetric and
 * diagonally dominant), then N(0, noise²) is added to the imputed values.
 */
import type { Rng } from '../../core/random.js';
import type { Layout } from './layout.js';

interface Neighbour {
  offset: number[];
  weight: number;
}

const IMAGE_NEIGHBOURS: Neighbour[] = [
  { offset: [1, 1], weight: 1 / 12 },
  { offset: [0, 1], weight: 1 / 6 },
  { offset: [-1, 1], weight: 1 / 12 },
  { offset: [1, -1], weight: 1 / 12 },
  { offset: [0, -1], weight: 1 / 6 },
  { offset: [-1, -1], weight: 1 / 12 },
  { offset: [1, 0], weight: 1 / 6 },
  { offset: [-1, 0], weight: 1 / 6 },
];
const SIGNAL_NEIGHBOURS: Neighbour[] = [
  { offset: [1], weight: 1 / 2 },
  { offset: [-1], weight: 1 / 2 },
];

/**
 * `x` (positions × channels) with every position where `removed[p]` is 1 imputed; `rng` adds the
 * noise (pass noise 0 for the plain linear imputation).
 */
export function noisyLinearImpute(
  x: Float32Array,
  removed: Uint8Array,
  layout: Layout,
  noise: number,
  rng: Rng,
): Float32Array {
  const out = Float32Array.from(x);
  const neighbours =
    layout.kind === 'image' ? IMAGE_NEIGHBOURS : layout.kind === 'signal' ? SIGNAL_NEIGHBOURS : [];
  const [h, w] = layout.grid.length === 2 ? layout.grid : [1, layout.grid[0]];
  // Offsets as (dy, dx): a signal is a grid of one row.
  const dys = neighbours.map((nb) => (nb.offset.length === 2 ? nb.offset[0] : 0));
  const dxs = neighbours.map((nb) => (nb.offset.length === 2 ? nb.offset[1] : nb.offset[0]));
  const ws = neighbours.map((nb) => nb.weight);
  const c = layout.channels;
  const variable = new Int32Array(layout.positions).fill(-1);
  let m = 0;
  for (let p = 0; p < layout.positions; p++) if (removed[p]) variable[p] = m++;
  if (m === 0) return out;
  const unknown = new Int32Array(m);
  for (let p = 0; p < layout.positions; p++) if (removed[p]) unknown[variable[p]] = p;
  // Sparse rows (CSR): diagonal W_i; removed neighbours (column, weight) in the matrix; kept
  // neighbours (position, weight) on the right-hand side.
  const k = neighbours.length;
  const diag = new Float64Array(m);
  const offStart = new Int32Array(m + 1);
  const offCol = new Int32Array(m * k);
  const offW = new Float64Array(m * k);
  const knownStart = new Int32Array(m + 1);
  const knownPos = new Int32Array(m * k);
  const knownW = new Float64Array(m * k);
  let no = 0;
  let nk = 0;
  for (let v = 0; v < m; v++) {
    const p = unknown[v];
    const y = Math.floor(p / w);
    const xx = p - y * w;
    let total = 0;
    for (let j = 0; j < k; j++) {
      const yy = y + dys[j];
      const xs = xx + dxs[j];
      if (yy < 0 || yy >= h || xs < 0 || xs >= w) continue;
      const q = yy * w + xs;
      total += ws[j];
      if (removed[q]) {
        offCol[no] = variable[q];
        offW[no++] = ws[j];
      } else {
        knownPos[nk] = q;
        knownW[nk++] = ws[j];
      }
    }
    diag[v] = total;
    offStart[v + 1] = no;
    knownStart[v + 1] = nk;
  }
  const apply = (vec: Float64Array, res: Float64Array) => {
    for (let v = 0; v < m; v++) {
      let s = diag[v] * vec[v];
      for (let i = offStart[v]; i < offStart[v + 1]; i++) s -= offW[i] * vec[offCol[i]];
      res[v] = s;
    }
  };
  const b = new Float64Array(m);
  for (let ch = 0; ch < c; ch++) {
    for (let v = 0; v < m; v++) {
      let s = 0;
      for (let i = knownStart[v]; i < knownStart[v + 1]; i++)
        s += knownW[i] * x[knownPos[i] * c + ch];
      b[v] = s;
    }
    const sol = conjugateGradient(apply, diag, b);
    for (let v = 0; v < m; v++) {
      out[unknown[v] * c + ch] = sol[v] + (noise > 0 ? noise * rng.normal() : 0);
    }
  }
  return out;
}

/** Jacobi-preconditioned CG for A·x = b, A symmetric positive (semi-)definite given by `apply`. */
function conjugateGradient(
  apply: (v: Float64Array, out: Float64Array) => void,
  diag: Float64Array,
  b: Float64Array,
): Float64Array {
  const m = b.length;
  const x = new Float64Array(m);
  const r = Float64Array.from(b);
  const z = new Float64Array(m);
  const p = new Float64Array(m);
  const ap = new Float64Array(m);
  let bnorm = 0;
  for (let i = 0; i < m; i++) bnorm += b[i] * b[i];
  bnorm = Math.sqrt(bnorm);
  if (bnorm === 0) return x;
  for (let i = 0; i < m; i++) p[i] = z[i] = diag[i] > 0 ? r[i] / diag[i] : 0;
  let rz = 0;
  for (let i = 0; i < m; i++) rz += r[i] * z[i];
  const maxIter = Math.max(100, 10 * m);
  for (let it = 0; it < maxIter; it++) {
    apply(p, ap);
    let pap = 0;
    for (let i = 0; i < m; i++) pap += p[i] * ap[i];
    if (!(pap > 0)) break;
    const alpha = rz / pap;
    let rnorm = 0;
    for (let i = 0; i < m; i++) {
      x[i] += alpha * p[i];
      r[i] -= alpha * ap[i];
      rnorm += r[i] * r[i];
    }
    if (Math.sqrt(rnorm) <= 1e-10 * bnorm) break;
    let rzNew = 0;
    for (let i = 0; i < m; i++) {
      z[i] = diag[i] > 0 ? r[i] / diag[i] : 0;
      rzNew += r[i] * z[i];
    }
    const beta = rzNew / rz;
    rz = rzNew;
    for (let i = 0; i < m; i++) p[i] = z[i] + beta * p[i];
  }
  return x;
}
