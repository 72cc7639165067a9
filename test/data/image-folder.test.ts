import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GlassboxError } from '../../src/core/errors.js';
import { loadImageFolder } from '../../src/train/data/image-folder.js';
import { classCounts } from '../../src/train/data/split.js';

const COLOURS = { blue: [0, 0, 255], green: [0, 255, 0], red: [255, 0, 0] } as const;
let root: string;

/** Solid-colour images of assorted sizes and formats: the class is the colour. */
async function writeImages(dir: string, perClass: number): Promise<void> {
  for (const [name, [r, g, b]] of Object.entries(COLOURS)) {
    mkdirSync(path.join(dir, name), { recursive: true });
    for (let i = 0; i < perClass; i++) {
      const img = sharp({
        create: { width: 20 + 7 * i, height: 30 - i, channels: 3, background: { r, g, b } },
      });
      const file = path.join(dir, name, `img${i}.${i % 2 ? 'jpg' : 'png'}`);
      await (i % 2 ? img.jpeg({ quality: 95 }) : img.png()).toFile(file);
    }
  }
}

beforeAll(async () => {
  root = mkdtempSync(path.join(tmpdir(), 'glassbox-images-'));
  await writeImages(path.join(root, 'flat'), 10);
  await writeImages(path.join(root, 'presplit', 'train'), 6);
  await writeImages(path.join(root, 'presplit', 'test'), 2);
  mkdirSync(path.join(root, 'flat', '.hidden')); // ignored
  writeFileSync(path.join(root, 'flat', 'red', 'notes.txt'), 'not an image'); // ignored
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('loadImageFolder', () => {
  it('reads one class per sub-folder, resizes, and keeps each image with its label', async () => {
    const ds = await loadImageFolder({
      path: path.join(root, 'flat'),
      height: 12,
      width: 16,
      testFraction: 0.2,
      validationFraction: 0.25,
    });
    expect(ds.inputShape).toEqual([12, 16, 3]);
    expect(ds.classNames).toEqual(['blue', 'green', 'red']);
    expect(ds.test.count).toBe(6);
    expect(ds.validation!.count).toBe(6);
    expect(ds.train.count).toBe(18);
    expect(classCounts(ds.test.y, 3)).toEqual([2, 2, 2]);
    expect(ds.normalisation).toEqual({ scale: 1 / 255 });
    for (const s of [ds.train, ds.validation!, ds.test]) {
      expect(s.x.length).toBe(s.count * 12 * 16 * 3);
      for (let i = 0; i < s.count; i++) {
        const want = Object.values(COLOURS)[s.y[i]].map((v) => v / 255);
        const px = s.x.subarray(i * 576, (i + 1) * 576);
        for (let p = 0; p < 192; p += 37) {
          for (let k = 0; k < 3; k++) expect(Math.abs(px[p * 3 + k] - want[k])).toBeLessThan(0.05); // JPEG tolerance
        }
      }
    }
    // Shuffled: the training labels are not in class-by-class order.
    const y = [...ds.train.y];
    expect(y).not.toEqual([...y].sort());
  });

  it('converts to one channel as sRGB-encoded luminance (Rec. 709 weights in linear light)', async () => {
    const ds = await loadImageFolder({
      path: path.join(root, 'flat'),
      height: 8,
      width: 8,
      channels: 1,
      validationFraction: 0,
    });
    expect(ds.inputShape).toEqual([8, 8, 1]);
    const encode = (y: number) => (y <= 0.0031308 ? 12.92 * y : 1.055 * y ** (1 / 2.4) - 0.055);
    const expected = [0.0722, 0.7152, 0.2126].map(encode); // blue, green, red at full intensity
    for (let i = 0; i < ds.train.count; i++)
      expect(Math.abs(ds.train.x[i * 64 + 27] - expected[ds.train.y[i]])).toBeLessThan(0.03);
  });

  it('uses train/ and test/ folders as given', async () => {
    const ds = await loadImageFolder({
      path: path.join(root, 'presplit'),
      height: 8,
      width: 8,
      validationFraction: 0,
    });
    expect(ds.train.count).toBe(18);
    expect(ds.test.count).toBe(6);
    expect(classCounts(ds.test.y, 3)).toEqual([2, 2, 2]);
  });

  it('gives clear errors for missing folders, empty class folders and unreadable files', async () => {
    await expect(loadImageFolder({ path: path.join(root, 'nope') })).rejects.toThrow(
      /does not exist/,
    );
    const bad = path.join(root, 'bad');
    mkdirSync(path.join(bad, 'a'), { recursive: true });
    mkdirSync(path.join(bad, 'b'), { recursive: true });
    await sharp({ create: { width: 4, height: 4, channels: 3, background: 'white' } })
      .png()
      .toFile(path.join(bad, 'a', 'ok.png'));
    await expect(loadImageFolder({ path: bad })).rejects.toThrow(
      /class folder .*b has no PNG\/JPEG/,
    );
    writeFileSync(path.join(bad, 'b', 'broken.png'), 'this is not a png');
    const err = await loadImageFolder({ path: bad }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GlassboxError);
    expect((err as Error).message).toMatch(/cannot read image .*broken\.png/);
    const empty = path.join(root, 'empty');
    mkdirSync(empty);
    await expect(loadImageFolder({ path: empty })).rejects.toThrow(/no class sub-folders/);
  });
});
