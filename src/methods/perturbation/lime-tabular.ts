/**
 * LIME for tables, following lime's LimeTabularExplainer: continuous features are discretised by
 * quartiles (or deciles) of the background data; samples draw each feature's bin from the
 * background's bin frequencies and a value inside it from a truncated normal with that bin's mean
 * and standard deviation; the surrogate is a weighted ridge regression on "same bin as the
 * instance" indicators, weighted by √exp(−d²/w²) of the Euclidean distance d between indicator rows
 * (w = 0.75·√F). With discretizer 'none', samples are N(mean, std) per feature and the surrogate
 * is fitted on standardised values.
 */
import { fail } from '../../core/errors.js';
import type { NdArray } from '../../core/ndarray.js';
import type { Rng } from '../../core/random.js';
import type { Operator } from './common/operator.js';
import { scorePerturbations, type PassCounter } from './common/runner.js';
import { weightedRidge } from './common/linalg.js';
import type { Explanation } from '../explanation.js';

export type Discretizer = 'quartile' | 'decile' | 'none';

export interface FeatureStats {
  /** Sorted, distinct bin boundaries; value v is in bin = #{b < v} (numpy searchsorted, left). */
  bounds: number[];
  /** Per bin: mean, std (+1e-11), lower and upper edge (data min/max at the ends), frequency. */
  means: number[];
  stds: number[];
  mins: number[];
  maxs: number[];
  freqs: number[];
  /** Over all background rows (for discretizer 'none'). */
  mean: number;
  std: number;
}

/** numpy's default (linear) percentile of sorted values. */
export function percentile(sorted: Float64Array, q: number): number {
  const pos = (q / 100) * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

export function binOf(bounds: number[], v: number): number {
  let b = 0;
  while (b < bounds.length && bounds[b] < v) b++;
  return b;
}

/** Per-feature statistics of background rows [B, F]. */
export function tabularStats(bg: NdArray, discretizer: Discretizer): FeatureStats[] {
  const [b, f] = bg.shape;
  const qs = discretizer === 'decile' ? [10, 20, 30, 40, 50, 60, 70, 80, 90] : [25, 50, 75];
  return Array.from({ length: f }, (_, j) => {
    const col = new Float64Array(b);
    for (let r = 0; r < b; r++) col[r] = bg.data[r * f + j];
    let mean = 0;
    for (const v of col) mean += v;
    mean /= b;
    let v2 = 0;
    for (const v of col) v2 += (v - mean) ** 2;
    const std = Math.sqrt(v2 / b);
    const sorted = Float64Array.from(col).sort();
    const bounds = discretizer === 'none' ? [] : [...new Set(qs.map((q) => percentile(sorted, q)))].sort((a, c) => a - c);
    const bins = bounds.length + 1;
    const sums = new Float64Array(bins);
    const sq = new Float64Array(bins);
    const counts = new Float64Array(bins);
    for (const v of col) {
      const k = binOf(bounds, v);
      sums[k] += v;
      counts[k]++;
    }
    const means = Array.from(sums, (s, k) => (counts[k] ? s / counts[k] : 0));
    for (const v of col) {
      const k = binOf(bounds, v);
      sq[k] += (v - means[k]) ** 2;
    }
    const stds = Array.from(sq, (s, k) => (counts[k] ? Math.sqrt(s / counts[k]) : 0) + 1e-11);
    return {
      bounds,
      means,
      stds,
      mins: [sorted[0], ...bounds],
      maxs: [...bounds, sorted[b - 1]],
      freqs: Array.from(counts, (c) => c / b),
      mean,
      std: std > 0 ? std : 1,
    };
  });
}

/** A value of bin k drawn from N(mean, std) truncated to the bin's edges (rejection, ≥ ~48% accepted). */
function undiscretize(s: FeatureStats, k: number, rng: Rng): number {
  const lo = s.mins[k];
  const hi = s.maxs[k];
  if (!(hi > lo)) return lo;
  for (let t = 0; t < 100; t++) {
    const v = rng.normal(s.means[k], s.stds[k]);
    if (v >= lo && v <= hi) return v;
  }
  return rng.uniform(lo, hi);
}

function drawBin(freqs: number[], rng: Rng): number {
  let u = rng.next();
  for (let k = 0; k < freqs.length; k++) {
    u -= freqs[k];
    if (u < 0 && freqs[k] > 0) return k;
  }
  for (let k = freqs.length - 1; k >= 0; k--) if (freqs[k] > 0) return k;
  return 0;
}

export interface LimeFit {
  weights: Float64Array;
  intercept: number;
  r2: number;
  localPrediction: number;
}

export async function limeTabular(
  x: Float32Array,
  stats: FeatureStats[],
  discretizer: Discretizer,
  op: Operator,
  settings: { samples: number; kernelWidth?: number; alpha: number; batchSize: number },
  rng: Rng,
  passes: PassCounter,
): Promise<LimeFit & { bins: number[] }> {
  const f = x.length;
  const n = settings.samples;
  const inverse = new Float32Array(n * f);
  const design = new Float64Array(n * f);
  const bins = stats.map((s, j) => binOf(s.bounds, x[j]));
  inverse.set(x, 0);
  for (let j = 0; j < f; j++) design[j] = discretizer === 'none' ? (x[j] - stats[j].mean) / stats[j].std : 1;
  for (let r = 1; r < n; r++) {
    for (let j = 0; j < f; j++) {
      const s = stats[j];
      if (discretizer === 'none') {
        const z = rng.normal();
        inverse[r * f + j] = z * s.std + s.mean;
        design[r * f + j] = z;
      } else {
        const k = drawBin(s.freqs, rng);
        inverse[r * f + j] = undiscretize(s, k, rng);
        design[r * f + j] = k === bins[j] ? 1 : 0;
      }
    }
  }
  const y = await scorePerturbations(op, [f], n, settings.batchSize, (i, out) => out.set(inverse.subarray(i * f, (i + 1) * f)), passes);
  const width = settings.kernelWidth ?? 0.75 * Math.sqrt(f);
  const w = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    let d2 = 0;
    for (let j = 0; j < f; j++) d2 += (design[r * f + j] - design[j]) ** 2;
    w[r] = Math.sqrt(Math.exp(-d2 / (width * width)));
  }
  const fit = weightedRidge(design, y, w, n, f, settings.alpha);
  let local = fit.intercept;
  for (let j = 0; j < f; j++) local += fit.coef[j] * design[j];
  return { weights: fit.coef, intercept: fit.intercept, r2: fit.r2, localPrediction: local, bins };
}

