/**
 * Classification metrics from true labels and predicted class probabilities, computed the way
 * scikit-learn does (classification_report, confusion_matrix, roc_curve + auc,
 * precision_recall_curve + average_precision_score), so numbers can be compared with Python.
 */
import { GlassboxError } from '../../core/errors.js';

export interface ClassMetrics {
  name: string;
  /** TP / (TP + FP); 0 when the class is never predicted (scikit-learn's zero_division=0). */
  precision: number;
  /** TP / (TP + FN); 0 when the class has no examples. */
  recall: number;
  f1: number;
  /** Number of examples whose true class this is. */
  support: number;
  /** One-vs-rest ROC AUC; null when the class has no positives or no negatives. */
  auc: number | null;
  /** One-vs-rest average precision; null when the class has no positives. */
  averagePrecision: number | null;
}

export interface AverageMetrics {
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

/** ROC points from the highest threshold down; starts at (0, 0) with threshold +∞. */
export interface RocCurve {
  fpr: number[];
  tpr: number[];
  thresholds: number[];
}

/** PR points from the highest threshold down; starts at recall 0, precision 1, threshold +∞. */
export interface PrCurve {
  recall: number[];
  precision: number[];
  thresholds: number[];
}

export interface ClassificationMetrics {
  count: number;
  classNames: string[];
  accuracy: number;
  perClass: ClassMetrics[];
  /** Unweighted mean over all classes (including those with no examples, as scikit-learn). */
  macro: AverageMetrics;
  /** Mean weighted by support. */
  weighted: AverageMetrics;
  /** confusion[t][p] = examples of true class t predicted as p. */
  confusion: number[][];
  /** Per class; empty curves where AUC / AP are null. Possibly thinned, see maxCurvePoints. */
  roc: RocCurve[];
  pr: PrCurve[];
  /** Mean of the defined per-class values; null if none is defined. */
  macroAuc: number | null;
  macroAveragePrecision: number | null;
}

export interface MetricsOptions {
  /**
   * Curves longer than this are thinned (evenly, keeping both ends) before being returned, to
   * keep metrics.json and the charts small. AUC and AP are always computed on the full curves.
   * Default 1000.
   */
  maxCurvePoints?: number;
}

/**
 * @param yTrue class index per example (N)
 * @param probs row-major N×K scores; the predicted class is the row's argmax (first on ties).
 *   Any monotone score works for the curves, but probabilities are expected.
 */
export function computeClassificationMetrics(
  yTrue: Int32Array,
  probs: Float32Array,
  classNames: string[],
  options: MetricsOptions = {},
): ClassificationMetrics {
  const n = yTrue.length;
  const k = classNames.length;
  if (k < 2) throw new GlassboxError(`classification metrics need at least 2 classes, got ${k}`);
  if (n === 0) throw new GlassboxError('classification metrics need at least one example');
  if (probs.length !== n * k) {
    throw new GlassboxError(
      `probabilities have ${probs.length} values, expected ${n} examples × ${k} classes = ${n * k}`,
    );
  }
  for (let i = 0; i < n; i++) {
    const y = yTrue[i];
    if (!Number.isInteger(y) || y < 0 || y >= k) {
      throw new GlassboxError(`label ${y} of example ${i} is outside 0..${k - 1}`);
    }
  }
  for (let i = 0; i < probs.length; i++) {
    if (!Number.isFinite(probs[i])) {
      throw new GlassboxError(
        `probability of example ${Math.floor(i / k)}, class ${i % k} is ${probs[i]}; expected a finite number`,
      );
    }
  }
  const maxPoints = options.maxCurvePoints ?? 1000;

  const confusion = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  let correct = 0;
  for (let i = 0; i < n; i++) {
    let pred = 0;
    for (let c = 1; c < k; c++) if (probs[i * k + c] > probs[i * k + pred]) pred = c;
    confusion[yTrue[i]][pred]++;
    if (pred === yTrue[i]) correct++;
  }

  const perClass: ClassMetrics[] = [];
  const roc: RocCurve[] = [];
  const pr: PrCurve[] = [];
  const scores = new Float64Array(n);
  const positive = new Uint8Array(n);
  for (let c = 0; c < k; c++) {
    const tp = confusion[c][c];
    const support = confusion[c].reduce((a, b) => a + b, 0);
    const predicted = confusion.reduce((a, row) => a + row[c], 0);
    const precision = predicted > 0 ? tp / predicted : 0;
    const recall = support > 0 ? tp / support : 0;
    const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
    for (let i = 0; i < n; i++) {
      scores[i] = probs[i * k + c];
      positive[i] = yTrue[i] === c ? 1 : 0;
    }
    const curves = binaryCurves(scores, positive);
    roc.push(thin(curves.roc, maxPoints));
    pr.push(thin(curves.pr, maxPoints));
    perClass.push({
      name: classNames[c],
      precision,
      recall,
      f1,
      support,
      auc: curves.auc,
      averagePrecision: curves.averagePrecision,
    });
  }

  const average = (weights: number[]): AverageMetrics => {
    const total = weights.reduce((a, b) => a + b, 0);
    const mean = (key: 'precision' | 'recall' | 'f1') =>
      total > 0 ? perClass.reduce((a, m, c) => a + m[key] * weights[c], 0) / total : 0;
    return { precision: mean('precision'), recall: mean('recall'), f1: mean('f1'), support: n };
  };
  const meanDefined = (xs: (number | null)[]) => {
    const d = xs.filter((x): x is number => x !== null);
    return d.length > 0 ? d.reduce((a, b) => a + b, 0) / d.length : null;
  };

  return {
    count: n,
    classNames: [...classNames],
    accuracy: correct / n,
    perClass,
    macro: average(perClass.map(() => 1)),
    weighted: average(perClass.map((m) => m.support)),
    confusion,
    roc,
    pr,
    macroAuc: meanDefined(perClass.map((m) => m.auc)),
    macroAveragePrecision: meanDefined(perClass.map((m) => m.averagePrecision)),
  };
}

export interface BinaryCurves {
  roc: RocCurve;
  pr: PrCurve;
  auc: number | null;
  averagePrecision: number | null;
}

/**
 * ROC and precision–recall curves of one binary problem. One point per distinct score
 * (ties move together, so tied examples give a diagonal ROC step); ROC points in the middle of
 * straight runs are dropped as scikit-learn's drop_intermediate does (AUC is unchanged).
 * AUC is the trapezoid area; AP = Σ (Rₙ − Rₙ₋₁) Pₙ, without interpolation.
 */
export function binaryCurves(scores: ArrayLike<number>, positive: ArrayLike<number>): BinaryCurves {
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[b] - scores[a]);
  // Cumulative true/false positives at each distinct threshold, highest first.
  const tps: number[] = [];
  const fps: number[] = [];
  const thresholds: number[] = [];
  let tp = 0;
  let fp = 0;
  for (let j = 0; j < n; j++) {
    const i = order[j];
    if (positive[i]) tp++;
    else fp++;
    if (j === n - 1 || scores[order[j + 1]] !== scores[i]) {
      tps.push(tp);
      fps.push(fp);
      thresholds.push(scores[i]);
    }
  }
  const pos = tp;
  const neg = fp;

