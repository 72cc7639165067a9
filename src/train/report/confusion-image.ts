/** confusion.png: the confusion matrix as a picture, one flat cell per class pair. */
import { heatRgb } from '../../viz/svg-chart.js';
import { encodePng } from '../../viz/png.js';
import { rowFractions } from './format.js';

const GRID = 208; // grey lines between cells

/** Cell edge in px for k classes: about 512 px overall, 8 to 64 px per cell. */
export function confusionCellSize(k: number): number {
  return Math.max(8, Math.min(64, Math.floor(512 / k)));
}

/**
 * RGB pixels: cell (t, p) spans rows 1 + t·(s+1) … and columns 1 + p·(s+1) …, s pixels each,
 * coloured by its share of row t with the same ramp as the HTML heatmap; 1-px grey lines
 * between cells. No text: counts are in report.md and report.html.
 */
export function renderConfusionPixels(confusion: number[][]): { pixels: Uint8Array; size: number } {
  const k = confusion.length;
  const s = confusionCellSize(k);
  const size = k * (s + 1) + 1;
  const pixels = new Uint8Array(size * size * 3).fill(GRID);
  const frac = rowFractions(confusion);
  for (let t = 0; t < k; t++) {
    for (let p = 0; p < k; p++) {
      const rgb = heatRgb(frac[t][p]);
      for (let y = 1 + t * (s + 1); y < (t + 1) * (s + 1); y++) {
        for (let x = 1 + p * (s + 1); x < (p + 1) * (s + 1); x++)
          pixels.set(rgb, (y * size + x) * 3);
      }
    }
  }
  return { pixels, size };
}

export async function renderConfusionPng(confusion: number[][]): Promise<Buffer> {
  const { pixels, size } = renderConfusionPixels(confusion);
  return encodePng(pixels, size, size, 3);
}
