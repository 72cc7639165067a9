import { describe, expect, it } from 'vitest';
import { GlassboxError } from '../../src/core/errors.js';
import { createRng } from '../../src/core/random.js';
import {
  applyTransform,
  createAugmenter,
  sampleParams,
  type FillMode,
} from '../../src/train/augment.js';

const H = 7;
const W = 9;
const C = 2;
const shape = [H, W, C];
/** Distinct value per (row, col, channel), so any misplaced pixel shows. */
const img = Float32Array.from({ length: H * W * C }, (_, i) => {
  const k = i % C;
  const col = Math.floor(i / C) % W;
  const row = Math.floor(i / (C * W));
  return row * 100 + col + k * 0.5;
});
const at = (x: Float32Array, r: number, c: number, k: number, w = W) => x[(r * w + c) * C + k];

describe('applyTransform', () => {
  it('keeps the shape and leaves the input untouched', () => {
    const copy = img.slice();
    const out = applyTransform(img, shape, { rotation: 30, zoom: 1.3, shiftX: 2 });
    expect(out.length).toBe(img.length);
    expect(img).toEqual(copy);
  });

  it('zero rotation, zero shift and zoom 1 are the identity in every fill mode', () => {
    for (const mode of ['constant', 'nearest', 'reflect', 'wrap'] as FillMode[]) {
      expect(
        applyTransform(
          img,
          shape,
          { rotation: 0, shiftX: 0, shiftY: 0, zoom: 1 },
          { mode, cval: -7 },
        ),
      ).toEqual(img);
    }
  });

  it('a horizontal flip reverses columns, a vertical flip rows, and twice is the identity', () => {
    const h = applyTransform(img, shape, { flipHorizontal: true });
    const v = applyTransform(img, shape, { flipVertical: true });
    for (let r = 0; r < H; r++) {
      for (let c = 0; c < W; c++) {
        for (let k = 0; k < C; k++) {
          expect(at(h, r, c, k)).toBe(at(img, r, W - 1 - c, k));
          expect(at(v, r, c, k)).toBe(at(img, H - 1 - r, c, k));
        }
      }
    }
    expect(applyTransform(h, shape, { flipHorizontal: true })).toEqual(img);
    expect(applyTransform(v, shape, { flipVertical: true })).toEqual(img);
  });

  it('rotating a square image by 90° equals numpy rot90 (counter-clockwise), 180° equals both flips', () => {
    const n = 6;
    const sq = Float32Array.from({ length: n * n }, (_, i) => i * 1.5 - 3);
    const r90 = applyTransform(sq, [n, n, 1], { rotation: 90 }, { mode: 'constant' });
    for (let r = 0; r < n; r++)
      for (let c = 0; c < n; c++) expect(r90[r * n + c]).toBeCloseTo(sq[c * n + (n - 1 - r)], 4);
    const r180 = applyTransform(sq, [n, n, 1], { rotation: 180 }, { mode: 'constant' });
    const flipped = applyTransform(sq, [n, n, 1], { flipHorizontal: true, flipVertical: true });
    for (let i = 0; i < sq.length; i++) expect(r180[i]).toBeCloseTo(flipped[i], 4);
  });

  it('a whole-pixel shift moves content and fills the uncovered columns as the fill mode says', () => {
    const k = 3;
    const fills: Record<FillMode, (c: number) => number> = {
      constant: () => NaN, // replaced by cval below
      nearest: () => 0,
      reflect: (c) => k - 1 - c, // d c b a | a b c d
      wrap: (c) => W + c - k,
    };
    for (const mode of Object.keys(fills) as FillMode[]) {
      const out = applyTransform(img, shape, { shiftX: k, shiftY: 0 }, { mode, cval: -5 });
      for (let r = 0; r < H; r++) {
        for (let c = 0; c < W; c++) {
          for (let ch = 0; ch < C; ch++) {
            const want =
              c >= k
                ? at(img, r, c - k, ch)
                : mode === 'constant'
                  ? -5
                  : at(img, r, fills[mode](c), ch);
            expect(at(out, r, c, ch)).toBe(want);
          }
        }
      }
    }
  });

  it('a vertical shift up by 2 with constant fill puts the fill value in exactly the last two rows', () => {
    const out = applyTransform(img, shape, { shiftY: -2 }, { mode: 'constant', cval: 42 });
    for (let r = 0; r < H; r++) {
      for (let c = 0; c < W; c++) {
        expect(at(out, r, c, 0)).toBe(r >= H - 2 ? 42 : at(img, r + 2, c, 0));
      }
    }
  });

  it('zoom keeps the centre pixel, magnifies about it, and keeps a constant image constant', () => {
    const n = 9; // odd: the centre is a pixel
    const ramp = Float32Array.from({ length: n * n }, (_, i) => i % n); // value = column
    const z2 = applyTransform(ramp, [n, n, 1], { zoom: 2 }, { mode: 'nearest' });
    for (let r = 0; r < n; r++) {
      for (let c = 0; c < n; c++) expect(z2[r * n + c]).toBeCloseTo(4 + (c - 4) / 2, 6); // bilinear on a ramp is exact
    }
    const flat = new Float32Array(n * n * 3).fill(0.25);
    for (const mode of ['nearest', 'reflect', 'wrap'] as FillMode[]) {
      const out = applyTransform(
        flat,
        [n, n, 3],
        { zoom: 0.6, rotation: 17, shiftX: 1.3 },
        { mode },
      );
      for (const v of out) expect(v).toBeCloseTo(0.25, 6);
    }
  });

  it('rejects a wrong shape', () => {
    expect(() => applyTransform(img, [H, W], {})).toThrow(RangeError);
    expect(() => applyTransform(img, [H, W, 3], {})).toThrow(RangeError);
  });
});

