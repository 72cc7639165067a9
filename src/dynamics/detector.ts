/**
 * Names the epoch where overfitting begins from the weights alone, and, for comparison only,
 * where the classic validation curve says it begins.
 *
 * The rule (docs/dynamics.md explains why it works and how it was checked on held-out seeds):
 *   step      θ_t = ∠(W_{t−1}, W_t) of the whole network: how far an epoch turns the weights'
 *             direction. Rescaling does not count, so inflation and weight decay are invisible here.
 *   pace      p_t = geometric mean of θ over epochs t−1, t, t+1 (steps decay geometrically).
 *   scale     E = the largest θ of the first 3 epochs: the run's own early pace.
 *   settled   the first epoch from which p_t ≤ 0.2·E for 3 epochs in a row: the direction, i.e. what
 *             the model computes up to confidence, now changes at a fifth of its early pace.
 *   inflating from the settled epoch to the end, the median growth share (norm growth / relative
 *             change ≈ cos(ΔW_t, W_{t−1})) is ≥ 0.15 and the median update cosine is > 0.
 *   Overfitting begins at the settled epoch when the run is inflating from there; otherwise no flag.
 * Once a cross-entropy model has fitted its training set it stops learning features (the direction
 * settles) and can only lower its loss by scaling the logits up, which moves the weights along
 * themselves: every prediction becomes more confident, the wrong ones on unseen data included, so
 * validation loss rises. Both halves are needed: a regularised run may settle, but weight decay
 * keeps its growth share near or below zero. Thresholds are relative to the run's own early pace,
 * so the learning rate, optimiser and network size drop out.
 *
 * The dead-unit share is reported next to the flag (a rise of 10 points or more is a warning of
 * capacity loss) but does not move the onset: dying units shrink the model, they do not mark
 * memorisation.
 */
import type { EpochRecord } from '../train/report/index.js';
import type { DeadSignals } from './signals.js';
import { NETWORK, type LayerSignals } from './weights.js';

export interface DetectorRule {
  /** The early scale E is the largest direction step among this many first steps. */
  earlyEpochs: number;
  /** Epochs in the centred geometric mean that smooths the step into the pace (odd). */
  smoothing: number;
  /** The direction has settled when the pace is at most this fraction of E. */
  settleFraction: number;
  /** Consecutive settled epochs needed. */
  persistence: number;
  /** From the settled epoch on, the median growth share must reach this (the weights inflate). */
  minGrowthShare: number;
  /** …and the median consecutive-update cosine must exceed this (they inflate consistently). */
  minCosine: number;
  /** Rise of a layer's dead-unit share (0–1) over the run that is reported as a warning. */
  deadRiseWarning: number;
}

export const DEFAULT_RULE: DetectorRule = {
  earlyEpochs: 3,
  smoothing: 3,
  settleFraction: 0.2,
  persistence: 3,
  minGrowthShare: 0.15,
  minCosine: 0,
  deadRiseWarning: 0.1,
};

export interface EpochEvidence {
  epoch: number;
  /** ∠(W_{t−1}, W_t) in radians. */
  step: number | null;
  /** The smoothed step. */
  pace: number | null;
  growthShare: number | null;
  cosine: number | null;
  relChange: number | null;
  /** pace ≤ threshold. */
  settled: boolean;
}

export interface Detection {
  /** Epoch where overfitting begins, or null. */
  epoch: number | null;
  /** First epoch of the first `persistence` settled epochs, flagged or not (null when the pace never settles). */
  settledEpoch: number | null;
  /** Early scale E in radians per epoch (null with too few epochs). */
  earlyScale: number | null;
  /** Pace an epoch needs to count as settled: settleFraction · E. */
  threshold: number | null;
  /** Median growth share and update cosine from the settled epoch to the end. */
  growthShare: number | null;
  cosine: number | null;
  rule: DetectorRule;
  evidence: EpochEvidence[];
  /** One line saying what was found. */
  summary: string;
  warnings: string[];
}

export function growthShare(layer: LayerSignals, i: number): number | null {
  const r = layer.relChange[i];
  const g = layer.normGrowth[i];
  return r === null || g === null || r === 0 ? null : g / r;
}

/** Centred geometric mean over `width` epochs (fewer at the ends and around gaps). */
export function smoothPace(steps: Array<number | null>, width: number): Array<number | null> {
  const half = width >> 1;
  return steps.map((v, i) => {
    if (v === null) return null;
    const logs = steps.slice(Math.max(0, i - half), i + half + 1).filter((x): x is number => x !== null && x > 0).map(Math.log);
    return logs.length ? Math.exp(logs.reduce((a, b) => a + b, 0) / logs.length) : 0;
  });
}

