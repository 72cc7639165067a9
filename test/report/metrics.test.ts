import { describe, expect, it } from 'vitest';
import { GlassboxError } from '../../src/core/errors.js';
import { binaryCurves, computeClassificationMetrics } from '../../src/train/report/index.js';

/** Probabilities that make `pred` the argmax of each row. */
function probsFor(preds: number[], k: number): Float32Array {
  const p = new Float32Array(preds.length * k).fill(0.1 / (k - 1));
  preds.forEach((c, i) => (p[i * k + c] = 0.9));
  return p;
}

describe('computeClassificationMetrics on a hand-computed 3-class case', () => {
  const yTrue = Int32Array.from([0, 0, 0, 0, 1, 1, 1, 2, 2, 2]);
  const preds = [0, 0, 0, 1, 1, 1, 2, 2, 0, 0];
  const m = computeClassificationMetrics(yTrue, probsFor(preds, 3), ['a', 'b', 'c']);

  it('counts the confusion matrix and accuracy', () => {
    expect(m.confusion).toEqual([
      [3, 1, 0],
      [0, 2, 1],
      [2, 0, 1],
    ]);
    expect(m.accuracy).toBeCloseTo(0.6, 12);
    expect(m.count).toBe(10);
  });

  it('computes per-class precision, recall, F1, support', () => {
    // a: TP 3, predicted 5, true 4. b: TP 2, 3, 3. c: TP 1, 2, 3.
    const expected = [
      { precision: 0.6, recall: 0.75, f1: 2 / 3, support: 4 },
      { precision: 2 / 3, recall: 2 / 3, f1: 2 / 3, support: 3 },
      { precision: 0.5, recall: 1 / 3, f1: 0.4, support: 3 },
    ];
    expected.forEach((e, c) => {
      expect(m.perClass[c].precision).toBeCloseTo(e.precision, 12);
      expect(m.perClass[c].recall).toBeCloseTo(e.recall, 12);
      expect(m.perClass[c].f1).toBeCloseTo(e.f1, 12);
      expect(m.perClass[c].support).toBe(e.support);
    });
  });

  it('averages: macro unweighted, weighted by support', () => {
    expect(m.macro.precision).toBeCloseTo((0.6 + 2 / 3 + 0.5) / 3, 12);
    expect(m.macro.recall).toBeCloseTo((0.75 + 2 / 3 + 1 / 3) / 3, 12);
    expect(m.macro.f1).toBeCloseTo((2 / 3 + 2 / 3 + 0.4) / 3, 12);
    expect(m.weighted.precision).toBeCloseTo(0.59, 12);
    expect(m.weighted.recall).toBeCloseTo(0.6, 12); // always equals accuracy
    expect(m.weighted.f1).toBeCloseTo((4 * (2 / 3) + 3 * (2 / 3) + 3 * 0.4) / 10, 12);
  });

  it('gives undefined AUC/AP and zero scores for a class with no examples', () => {
    const m4 = computeClassificationMetrics(yTrue, probsFor(preds, 4), ['a', 'b', 'c', 'd']);
    expect(m4.perClass[3]).toMatchObject({
      precision: 0,
      recall: 0,
      f1: 0,
      support: 0,
      auc: null,
      averagePrecision: null,
    });
    expect(m4.roc[3].fpr).toEqual([]);
    expect(m4.macro.f1).toBeCloseTo((2 / 3 + 2 / 3 + 0.4) / 4, 12);
    const defined = m4.perClass.slice(0, 3).map((c) => c.auc!);
    expect(m4.macroAuc).toBeCloseTo(defined.reduce((a, b) => a + b) / 3, 12);
  });

  it('rejects inconsistent input', () => {
    expect(() =>
      computeClassificationMetrics(yTrue, new Float32Array(29), ['a', 'b', 'c']),
    ).toThrow(GlassboxError);
    expect(() =>
      computeClassificationMetrics(Int32Array.of(3), new Float32Array(3), ['a', 'b', 'c']),
    ).toThrow(/outside/);
    expect(() =>
      computeClassificationMetrics(Int32Array.of(0), Float32Array.of(NaN, 1), ['a', 'b']),
    ).toThrow(/finite/);
  });
});

