/** Paths from requests stay inside the data folder; file types are told by content. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { resolveInside } from '../../src/server/storage.js';
import { looksLikeOnnx, parseTfjsModelJson, sniffInput } from '../../src/server/sniff.js';
import { tinyCnn } from '../onnx/models.js';

describe('resolveInside', () => {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'glassbox-root-')));
  const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'glassbox-outside-'));
  fs.mkdirSync(path.join(root, 'runs', 'a'), { recursive: true });
  fs.writeFileSync(path.join(root, 'runs', 'a', 'run.json'), '{}');
  fs.writeFileSync(path.join(outside, 'secret.txt'), 'secret');
  fs.symlinkSync(outside, path.join(root, 'escape'));
  fs.symlinkSync(path.join(root, 'runs'), path.join(root, 'inner-link'));

  it('resolves paths inside the root', () => {
    expect(resolveInside(root, 'runs/a/run.json')).toBe(path.join(root, 'runs', 'a', 'run.json'));
    expect(resolveInside(root, './runs//a')).toBe(path.join(root, 'runs', 'a'));
    // A symlink that stays inside is fine.
    expect(resolveInside(root, 'inner-link/a/run.json')).toBe(path.join(root, 'runs', 'a', 'run.json'));
  });

  it.each([
    ['../etc/passwd', /contains ".."/],
    ['runs/../../etc/passwd', /contains ".."/],
    ['runs\\..\\..\\x', /contains ".."/],
    ['/etc/passwd', /is absolute/],
    ['C:/Windows', /is absolute/],
    ['runs/a\0/x', /NUL/],
    ['runs/$(id)', /characters/],
    ['', /empty/],
    ['escape/secret.txt', /leads outside the data folder/],
    ['escape', /leads outside the data folder/],
    ['runs/missing.json', /not found/],
  ])('rejects %j', (p, why) => {
    expect(() => resolveInside(root, p)).toThrow(why);
  });
});

describe('file types by content', () => {
  it('recognises images and .npy by their first bytes, whatever their names', async () => {
    const img = sharp({ create: { width: 4, height: 4, channels: 3, background: '#888' } });
    expect(sniffInput(await img.clone().png().toBuffer())).toBe('png');
    expect(sniffInput(await img.clone().jpeg().toBuffer())).toBe('jpeg');
    expect(sniffInput(await img.clone().webp().toBuffer())).toBe('webp');
    expect(sniffInput(await img.clone().gif().toBuffer())).toBe('gif');
    expect(sniffInput(Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]))).toBe('npy');
    expect(sniffInput(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'))).toBeUndefined();
    expect(sniffInput(Buffer.from('\x89PNG but not really'))).toBeUndefined();
    expect(sniffInput(Buffer.alloc(0))).toBeUndefined();
  });

  it('recognises an ONNX model and a TF.js model.json', () => {
    expect(looksLikeOnnx(tinyCnn())).toBe(true);
    expect(looksLikeOnnx(Buffer.from('{"modelTopology": {}, "weightsManifest": []}'))).toBe(false);
    expect(looksLikeOnnx(Buffer.from('just some text that is long enough'))).toBe(false);
    const json = Buffer.from(JSON.stringify({ modelTopology: {}, weightsManifest: [{ paths: ['w1.bin', 'w2.bin'], weights: [{ shape: [3, 2], dtype: 'float32' }] }] }));
    expect(parseTfjsModelJson(json)).toEqual({ weightPaths: ['w1.bin', 'w2.bin'], weightBytes: 24 });
    expect(parseTfjsModelJson(Buffer.from('{"weightsManifest": []}'))).toBeUndefined();
    expect(parseTfjsModelJson(Buffer.from('{not json'))).toBeUndefined();
  });
});
