/** The overfitting rule and the validation-curve view on trajectories built to have a known answer. */
import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/core/random.js';
import { DEFAULT_RULE, detectOverfitting, validationOnset } from '../../src/dynamics/detector.js';
import type { LayerSignals } from '../../src/dynamics/weights.js';

/**
 * A network-level trajectory whose direction turns by `step[t]` radians at epoch t, whose growth
 * share is `share[t]` (relChange fixed at 0.01, so normGrowth = 0.01·share) and whose
 * consecutive-update cosine is `cos[t]`. Epoch 0 is the initial snapshot (no step).
 */
function trajectory(step: number[], share: number[] | number, cos: number[] | number = 0.5): { epochs: number[]; layers: LayerSignals[] } {
  const n = step.length;
  const at = (v: number[] | number, i: number) => (typeof v === 'number' ? v : v[i]);
  const net: LayerSignals = {
    layer: 'network',
    parameters: 10,
    norm: Array(n).fill(1),
    relChange: step.map((_, i) => (i === 0 ? null : 0.01)),
    normGrowth: step.map((_, i) => (i === 0 ? null : 0.01 * at(share, i))),
    radial: step.map((_, i) => (i === 0 ? null : at(share, i))),
    angle: step.map((a, i) => (i === 0 ? null : a)),
    cosine: step.map((_, i) => (i < 2 ? null : at(cos, i))),
  };
  return { epochs: step.map((_, i) => i), layers: [net] };
}

/** Steps that shrink by `ratio` per epoch from 0.1 at epoch 1. */
const geometric = (n: number, ratio: number) => Array.from({ length: n }, (_, t) => (t === 0 ? 0 : 0.1 * ratio ** (t - 1)));

describe('overfitting detector', () => {
  it('flags the first of three epochs whose smoothed step is ≤ 0.2 × the early pace, when the weights inflate', () => {
    const step = geometric(31, 0.8);
    const d = detectOverfitting(trajectory(step, 0.3));
    expect(d.earlyScale).toBeCloseTo(0.1, 12);
    expect(d.threshold).toBeCloseTo(0.02, 12);
    // Inside the run the geometric mean of three geometric steps is the middle one.
    const expected = step.findIndex((s, t) => t > 0 && s <= DEFAULT_RULE.settleFraction * 0.1 * (1 + 1e-12));
    expect(expected).toBe(9); // 0.8^8 = 0.168 ≤ 0.2 < 0.8^7
    expect(d.epoch).toBe(expected);
    expect(d.settledEpoch).toBe(expected);
    expect(d.growthShare).toBeCloseTo(0.3, 12);
    expect(d.summary).toMatch(/begins at epoch 9/);
  });

  it('is the same for any learning rate: thresholds are relative to the run\'s own early pace', () => {
    const slow = detectOverfitting(trajectory(geometric(31, 0.85), 0.3));
    const fast = detectOverfitting(trajectory(geometric(31, 0.85).map((s) => 10 * s), 0.3));
    expect(fast.epoch).toBe(slow.epoch);
    expect(fast.threshold).toBeCloseTo(10 * slow.threshold!, 12);
  });

  it('ignores a one-epoch dip and flags a sharp drop once the 3-epoch pace is below the threshold', () => {
    const step: number[] = Array.from({ length: 25 }, (_, t) => (t < 10 ? 0.1 : 0.01));
    step[5] = 0.001;
    const d = detectOverfitting(trajectory(step, 0.3));
    // pace(10) = (0.1·0.01·0.01)^(1/3) = 0.0215 > 0.02; pace(11) = 0.01.
    expect(d.evidence[5].settled).toBe(false);
    expect(d.epoch).toBe(11);
  });

  it('does not flag weights that settle while shrinking (weight decay) or whose updates disagree', () => {
    const rng = createRng('detector-reg');
    const shrinking = detectOverfitting(trajectory(geometric(30, 0.8), Array.from({ length: 30 }, () => rng.normal(-0.05, 0.03))));
    expect(shrinking.settledEpoch).toBe(9);
    expect(shrinking.epoch).toBeNull();
    expect(shrinking.growthShare!).toBeLessThan(DEFAULT_RULE.minGrowthShare);
    expect(shrinking.summary).toMatch(/no overfitting.*do not inflate/);
    const disagreeing = detectOverfitting(trajectory(geometric(30, 0.8), 0.3, -0.2));
    expect(disagreeing.epoch).toBeNull();
  });

  it('does not flag a run whose direction keeps turning', () => {
    const step = Array.from({ length: 30 }, (_, t) => (t === 0 ? 0 : t < 4 ? 0.1 : 0.05));
    const d = detectOverfitting(trajectory(step, 0.3));
    expect(d.settledEpoch).toBeNull();
    expect(d.epoch).toBeNull();
    expect(d.summary).toMatch(/never slows.*0\.500 × early/);
    expect(detectOverfitting(trajectory([0, 0.1, 0.05, 0.01], 0.3)).summary).toMatch(/too few epochs/);
  });

  it('warns when a layer loses units, without moving the onset', () => {
    const base = trajectory(geometric(20, 0.8), 0.3);
    const d = detectOverfitting({ ...base, dead: [{ layer: 'dense1', units: 10, share: Array.from({ length: 20 }, (_, t) => (t < 10 ? 0 : 0.3)) }] });
    expect(d.epoch).toBe(9);
    expect(d.warnings).toHaveLength(1);
    expect(d.warnings[0]).toMatch(/dense1.*30 points/);
  });
});

describe('validation onset (comparison only)', () => {
  const history = (val: number[]) => val.map((v, i) => ({ epoch: i + 1, loss: 1 / (i + 1), acc: 0.9, valLoss: v }));

  it('is the epoch of minimum validation loss when the curve ends ≥ 5% above it', () => {
    const v = validationOnset(history([1, 0.8, 0.6, 0.5, 0.52, 0.55, 0.6, 0.62]))!;
    expect(v.minEpoch).toBe(4);
    expect(v.endLoss).toBeCloseTo((0.55 + 0.6 + 0.62) / 3, 9);
    expect(v.onset).toBe(4);
    expect(v.gap[0]).toEqual({ epoch: 1, gap: 0 });
  });

  it('is null when the curve stays within 5% of its minimum', () => {
    const v = validationOnset(history([1, 0.6, 0.5, 0.51, 0.5, 0.52]))!;
    expect(v.rise).toBeLessThan(0.05);
    expect(v.onset).toBeNull();
    expect(validationOnset([{ epoch: 1, loss: 1, acc: 0 }])).toBeUndefined();
  });
});
