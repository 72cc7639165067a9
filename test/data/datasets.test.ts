import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import sharp from 'sharp';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { register } from '../../src/cli/data.js';
import { GlassboxError } from '../../src/core/errors.js';
import {
  describeOptions,
  getDataset,
  listDatasets,
  loadDataset,
} from '../../src/train/data/datasets.js';
import { renderPreview } from '../../src/train/data/preview.js';

const dir = mkdtempSync(path.join(tmpdir(), 'glassbox-data-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('data set registry', () => {
  it('lists every loader by name, each option described', () => {
    const names = listDatasets().map((e) => e.name);
    for (const n of [
      'mnist',
      'fashion-mnist',
      'mnist1d',
      'shapes',
      'image-folder',
      'csv',
      'breast-cancer',
    ])
      expect(names).toContain(n);
    expect(new Set(names).size).toBe(names.length);
    for (const e of listDatasets()) {
      const opts = describeOptions(e);
      expect(opts.length).toBeGreaterThan(0);
      for (const o of opts) expect(o.description, `${e.name}.${o.name}`).not.toBe('');
    }
  });

  it('loads through the table, validating options', async () => {
    const ds = await loadDataset('mnist1d', { trainCount: 100, testCount: 20 });
    expect(ds.inputShape).toEqual([40, 1]);
    expect(getDataset('shapes').kind).toBe('image');
    expect(() => getDataset('imagenet')).toThrow(
      /unknown data set "imagenet": choose one of mnist/,
    );
    await expect(loadDataset('shapes', { size: 'big' })).rejects.toThrow(GlassboxError);
    await expect(loadDataset('image-folder', {})).rejects.toThrow(/path/);
  });
});

/** Runs `glassbox data …` with stdout captured. */
async function cli(args: string[]): Promise<string> {
  const program = new Command('glassbox').exitOverride();
  register(program);
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  try {
    await program.parseAsync(['node', 'glassbox', 'data', ...args]);
  } finally {
    spy.mockRestore();
  }
  return out;
}

describe('glassbox data', () => {
  it('list prints every data set', async () => {
    const out = await cli(['list']);
    for (const e of listDatasets()) expect(out).toContain(e.name);
    expect(await cli(['list', '--options'])).toContain('validationFraction');
  });

  it('show writes a preview PNG the size of the rendered grid and summarises the splits', async () => {
    const out = path.join(dir, 'grid.png');
    const opts = ['--option', 'trainCount=40', '--option', 'testCount=8'];
    const text = await cli(['show', '--dataset', 'shapes', '--count', '10', '--out', out, ...opts]);
    expect(existsSync(out)).toBe(true);
    expect(text).toMatch(/train\s+36/);
    expect(text).toMatch(/validation\s+4/);
    expect(text).toContain('(+masks, boxes)');
    const ds = await loadDataset('shapes', { trainCount: 40, testCount: 8 });
    const expected = renderPreview(ds, ds.train, { count: 10 });
    const { data, info } = await sharp(out).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height, info.channels]).toEqual([expected.width, expected.height, 3]);
    expect(Buffer.compare(data, Buffer.from(expected.rgb))).toBe(0); // pixel-identical
    await cli([
      'show',
      '--dataset',
      'mnist1d',
      '--split',
      'test',
      '--count',
      '4',
      '--out',
      path.join(dir, 'sig.png'),
      '--option',
      'trainCount=50',
      '--option',
      'testCount=10',
    ]);
    expect(existsSync(path.join(dir, 'sig.png'))).toBe(true);
  });

  it('show prints table rows as CSV', async () => {
    const csv = path.join(dir, 't.csv');
    writeFileSync(
      csv,
      'x,y,label\n' +
        Array.from({ length: 30 }, (_, i) => `${i},${-i},${i % 3 ? 'a' : 'b'}`).join('\n'),
    );
    const text = await cli(['show', '--dataset', 'csv', '--path', csv, '--count', '3']);
    const lines = text.trim().split('\n');
    expect(lines.slice(-4)[0]).toBe('x,y,label');
    expect(lines.slice(-3).every((l) => /^-?\d+\.\d{3},-?\d+\.\d{3},[ab]$/.test(l))).toBe(true);
  });

  it('show rejects an unknown split and a missing validation split', async () => {
    await expect(
      cli([
        'show',
        '--dataset',
        'mnist1d',
        '--split',
        'dev',
        '--option',
        'trainCount=20',
        '--option',
        'testCount=10',
      ]),
    ).rejects.toThrow(/unknown split "dev"/);
    await expect(
      cli([
        'show',
        '--dataset',
        'mnist1d',
        '--split',
        'validation',
        '--option',
        'validationFraction=0',
        '--option',
        'trainCount=20',
        '--option',
        'testCount=10',
      ]),
    ).rejects.toThrow(/no validation split/);
  });
});
