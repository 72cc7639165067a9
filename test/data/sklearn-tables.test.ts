/**
 * Shapes and label counts of scikit-learn's iris and wine tables (breast cancer is in
 * csv.test.ts), loaded through the data set table as a training config names them.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SKLEARN_DATA_DIR, SKLEARN_TABLES } from '../../src/train/data/csv.js';
import { loadDataset } from '../../src/train/data/datasets.js';
import { classCounts } from '../../src/train/data/split.js';

const TABLES = [
  { name: 'iris', features: 4, classNames: ['setosa', 'versicolor', 'virginica'], counts: [50, 50, 50] },
  { name: 'wine', features: 13, classNames: ['class_0', 'class_1', 'class_2'], counts: [59, 71, 48] },
] as const;

for (const t of TABLES) {
  const file = path.join(SKLEARN_DATA_DIR, SKLEARN_TABLES[t.name].file);
  const have = existsSync(file);
  describe.skipIf(!have)(`${t.name} (Debian python3-sklearn)${have ? '' : ' — SKIPPED: not installed, run bash scripts/setup-data.sh'}`, () => {
    it(`has ${t.counts.reduce((a, b) => a + b, 0)} rows of ${t.features} named features in ${t.counts.length} classes (${t.counts.join('/')}), split stratified`, async () => {
      const ds = await loadDataset(t.name, { validationFraction: 0.2, testFraction: 0.2 });
      expect(ds.kind).toBe('table');
      expect(ds.inputShape).toEqual([t.features]);
      expect(ds.classNames).toEqual([...t.classNames]);
      expect(ds.featureNames).toEqual(SKLEARN_TABLES[t.name].featureNames);
      const splits = [ds.train, ds.validation!, ds.test];
      for (const s of splits) {
        expect(s.x.length).toBe(s.count * t.features);
        expect(s.y.length).toBe(s.count);
        expect(s.x.every(Number.isFinite)).toBe(true);
      }
      const perSplit = splits.map((s) => classCounts(s.y, t.counts.length));
      expect(t.counts.map((_, c) => perSplit.reduce((a, p) => a + p[c], 0))).toEqual([...t.counts]);
      // Stratified hold-outs: every class is in every split, in about its share.
      const total = t.counts.reduce((a, b) => a + b, 0);
      splits.forEach((s, i) => perSplit[i].forEach((n, c) => expect(Math.abs(n / s.count - t.counts[c] / total)).toBeLessThan(0.1)));
      // Standardised with the training rows' statistics: each training column has mean 0, std 1.
      for (let f = 0; f < t.features; f++) {
        const col = Array.from({ length: ds.train.count }, (_, i) => ds.train.x[i * t.features + f]);
        const mean = col.reduce((a, b) => a + b, 0) / col.length;
        const std = Math.sqrt(col.reduce((a, v) => a + (v - mean) ** 2, 0) / col.length);
        expect(mean).toBeCloseTo(0, 4);
        expect(std).toBeCloseTo(1, 4);
      }
    });
  });
}
