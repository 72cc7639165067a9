/**
 * Tables from CSV: one label column (by name or index; default the last column), every other
 * column a numeric feature, standardised with the mean and std of the training rows (missing
 * values — empty, NA, NaN, ? — replaced by the training mean, i.e. 0 after standardising).
 *
 * Also reads scikit-learn's bundled tables (breast cancer, iris, wine), whose first row is not
 * column names but "n_samples,n_features,class name,…" and whose labels are class indices.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { fail } from '../../core/errors.js';
import type { Dataset, Split } from './dataset.js';
import {
  carveValidation,
  commonOptionsShape,
  holdOut,
  parseOptions,
  shuffleRows,
} from './split.js';

export const SKLEARN_DATA_DIR = '/usr/lib/python3/dist-packages/sklearn/datasets/data';

export const csvOptionsSchema = z
  .object({
    ...commonOptionsShape,
    path: z.string().min(1).describe('CSV file'),
    labelColumn: z
      .union([z.string().min(1), z.number().int()])
      .optional()
      .describe(
        'label column name or 0-based index (negative counts from the end); default the last column',
      ),
    delimiter: z
      .string()
      .length(1)
      .optional()
      .describe('field separator; default detected from the first line (, ; or tab)'),
    header: z
      .enum(['auto', 'yes', 'no', 'sklearn'])
      .default('auto')
      .describe('whether the first row holds column names'),
    testFraction: z
      .number()
      .min(0)
      .max(0.9)
      .default(0.2)
      .describe('fraction held out as test (stratified)'),
    featureNames: z.array(z.string()).optional().describe('feature names when the file has none'),
    name: z.string().optional().describe('data set name (default: the file name)'),
  })
  .strict();
export type CsvOptions = z.input<typeof csvOptionsSchema>;

const MISSING = new Set(['', 'na', 'nan', 'n/a', 'null', '?']);

/** Splits CSV text into rows of fields (RFC 4180 quoting, LF or CRLF); blank lines dropped. */
export function parseCsv(text: string, delimiter: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = 0;
  if (text.charCodeAt(0) === 0xfeff) i = 1; // byte-order mark
  const endRow = () => {
    row.push(field);
    if (row.length > 1 || row[0].trim() !== '') rows.push(row);
    row = [];
    field = '';
  };
  for (; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += ch;
    } else if (ch === '"' && field.trim() === '') {
      quoted = true;
      field = '';
    } else if (ch === delimiter) {
      row.push(field);
      field = '';
    } else if (ch === '\n') {
      endRow();
    } else if (ch === '\r') {
      if (text[i + 1] !== '\n') endRow();
    } else field += ch;
  }
  if (field !== '' || row.length > 0) endRow();
  return rows;
}

function isNumber(s: string): boolean {
  const t = s.trim();
  return t !== '' && Number.isFinite(Number(t));
}

function detectDelimiter(text: string): string {
  const line = text.slice(0, text.indexOf('\n') >>> 0);
  const counts = [',', ';', '\t'].map((d) => [d, line.split(d).length - 1] as const);
  counts.sort((a, b) => b[1] - a[1]);
  return counts[0][1] > 0 ? counts[0][0] : ',';
}

function isSklearnHeader(rows: string[][]): boolean {
  if (rows.length < 2) return false;
  const [first, second] = rows;
  const n = Number(first[0]);
  const f = Number(first[1]);
  return (
    Number.isInteger(n) &&
    Number.isInteger(f) &&
    n === rows.length - 1 &&
    second.length === f + 1 &&
    first.length >= 4 &&
    first.slice(2).every((s) => !isNumber(s))
  );
}

function looksLikeHeader(rows: string[][]): boolean {
  if (rows.length < 2) return rows.length === 1 && rows[0].every((s) => !isNumber(s));
  const [first, second] = rows;
  // A name above a number is a header; a row of words above words may just be text labels.
  return first.some((s, j) => !isNumber(s) && j < second.length && isNumber(second[j]));
}

