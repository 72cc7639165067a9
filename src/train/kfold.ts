/**
 * Stratified k-fold cross-validation indices and the mean ± std summary of per-fold metrics.
 *
 * Stratification by dealing: the indices are grouped by class (random order inside each class,
 * classes one after another) and dealt to the folds like cards, one each in turn, starting at a
 * random fold. Each class is a contiguous run of that deal, so every fold gets ⌊n_c/k⌋ or ⌈n_c/k⌉
 * examples of class c, and fold sizes differ by at most one.
 */
import { fail } from '../core/errors.js';
import { createRng, type Rng, type Seed } from '../core/random.js';

export interface Fold {
  /** Indices to train on (every index not in `validation`), ascending. */
  train: Int32Array;
  /** Indices held out in this fold, ascending. */
  validation: Int32Array;
}

/** Indices grouped by class in ascending class order, shuffled within each class. */
export function stratifiedOrder(labels: ArrayLike<number>, rng: Rng): Int32Array {
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const c = labels[i];
    let list = byClass.get(c);
    if (!list) byClass.set(c, (list = []));
    list.push(i);
  }
  const order = new Int32Array(labels.length);
  let at = 0;
  for (const c of [...byClass.keys()].sort((a, b) => a - b)) {
    for (const i of rng.shuffle(byClass.get(c)!)) order[at++] = i;
  }
  return order;
}

/** Stratified k-fold split of `labels` (one class index per example), seeded. */
export function stratifiedKFold(labels: ArrayLike<number>, k: number, seed: Seed = 0): Fold[] {
  const n = labels.length;
  if (!Number.isInteger(k) || k < 2)
    fail(`k-fold needs an integer k ≥ 2, got ${k}: pass --folds 2 or more`);
  if (k > n)
    fail(`k-fold with k=${k} needs at least ${k} examples, the data has ${n}: lower --folds`);
  const rng = createRng(seed);
  const order = stratifiedOrder(labels, rng);
  const start = rng.int(k);
  const foldOf = new Int32Array(n);
  for (let p = 0; p < n; p++) foldOf[order[p]] = (start + p) % k;
  const folds: Fold[] = [];
  for (let f = 0; f < k; f++) {
    const validation: number[] = [];
    const train: number[] = [];
    for (let i = 0; i < n; i++) (foldOf[i] === f ? validation : train).push(i);
    folds.push({ train: Int32Array.from(train), validation: Int32Array.from(validation) });
  }
  return folds;
}

/**
 * A stratified hold-out: about `fraction` of each class goes to `held`, the rest to `kept`
 * (both ascending). Per class the held count is ⌊n_c·f⌋ or ⌈n_c·f⌉; the total is ⌊n·f⌋ or ⌈n·f⌉.
 */
export function stratifiedHoldout(
  labels: ArrayLike<number>,
  fraction: number,
  seed: Seed = 0,
): { kept: Int32Array; held: Int32Array } {
  if (!(fraction >= 0 && fraction < 1))
    fail(`hold-out fraction must be in [0, 1), got ${fraction}`);
  const rng = createRng(seed);
  const order = stratifiedOrder(labels, rng);
  const offset = rng.next();
  const isHeld = new Uint8Array(labels.length);
  // Systematic sampling over the class-grouped order: position p is held when the running
  // total p·f + offset crosses an integer.
  for (let p = 0; p < order.length; p++) {
    if (Math.floor((p + 1) * fraction + offset) > Math.floor(p * fraction + offset))
      isHeld[order[p]] = 1;
  }
  const kept: number[] = [];
  const held: number[] = [];
  for (let i = 0; i < labels.length; i++) (isHeld[i] ? held : kept).push(i);
  return { kept: Int32Array.from(kept), held: Int32Array.from(held) };
}

export interface MetricSummary {
  mean: number;
  /** Sample standard deviation (n − 1 in the denominator); 0 for a single fold. */
  std: number;
  min: number;
  max: number;
  values: number[];
}

/**
 * Mean ± std of each metric over folds. Every fold must report the same metric names; a metric
 * that is not a finite number in some fold is an error rather than a silently skewed mean.
 */
export function summariseFolds(
  perFold: Array<Record<string, number>>,
): Record<string, MetricSummary> {
  if (perFold.length === 0) fail('no fold results to summarise: run at least one fold');
  const names = Object.keys(perFold[0]);
  const out: Record<string, MetricSummary> = {};
  for (const name of names) {
    const values = perFold.map((m, f) => {
      const v = m[name];
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        fail(
          `fold ${f} has no finite value for metric "${name}": every fold must report the same metrics`,
        );
      }
      return v;
    });
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const ss = values.reduce((a, v) => a + (v - mean) ** 2, 0);
    const std = values.length > 1 ? Math.sqrt(ss / (values.length - 1)) : 0;
    out[name] = { mean, std, min: Math.min(...values), max: Math.max(...values), values };
  }
  return out;
}

/** "0.912 ± 0.013" */
export function formatMeanStd(s: Pick<MetricSummary, 'mean' | 'std'>, digits = 3): string {
  return `${s.mean.toFixed(digits)} ± ${s.std.toFixed(digits)}`;
}

/** One line per metric: "accuracy  0.912 ± 0.013  (5 folds)". */
export function formatFoldSummary(summary: Record<string, MetricSummary>, digits = 3): string {
  const names = Object.keys(summary);
  const width = Math.max(0, ...names.map((n) => n.length));
  return names
    .map(
      (n) =>
        `${n.padEnd(width)}  ${formatMeanStd(summary[n], digits)}  (${summary[n].values.length} folds)`,
    )
    .join('\n');
}
