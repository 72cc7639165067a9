/**
 * The patch grid of a Structured Attention Graph: which pixels each patch covers, how a set of
 * revealed patches becomes a soft pixel mask, and the image `x·M + baseline·(1−M)` that is scored.
 *
 * Patches are numbered row-major from 0 (P0 top-left, P{cols−1} top-right), the convention of
 * the reference code (`patch = row·7 + col`). Patch r spans rows ⌊r·H/rows⌋ … ⌊(r+1)·H/rows⌋−1.
 */
import { fail } from '../core/errors.js';

/** How the rows×cols patch mask is brought to pixel resolution. */
export const UPSAMPLE_MODES = ['align-corners', 'half-pixel', 'nearest'] as const;
export type UpsampleMode = (typeof UPSAMPLE_MODES)[number];

/** Per output position along one axis: the two grid cells it reads and their weights. */
interface AxisWeights {
  i0: Int32Array;
  i1: Int32Array;
  w0: Float32Array;
  w1: Float32Array;
}

export class PatchGrid {
  readonly count: number;
  /** Pixel row where patch row r starts (length rows + 1, last = height). */
  readonly rowStarts: number[];
  readonly colStarts: number[];
  private readonly ys: AxisWeights;
  private readonly xs: AxisWeights;

  constructor(
    readonly height: number,
    readonly width: number,
    readonly rows: number,
    readonly cols: number,
    readonly upsample: UpsampleMode = 'align-corners',
  ) {
    if (rows > height || cols > width)
      fail(
        `a ${rows}×${cols} grid does not fit a ${height}×${width} image: use a grid of at most ${height}×${width}`,
      );
    this.count = rows * cols;
    this.rowStarts = starts(height, rows);
    this.colStarts = starts(width, cols);
    this.ys = axisWeights(height, rows, this.rowStarts, upsample);
    this.xs = axisWeights(width, cols, this.colStarts, upsample);
  }

  /** [row, col] of a patch. */
  position(patch: number): [number, number] {
    return [Math.floor(patch / this.cols), patch % this.cols];
  }

  /** Pixel box [top, left, bottom, right) of a patch. */
  box(patch: number): [number, number, number, number] {
    const [r, c] = this.position(patch);
    return [this.rowStarts[r], this.colStarts[c], this.rowStarts[r + 1], this.colStarts[c + 1]];
  }

  /** Mean of an [H, W] map over each patch's pixels (NaN counts as −∞ so it ranks last). */
  patchMeans(map: Float32Array): Float32Array {
    if (map.length !== this.height * this.width) {
      throw new Error(
        `patchMeans: map has ${map.length} values, expected ${this.height}×${this.width}`,
      );
    }
    const out = new Float32Array(this.count);
    for (let p = 0; p < this.count; p++) {
      const [top, left, bottom, right] = this.box(p);
      let s = 0;
      for (let y = top; y < bottom; y++)
        for (let x = left; x < right; x++) s += map[y * this.width + x];
      const m = s / ((bottom - top) * (right - left));
      out[p] = Number.isNaN(m) ? -Infinity : m;
    }
    return out;
  }

  /** The pixel mask [H, W] of a set of revealed patches, upsampled as configured. */
  mask(
    patches: readonly number[],
    out: Float32Array = new Float32Array(this.height * this.width),
  ): Float32Array {
    const { rows, cols, width, height, xs, ys } = this;
    const grid = new Float32Array(this.count);
    for (const p of patches) grid[p] = 1;
    // Separable: first along x for every grid row, then along y.
    const rowPass = new Float32Array(rows * width);
    for (let r = 0; r < rows; r++) {
      for (let x = 0; x < width; x++) {
        rowPass[r * width + x] =
          grid[r * cols + xs.i0[x]] * xs.w0[x] + grid[r * cols + xs.i1[x]] * xs.w1[x];
      }
    }
    for (let y = 0; y < height; y++) {
      const a = ys.i0[y] * width;
      const b = ys.i1[y] * width;
      const wa = ys.w0[y];
      const wb = ys.w1[y];
      for (let x = 0; x < width; x++)
        out[y * width + x] = rowPass[a + x] * wa + rowPass[b + x] * wb;
    }
    return out;
  }

