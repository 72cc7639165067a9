import { describe, expect, it } from 'vitest';
import { GlassboxError } from '../../src/core/errors.js';
import {
  formatFoldSummary,
  formatMeanStd,
  stratifiedHoldout,
  stratifiedKFold,
  summariseFolds,
} from '../../src/train/kfold.js';

/** 103 labels, imbalanced (50/30/17/6), interleaved so index order says nothing about class. */
function labels(): Int32Array {
  const counts = [50, 30, 17, 6];
  const out: number[] = [];
  counts.forEach((n, c) => out.push(...new Array(n).fill(c)));
  // deterministic interleave
  return Int32Array.from(
    out
      .map((c, i) => [c, (i * 37) % 103] as const)
      .sort((a, b) => a[1] - b[1])
      .map(([c]) => c),
  );
}

describe('stratifiedKFold', () => {
  const y = labels();
  const k = 5;
  const folds = stratifiedKFold(y, k, 11);

  it('folds are disjoint, cover every index once, and train is the complement', () => {
    expect(folds).toHaveLength(k);
    const seen = new Int32Array(y.length);
    for (const f of folds) {
      for (const i of f.validation) seen[i]++;
      expect(f.train.length + f.validation.length).toBe(y.length);
      const inVal = new Set(f.validation);
      for (const i of f.train) expect(inVal.has(i)).toBe(false);
      expect([...f.validation]).toEqual([...f.validation].sort((a, b) => a - b));
    }
    expect([...seen].every((s) => s === 1)).toBe(true);
  });

  it('keeps per-class counts within one of n_c / k in every fold, and fold sizes within one', () => {
    const classTotals = [50, 30, 17, 6];
    for (const f of folds) {
      const counts = [0, 0, 0, 0];
      for (const i of f.validation) counts[y[i]]++;
      counts.forEach((c, cls) => {
        expect(c).toBeGreaterThanOrEqual(Math.floor(classTotals[cls] / k));
        expect(c).toBeLessThanOrEqual(Math.ceil(classTotals[cls] / k));
      });
    }
    const sizes = folds.map((f) => f.validation.length);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
  });

  it('is seeded: same seed same folds, another seed other folds', () => {
    expect(stratifiedKFold(y, k, 11).map((f) => [...f.validation])).toEqual(
      folds.map((f) => [...f.validation]),
    );
    expect(stratifiedKFold(y, k, 12).map((f) => [...f.validation])).not.toEqual(
      folds.map((f) => [...f.validation]),
    );
  });

  it('rejects k < 2 and k > n with a GlassboxError', () => {
    expect(() => stratifiedKFold(y, 1)).toThrow(GlassboxError);
    expect(() => stratifiedKFold([0, 1, 0], 4)).toThrow(GlassboxError);
  });
});

describe('stratifiedHoldout', () => {
  it('holds out ⌊n_c f⌋ or ⌈n_c f⌉ of each class and ⌊n f⌋ or ⌈n f⌉ in total', () => {
    const y = labels();
    for (const f of [0.1, 0.2, 0.37]) {
      const { kept, held } = stratifiedHoldout(y, f, 3);
      expect(kept.length + held.length).toBe(y.length);
      expect(new Set([...kept, ...held]).size).toBe(y.length);
      expect(held.length).toBeGreaterThanOrEqual(Math.floor(y.length * f));
      expect(held.length).toBeLessThanOrEqual(Math.ceil(y.length * f));
      [50, 30, 17, 6].forEach((n, c) => {
        const h = [...held].filter((i) => y[i] === c).length;
        expect(h).toBeGreaterThanOrEqual(Math.floor(n * f));
        expect(h).toBeLessThanOrEqual(Math.ceil(n * f));
      });
    }
  });
});

describe('summariseFolds', () => {
  it('computes mean and sample std per metric', () => {
    const s = summariseFolds([
      { accuracy: 0.9, loss: 1 },
      { accuracy: 0.8, loss: 2 },
      { accuracy: 0.7, loss: 6 },
    ]);
    expect(s.accuracy.mean).toBeCloseTo(0.8, 12);
    expect(s.accuracy.std).toBeCloseTo(0.1, 12); // sqrt((0.01 + 0 + 0.01) / 2)
    expect(s.loss.mean).toBeCloseTo(3, 12);
    expect(s.loss.std).toBeCloseTo(Math.sqrt((4 + 1 + 9) / 2), 12);
    expect([s.loss.min, s.loss.max]).toEqual([1, 6]);
    expect(formatMeanStd(s.accuracy)).toBe('0.800 ± 0.100');
    expect(formatFoldSummary(s).split('\n')[0]).toBe('accuracy  0.800 ± 0.100  (3 folds)');
    expect(summariseFolds([{ a: 2 }]).a.std).toBe(0);
  });

  it('refuses folds that miss a metric', () => {
    expect(() => summariseFolds([{ a: 1 }, { b: 2 }])).toThrow(GlassboxError);
    expect(() => summariseFolds([])).toThrow(GlassboxError);
  });
});
