/**
 * Seeded image augmentation on Float32 [H, W, C] examples, in plain JS: rotation, shifts and
 * zoom as one affine resampling (bilinear), then flips (exact index reversal). Pixels that the
 * transform pulls from outside the image are filled as `fillMode` says.
 *
 * Conventions (screen coordinates, y down): a positive rotation turns the content
 * counter-clockwise by that many degrees about the image centre; a positive shift moves the
 * content right/down; zoom > 1 magnifies (zoom in), < 1 shrinks (zoom out).
 */
import { z } from 'zod';
import { fail } from '../core/errors.js';
import { createRng, type Rng, type Seed } from '../core/random.js';

export type FillMode = 'constant' | 'nearest' | 'reflect' | 'wrap';

export const augmentOptionsSchema = z
  .object({
    rotationRange: z
      .number()
      .min(0)
      .max(180)
      .default(0)
      .describe('rotation drawn uniformly from ±this many degrees'),
    widthShiftRange: z
      .number()
      .min(0)
      .max(1)
      .default(0)
      .describe('horizontal shift drawn from ±this fraction of the width'),
    heightShiftRange: z
      .number()
      .min(0)
      .max(1)
      .default(0)
      .describe('vertical shift drawn from ±this fraction of the height'),
    zoomRange: z
      .union([z.number().min(0).lt(1), z.tuple([z.number().positive(), z.number().positive()])])
      .default(0)
      .describe('zoom factor drawn from [1−z, 1+z], or from [lo, hi]'),
    horizontalFlip: z.boolean().default(false).describe('mirror left–right with probability ½'),
    verticalFlip: z.boolean().default(false).describe('mirror top–bottom with probability ½'),
    fillMode: z
      .enum(['constant', 'nearest', 'reflect', 'wrap'])
      .default('nearest')
      .describe('how pixels from outside the image are filled'),
    cval: z.number().default(0).describe('fill value for fillMode constant'),
  })
  .strict();
export type AugmentOptions = z.input<typeof augmentOptionsSchema>;
type Options = z.output<typeof augmentOptionsSchema>;

/** One concrete transform. */
export interface AffineParams {
  /** Degrees, counter-clockwise. */
  rotation: number;
  /** Pixels, positive moves content right. */
  shiftX: number;
  /** Pixels, positive moves content down. */
  shiftY: number;
  /** Magnification, 1 = unchanged. */
  zoom: number;
  flipHorizontal: boolean;
  flipVertical: boolean;
}

export const IDENTITY: Readonly<AffineParams> = Object.freeze({
  rotation: 0,
  shiftX: 0,
  shiftY: 0,
  zoom: 1,
  flipHorizontal: false,
  flipVertical: false,
});

export interface Fill {
  mode: FillMode;
  cval?: number;
}

/** Options with defaults filled in; a bad option is a one-line GlassboxError. */
export function parseAugmentOptions(options: AugmentOptions | undefined): Options {
  const r = augmentOptionsSchema.safeParse(options ?? {});
  if (!r.success) {
    fail(
      `invalid augmentation options: ${r.error.issues.map((i) => `${i.path.join('.') || '(options)'}: ${i.message}`).join('; ')}`,
    );
  }
  return r.data;
}

/** Draws one transform within the option ranges for an image of `shape` [H, W, C]. */
export function sampleParams(
  options: AugmentOptions,
  shape: readonly number[],
  rng: Rng,
): AffineParams {
  return sample(parseAugmentOptions(options), shape, rng);
}

function sample(o: Options, [h, w]: readonly number[], rng: Rng): AffineParams {
  const [zlo, zhi] =
    typeof o.zoomRange === 'number' ? [1 - o.zoomRange, 1 + o.zoomRange] : o.zoomRange;
  // Draw every parameter every time, so one option's range does not shift another's stream.
  const rotation = rng.uniform(-o.rotationRange, o.rotationRange);
  const shiftX = rng.uniform(-o.widthShiftRange, o.widthShiftRange) * w;
  const shiftY = rng.uniform(-o.heightShiftRange, o.heightShiftRange) * h;
  const zoom = rng.uniform(Math.min(zlo, zhi), Math.max(zlo, zhi));
  const fh = rng.chance(0.5);
  const fv = rng.chance(0.5);
  return {
    rotation,
    shiftX,
    shiftY,
    zoom,
    flipHorizontal: o.horizontalFlip && fh,
    flipVertical: o.verticalFlip && fv,
  };
}

/** Applies `p` to one image `x` of `shape` [H, W, C]; returns a new array. */
export function applyTransform(
  x: Float32Array,
  shape: readonly number[],
  p: Partial<AffineParams>,
  fill: Fill = { mode: 'nearest' },
): Float32Array {
  const [h, w, c] = checkShape(x, shape);
  const t = { ...IDENTITY, ...p };
  const out = new Float32Array(x.length);
  const affine = t.rotation !== 0 || t.shiftX !== 0 || t.shiftY !== 0 || t.zoom !== 1;
  if (affine) {
    if (!(t.zoom > 0)) throw new RangeError(`zoom must be positive, got ${t.zoom}`);
    const theta = (t.rotation * Math.PI) / 180;
    const cos = Math.cos(theta) / t.zoom;
    const sin = Math.sin(theta) / t.zoom;
    const cy = (h - 1) / 2;
    const cx = (w - 1) / 2;
    const cval = fill.cval ?? 0;
    // For each output pixel, the input position it comes from: undo shift, zoom, rotation.
    for (let r = 0; r < h; r++) {
      for (let col = 0; col < w; col++) {
        const dx = col - cx - t.shiftX;
        const dy = r - cy - t.shiftY;
        const sx = cx + cos * dx - sin * dy;
        const sy = cy + sin * dx + cos * dy;
        bilinear(x, h, w, c, sy, sx, fill.mode, cval, out, (r * w + col) * c);
      }
    }
  } else {
    out.set(x);
  }
  if (t.flipHorizontal) flip(out, h, w, c, 'horizontal');
  if (t.flipVertical) flip(out, h, w, c, 'vertical');
  return out;
}