  /**
   * Writes `baseline + M·(image − baseline)` for the set into `out` ([H, W, C] interleaved);
   * `difference` is image − baseline, precomputed once.
   */
  compose(
    patches: readonly number[],
    baseline: Float32Array,
    difference: Float32Array,
    channels: number,
    out: Float32Array,
    scratch?: Float32Array,
  ): void {
    const { width, height, ys } = this;
    const m = this.mask(patches, scratch);
    // Rows of the grid with nothing revealed leave whole image rows at the baseline: copy those.
    const rowRevealed = new Uint8Array(this.rows);
    for (const p of patches) rowRevealed[Math.floor(p / this.cols)] = 1;
    const stride = width * channels;
    for (let y = 0; y < height; y++) {
      const start = y * stride;
      if (!rowRevealed[ys.i0[y]] && (ys.w1[y] === 0 || !rowRevealed[ys.i1[y]])) {
        out.set(baseline.subarray(start, start + stride), start);
        continue;
      }
      const mRow = y * width;
      if (channels === 3) {
        for (let x = 0, o = start; x < width; x++, o += 3) {
          const k = m[mRow + x];
          out[o] = baseline[o] + k * difference[o];
          out[o + 1] = baseline[o + 1] + k * difference[o + 1];
          out[o + 2] = baseline[o + 2] + k * difference[o + 2];
        }
      } else {
        for (let x = 0, o = start; x < width; x++) {
          const k = m[mRow + x];
          for (let c = 0; c < channels; c++, o++) out[o] = baseline[o] + k * difference[o];
        }
      }
    }
  }
}

function starts(size: number, parts: number): number[] {
  return Array.from({ length: parts + 1 }, (_, i) => Math.floor((i * size) / parts));
}

/**
 * align-corners: torch's UpsamplingBilinear2d, which the reference code uses (grid corners land on
 * the image corners, so a lone patch spreads as a tent over its neighbours' halves).
 * half-pixel: cv2/torch `interpolate(align_corners=False)`, as resizeBilinear in core/resize.ts.
 * nearest: hard patch edges, each pixel fully revealed or not.
 */
function axisWeights(
  size: number,
  cells: number,
  cellStarts: number[],
  mode: UpsampleMode,
): AxisWeights {
  const i0 = new Int32Array(size);
  const i1 = new Int32Array(size);
  const w0 = new Float32Array(size);
  const w1 = new Float32Array(size);
  for (let y = 0; y < size; y++) {
    if (mode === 'nearest' || cells === 1) {
      let c = 0;
      while (cellStarts[c + 1] <= y) c++;
      i0[y] = i1[y] = c;
      w0[y] = 1;
      continue;
    }
    const s =
      mode === 'align-corners'
        ? size === 1
          ? 0
          : (y * (cells - 1)) / (size - 1)
        : Math.min(Math.max(((y + 0.5) * cells) / size - 0.5, 0), cells - 1);
    const a = Math.min(Math.floor(s), cells - 1);
    const b = Math.min(a + 1, cells - 1);
    const f = s - a;
    i0[y] = a;
    i1[y] = b;
    w0[y] = 1 - f;
    w1[y] = f;
  }
  return { i0, i1, w0, w1 };
}

/** Canonical key of a patch set (sorted indices). */
export function setKey(patches: readonly number[]): string {
  return patches.join(',');
}

/** `patches` with `p` added, kept sorted. */
export function withPatch(patches: readonly number[], p: number): number[] {
  const out = [...patches, p];
  out.sort((a, b) => a - b);
  return out;
}

export function withoutPatch(patches: readonly number[], p: number): number[] {
  return patches.filter((q) => q !== p);
}

export function formatSet(patches: readonly number[]): string {
  return patches.length === 0 ? '(nothing)' : patches.map((p) => `P${p}`).join(' & ');
}
