/**
 * Names the epoch where overfitting begins from the weights alone, and, for comparison only,
 * where the classic validation curve says it begins.
 *
 * The rule (docs/dynamics.md explains why it works and how the constants were chosen):
 *   growth share s_t = normGrowth_t / relChange_t of the whole network
 *                    ≈ cos(ΔW_t, W_{t−1}): the part of the epoch's move that only rescales W.
 *   plateau        P = median of s_t over the last half of the run.
 *   No overfitting when P < 0.15: the run does not end in the inflating regime.
 *   Otherwise an epoch is "inflating" when s_t ≥ 0.8·P and consecutive updates agree
 *   (cos(ΔW_t, ΔW_{t−1}) > 0); overfitting begins at the first of 3 consecutive inflating epochs.
 * Once a cross-entropy model fits its training set, the loss can only fall further by scaling the
 * logits up, which moves the weights along themselves: a consistent, radial, norm-growing update
 * that leaves the decision boundaries where they are and makes every prediction more confident,
 * the wrong ones on unseen data included, so validation loss rises. s_t climbs while the training
 * set is being fitted and levels off at P once the model is only inflating; the onset is when it
 * has nearly reached that level. P itself depends on the optimiser and the network, hence a
 * share of P rather than a fixed value. Weight decay pulls radially inwards and keeps s_t near or
 * below zero.
 *
 * The dead-unit share is reported next to the flag (a rise of 10 points or more is a warning of
 * capacity loss) but does not move the onset: dying units shrink the model, they do not mark
 * memorisation.
 */
import type { EpochRecord } from '../train/report/index.js';
import type { DeadSignals } from './signals.js';
import { NETWORK, type LayerSignals } from './weights.js';

export interface DetectorRule {
  /** Fraction of the run, at its end, whose median growth share is the plateau P. */
  plateauWindow: number;
  /** No flag when the plateau is below this: the run does not end inflating. */
  minPlateau: number;
  /** An epoch inflates when its growth share is at least this fraction of P. */
  plateauFraction: number;
  /** Consecutive-update cosine must exceed this. */
  minCosine: number;
  /** Consecutive inflating epochs needed. */
  persistence: number;
  /** Rise of a layer's dead-unit share (0–1) over the run that is reported as a warning. */
  deadRiseWarning: number;
}

export const DEFAULT_RULE: DetectorRule = { plateauWindow: 0.5, minPlateau: 0.15, plateauFraction: 0.8, minCosine: 0, persistence: 3, deadRiseWarning: 0.1 };

export interface EpochEvidence {
  epoch: number;
  growthShare: number | null;
  cosine: number | null;
  relChange: number | null;
  inflating: boolean;
}

export interface Detection {
  /** Epoch where overfitting begins, or null when the weights never enter the inflating regime. */
  epoch: number | null;
  /** Median growth share of the last part of the run (null with too few epochs). */
  plateau: number | null;
  /** Growth share an epoch needs to count as inflating (null when no flag is possible). */
  threshold: number | null;
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

export function detectOverfitting(
  signals: { epochs: number[]; layers: LayerSignals[]; dead?: DeadSignals[] },
  rule: DetectorRule = DEFAULT_RULE,
): Detection {
  const net = signals.layers.find((l) => l.layer === NETWORK);
  if (!net) throw new RangeError('the signals have no network-level entry');
  const shares = signals.epochs.map((_, i) => growthShare(net, i));
  const n = shares.length;
  const tail = shares.slice(Math.floor(n * (1 - rule.plateauWindow))).filter((v): v is number => v !== null);
  const plateau = tail.length >= rule.persistence ? median(tail) : null;
  const threshold = plateau !== null && plateau >= rule.minPlateau ? rule.plateauFraction * plateau : null;
  const evidence: EpochEvidence[] = signals.epochs.map((epoch, i) => {
    const share = shares[i];
    const cos = net.cosine[i];
    return {
      epoch,
      growthShare: share,
      cosine: cos,
      relChange: net.relChange[i],
      inflating: threshold !== null && share !== null && cos !== null && share >= threshold && cos > rule.minCosine,
    };
  });
  let onset: number | null = null;
  for (let i = 0; i + rule.persistence <= evidence.length && onset === null; i++) {
    if (evidence.slice(i, i + rule.persistence).every((e) => e.inflating)) onset = evidence[i].epoch;
  }
  const warnings: string[] = [];
  for (const d of signals.dead ?? []) {
    if (d.share.length < 2) continue;
    const rise = d.share[d.share.length - 1] - Math.min(...d.share);
    if (rise >= rule.deadRiseWarning) {
      warnings.push(`${d.layer}: the share of dead units rose by ${(rise * 100).toFixed(0)} points (capacity loss, not counted in the flag)`);
    }
  }
  const f = (v: number | null) => (v === null ? 'n/a' : v.toFixed(3));
  const summary =
    onset !== null
      ? `overfitting begins at epoch ${onset}: from there the weights mostly grow along themselves (growth share ≥ ${f(threshold)} = ${rule.plateauFraction} × plateau ${f(plateau)}) with consistent updates`
      : plateau === null
        ? `too few epochs to judge (need at least ${2 * rule.persistence})`
        : plateau < rule.minPlateau
          ? `no overfitting detected: the run does not end inflating its weights (growth-share plateau ${f(plateau)} < ${rule.minPlateau})`
          : `no overfitting detected: the growth share never stayed ≥ ${f(threshold)} for ${rule.persistence} epochs with consistent updates`;
  return { epoch: onset, plateau, threshold, rule, evidence, summary, warnings };
}

function median(values: number[]): number {
  const v = [...values].sort((a, b) => a - b);
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
