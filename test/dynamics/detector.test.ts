/** The overfitting rule and the validation-curve view on trajectories built to have a known answer. */
import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/core/random.js';
import { DEFAULT_RULE, detectOverfitting, validationOnset } from '../../src/dynamics/detector.js';
import type { LayerSignals } from '../../src/dynamics/weights.js';

/**
 * A network-level trajectory whose growth share is `share[t]` (relChange fixed at 0.01, so
 * normGrowth = 0.01·share) and whose consecutive-update cosine is `cos[t]`.
 */
function trajectory(share: number[], cos: number[]): { epochs: number[]; layers: LayerSignals[] } {
  const n = share.length;
  const net: LayerSignals = {
    layer: 'network',
    parameters: 10,
    norm: Array(n).fill(1),
    relChange: share.map((_, i) => (i === 0 ? null : 0.01)),
    normGrowth: share.map((s, i) => (i === 0 ? null : 0.01 * s)),
    radial: share.map((s, i) => (i === 0 ? null : s)),
    cosine: cos.map((c, i) => (i < 2 ? null : c)),
  };
  return { epochs: share.map((_, i) => i), layers: [net] };
}

describe('overfitting detector', () => {
  it('flags the first of three epochs at ≥ 0.8 × the late plateau of the growth share', () => {
    // Rises linearly 0 → 0.4 over epochs 0–20, then stays at 0.4 until epoch 40.
    const share = Array.from({ length: 41 }, (_, t) => Math.min(0.4, 0.02 * t));
    const d = detectOverfitting(trajectory(share, Array(41).fill(0.5)));
    expect(d.plateau).toBeCloseTo(0.4, 6);
    expect(d.threshold).toBeCloseTo(0.32, 6);
    // 0.02·t ≥ 0.32 first at t = 16 (floating point: compare with the same arithmetic).
    const expected = share.findIndex((s) => s >= 0.8 * 0.4);
    expect(expected).toBeGreaterThanOrEqual(15);
    expect(d.epoch).toBe(expected);
  });

  it('ignores a blip shorter than the persistence and epochs whose updates disagree', () => {
    const share: number[] = Array.from({ length: 41 }, (_, t) => (t < 20 ? 0.1 : 0.4));
    share[8] = share[9] = 0.5; // two-epoch blip
    const cos = Array(41).fill(0.5);
    cos[21] = -0.2; // at 20 the updates agree, at 21 they do not
    const d = detectOverfitting(trajectory(share, cos));
    expect(d.epoch).toBe(22);
  });

  it('does not flag a run whose weights end shrinking or steady (weight decay)', () => {
    const rng = createRng('detector-reg');
    const share = Array.from({ length: 30 }, (_, t) => (t < 5 ? 0.3 : rng.normal(-0.03, 0.05)));
    const d = detectOverfitting(trajectory(share, Array(30).fill(0.3)));
    expect(d.plateau!).toBeLessThan(DEFAULT_RULE.minPlateau);
    expect(d.epoch).toBeNull();
    expect(d.summary).toMatch(/no overfitting/);
  });

  it('warns when a layer loses units, without moving the onset', () => {
    const share = Array.from({ length: 20 }, (_, t) => (t < 6 ? 0.05 : 0.4));
    const base = trajectory(share, Array(20).fill(0.5));
    const d = detectOverfitting({ ...base, dead: [{ layer: 'dense1', units: 10, share: Array.from({ length: 20 }, (_, t) => (t < 10 ? 0 : 0.3)) }] });
    expect(d.epoch).toBe(6);
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
