/**
 * Inputs the web app explains: uploaded images and .npy arrays (checked by content), and built-in
 * samples (MNIST test digits, one per class, plus the scikit-image photos when Debian's
 * python3-skimage is installed). Referenced as upload:<file> or sample:<file>.
 */
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { fail } from '../core/errors.js';
import { decodeNpy } from '../io/npy.js';
import { encodePngFromUnit } from '../io/image.js';
import { sniffInput, type InputFileType } from './sniff.js';
import type { Storage } from './storage.js';

export interface InputEntry {
  ref: string;
  name: string;
  type: InputFileType;
  /** Image size, or the array's shape for .npy. */
  width?: number;
  height?: number;
  shape?: number[];
}

/** Decompression bombs: images with more pixels than this are refused. */
export const MAX_INPUT_PIXELS = 40_000_000;
const FILE = /^[a-z0-9][a-z0-9-]*\.(png|jpeg|webp|gif|npy)$/;
const SKIMAGE_DIRS = ['/usr/lib/python3/dist-packages/skimage/data'];
const SKIMAGE_PHOTOS = ['chelsea.png', 'astronaut.png', 'coffee.png'];

/** Checks an upload by its bytes and stores it; fails with a message the page shows. */
export async function saveInputUpload(storage: Storage, bytes: Buffer, originalName: string): Promise<InputEntry> {
  const name = displayName(originalName);
  if (bytes.length === 0) fail(`${name} is empty`);
  const type = sniffInput(bytes);
  if (!type) fail(`${name} is not an image or a NumPy array: upload a PNG, JPEG, WebP or GIF image, or a .npy file (the file's content decides, not its name)`);
  const entry = await describe(bytes, type, name);
  const file = `${storage.newId()}.${type}`;
  fs.writeFileSync(path.join(storage.dir('uploads', 'inputs'), file), bytes);
  return { ...entry, ref: `upload:${file}` };
}

async function describe(bytes: Buffer, type: InputFileType, name: string): Promise<Omit<InputEntry, 'ref'>> {
  if (type === 'npy') {
    const a = decodeNpy(bytes, name);
    if (a.data.some((v) => !Number.isFinite(v))) fail(`${name} holds NaN or infinite values`);
    return { name, type, shape: a.shape };
  }
  try {
    const meta = await sharp(bytes, { failOn: 'error', limitInputPixels: MAX_INPUT_PIXELS }).metadata();
    if (!meta.width || !meta.height) throw new Error('no size');
    if (meta.width * meta.height > MAX_INPUT_PIXELS) throw new Error('too many pixels');
    // Decode for real: a valid header over a broken body is caught here, not in a job.
    await sharp(bytes, { failOn: 'error', limitInputPixels: MAX_INPUT_PIXELS }).resize(8, 8).raw().toBuffer();
    return { name, type, width: meta.width, height: meta.height };
  } catch (e) {
    const why = (e as Error).message ?? '';
    if (/pixel/i.test(why)) fail(`${name} is too large: at most ${MAX_INPUT_PIXELS / 1e6} megapixels`);
    fail(`${name} starts like a ${type.toUpperCase()} image but cannot be decoded; is the file damaged?`);
  }
}

function displayName(original: string): string {
  const base = path.basename(String(original || 'upload')).replace(/[^\w.\- ]+/g, '_');
  return base.slice(0, 80) || 'upload';
}

/** Absolute path of an input reference, inside the data folder. */
export function resolveInput(storage: Storage, ref: string): string {
  const m = /^(upload|sample):(.+)$/.exec(typeof ref === 'string' ? ref : '');
  if (!m) fail(`input ${JSON.stringify(ref)}: expected upload:<file> or sample:<file>`);
  const [, kind, file] = m;
  if (!FILE.test(file)) fail(`input ${JSON.stringify(ref)} is not a valid ${kind} name`);
  const rel = kind === 'upload' ? `.glassbox-web/uploads/inputs/${file}` : `.glassbox-web/samples/${file}`;
  return storage.resolveInside(rel);
}

export function inputType(file: string): InputFileType {
  return path.extname(file).slice(1) as InputFileType;
}

let samplesReady: Promise<void> | undefined;

/** The sample inputs, made on first use. */
export async function listSamples(storage: Storage): Promise<InputEntry[]> {
  samplesReady ??= makeSamples(storage).catch((e) => {
    samplesReady = undefined;
    throw e;
  });
  await samplesReady;
  return fs
    .readdirSync(storage.dir('samples'))
    .filter((f) => FILE.test(f))
    .sort()
    .map((f) => ({ ref: `sample:${f}`, name: f.replace(/\.\w+$/, ''), type: inputType(f) }));
}

async function makeSamples(storage: Storage): Promise<void> {
  const dir = storage.dir('samples');
  if (fs.readdirSync(dir).some((f) => f.startsWith('mnist-'))) return;
  for (const d of SKIMAGE_DIRS) {
    for (const photo of SKIMAGE_PHOTOS) {
      const src = path.join(d, photo);
      if (fs.existsSync(src)) fs.copyFileSync(src, path.join(dir, `photo-${photo}`));
    }
  }
  try {
    const { loadDataset } = await import('../train/data/datasets.js');
    const ds = await loadDataset('mnist', { trainLimit: 1, testLimit: 200, validationFraction: 0 });
    const size = ds.inputShape.reduce((a, b) => a * b, 1);
    const seen = new Set<number>();
    for (let i = 0; i < ds.test.count && seen.size < ds.classNames.length; i++) {
      const label = ds.test.y[i];
      if (seen.has(label)) continue;
      seen.add(label);
      const png = await encodePngFromUnit({ data: ds.test.x.subarray(i * size, (i + 1) * size), shape: ds.inputShape });
      fs.writeFileSync(path.join(dir, `mnist-digit-${label}.png`), png);
    }
  } catch (e) {
    process.stderr.write(`glassbox serve: no MNIST samples (${(e as Error).message})\n`);
  }
}

/** A PNG to show for an input: the image itself, or a .npy drawn as an image when it is one. */
export async function previewPng(file: string): Promise<Buffer | undefined> {
  const type = inputType(file);
  if (type !== 'npy') return sharp(file, { limitInputPixels: MAX_INPUT_PIXELS }).png().toBuffer();
  const a = decodeNpy(fs.readFileSync(file), path.basename(file));
  let shape = a.shape;
  if (shape.length === 4 && shape[0] === 1) shape = shape.slice(1);
  if (shape.length === 2) shape = [...shape, 1];
  if (shape.length !== 3 || (shape[2] !== 1 && shape[2] !== 3)) return undefined;
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of a.data) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  const span = hi - lo || 1;
  return encodePngFromUnit({ data: a.data.map((v) => (v - lo) / span), shape });
}
