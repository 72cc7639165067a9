/**
 * Preview of a data set split: images as tiles, signals as small line plots drawn into pixels,
 * each with its class name underneath, on one RGB grid; tables as a CSV text excerpt.
 */
import sharp from 'sharp';
import { fail } from '../../core/errors.js';
import { exampleSize, type Dataset, type Split } from './dataset.js';
import { drawText, GLYPH_ADVANCE, GLYPH_HEIGHT } from './font5x7.js';

export interface PreviewOptions {
  /** How many examples, from the start of the split. Default 32. */
  count?: number;
  /** Tiles per row; default about square. */
  columns?: number;
  /** Outline the `boxes` of the split when it has them. Default true. */
  boxes?: boolean;
}

export interface RgbImage {
  width: number;
  height: number;
  /** width × height × 3 bytes, row-major. */
  rgb: Uint8Array;
}

const BACKGROUND: [number, number, number] = [32, 32, 32];
const TEXT: [number, number, number] = [230, 230, 230];
const BOX: [number, number, number] = [255, 64, 64];
const LINE_COLOURS: Array<[number, number, number]> = [
  [80, 200, 255],
  [255, 170, 60],
  [120, 230, 120],
  [240, 100, 200],
];
const PAD = 4;
const LABEL_HEIGHT = GLYPH_HEIGHT + 4;

/** Lays out the first `count` examples of `split` as a grid of labelled tiles. */
export function renderPreview(ds: Dataset, split: Split, options: PreviewOptions = {}): RgbImage {
  if (ds.kind === 'table')
    fail(`"${ds.name}" is a table: preview it as text (tablePreview) rather than as an image`);
  const count = Math.min(options.count ?? 32, split.count);
  if (count <= 0) fail(`the split has no examples to preview`);
  const columns = Math.max(1, Math.min(count, options.columns ?? Math.ceil(Math.sqrt(count))));
  const rows = Math.ceil(count / columns);
  const tile =
    ds.kind === 'image'
      ? imageTileSize(ds.inputShape)
      : { width: 96, height: 48, zoom: 1, step: 1 };
  const cellW = tile.width + PAD;
  const cellH = tile.height + LABEL_HEIGHT + PAD;
  const width = columns * cellW + PAD;
  const height = rows * cellH + PAD;
  const rgb = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) rgb.set(BACKGROUND, i * 3);

  const size = exampleSize(ds.inputShape);
  const [lo, hi] = valueRange(split.x.subarray(0, count * size));
  const maxChars = Math.max(1, Math.floor((tile.width + 1) / GLYPH_ADVANCE));
  for (let i = 0; i < count; i++) {
    const x0 = PAD + (i % columns) * cellW;
    const y0 = PAD + Math.floor(i / columns) * cellH;
    const example = split.x.subarray(i * size, (i + 1) * size);
    const img: RgbImage = { width, height, rgb };
    if (ds.kind === 'image') {
      drawImageTile(img, x0, y0, example, ds.inputShape, tile, lo, hi);
      if (split.boxes && options.boxes !== false)
        drawBox(img, x0, y0, split.boxes.subarray(i * 4, i * 4 + 4), tile);
    } else {
      drawSignalTile(img, x0, y0, example, ds.inputShape, tile, lo, hi);
    }
    const name = ds.classNames[split.y[i]] ?? String(split.y[i]);
    drawText(rgb, width, height, x0, y0 + tile.height + 2, name.slice(0, maxChars), TEXT);
  }
  return { width, height, rgb };
}

/** Writes `image` as a PNG file. */
export async function writePng(image: RgbImage, file: string): Promise<void> {
  try {
    await sharp(image.rgb, { raw: { width: image.width, height: image.height, channels: 3 } })
      .png()
      .toFile(file);
  } catch (e) {
    fail(
      `cannot write ${file} (${(e as Error).message.split('\n')[0]}): check the folder exists and is writable`,
    );
  }
}

/** The first `count` rows of a table split as CSV text: feature columns, then the class name. */
export function tablePreview(ds: Dataset, split: Split, count = 10, digits = 3): string {
  const F = ds.inputShape[0];
  const names = ds.featureNames ?? Array.from({ length: F }, (_, j) => `f${j}`);
  const quote = (s: string) => (/[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);
  const lines = [[...names, 'label'].map(quote).join(',')];
  for (let i = 0; i < Math.min(count, split.count); i++) {
    const row = Array.from(split.x.subarray(i * F, (i + 1) * F), (v) => v.toFixed(digits));
    lines.push([...row, quote(ds.classNames[split.y[i]] ?? String(split.y[i]))].join(','));
  }
  return lines.join('\n');
}

interface Tile {
  width: number;
  height: number;
  /** Each source pixel drawn as zoom × zoom screen pixels … */
  zoom: number;
  /** … after keeping every step-th source pixel (for large images). */
  step: number;
}

function imageTileSize([h, w]: number[]): Tile {
  const big = Math.max(h, w);
  const zoom = big < 64 ? Math.max(1, Math.floor(64 / big)) : 1;
  const step = big > 128 ? Math.ceil(big / 128) : 1;
  return { width: Math.ceil(w / step) * zoom, height: Math.ceil(h / step) * zoom, zoom, step };
}

/** Range for mapping values to 0…255: [0, 1] when everything lies in it, else the min/max. */
function valueRange(x: Float32Array): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of x) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo >= 0 && hi <= 1) return [0, 1];
  return hi > lo ? [lo, hi] : [lo - 1, lo + 1];
}