function checkShape(x: Float32Array, shape: readonly number[]): [number, number, number] {
  if (shape.length !== 3)
    throw new RangeError(`augmentation works on [H, W, C] images, got shape [${shape.join(', ')}]`);
  const [h, w, c] = shape;
  if (x.length !== h * w * c)
    throw new RangeError(
      `image has ${x.length} values, shape [${shape.join(', ')}] needs ${h * w * c}`,
    );
  return [h, w, c];
}

/** Maps an integer index into [0, n) per fill mode; -1 means "use the constant". */
function resolve(i: number, n: number, mode: FillMode): number {
  if (i >= 0 && i < n) return i;
  switch (mode) {
    case 'constant':
      return -1;
    case 'nearest':
      return i < 0 ? 0 : n - 1;
    case 'wrap':
      return ((i % n) + n) % n;
    case 'reflect': {
      // Half-sample symmetric, the edge pixel repeated: d c b a | a b c d | d c b a
      const period = 2 * n;
      const j = ((i % period) + period) % period;
      return j < n ? j : period - 1 - j;
    }
  }
}

function bilinear(
  x: Float32Array,
  h: number,
  w: number,
  c: number,
  sy: number,
  sx: number,
  mode: FillMode,
  cval: number,
  out: Float32Array,
  at: number,
): void {
  // Snap positions within float noise of a pixel centre, so exact transforms (90° turns,
  // whole-pixel shifts) copy pixels instead of blending with a neighbour at weight 1e-16.
  const ry = Math.round(sy);
  const rx = Math.round(sx);
  if (Math.abs(sy - ry) < 1e-6) sy = ry;
  if (Math.abs(sx - rx) < 1e-6) sx = rx;
  const y0 = Math.floor(sy);
  const x0 = Math.floor(sx);
  const fy = sy - y0;
  const fx = sx - x0;
  const ya = resolve(y0, h, mode);
  const yb = fy > 0 ? resolve(y0 + 1, h, mode) : ya;
  const xa = resolve(x0, w, mode);
  const xb = fx > 0 ? resolve(x0 + 1, w, mode) : xa;
  const w00 = (1 - fy) * (1 - fx);
  const w01 = (1 - fy) * fx;
  const w10 = fy * (1 - fx);
  const w11 = fy * fx;
  for (let k = 0; k < c; k++) {
    const v00 = ya < 0 || xa < 0 ? cval : x[(ya * w + xa) * c + k];
    let v = w00 * v00;
    if (w01 > 0) v += w01 * (ya < 0 || xb < 0 ? cval : x[(ya * w + xb) * c + k]);
    if (w10 > 0) v += w10 * (yb < 0 || xa < 0 ? cval : x[(yb * w + xa) * c + k]);
    if (w11 > 0) v += w11 * (yb < 0 || xb < 0 ? cval : x[(yb * w + xb) * c + k]);
    out[at + k] = v;
  }
}

/** Mirrors an [H, W, C] image in place. */
export function flip(
  x: Float32Array,
  h: number,
  w: number,
  c: number,
  axis: 'horizontal' | 'vertical',
): void {
  if (axis === 'horizontal') {
    for (let r = 0; r < h; r++) {
      for (let a = 0, b = w - 1; a < b; a++, b--) {
        for (let k = 0; k < c; k++) {
          const i = (r * w + a) * c + k;
          const j = (r * w + b) * c + k;
          const t = x[i];
          x[i] = x[j];
          x[j] = t;
        }
      }
    }
  } else {
    const row = w * c;
    const tmp = new Float32Array(row);
    for (let a = 0, b = h - 1; a < b; a++, b--) {
      tmp.set(x.subarray(a * row, (a + 1) * row));
      x.copyWithin(a * row, b * row, (b + 1) * row);
      x.set(tmp, b * row);
    }
  }
}

export interface Augmenter {
  /** Options after defaults. */
  readonly options: Options;
  /** A randomly transformed copy of one image. */
  augment(x: Float32Array, shape: readonly number[]): Float32Array;
  /** A randomly transformed copy of `count` images stored back to back. */
  augmentBatch(xs: Float32Array, count: number, shape: readonly number[]): Float32Array;
}

/** An augmenter with its own seeded stream: the same seed and calls give the same images. */
export function createAugmenter(options: AugmentOptions, seed: Seed = 0): Augmenter {
  const o = parseAugmentOptions(options);
  const rng = createRng(seed);
  const fill: Fill = { mode: o.fillMode, cval: o.cval };
  const augment = (x: Float32Array, shape: readonly number[]) =>
    applyTransform(x, shape, sample(o, shape, rng), fill);
  return {
    options: o,
    augment,
    augmentBatch(xs, count, shape) {
      const size = shape.reduce((a, b) => a * b, 1);
      if (xs.length !== count * size)
        throw new RangeError(
          `batch has ${xs.length} values, ${count} × [${shape.join(', ')}] needs ${count * size}`,
        );
      const out = new Float32Array(xs.length);
      for (let i = 0; i < count; i++)
        out.set(augment(xs.subarray(i * size, (i + 1) * size), shape), i * size);
      return out;
    },
  };
}