export async function loadCsv(options: CsvOptions): Promise<Dataset> {
  const o = parseOptions(csvOptionsSchema, options, 'csv');
  const file = path.resolve(o.path);
  if (!existsSync(file)) fail(`CSV file ${file} not found: check --set path=…`);
  const text = readFileSync(file, 'utf8');
  const rows = parseCsv(text, o.delimiter ?? detectDelimiter(text));
  if (rows.length === 0) fail(`CSV file ${file} is empty`);

  const mode =
    o.header === 'auto'
      ? isSklearnHeader(rows)
        ? 'sklearn'
        : looksLikeHeader(rows)
          ? 'yes'
          : 'no'
      : o.header;
  const width = mode === 'sklearn' ? Number(rows[0][1]) + 1 : rows[0].length;
  const columnNames =
    mode === 'yes'
      ? rows[0].map((s) => s.trim())
      : Array.from({ length: width }, (_, j) =>
          mode === 'sklearn' && j === width - 1 ? 'target' : `column${j}`,
        );
  const data = mode === 'no' ? rows : rows.slice(1);
  if (data.length === 0) fail(`CSV file ${file} has a header but no data rows`);
  if (width < 2)
    fail(`CSV file ${file} has ${width} column(s): need at least one feature and a label`);

  const labelIndex = resolveLabelColumn(o.labelColumn, columnNames, file, mode === 'sklearn');
  const featureIdx = columnNames.map((_, j) => j).filter((j) => j !== labelIndex);
  let featureNames = featureIdx.map((j) => columnNames[j]);
  if (o.featureNames) {
    if (o.featureNames.length !== featureIdx.length) {
      fail(
        `featureNames has ${o.featureNames.length} names but ${file} has ${featureIdx.length} feature columns`,
      );
    }
    featureNames = o.featureNames;
  }

  // Labels: sklearn files hold class indices named in the first row; otherwise distinct values.
  const rawLabels = data.map((r, i) => {
    if (r.length !== width)
      fail(
        `${file} row ${i + (mode === 'no' ? 1 : 2)} has ${r.length} fields, expected ${width}: fix the row`,
      );
    const v = r[labelIndex].trim();
    if (MISSING.has(v.toLowerCase()))
      fail(
        `${file} row ${i + (mode === 'no' ? 1 : 2)} has no label in column "${columnNames[labelIndex]}"`,
      );
    return v;
  });
  let classNames: string[];
  let y: Int32Array;
  if (mode === 'sklearn') {
    classNames = rows[0].slice(2).map((s) => s.trim());
    y = Int32Array.from(rawLabels, (v, i) => {
      const c = Number(v);
      if (!Number.isInteger(c) || c < 0 || c >= classNames.length)
        fail(`${file} row ${i + 2} has label ${v}, expected 0…${classNames.length - 1}`);
      return c;
    });
  } else {
    const distinct = [...new Set(rawLabels)];
    const numeric = distinct.every(isNumber);
    classNames = distinct.sort(numeric ? (a, b) => Number(a) - Number(b) : undefined);
    const index = new Map(classNames.map((c, i) => [c, i]));
    y = Int32Array.from(rawLabels, (v) => index.get(v)!);
  }
  if (classNames.length < 2)
    fail(
      `${file} has a single label value in column "${columnNames[labelIndex]}": pick the label column with labelColumn`,
    );

  const F = featureIdx.length;
  const x = new Float32Array(data.length * F);
  let missing = 0;
  data.forEach((r, i) => {
    featureIdx.forEach((j, f) => {
      const s = r[j].trim();
      if (MISSING.has(s.toLowerCase())) {
        x[i * F + f] = NaN;
        missing++;
      } else if (isNumber(s)) x[i * F + f] = Number(s);
      else {
        fail(
          `${file} column "${columnNames[j]}" has the non-numeric value "${s}" (row ${i + (mode === 'no' ? 1 : 2)}): encode it as numbers or remove the column`,
        );
      }
    });
  });

  const inputShape = [F];
  // Files are often sorted by label; shuffle so every split is in mixed order.
  const all = shuffleRows({ x, y, count: data.length }, inputShape, o.seed);
  const { rest, held: test } = holdOut(all, inputShape, o.testFraction, `test:${o.seed}`);
  if (!test)
    fail(
      `${file}: no test split could be held out of ${data.length} rows: raise testFraction or add rows`,
    );
  const { train, validation } = carveValidation(rest, inputShape, o.validationFraction, o.seed);
  const { mean, std } = columnStats(train, F);
  for (const s of [train, validation, test]) if (s) standardise(s, mean, std);

  const ds: Dataset = {
    name: o.name ?? path.basename(file, path.extname(file)),
    kind: 'table',
    inputShape,
    classNames,
    featureNames,
    train,
    test,
    normalisation: { mean, std },
    provenance:
      `CSV ${file} (${data.length} rows, ${F} features, label column "${columnNames[labelIndex]}"); ` +
      `rows shuffled, standardised with training-row mean/std${missing ? `, ${missing} missing values set to the training mean` : ''}; ` +
      `test ${test.count} and validation ${validation?.count ?? 0} held out (stratified, seed ${o.seed})`,
  };
  if (validation) ds.validation = validation;
  return ds;
}

function resolveLabelColumn(
  spec: string | number | undefined,
  names: string[],
  file: string,
  sklearn: boolean,
): number {
  if (spec === undefined || sklearn) return names.length - 1;
  if (typeof spec === 'number') {
    const j = spec < 0 ? names.length + spec : spec;
    if (j < 0 || j >= names.length)
      fail(`labelColumn ${spec} is outside the ${names.length} columns of ${file}`);
    return j;
  }
  const j = names.indexOf(spec);
  if (j < 0)
    fail(
      `${file} has no column "${spec}" (columns: ${names.slice(0, 12).join(', ')}${names.length > 12 ? ', …' : ''}): set labelColumn to one of them`,
    );
  return j;
}