describe('ROC AUC and average precision', () => {
  it('is 1 for a perfect ranking and 0 for a reversed one', () => {
    const pos = [1, 1, 0, 0, 0];
    const s = [0.9, 0.8, 0.3, 0.2, 0.1];
    expect(binaryCurves(s, pos).auc).toBe(1);
    expect(binaryCurves(s, pos).averagePrecision).toBe(1);
    expect(
      binaryCurves(
        s.map((v) => -v),
        pos,
      ).auc,
    ).toBe(0);
    // Reversed with 2 of 4 positive: P@3 = 1/3 at R = 1/2, P@4 = 1/2 at R = 1 → AP = 5/12.
    expect(binaryCurves([0.9, 0.8, 0.2, 0.1], [0, 0, 1, 1]).averagePrecision).toBeCloseTo(
      5 / 12,
      12,
    );
  });

  it('handles ties as in the hand example', () => {
    // Thresholds 0.9, 0.8, 0.4, 0.1 → (tp, fp) = (1,0), (2,1), (3,2), (3,3) of P = N = 3.
    // ROC (0,0) (0,1/3) [(1/3,2/3) is collinear, dropped] (2/3,1) (1,1).
    // Trapezoids: 0 + (2/3)·(1/3+1)/2 + (1/3)·1 = 4/9 + 3/9 = 7/9.
    const s = [0.9, 0.8, 0.8, 0.4, 0.4, 0.1];
    const pos = [1, 1, 0, 1, 0, 0];
    const c = binaryCurves(s, pos);
    expect(c.roc.fpr).toEqual([0, 0, 2 / 3, 1]);
    expect(c.roc.tpr).toEqual([0, 1 / 3, 1, 1]);
    expect(c.roc.thresholds).toEqual([Infinity, 0.9, 0.4, 0.1]);
    expect(c.auc).toBeCloseTo(7 / 9, 12);
    // Precision 1, 2/3, 3/5, 1/2 at recall 1/3, 2/3, 1, 1 → AP = (1 + 2/3 + 3/5)/3 = 34/45.
    expect(c.pr.precision).toEqual([1, 1, 2 / 3, 3 / 5, 1 / 2]);
    expect(c.averagePrecision).toBeCloseTo(34 / 45, 12);

    // Through the multi-class entry point, as a 2-class problem (class 1 = positive).
    const probs = new Float32Array(s.flatMap((v) => [1 - v, v]));
    const m = computeClassificationMetrics(Int32Array.from(pos), probs, ['neg', 'pos']);
    expect(m.perClass[1].auc).toBeCloseTo(7 / 9, 6);
    expect(m.perClass[0].auc).toBeCloseTo(7 / 9, 6); // mirror image
    expect(m.perClass[1].averagePrecision).toBeCloseTo(34 / 45, 6);
  });

  it('agrees with the Mann–Whitney pair count and the per-positive AP definition', () => {
    let seed = 12345;
    const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    const n = 300;
    const pos = Array.from({ length: n }, () => (rand() < 0.3 ? 1 : 0));
    // Rounded scores so there are many ties, shifted up for positives so AUC is not 0.5.
    const s = pos.map((p) => Math.round((rand() + 0.3 * p) * 10) / 10);
    let pairs = 0;
    let wins = 0;
    let ap = 0;
    for (let i = 0; i < n; i++) {
      if (!pos[i]) continue;
      let above = 0;
      let posAbove = 0;
      for (let j = 0; j < n; j++) {
        if (!pos[j]) {
          pairs++;
          wins += s[i] > s[j] ? 1 : s[i] === s[j] ? 0.5 : 0;
        }
        if (s[j] >= s[i]) {
          above++;
          posAbove += pos[j];
        }
      }
      ap += posAbove / above;
    }
    const c = binaryCurves(s, pos);
    expect(c.auc).toBeCloseTo(wins / pairs, 12);
    expect(c.averagePrecision).toBeCloseTo(ap / pos.filter(Boolean).length, 12);
  });

  it('thins long curves without changing AUC', () => {
    const n = 500;
    const y = Int32Array.from({ length: n }, (_, i) => (i * 7) % 3);
    const probs = Float32Array.from({ length: n * 3 }, (_, i) => ((i * 7919) % 1009) / 1009);
    const full = computeClassificationMetrics(y, probs, ['x', 'y', 'z'], {
      maxCurvePoints: 100000,
    });
    const thin = computeClassificationMetrics(y, probs, ['x', 'y', 'z'], { maxCurvePoints: 20 });
    expect(full.pr[0].recall.length).toBeGreaterThan(20);
    expect(thin.pr[0].recall).toHaveLength(20);
    expect(thin.pr[0].recall[19]).toBe(full.pr[0].recall.at(-1));
    expect(thin.roc[0].fpr[0]).toBe(0);
    expect(thin.roc[0].tpr.at(-1)).toBe(1);
    expect(thin.perClass[0].auc).toBe(full.perClass[0].auc);
  });
});