/** Per-example extras for the feature-weight bars: each feature's bin and its finite edges. */
export function tabularExtras(stats: FeatureStats[], bins: number[], discretizer: Discretizer): Record<string, number> {
  const out: Record<string, number> = {};
  if (discretizer === 'none') return out;
  bins.forEach((k, j) => {
    out[`f${j}.bin`] = k;
    if (k > 0) out[`f${j}.lower`] = stats[j].bounds[k - 1];
    if (k < stats[j].bounds.length) out[`f${j}.upper`] = stats[j].bounds[k];
  });
  return out;
}

export interface FeatureBar {
  feature: number;
  /** lime's wording, e.g. "0.25 < age <= 0.61". */
  label: string;
  weight: number;
}

/** A LIME table explanation as weight bars, largest |weight| first (lime's `as_list`). */
export function limeTabularBars(explanation: Explanation, featureNames?: string[], top?: number): FeatureBar[] {
  if (explanation.method !== 'lime' || explanation.attribution.shape.length !== 1) fail('limeTabularBars takes a LIME explanation of a table row');
  const e = explanation.extras;
  const fmt = (v: number) => String(Number(v.toPrecision(4)));
  const bars = Array.from(explanation.attribution.data, (weight, j) => {
    const name = featureNames?.[j] ?? `x${j}`;
    const lo = e[`f${j}.lower`];
    const hi = e[`f${j}.upper`];
    let label = name;
    if (lo !== undefined && hi !== undefined) label = `${fmt(lo)} < ${name} <= ${fmt(hi)}`;
    else if (hi !== undefined) label = `${name} <= ${fmt(hi)}`;
    else if (lo !== undefined) label = `${name} > ${fmt(lo)}`;
    return { feature: j, label, weight };
  });
  bars.sort((a, b) => Math.abs(b.weight) - Math.abs(a.weight));
  return top === undefined ? bars : bars.slice(0, top);
}