  let roc: RocCurve = { fpr: [], tpr: [], thresholds: [] };
  let auc: number | null = null;
  if (pos > 0 && neg > 0) {
    roc = { fpr: [0], tpr: [0], thresholds: [Infinity] };
    for (let j = 0; j < tps.length; j++) {
      const straight =
        j > 0 &&
        j < tps.length - 1 &&
        tps[j + 1] - 2 * tps[j] + tps[j - 1] === 0 &&
        fps[j + 1] - 2 * fps[j] + fps[j - 1] === 0;
      if (straight) continue;
      roc.fpr.push(fps[j] / neg);
      roc.tpr.push(tps[j] / pos);
      roc.thresholds.push(thresholds[j]);
    }
    auc = 0;
    for (let j = 1; j < roc.fpr.length; j++) {
      auc += ((roc.fpr[j] - roc.fpr[j - 1]) * (roc.tpr[j] + roc.tpr[j - 1])) / 2;
    }
  }

  let pr: PrCurve = { recall: [], precision: [], thresholds: [] };
  let averagePrecision: number | null = null;
  if (pos > 0) {
    pr = { recall: [0], precision: [1], thresholds: [Infinity] };
    averagePrecision = 0;
    for (let j = 0; j < tps.length; j++) {
      const recall = tps[j] / pos;
      const precision = tps[j] / (tps[j] + fps[j]);
      averagePrecision += (recall - pr.recall[pr.recall.length - 1]) * precision;
      pr.recall.push(recall);
      pr.precision.push(precision);
      pr.thresholds.push(thresholds[j]);
    }
  }
  return { roc, pr, auc, averagePrecision };
}

/** Keeps at most `max` points of every array in `curve`, evenly by index, ends included. */
function thin<T extends RocCurve | PrCurve>(curve: T, max: number): T {
  const entries = Object.entries(curve) as [string, number[]][];
  const len = entries[0]?.[1].length ?? 0;
  if (len <= max || max < 2) return curve;
  const keep = Array.from({ length: max }, (_, i) => Math.round((i * (len - 1)) / (max - 1)));
  return Object.fromEntries(
    entries.map(([key, values]) => [key, keep.map((i) => values[i])]),
  ) as unknown as T;
}
