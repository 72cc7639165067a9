import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GlassboxError } from '../../src/core/errors.js';
import { loadBreastCancer, loadCsv, parseCsv, SKLEARN_DATA_DIR } from '../../src/train/data/csv.js';
import type { Dataset, Split } from '../../src/train/data/dataset.js';
import { classCounts } from '../../src/train/data/split.js';

const dir = mkdtempSync(path.join(tmpdir(), 'glassbox-csv-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** 60 rows sorted by label: id, a = 2·id + 1, kind (label, not last), b = id mod 7 (one missing). */
function writeTable(): { file: string; label: Map<number, string> } {
  const label = new Map<number, string>();
  const lines = ['id,a,kind,"b, with comma"'];
  for (let id = 0; id < 60; id++) {
    const kind = id < 30 ? 'cat' : id < 50 ? 'dog' : 'eel';
    label.set(id, kind);
    lines.push(`${id},${2 * id + 1},${kind},${id === 7 ? 'NA' : id % 7}`);
  }
  const file = path.join(dir, 'pets.csv');
  writeFileSync(file, lines.join('\r\n') + '\r\n');
  return { file, label };
}

function column(s: Split, F: number, f: number): number[] {
  return Array.from({ length: s.count }, (_, i) => s.x[i * F + f]);
}

describe('parseCsv', () => {
  it('handles quotes, escaped quotes, CRLF and blank lines', () => {
    expect(parseCsv('a,"b,c","d ""e"""\r\n\r\n1,2,3\n', ',')).toEqual([
      ['a', 'b,c', 'd "e"'],
      ['1', '2', '3'],
    ]);
  });
});

describe('loadCsv', () => {
  const { file, label } = writeTable();

  it('reads a label column by name, standardises with training statistics, keeps rows and labels together', async () => {
    const ds = await loadCsv({
      path: file,
      labelColumn: 'kind',
      testFraction: 0.2,
      validationFraction: 0.1,
      seed: 3,
    });
    expect(ds.kind).toBe('table');
    expect(ds.inputShape).toEqual([3]);
    expect(ds.featureNames).toEqual(['id', 'a', 'b, with comma']);
    expect(ds.classNames).toEqual(['cat', 'dog', 'eel']);
    expect(ds.test.count).toBe(12);
    expect(classCounts(ds.test.y, 3)).toEqual([6, 4, 2]); // stratified 20 %
    expect(ds.train.count + ds.validation!.count + ds.test.count).toBe(60);
    const { mean, std } = ds.normalisation as { mean: number[]; std: number[] };
    // Training features have mean 0 and (population) std 1.
    for (const f of [0, 1]) {
      const v = column(ds.train, 3, f);
      const m = v.reduce((a, b) => a + b, 0) / v.length;
      const sd = Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length);
      expect(m).toBeCloseTo(0, 5);
      expect(sd).toBeCloseTo(1, 5);
    }
    // Undoing the standardisation recovers each row's id, a = 2·id + 1 and its label, in every split.
    const seen = new Set<number>();
    for (const s of [ds.train, ds.validation!, ds.test] as Split[]) {
      for (let i = 0; i < s.count; i++) {
        const id = Math.round(s.x[i * 3] * std[0] + mean[0]);
        expect(s.x[i * 3] * std[0] + mean[0]).toBeCloseTo(id, 3);
        expect(s.x[i * 3 + 1] * std[1] + mean[1]).toBeCloseTo(2 * id + 1, 3);
        expect(ds.classNames[s.y[i]]).toBe(label.get(id));
        seen.add(id);
        // The missing value becomes the training mean, i.e. 0 after standardising.
        if (id === 7) expect(s.x[i * 3 + 2]).toBe(0);
      }
    }
    expect(seen.size).toBe(60);
    expect(ds.provenance).toMatch(/1 missing/);
  });

  it('defaults to the last column as label and detects headerless files', async () => {
    const f2 = path.join(dir, 'plain.csv');
    writeFileSync(f2, Array.from({ length: 20 }, (_, i) => `${i};${i * i};${i % 2}`).join('\n'));
    const ds = await loadCsv({ path: f2, validationFraction: 0 });
    expect(ds.inputShape).toEqual([2]);
    expect(ds.classNames).toEqual(['0', '1']);
    expect(ds.train.count + ds.test.count).toBe(20);
  });

  it('gives clear errors', async () => {
    await expect(loadCsv({ path: file, labelColumn: 'id' })).rejects.toThrow(
      /column "kind" has the non-numeric value "cat"/,
    );
    await expect(loadCsv({ path: file })).rejects.toThrow(
      /row 9 has no label in column "b, with comma"/,
    );
    await expect(loadCsv({ path: file, labelColumn: 'nope' })).rejects.toThrow(/no column "nope"/);
    await expect(loadCsv({ path: path.join(dir, 'missing.csv') })).rejects.toThrow(GlassboxError);
    const ragged = path.join(dir, 'ragged.csv');
    writeFileSync(ragged, 'a,b,y\n1,2,0\n3,1\n');
    await expect(loadCsv({ path: ragged })).rejects.toThrow(/row 3 has 2 fields, expected 3/);
  });
});

const haveSklearn = existsSync(path.join(SKLEARN_DATA_DIR, 'breast_cancer.csv'));
describe.skipIf(!haveSklearn)(
  `breast cancer (Debian python3-sklearn)${haveSklearn ? '' : ' — SKIPPED: not installed, run bash scripts/setup-data.sh'}`,
  () => {
    it('has 569 tumours (212 malignant, 357 benign) with 30 named features', async () => {
      const ds: Dataset = await loadBreastCancer();
      expect(ds.classNames).toEqual(['malignant', 'benign']);
      expect(ds.inputShape).toEqual([30]);
      expect(ds.featureNames![0]).toBe('mean radius');
      expect(ds.featureNames![29]).toBe('worst fractal dimension');
      const total = [ds.train, ds.validation!, ds.test].map((s) => classCounts(s.y, 2));
      expect([0, 1].map((c) => total.reduce((a, t) => a + t[c], 0))).toEqual([212, 357]);
      // The file's first row (mean radius 17.99, mean texture 10.38) is malignant.
      const { mean, std } = ds.normalisation as { mean: number[]; std: number[] };
      let found = 0;
      for (const s of [ds.train, ds.validation!, ds.test]) {
        for (let i = 0; i < s.count; i++) {
          const radius = s.x[i * 30] * std[0] + mean[0];
          const texture = s.x[i * 30 + 1] * std[1] + mean[1];
          if (Math.abs(radius - 17.99) < 1e-3 && Math.abs(texture - 10.38) < 1e-3) {
            found++;
            expect(ds.classNames[s.y[i]]).toBe('malignant');
          }
        }
      }
      expect(found).toBe(1);
    });
  },
);
