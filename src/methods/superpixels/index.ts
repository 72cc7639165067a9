/**
 * Feature groups for the methods that switch parts of an input on and off (LIME, KernelSHAP):
 * superpixels (SLIC, quickshift) or a regular grid for images, contiguous windows for signals,
 * columns (optionally grouped) for tables.
 */
import { z } from 'zod';
import { fail } from '../../core/errors.js';
import { createRng } from '../../core/random.js';
import type { InputKind } from '../../models/model.js';
import { segmentationFeatures } from './color.js';
import { quickshift } from './quickshift.js';
import { slic } from './slic.js';

export { slic } from './slic.js';
export { quickshift } from './quickshift.js';

export type Segmentation = 'quickshift' | 'slic' | 'grid';

export interface FeatureGroups {
  /** Group of every grid position (pixel, time step or column), 0…count-1. */
  labels: Int32Array;
  count: number;
}

/** Options shared by LIME and KernelSHAP (which pick their own default `segmentation`). */
export const segmentationOptions = {
  segmentation: z.enum(['quickshift', 'slic', 'grid']).optional().describe('how images are split into features; signals always use contiguous windows'),
  segments: z.number().int().positive().optional().describe('SLIC: about this many superpixels (default 50); grid: about this many cells (default 16 for images, 10 windows for signals)'),
  compactness: z.number().positive().default(10).describe('SLIC: colour vs. space trade-off (higher: squarer superpixels)'),
  kernelSize: z.number().min(1).default(4).describe('quickshift: σ of the density kernel, in pixels'),
  maxDist: z.number().positive().default(200).describe('quickshift: longest link in the mode-seeking tree'),
  ratio: z.number().min(0).max(1).default(0.2).describe('quickshift: weight of colour against position'),
  featureGroups: z.array(z.number().int().min(0)).optional().describe('tables: a group id per column, to switch columns on and off together'),
};

export interface SegmentationSettings {
  segmentation?: Segmentation;
  segments?: number;
  compactness: number;
  kernelSize: number;
  maxDist: number;
  ratio: number;
  featureGroups?: number[];
}

/** Splits one example (positions × channels) into feature groups. */
export function segmentInput(
  x: Float32Array,
  inputShape: number[],
  kind: InputKind,
  settings: SegmentationSettings,
  defaultSegmentation: Segmentation,
  seed: number,
): FeatureGroups {
  if (kind === 'table') return columnGroups(inputShape[0], settings.featureGroups);
  if (kind === 'signal') {
    if (settings.segmentation && settings.segmentation !== 'grid') {
      fail(`segmentation "${settings.segmentation}" is for images; signals are split into contiguous windows (use segmentation "grid" and set segments)`);
    }
    return windowGroups(inputShape[0], settings.segments ?? 10);
  }
  const [h, w, c] = inputShape;
  const method = settings.segmentation ?? defaultSegmentation;
  if (method === 'grid') return gridGroups(h, w, settings.segments ?? 16);
  if (method === 'slic') {
    const { features, channels } = segmentationFeatures(x, c, true);
    return slic(features, h, w, channels, { segments: settings.segments ?? 50, compactness: settings.compactness });
  }
  const { features, channels } = segmentationFeatures(x, c);
  return quickshift(features, h, w, channels, settings, createRng(`quickshift:${seed}`));
}

/** About `cells` rectangular cells (rows × cols with rows·cols ≈ cells, cells close to square). */
export function gridGroups(h: number, w: number, cells: number): FeatureGroups {
  const rows = Math.min(h, Math.max(1, Math.round(Math.sqrt((cells * h) / w))));
  const cols = Math.min(w, Math.max(1, Math.round(cells / rows)));
  const labels = new Int32Array(h * w);
  for (let y = 0; y < h; y++) {
    const gy = Math.floor((y * rows) / h);
    for (let x = 0; x < w; x++) labels[y * w + x] = gy * cols + Math.floor((x * cols) / w);
  }
  return { labels, count: rows * cols };
}

/** `windows` contiguous windows of (nearly) equal length over a signal of length `length`. */
export function windowGroups(length: number, windows: number): FeatureGroups {
  const k = Math.min(length, windows);
  const labels = new Int32Array(length);
  for (let i = 0; i < length; i++) labels[i] = Math.floor((i * k) / length);
  return { labels, count: k };
}

/** One group per column, or the user's grouping relabelled to 0…count-1 in first-seen order. */
export function columnGroups(features: number, groups?: number[]): FeatureGroups {
  const labels = new Int32Array(features);
  if (!groups) {
    for (let i = 0; i < features; i++) labels[i] = i;
    return { labels, count: features };
  }
  if (groups.length !== features) fail(`featureGroups has ${groups.length} entries but the table has ${features} columns: give one group id per column`);
  const ids = new Map<number, number>();
  groups.forEach((g, i) => {
    if (!ids.has(g)) ids.set(g, ids.size);
    labels[i] = ids.get(g)!;
  });
  return { labels, count: ids.size };
}

/** Member positions of every group. */
export function groupMembers(groups: FeatureGroups): Int32Array[] {
  const sizes = new Int32Array(groups.count);
  for (const g of groups.labels) sizes[g]++;
  const members = Array.from(sizes, (s) => new Int32Array(s));
  const fill = new Int32Array(groups.count);
  groups.labels.forEach((g, p) => (members[g][fill[g]++] = p));
  return members;
}
