/**
 * Images from a folder with one sub-folder per class (PNG, JPEG or WebP), resized with sharp.
 * Either `root/<class>/*` (the test split is then held out, stratified) or
 * `root/train/<class>/*` and `root/test/<class>/*` when the user has split already.
 */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
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

const IMAGE_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg', '.webp']);

export const imageFolderOptionsSchema = z
  .object({
    ...commonOptionsShape,
    path: z
      .string()
      .min(1)
      .describe('folder with one sub-folder per class (or train/ and test/ folders of those)'),
    height: z
      .number()
      .int()
      .positive()
      .max(4096)
      .default(64)
      .describe('height images are resized to'),
    width: z
      .number()
      .int()
      .positive()
      .max(4096)
      .default(64)
      .describe('width images are resized to'),
    channels: z
      .union([z.literal(1), z.literal(3)])
      .default(3)
      .describe('1 (grey) or 3 (RGB)'),
    fit: z
      .enum(['fill', 'cover', 'contain'])
      .default('fill')
      .describe('fill stretches, cover crops, contain pads with black'),
    testFraction: z
      .number()
      .min(0)
      .max(0.9)
      .default(0.2)
      .describe('fraction held out as test when there is no test/ folder'),
  })
  .strict();
export type ImageFolderOptions = z.input<typeof imageFolderOptionsSchema>;
type Args = z.output<typeof imageFolderOptionsSchema>;

interface Listing {
  files: string[];
  labels: number[];
}

export async function loadImageFolder(options: ImageFolderOptions): Promise<Dataset> {
  const args = parseOptions(imageFolderOptionsSchema, options, 'image-folder');
  const root = path.resolve(args.path);
  if (!isDir(root))
    fail(
      `image folder ${root} does not exist or is not a folder: pass --set path=<folder with one sub-folder per class>`,
    );
  const inputShape = [args.height, args.width, args.channels];
  const presplit = isDir(path.join(root, 'train')) && isDir(path.join(root, 'test'));

  let classNames: string[];
  let fullTrain: Split;
  let test: Split;
  if (presplit) {
    classNames = classFolders(path.join(root, 'train'));
    fullTrain = shuffleRows(
      await readImages(listImages(path.join(root, 'train'), classNames), args),
      inputShape,
      args.seed,
    );
    const testClasses = classFolders(path.join(root, 'test'));
    const unknown = testClasses.find((c) => !classNames.includes(c));
    if (unknown)
      fail(
        `test/${unknown} has no matching train/${unknown} folder: every test class must also be a training class`,
      );
    test = shuffleRows(
      await readImages(listImages(path.join(root, 'test'), classNames, testClasses), args),
      inputShape,
      args.seed,
    );
  } else {
    classNames = classFolders(root);
    const all = shuffleRows(
      await readImages(listImages(root, classNames), args),
      inputShape,
      args.seed,
    );
    const { rest, held } = holdOut(all, inputShape, args.testFraction, `test:${args.seed}`);
    if (!held)
      fail(
        `image folder ${root}: no test split could be held out of ${all.count} images: raise testFraction, add images or create train/ and test/ folders`,
      );
    fullTrain = rest;
    test = held;
  }
  const { train, validation } = carveValidation(
    fullTrain,
    inputShape,
    args.validationFraction,
    args.seed,
  );
  const ds: Dataset = {
    name: `image-folder:${path.basename(root)}`,
    kind: 'image',
    inputShape,
    classNames,
    train,
    test,
    normalisation: { scale: 1 / 255 },
    provenance:
      `image folder ${root} (${classNames.length} classes, ${fullTrain.count + test.count} images), ` +
      `resized to ${args.height}×${args.width} (${args.fit}), ${args.channels} channel(s), pixels/255, order shuffled (seed ${args.seed}); ` +
      (presplit
        ? 'train/ and test/ folders as given; '
        : `test ${test.count} held out (stratified, seed ${args.seed}); `) +
      `validation ${validation?.count ?? 0} held out of train (stratified)`,
  };
  if (validation) ds.validation = validation;
  return ds;
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** Sorted names of the class sub-folders (hidden folders ignored). */
function classFolders(dir: string): string[] {
  const names = readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
    .map((e) => e.name)
    .sort();
  if (names.length === 0)
    fail(
      `image folder ${dir} has no class sub-folders: put each class's images in a folder named after it`,
    );
  if (names.length < 2)
    fail(
      `image folder ${dir} has only one class folder (${names[0]}): a classifier needs at least two`,
    );
  return names;
}

function listImages(dir: string, classNames: string[], only: string[] = classNames): Listing {
  const files: string[] = [];
  const labels: number[] = [];
  for (const name of only) {
    const classDir = path.join(dir, name);
    const images = readdirSync(classDir)
      .filter((f) => !f.startsWith('.') && IMAGE_EXTENSIONS.has(path.extname(f).toLowerCase()))
      .sort();
    if (images.length === 0)
      fail(`class folder ${classDir} has no PNG/JPEG/WebP images: add images or remove the folder`);
    for (const f of images) {
      files.push(path.join(classDir, f));
      labels.push(classNames.indexOf(name));
    }
  }
  return { files, labels };
}

async function readImages({ files, labels }: Listing, args: Args): Promise<Split> {
  const size = args.height * args.width * args.channels;
  const x = new Float32Array(files.length * size);
  const batch = 8; // sharp works on its own thread pool; a few at a time keeps memory flat
  for (let start = 0; start < files.length; start += batch) {
    const chunk = files.slice(start, start + batch);
    const pixels = await Promise.all(chunk.map((f) => readImage(f, args)));
    pixels.forEach((p, j) => {
      const off = (start + j) * size;
      for (let i = 0; i < size; i++) x[off + i] = p[i] / 255;
    });
  }
  return { x, y: Int32Array.from(labels), count: files.length };
}

async function readImage(file: string, args: Args): Promise<Uint8Array> {
  try {
    let img = sharp(file, { failOn: 'error' })
      .rotate() // honour EXIF orientation
      .resize(args.width, args.height, { fit: args.fit, background: { r: 0, g: 0, b: 0 } })
      .removeAlpha();
    img = args.channels === 1 ? img.grayscale() : img.toColourspace('srgb');
    const { data, info } = await img.raw().toBuffer({ resolveWithObject: true });
    if (
      info.channels !== args.channels ||
      info.width !== args.width ||
      info.height !== args.height
    ) {
      throw new Error(`decoded as ${info.width}×${info.height}×${info.channels}`);
    }
    return data;
  } catch (e) {
    fail(
      `cannot read image ${file} (${(e as Error).message.split('\n')[0]}): fix or remove the file`,
    );
  }
}
