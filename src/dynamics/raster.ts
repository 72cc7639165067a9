/**
 * A tiny RGB canvas for the animation frames: rectangles, 5×7 bitmap text (any integer scale),
 * heatmap blocks in a colour map quantised to a fixed number of steps (so GIFs keep exact
 * colours), and a polyline. PNG output goes through src/viz/png.ts.
 */
import fs from 'node:fs';
import { colour, type ColormapName } from '../viz/colormap.js';
import { encodePng } from '../viz/png.js';
import { GLYPH_ADVANCE, GLYPH_HEIGHT, GLYPH_WIDTH, glyph } from '../train/data/font5x7.js';

export interface RgbImage {
  width: number;
  height: number;
  /** width × height × 3 bytes, row-major. */
  rgb: Uint8Array;
}

export type Rgb = readonly [number, number, number];

export const WHITE: Rgb = [255, 255, 255];
export const BLACK: Rgb = [0, 0, 0];
export const GREY: Rgb = [150, 150, 150];
export const LIGHT_GREY: Rgb = [225, 225, 225];
export const RED: Rgb = [220, 30, 30];

/** Colour-map steps used for heatmaps: leaves room in a 256-colour GIF palette for annotations. */
export const COLOUR_STEPS = 200;

export function createImage(width: number, height: number, background: Rgb = WHITE): RgbImage {
  const rgb = new Uint8Array(width * height * 3);
  for (let i = 0; i < rgb.length; i += 3) rgb.set(background, i);
  return { width, height, rgb };
}

export function fillRect(img: RgbImage, x: number, y: number, w: number, h: number, c: Rgb): void {
  const x0 = Math.max(0, Math.floor(x));
  const y0 = Math.max(0, Math.floor(y));
  const x1 = Math.min(img.width, Math.floor(x + w));
  const y1 = Math.min(img.height, Math.floor(y + h));
  for (let r = y0; r < y1; r++) for (let q = x0; q < x1; q++) img.rgb.set(c, (r * img.width + q) * 3);
}

export function setPixel(img: RgbImage, x: number, y: number, c: Rgb): void {
  if (x < 0 || y < 0 || x >= img.width || y >= img.height) return;
  img.rgb.set(c, (y * img.width + x) * 3);
}

/** Width in pixels of `text` at `scale`. */
export function textWidth(text: string, scale = 1): number {
  return text.length === 0 ? 0 : (text.length * GLYPH_ADVANCE - (GLYPH_ADVANCE - GLYPH_WIDTH)) * scale;
}

export const textHeight = (scale = 1) => GLYPH_HEIGHT * scale;

export function drawText(img: RgbImage, x: number, y: number, text: string, c: Rgb = BLACK, scale = 1): void {
  [...text].forEach((ch, i) => {
    const bits = glyph(ch);
    const gx = x + i * GLYPH_ADVANCE * scale;
    for (let r = 0; r < GLYPH_HEIGHT; r++) {
      for (let q = 0; q < GLYPH_WIDTH; q++) {
        if (bits[r * GLYPH_WIDTH + q]) fillRect(img, gx + q * scale, y + r * scale, scale, scale, c);
      }
    }
  });
}

/** The colour of t ∈ [0, 1] in `map`, snapped to one of COLOUR_STEPS steps. */
export function stepColour(map: ColormapName, t: number): Rgb {
  const x = Number.isFinite(t) ? Math.min(1, Math.max(0, t)) : 0;
  const q = Math.round(x * (COLOUR_STEPS - 1)) / (COLOUR_STEPS - 1);
  const [r, g, b] = colour(map, q);
  return [Math.round(r * 255), Math.round(g * 255), Math.round(b * 255)];
}

/**
 * Draws rows × cols cells of `t` (values already scaled to [0, 1]; NaN is drawn grey) with its
 * top-left corner at (x, y).
 */
export function drawHeatmap(
  img: RgbImage,
  x: number,
  y: number,
  t: ArrayLike<number>,
  rows: number,
  cols: number,
  cellW: number,
  cellH: number,
  map: ColormapName,
): void {
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const v = t[r * cols + c];
      fillRect(img, x + c * cellW, y + r * cellH, cellW, cellH, Number.isNaN(v) ? GREY : stepColour(map, v));
    }
  }
}

/** A horizontal colour bar from 0 to 1 with its two end labels underneath. */
export function drawColourBar(img: RgbImage, x: number, y: number, w: number, h: number, map: ColormapName, lo: string, hi: string): void {
  for (let q = 0; q < w; q++) fillRect(img, x + q, y, 1, h, stepColour(map, w > 1 ? q / (w - 1) : 0));
  drawText(img, x, y + h + 3, lo, BLACK);
  drawText(img, x + w - textWidth(hi), y + h + 3, hi, BLACK);
}

/** Line through points (px coordinates), Bresenham. */
export function drawPolyline(img: RgbImage, points: Array<[number, number]>, c: Rgb): void {
  for (let i = 1; i < points.length; i++) {
    let [x0, y0] = points[i - 1].map(Math.round) as [number, number];
    const [x1, y1] = points[i].map(Math.round) as [number, number];
    const dx = Math.abs(x1 - x0);
    const dy = -Math.abs(y1 - y0);
    const sx = x0 < x1 ? 1 : -1;
    const sy = y0 < y1 ? 1 : -1;
    let err = dx + dy;
    for (;;) {
      setPixel(img, x0, y0, c);
      if (x0 === x1 && y0 === y1) break;
      const e2 = 2 * err;
      if (e2 >= dy) {
        err += dy;
        x0 += sx;
      }
      if (e2 <= dx) {
        err += dx;
        y0 += sy;
      }
    }
  }
}

export async function writePng(img: RgbImage, file: string): Promise<void> {
  fs.writeFileSync(file, await encodePng(img.rgb, img.width, img.height, 3));
}
