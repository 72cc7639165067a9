/**
 * `glassbox sag` end to end on a small TF.js model: the three files, their agreement, and one
 * clear line with exit code 2 on bad input. (The command is registered here the way
 * src/cli/main.ts registers every command.)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { initTf, tf } from '../../src/runtime/tf.js';
import { isGlassboxError } from '../../src/core/errors.js';
import { register } from '../../src/cli/sag.js';
import { saveLayersModel } from '../../src/io/tfjs-files.js';
import { writeNpy } from '../../src/io/npy.js';
import { reseedWeights, seeded } from '../helpers/models.js';
import { checkXml } from '../report/xml-check.js';

let dir: string;
let modelDir: string;
let imagePath: string;

async function run(args: string[]): Promise<{ code: number; stderr: string; stdout: string }> {
  let stderr = '';
  let stdout = '';
  const e = vi
    .spyOn(process.stderr, 'write')
    .mockImplementation((s: any) => ((stderr += String(s)), true));
  const o = vi
    .spyOn(process.stdout, 'write')
    .mockImplementation((s: any) => ((stdout += String(s)), true));
  try {
    const program = new Command('glassbox').exitOverride();
    register(program);
    await program.parseAsync(['node', 'glassbox', ...args]);
    return { code: 0, stderr, stdout };
  } catch (err) {
    if (!isGlassboxError(err)) throw err;
    stderr += `glassbox: ${err.message}\n`;
    return { code: 2, stderr, stdout };
  } finally {
    e.mockRestore();
    o.mockRestore();
  }
}

beforeAll(async () => {
  await initTf();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'glassbox-sag-cli-'));
  const m = tf.sequential();
  m.add(
    tf.layers.conv2d({
      inputShape: [12, 12, 3],
      filters: 4,
      kernelSize: 3,
      activation: 'relu',
      name: 'conv1',
    }),
  );
  m.add(tf.layers.flatten({ name: 'flatten' }));
  m.add(tf.layers.dense({ units: 3, name: 'logits' }));
  reseedWeights(m, 4, 0.2);
  modelDir = path.join(dir, 'model');
  await saveLayersModel(m, modelDir);
  imagePath = path.join(dir, 'image.png');
  const px = Buffer.from(Array.from(seeded(12 * 12 * 3, 9), (v) => Math.round((v + 1) * 127)));
  await sharp(px, { raw: { width: 12, height: 12, channels: 3 } })
    .png()
    .toFile(imagePath);
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('glassbox sag', () => {
  it('writes sag.svg, sag.json and summary.txt that agree with each other', async () => {
    const out = path.join(dir, 'out');
    const r = await run([
      'sag',
      '--model',
      modelDir,
      '--input',
      imagePath,
      '--grid',
      '4',
      '--threshold',
      '0.8',
      '--baseline',
      'black',
      '--heuristic',
      'rise',
      '--option',
      'masks=100',
      '--out',
      out,
      '--quiet',
    ]);
    expect(r.code).toBe(0);
    expect(fs.readdirSync(out).sort()).toEqual(['sag.json', 'sag.svg', 'summary.txt']);
    const json = JSON.parse(fs.readFileSync(path.join(out, 'sag.json'), 'utf8'));
    expect(json.format).toBe('glassbox-sag/1');
    expect(json.grid).toEqual({ rows: 4, cols: 4, height: 12, width: 12 });
    expect(json.heuristic.method).toBe('rise');
    expect(json.settings.threshold).toBe(0.8);
    expect(json.roots.length).toBeGreaterThan(0);
    for (const root of json.roots) expect(root.relative).toBeGreaterThanOrEqual(0.8);
    const summary = fs.readFileSync(path.join(out, 'summary.txt'), 'utf8');
    expect(summary.split('\n')[1]).toBe(`Roots: ${json.expression}`);
    expect(summary).toMatch(/numbered row-major from 0 on the 4×4 grid/);
    expect(r.stdout.split('\n')[0]).toBe(json.expression);
    const svg = fs.readFileSync(path.join(out, 'sag.svg'), 'utf8');
    checkXml(svg);
    expect(svg.match(/<g id="node-/g)?.length).toBe(json.nodes.length);
    expect(svg.match(/−P\d+<\/text>/g)?.length ?? 0).toBe(json.edges.length);
    expect(svg).toContain('data:image/png;base64,');
  });

  it('takes a .npy input and a ROWSxCOLS grid', async () => {
    const npy = path.join(dir, 'x.npy');
    writeNpy(npy, { data: seeded(12 * 12 * 3, 2, 0.5).map((v) => v + 0.5), shape: [12, 12, 3] });
    const out = path.join(dir, 'out-npy');
    const r = await run([
      'sag',
      '--model',
      modelDir,
      '--input',
      npy,
      '--grid',
      '3x2',
      '--target',
      '2',
      '--heuristic',
      'grad-cam',
      '--out',
      out,
      '--quiet',
    ]);
    expect(r.code).toBe(0);
    const json = JSON.parse(fs.readFileSync(path.join(out, 'sag.json'), 'utf8'));
    expect(json.grid).toMatchObject({ rows: 3, cols: 2 });
    expect(json.target).toBe(2);
    expect(json.heuristic.method).toBe('grad-cam');
  });

  const bad: [string, string[], RegExp][] = [
    ['a missing input', ['--input', 'nope.png'], /input not found: nope.png/],
    ['a bad grid', ['--grid', '7by7'], /--grid 7by7: expected n/],
    ['a target out of range', ['--target', '3'], /--target 3: expected an integer from 0 to 2$/m],
    ['a bad threshold', ['--threshold', '1.5'], /--threshold 1.5/],
    [
      'a bad baseline',
      ['--baseline', 'grey'],
      /--baseline grey: choose black, blur, mean or give a number/,
    ],
    ['an unknown heuristic', ['--heuristic', 'nope'], /unknown method "nope"/],
    ['a grid finer than the image', ['--grid', '20'], /does not fit a 12×12 image/],
  ];
  for (const [what, args, message] of bad) {
    it(`${what}: one line, exit code 2, nothing written`, async () => {
      const out = path.join(dir, `bad-${what.replace(/\W+/g, '-')}`);
      const r = await run([
        'sag',
        '--model',
        modelDir,
        '--input',
        imagePath,
        '--quiet',
        '--out',
        out,
        ...args,
      ]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(fs.existsSync(out)).toBe(false);
    });
  }
});