function toByte(v: number, lo: number, hi: number): number {
  return Math.max(0, Math.min(255, Math.round(((v - lo) / (hi - lo)) * 255)));
}

function drawImageTile(
  img: RgbImage,
  x0: number,
  y0: number,
  x: Float32Array,
  [h, w, c]: number[],
  tile: Tile,
  lo: number,
  hi: number,
): void {
  for (let ty = 0; ty < tile.height; ty++) {
    const r = Math.min(h - 1, Math.floor(ty / tile.zoom) * tile.step);
    for (let tx = 0; tx < tile.width; tx++) {
      const col = Math.min(w - 1, Math.floor(tx / tile.zoom) * tile.step);
      const at = (r * w + col) * c;
      const o = ((y0 + ty) * img.width + x0 + tx) * 3;
      if (c >= 3) {
        img.rgb[o] = toByte(x[at], lo, hi);
        img.rgb[o + 1] = toByte(x[at + 1], lo, hi);
        img.rgb[o + 2] = toByte(x[at + 2], lo, hi);
      } else {
        img.rgb.fill(toByte(x[at], lo, hi), o, o + 3);
      }
    }
  }
}

function drawBox(img: RgbImage, x0: number, y0: number, box: Float32Array, tile: Tile): void {
  const s = tile.zoom / tile.step;
  const left = x0 + Math.floor(box[0] * s);
  const top = y0 + Math.floor(box[1] * s);
  const right = x0 + Math.min(tile.width, Math.ceil(box[2] * s)) - 1;
  const bottom = y0 + Math.min(tile.height, Math.ceil(box[3] * s)) - 1;
  if (right < left || bottom < top) return;
  for (let px = left; px <= right; px++) {
    img.rgb.set(BOX, (top * img.width + px) * 3);
    img.rgb.set(BOX, (bottom * img.width + px) * 3);
  }
  for (let py = top; py <= bottom; py++) {
    img.rgb.set(BOX, (py * img.width + left) * 3);
    img.rgb.set(BOX, (py * img.width + right) * 3);
  }
}

function drawSignalTile(
  img: RgbImage,
  x0: number,
  y0: number,
  x: Float32Array,
  [len, c]: number[],
  tile: Tile,
  lo: number,
  hi: number,
): void {
  // Plot area: a slightly lighter panel with a faint zero line when zero is in range.
  for (let ty = 0; ty < tile.height; ty++) {
    for (let tx = 0; tx < tile.width; tx++)
      img.rgb.fill(
        48,
        ((y0 + ty) * img.width + x0 + tx) * 3,
        ((y0 + ty) * img.width + x0 + tx) * 3 + 3,
      );
  }
  const yOf = (v: number) => y0 + Math.round((1 - (v - lo) / (hi - lo)) * (tile.height - 1));
  const xOf = (t: number) => x0 + Math.round((len === 1 ? 0.5 : t / (len - 1)) * (tile.width - 1));
  if (lo < 0 && hi > 0) {
    const zy = yOf(0);
    for (let tx = 0; tx < tile.width; tx++)
      img.rgb.fill(80, (zy * img.width + x0 + tx) * 3, (zy * img.width + x0 + tx) * 3 + 3);
  }
  for (let k = 0; k < c; k++) {
    const colour = LINE_COLOURS[k % LINE_COLOURS.length];
    for (let t = 0; t + 1 < Math.max(len, 2); t++) {
      const a = Math.min(t, len - 1);
      const b = Math.min(t + 1, len - 1);
      drawLine(img, xOf(a), yOf(x[a * c + k]), xOf(b), yOf(x[b * c + k]), colour);
    }
  }
}

/** Bresenham line. */
function drawLine(
  img: RgbImage,
  xa: number,
  ya: number,
  xb: number,
  yb: number,
  colour: [number, number, number],
): void {
  const dx = Math.abs(xb - xa);
  const dy = -Math.abs(yb - ya);
  const sx = xa < xb ? 1 : -1;
  const sy = ya < yb ? 1 : -1;
  let err = dx + dy;
  for (;;) {
    if (xa >= 0 && ya >= 0 && xa < img.width && ya < img.height)
      img.rgb.set(colour, (ya * img.width + xa) * 3);
    if (xa === xb && ya === yb) break;
    const e2 = 2 * err;
    if (e2 >= dy) {
      err += dy;
      xa += sx;
    }
    if (e2 <= dx) {
      err += dx;
      ya += sy;
    }
  }
}
