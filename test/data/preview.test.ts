import { describe, expect, it } from 'vitest';
import type { Dataset } from '../../src/train/data/dataset.js';
import { glyph, GLYPH_ADVANCE } from '../../src/train/data/font5x7.js';
import { renderPreview, tablePreview } from '../../src/train/data/preview.js';

function pixel(img: { width: number; rgb: Uint8Array }, x: number, y: number): number[] {
  return [...img.rgb.subarray((y * img.width + x) * 3, (y * img.width + x) * 3 + 3)];
}

const base = { normalisation: { scale: 1 }, provenance: 'test' } as const;

describe('renderPreview', () => {
  it('draws image tiles magnified, grey for one channel, RGB for three, with the class name below', () => {
    // Two 4×4×1 images: the first has one white pixel at (row 1, col 2), the second is all 0.5.
    const x = new Float32Array(32);
    x[1 * 4 + 2] = 1;
    x.fill(0.5, 16);
    const ds: Dataset = {
      ...base,
      name: 't',
      kind: 'image',
      inputShape: [4, 4, 1],
      classNames: ['ab', 'cd'],
      train: { x, y: Int32Array.from([0, 1]), count: 2 },
      test: { x, y: Int32Array.from([0, 1]), count: 2 },
    };
    const img = renderPreview(ds, ds.train, { count: 2, columns: 2 });
    const zoom = 16; // 4-pixel images are drawn at 64 px
    const pad = 4;
    const cellW = 4 * zoom + pad;
    expect(img.width).toBe(2 * cellW + pad);
    expect(img.height).toBe(4 * zoom + 11 + 2 * pad);
    // The white source pixel covers a zoom × zoom block of the first tile.
    expect(pixel(img, pad + 2 * zoom, pad + 1 * zoom)).toEqual([255, 255, 255]);
    expect(pixel(img, pad + 3 * zoom - 1, pad + 2 * zoom - 1)).toEqual([255, 255, 255]);
    expect(pixel(img, pad + 2 * zoom - 1, pad + 1 * zoom)).toEqual([0, 0, 0]);
    expect(pixel(img, pad + cellW + 10, pad + 10)).toEqual([128, 128, 128]);
    // The label: ink of the glyph 'A' at its place under the first tile.
    const a = glyph('a');
    const labelY = pad + 4 * zoom + 2;
    for (let r = 0; r < 7; r++) {
      for (let c = 0; c < 5; c++)
        expect(pixel(img, pad + c, labelY + r)[0] > 100).toBe(a[r * 5 + c] === 1);
    }
    expect(glyph('a')).toEqual(glyph('A'));
    expect(GLYPH_ADVANCE).toBe(6);
  });

  it('plots a constant signal as a horizontal line', () => {
    const x = new Float32Array(20).fill(-1);
    x.fill(1, 10); // second example: constant 1
    const ds: Dataset = {
      ...base,
      name: 's',
      kind: 'signal',
      inputShape: [10, 1],
      classNames: ['x', 'y'],
      train: { x, y: Int32Array.from([0, 1]), count: 2 },
      test: { x, y: Int32Array.from([0, 1]), count: 2 },
    };
    const img = renderPreview(ds, ds.train, { count: 2, columns: 1 });
    const pad = 4;
    // Range [-1, 1]: the first example sits on the bottom row of its plot, the second on the top row.
    for (let t = 0; t < 96; t += 7) {
      expect(pixel(img, pad + t, pad + 47)).toEqual([80, 200, 255]);
      expect(pixel(img, pad + t, pad + (48 + 11 + pad) + 0)).toEqual([80, 200, 255]);
    }
  });

  it('previews tables as CSV text', () => {
    const ds: Dataset = {
      ...base,
      name: 'tab',
      kind: 'table',
      inputShape: [2],
      classNames: ['no', 'yes, really'],
      featureNames: ['f1', 'f2'],
      train: { x: Float32Array.from([1, -0.5, 0.25, 2]), y: Int32Array.from([1, 0]), count: 2 },
      test: { x: new Float32Array(2), y: new Int32Array(1), count: 1 },
    };
    expect(tablePreview(ds, ds.train, 5, 2)).toBe(
      'f1,f2,label\n1.00,-0.50,"yes, really"\n0.25,2.00,no',
    );
    expect(() => renderPreview(ds, ds.train)).toThrow(/table/);
  });
});