describe('createAugmenter', () => {
  const options = {
    rotationRange: 20,
    widthShiftRange: 0.2,
    heightShiftRange: 0.1,
    zoomRange: 0.2,
    horizontalFlip: true,
    fillMode: 'reflect' as const,
  };

  it('is deterministic per seed and differs between seeds', () => {
    const a = createAugmenter(options, 5).augmentBatch(img, 1, shape);
    const b = createAugmenter(options, 5).augmentBatch(img, 1, shape);
    const c = createAugmenter(options, 6).augmentBatch(img, 1, shape);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  it('with all ranges zero and no flips it returns copies of the input', () => {
    const aug = createAugmenter({}, 1);
    const batch = new Float32Array([...img, ...img.map((v) => -v)]);
    const out = aug.augmentBatch(batch, 2, shape);
    expect(out).toEqual(batch);
    expect(out).not.toBe(batch);
  });

  it('draws parameters inside the ranges and flips about half the time', () => {
    const rng = createRng(3);
    let flips = 0;
    for (let i = 0; i < 400; i++) {
      const p = sampleParams(options, [H, W, C], rng);
      expect(Math.abs(p.rotation)).toBeLessThanOrEqual(20);
      expect(Math.abs(p.shiftX)).toBeLessThanOrEqual(0.2 * W);
      expect(Math.abs(p.shiftY)).toBeLessThanOrEqual(0.1 * H);
      expect(p.zoom).toBeGreaterThanOrEqual(0.8);
      expect(p.zoom).toBeLessThanOrEqual(1.2);
      expect(p.flipVertical).toBe(false);
      if (p.flipHorizontal) flips++;
    }
    expect(flips).toBeGreaterThan(160);
    expect(flips).toBeLessThan(240);
  });

  it('reports bad options as a GlassboxError', () => {
    expect(() => createAugmenter({ rotationRange: -1 })).toThrow(GlassboxError);
    expect(() => createAugmenter({ fillMode: 'mirror' } as never)).toThrow(GlassboxError);
  });

  it('is fast enough for small images: 250 augmented 32×32×3 images well within 1.5 s', () => {
    const x = new Float32Array(250 * 32 * 32 * 3).map((_, i) => (i % 97) / 97);
    const t = performance.now();
    createAugmenter(options, 1).augmentBatch(x, 250, [32, 32, 3]); // ≈0.13 s here; the margin absorbs a busy machine
    expect(performance.now() - t).toBeLessThan(1500);
  });
});