export function detectOverfitting(
  signals: { epochs: number[]; layers: LayerSignals[]; dead?: DeadSignals[] },
  rule: DetectorRule = DEFAULT_RULE,
): Detection {
  const net = signals.layers.find((l) => l.layer === NETWORK);
  if (!net) throw new RangeError('the signals have no network-level entry');
  const steps = net.angle;
  const pace = smoothPace(steps, rule.smoothing);
  const defined = steps.filter((v): v is number => v !== null);
  const enough = defined.length >= rule.earlyEpochs + rule.persistence;
  const earlyScale = enough ? Math.max(...defined.slice(0, rule.earlyEpochs)) : null;
  const threshold = earlyScale !== null ? rule.settleFraction * earlyScale : null;
  const evidence: EpochEvidence[] = signals.epochs.map((epoch, i) => ({
    epoch,
    step: steps[i],
    pace: pace[i],
    growthShare: growthShare(net, i),
    cosine: net.cosine[i],
    relChange: net.relChange[i],
    settled: threshold !== null && pace[i] !== null && pace[i]! <= threshold,
  }));
  // Only steps after the early window can settle: the scale is measured there.
  const firstLate = steps.findIndex((v) => v !== null) + rule.earlyEpochs;
  let at = -1;
  for (let i = Math.max(firstLate, 0); i + rule.persistence <= evidence.length && at < 0; i++) {
    if (evidence.slice(i, i + rule.persistence).every((e) => e.settled)) at = i;
  }
  const after = at >= 0 ? evidence.slice(at) : [];
  const share = medianOf(after.map((e) => e.growthShare));
  const cos = medianOf(after.map((e) => e.cosine));
  const inflating = share !== null && cos !== null && share >= rule.minGrowthShare && cos > rule.minCosine;
  const settledEpoch = at >= 0 ? evidence[at].epoch : null;
  const onset = inflating ? settledEpoch : null;

  const warnings: string[] = [];
  for (const d of signals.dead ?? []) {
    if (d.share.length < 2) continue;
    const rise = d.share[d.share.length - 1] - Math.min(...d.share);
    if (rise >= rule.deadRiseWarning) {
      warnings.push(`${d.layer}: the share of dead units rose by ${(rise * 100).toFixed(0)} points (capacity loss, not counted in the flag)`);
    }
  }
  const f = (v: number | null) => (v === null ? 'n/a' : v.toFixed(3));
  const slowest = Math.min(...pace.slice(Math.max(firstLate, 0)).filter((v): v is number => v !== null));
  const summary =
    earlyScale === null
      ? `too few epochs to judge (need at least ${rule.earlyEpochs + rule.persistence} steps)`
      : onset !== null
        ? `overfitting begins at epoch ${onset}: from there the weights' direction turns at ≤ ${rule.settleFraction} × its early pace (${f(threshold)} of ${f(earlyScale)} rad/epoch) while they keep growing along themselves (median growth share ${f(share)}, update cosine ${f(cos)})`
        : settledEpoch !== null
          ? `no overfitting detected: learning settles at epoch ${settledEpoch} but the weights do not inflate from there (median growth share ${f(share)}, update cosine ${f(cos)}; needs ≥ ${rule.minGrowthShare} and > ${rule.minCosine})`
          : `no overfitting detected: the weights' direction never slows to ${rule.settleFraction} × its early pace for ${rule.persistence} epochs (slowest pace ${f(Number.isFinite(slowest) ? slowest / earlyScale : null)} × early)`;
  return { epoch: onset, settledEpoch, earlyScale, threshold, growthShare: share, cosine: cos, rule, evidence, summary, warnings };
}

function medianOf(values: Array<number | null>): number | null {
  const v = values.filter((x): x is number => x !== null).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

// ---------------------------------------------------------------------------------------------
// The classic view, from the validation curve (used only to judge the detector).

export interface ValidationRule {
  /** The curve counts as rising when the mean of its last `tail` epochs is this fraction above the minimum. */
  minRise: number;
  tail: number;
}

export const DEFAULT_VALIDATION_RULE: ValidationRule = { minRise: 0.05, tail: 3 };

export interface ValidationOnset {
  /** Epoch of the minimum validation loss. */
  minEpoch: number;
  minLoss: number;
  /** Mean validation loss of the last `tail` epochs. */
  endLoss: number;
  /** (endLoss − minLoss) / minLoss. */
  rise: number;
  /** Where validation loss starts rising (= minEpoch) when it does rise, else null. */
  onset: number | null;
  /** Validation loss − training loss per epoch (the classic generalisation gap). */
  gap: Array<{ epoch: number; gap: number }>;
  rule: ValidationRule;
}

/** Undefined when the history has no validation loss. */
export function validationOnset(history: EpochRecord[], rule: ValidationRule = DEFAULT_VALIDATION_RULE): ValidationOnset | undefined {
  const rows = history.filter((r) => r.valLoss !== undefined && Number.isFinite(r.valLoss));
  if (rows.length === 0) return undefined;
  let best = rows[0];
  for (const r of rows) if (r.valLoss! < best.valLoss!) best = r;
  const tail = rows.slice(-rule.tail);
  const endLoss = tail.reduce((s, r) => s + r.valLoss!, 0) / tail.length;
  const rise = (endLoss - best.valLoss!) / best.valLoss!;
  return {
    minEpoch: best.epoch,
    minLoss: best.valLoss!,
    endLoss,
    rise,
    onset: rise >= rule.minRise ? best.epoch : null,
    gap: rows.map((r) => ({ epoch: r.epoch, gap: r.valLoss! - r.loss })),
    rule,
  };
}
