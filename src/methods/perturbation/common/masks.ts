/**
 * RISE's random masks (Petsiuk et al. 2018, eclique/RISE): an s×s (or length-s) binary grid with
 * cells kept with probability p, bilinearly upsampled to (s+1)·⌈H/s⌉ with half-pixel centres and
 * mirrored borders (skimage `resize(order=1, mode='reflect')`), then cropped at a random shift in
 * [0, ⌈H/s⌉) per axis. A set depends only on (seed, count, s, p, size), so it is generated once and
 * cached: as dense float32 masks while they fit the cache budget, otherwise as the tiny grids and
 * shifts from which each mask is rebuilt on demand (bit-identical either way).
 */
import { createRng } from '../../../core/random.js';

export interface RiseMaskSpec {
  seed: number;
  count: number;
  gridSize: number;
  keepProbability: number;
  /** Grid of the input without channels: [H, W] for images, [L] for signals. */
  size: number[];
}

interface AxisWeights {
  i0: Int32Array;
  i1: Int32Array;
  f: Float64Array;
}

export class RiseMasks {
  readonly positions: number;
  readonly count: number;
  readonly keepProbability: number;
  private readonly cells: number;
  private readonly grids: Uint8Array;
  private readonly shifts: Int32Array;
  private readonly axes: AxisWeights[][];
  private dense?: Float32Array;

  constructor(readonly spec: RiseMaskSpec) {
    const { count, gridSize: s, keepProbability: p, size } = spec;
    this.count = count;
    this.keepProbability = p;
    this.positions = size.reduce((a, b) => a * b, 1);
    this.cells = s ** size.length;
    const rng = createRng(`rise:${spec.seed}`);
    this.grids = new Uint8Array(count * this.cells);
    for (let i = 0; i < this.grids.length; i++) this.grids[i] = rng.next() < p ? 1 : 0;
    const cell = size.map((d) => Math.ceil(d / s));
    this.shifts = new Int32Array(count * size.length);
    for (let i = 0; i < count; i++) for (let a = 0; a < size.length; a++) this.shifts[i * size.length + a] = rng.int(cell[a]);
    // Interpolation weights for every possible shift of every axis.
    this.axes = size.map((d, a) => Array.from({ length: cell[a] }, (_, shift) => axisWeights(d, s, cell[a], shift)));
  }

  /** True when every mask is held in memory (else `mask` rebuilds into the scratch buffer). */
  get stored(): boolean {
    return this.dense !== undefined;
  }

  get bytes(): number {
    return this.dense ? this.dense.byteLength : 0;
  }

  /** Materialises every mask (called by the cache when the budget allows). */
  densify(): void {
    if (this.dense) return;
    const dense = new Float32Array(this.count * this.positions);
    for (let i = 0; i < this.count; i++) this.build(i, dense.subarray(i * this.positions, (i + 1) * this.positions));
    this.dense = dense;
  }

  /** Mask i (positions values in [0, 1]); `scratch` is used when masks are not kept in memory. */
  mask(i: number, scratch: Float32Array): Float32Array {
    if (this.dense) return this.dense.subarray(i * this.positions, (i + 1) * this.positions);
    this.build(i, scratch);
    return scratch;
  }

  private build(i: number, out: Float32Array): void {
    const s = this.spec.gridSize;
    const grid = this.grids.subarray(i * this.cells, (i + 1) * this.cells);
    const dims = this.spec.size.length;
    if (dims === 1) {
      const ax = this.axes[0][this.shifts[i]];
      for (let x = 0; x < out.length; x++) out[x] = grid[ax.i0[x]] * (1 - ax.f[x]) + grid[ax.i1[x]] * ax.f[x];
      return;
    }
    const [h, w] = this.spec.size;
    const ay = this.axes[0][this.shifts[i * 2]];
    const axw = this.axes[1][this.shifts[i * 2 + 1]];
    // Interpolate along x for every grid row, then along y.
    const rows = new Float64Array(s * w);
    for (let r = 0; r < s; r++) {
      for (let x = 0; x < w; x++) rows[r * w + x] = grid[r * s + axw.i0[x]] * (1 - axw.f[x]) + grid[r * s + axw.i1[x]] * axw.f[x];
    }
    for (let y = 0; y < h; y++) {
      const a = ay.i0[y] * w;
      const b = ay.i1[y] * w;
      const fy = ay.f[y];
      for (let x = 0; x < w; x++) out[y * w + x] = rows[a + x] * (1 - fy) + rows[b + x] * fy;
    }
  }
}

/** Source indices and weights along one axis of length d, for a crop starting at `shift`. */
function axisWeights(d: number, s: number, cell: number, shift: number): AxisWeights {
  const up = (s + 1) * cell;
  const scale = s / up;
  const i0 = new Int32Array(d);
  const i1 = new Int32Array(d);
  const f = new Float64Array(d);
  for (let y = 0; y < d; y++) {
    let src = (y + shift + 0.5) * scale - 0.5;
    if (s === 1) src = 0;
    else if (src < 0) src = -src;
    else if (src > s - 1) src = 2 * (s - 1) - src;
    const lo = Math.min(Math.floor(src), s - 1);
    i0[y] = lo;
    i1[y] = Math.min(lo + 1, s - 1);
    f[y] = src - lo;
  }
  return { i0, i1, f };
}

const DEFAULT_BUDGET = 256 * 1024 * 1024;
const cache = new Map<string, RiseMasks>();
let budget = DEFAULT_BUDGET;

/** The mask set for `spec`, from the cache when it was made before. */
export function riseMasks(spec: RiseMaskSpec): RiseMasks {
  const key = `${spec.seed}|${spec.count}|${spec.gridSize}|${spec.keepProbability}|${spec.size.join('x')}`;
  const hit = cache.get(key);
  if (hit) {
    cache.delete(key); // re-insert: Map order is the LRU order
    cache.set(key, hit);
    return hit;
  }
  const masks = new RiseMasks(spec);
  const need = masks.count * masks.positions * 4;
  if (need <= budget) {
    for (const [k, v] of cache) {
      if (cacheBytes() + need <= budget) break;
      cache.delete(k);
      void v;
    }
    masks.densify();
  }
  cache.set(key, masks);
  while (cache.size > 32) cache.delete(cache.keys().next().value!);
  return masks;
}

function cacheBytes(): number {
  let n = 0;
  for (const m of cache.values()) n += m.bytes;
  return n;
}

/** Entries and dense bytes held by the mask cache (for tests and diagnostics). */
export function maskCacheStats(): { entries: number; bytes: number; budget: number } {
  return { entries: cache.size, bytes: cacheBytes(), budget };
}

export function clearMaskCache(): void {
  cache.clear();
}

/** Bytes of dense masks the cache may hold (default 256 MiB); larger sets are rebuilt per batch. */
export function setMaskCacheBudget(bytes: number): void {
  budget = bytes;
  clearMaskCache();
}
