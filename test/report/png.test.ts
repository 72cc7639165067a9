import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { GlassboxError } from '../../src/core/errors.js';
import { encodePng } from '../../src/viz/png.js';

/** Width, height and PNG colour type from the IHDR chunk (bytes 16..25). */
function ihdr(png: Buffer) {
  return {
    width: png.readUInt32BE(16),
    height: png.readUInt32BE(20),
    depth: png[24],
    colorType: png[25],
  };
}

describe('encodePng', () => {
  it('encodes RGB and RGBA losslessly', async () => {
    for (const channels of [3, 4]) {
      const pixels = Uint8Array.from({ length: 5 * 3 * channels }, (_, i) => (i * 53) % 256);
      const png = await encodePng(pixels, 5, 3, channels);
      expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
      expect(ihdr(png)).toEqual({
        width: 5,
        height: 3,
        depth: 8,
        colorType: channels === 3 ? 2 : 6,
      });
      const raw = await sharp(png).raw().toBuffer({ resolveWithObject: true });
      expect(raw.info.channels).toBe(channels);
      expect([...raw.data]).toEqual([...pixels]);
    }
  });

  it('writes a grey PNG for one channel, from a subarray view', async () => {
    const backing = Uint8Array.from({ length: 20 }, (_, i) => i * 10);
    const pixels = backing.subarray(4, 10); // 3×2, not at offset 0 of its buffer
    const png = await encodePng(pixels, 3, 2, 1);
    expect(ihdr(png).colorType).toBe(0);
    const raw = await sharp(png).extractChannel(0).raw().toBuffer();
    expect([...raw]).toEqual([40, 50, 60, 70, 80, 90]);
    const ga = Uint8Array.of(0, 255, 100, 128, 200, 0, 255, 10);
    const png2 = await encodePng(ga, 2, 2, 2);
    expect(ihdr(png2).colorType).toBe(4); // grey + alpha
    const raw2 = await sharp(png2).raw().toBuffer({ resolveWithObject: true });
    // sharp decodes grey+alpha as RGBA: grey repeated, alpha last.
    expect(raw2.info.channels).toBe(4);
    expect([...raw2.data]).toEqual([
      0, 0, 0, 255, 100, 100, 100, 128, 200, 200, 200, 0, 255, 255, 255, 10,
    ]);
  });

  it('rejects a buffer of the wrong size', async () => {
    await expect(encodePng(new Uint8Array(5), 2, 2, 1)).rejects.toThrow(GlassboxError);
    await expect(encodePng(new Uint8Array(5), 5, 1, 5)).rejects.toThrow(/channels/);
  });
});