/** Per-feature mean and population std over finite values; a constant feature gets std 1. */
function columnStats(split: Split, F: number): { mean: number[]; std: number[] } {
  const mean: number[] = [];
  const std: number[] = [];
  for (let f = 0; f < F; f++) {
    let n = 0;
    let sum = 0;
    for (let i = 0; i < split.count; i++) {
      const v = split.x[i * F + f];
      if (!Number.isNaN(v)) {
        sum += v;
        n++;
      }
    }
    const m = n ? sum / n : 0;
    let ss = 0;
    for (let i = 0; i < split.count; i++) {
      const v = split.x[i * F + f];
      if (!Number.isNaN(v)) ss += (v - m) ** 2;
    }
    const s = n ? Math.sqrt(ss / n) : 0;
    mean.push(m);
    std.push(s > 0 ? s : 1);
  }
  return { mean, std };
}

function standardise(split: Split, mean: number[], std: number[]): void {
  const F = mean.length;
  for (let i = 0; i < split.x.length; i++) {
    const f = i % F;
    const v = split.x[i];
    split.x[i] = Number.isNaN(v) ? 0 : (v - mean[f]) / std[f];
  }
}

/** The 30 breast-cancer features: mean, standard error and worst value of ten measurements. */
const BREAST_CANCER_FEATURES = (() => {
  const base = [
    'radius',
    'texture',
    'perimeter',
    'area',
    'smoothness',
    'compactness',
    'concavity',
    'concave points',
    'symmetry',
    'fractal dimension',
  ];
  return [
    ...base.map((b) => `mean ${b}`),
    ...base.map((b) => `${b} error`),
    ...base.map((b) => `worst ${b}`),
  ];
})();

/** scikit-learn's bundled tables, shipped by the Debian package python3-sklearn. */
export const SKLEARN_TABLES = {
  'breast-cancer': {
    file: 'breast_cancer.csv',
    description:
      'Wisconsin diagnostic breast cancer: 569 tumours, 30 features, malignant/benign (scikit-learn data)',
    featureNames: BREAST_CANCER_FEATURES,
  },
  iris: {
    file: 'iris.csv',
    description: 'Fisher’s iris: 150 flowers, 4 features, 3 species (scikit-learn data)',
    featureNames: [
      'sepal length (cm)',
      'sepal width (cm)',
      'petal length (cm)',
      'petal width (cm)',
    ],
  },
  wine: {
    file: 'wine_data.csv',
    description:
      'Wine recognition: 178 wines, 13 chemical features, 3 cultivars (scikit-learn data)',
    featureNames: [
      'alcohol',
      'malic_acid',
      'ash',
      'alcalinity_of_ash',
      'magnesium',
      'total_phenols',
      'flavanoids',
      'nonflavanoid_phenols',
      'proanthocyanins',
      'color_intensity',
      'hue',
      'od280/od315_of_diluted_wines',
      'proline',
    ],
  },
} satisfies Record<string, { file: string; description: string; featureNames: string[] }>;
export type SklearnTable = keyof typeof SKLEARN_TABLES;

export const sklearnOptionsSchema = z
  .object({
    ...commonOptionsShape,
    testFraction: z
      .number()
      .min(0)
      .max(0.9)
      .default(0.2)
      .describe('fraction held out as test (stratified)'),
    dir: z
      .string()
      .optional()
      .describe(`folder holding the scikit-learn CSV files (default ${SKLEARN_DATA_DIR})`),
  })
  .strict();
export type SklearnOptions = z.input<typeof sklearnOptionsSchema>;

/** One of scikit-learn's bundled tables; a GlassboxError says how to install them when absent. */
export async function loadSklearnTable(
  name: SklearnTable,
  options: SklearnOptions = {},
): Promise<Dataset> {
  const o = parseOptions(sklearnOptionsSchema, options, name);
  const table = SKLEARN_TABLES[name];
  const file = path.join(o.dir ?? SKLEARN_DATA_DIR, table.file);
  if (!existsSync(file)) {
    fail(
      o.dir
        ? `${file} not found: point dir at scikit-learn's datasets/data folder`
        : `the ${name} table is not installed (${file} missing): run \`bash scripts/setup-data.sh\``,
    );
  }
  const ds = await loadCsv({
    path: file,
    header: 'sklearn',
    featureNames: table.featureNames,
    name,
    seed: o.seed,
    validationFraction: o.validationFraction,
    testFraction: o.testFraction,
  });
  ds.provenance = `scikit-learn ${table.file} from Debian package python3-sklearn; ${ds.provenance}`;
  return ds;
}

export function loadBreastCancer(options: SklearnOptions = {}): Promise<Dataset> {
  return loadSklearnTable('breast-cancer', options);
}
