/** `glassbox explain` end to end, in process: outputs on success, one clear line and exit 2 on bad input. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { initTf, tf } from '../../src/runtime/tf.js';
import { main } from '../../src/cli/main.js';
import { saveLayersModel } from '../../src/io/tfjs-files.js';
import { readNpy, writeNpy } from '../../src/io/npy.js';
import { reseedWeights, seeded } from '../helpers/models.js';

let dir: string;
let modelDir: string;
let imagePath: string;

async function run(args: string[]): Promise<{ code: number; stderr: string; stdout: string }> {
  let stderr = '';
  let stdout = '';
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s: any) => ((stderr += String(s)), true));
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s: any) => ((stdout += String(s)), true));
  try {
    const code = await main(['node', 'glassbox', ...args]);
    return { code, stderr, stdout };
  } finally {
    e.mockRestore();
    o.mockRestore();
  }
}

beforeAll(async () => {
  await initTf();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'glassbox-cli-'));
  const m = tf.sequential();
  m.add(tf.layers.conv2d({ inputShape: [12, 12, 1], filters: 4, kernelSize: 3, activation: 'relu', name: 'conv1' }));
  m.add(tf.layers.maxPooling2d({ poolSize: 2, name: 'pool1' }));
  m.add(tf.layers.flatten({ name: 'flatten' }));
  m.add(tf.layers.dense({ units: 3, name: 'logits' }));
  reseedWeights(m, 2);
  modelDir = path.join(dir, 'model');
  await saveLayersModel(m, modelDir);
  imagePath = path.join(dir, 'digit.png');
  const px = Buffer.from(Array.from(seeded(20 * 16, 3), (v) => Math.round((v + 1) * 127)));
  await sharp(px, { raw: { width: 20, height: 16, channels: 1 } }).png().toFile(imagePath);
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('glassbox explain', () => {
  it('writes attribution.npy, overlay.png and explanation.json per method', async () => {
    const out = path.join(dir, 'out');
    const r = await run(['explain', '--model', modelDir, '--input', imagePath, '--method', 'gradient,grad-cam', '--target', '1', '--out', out]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/Grad-CAM: using layer pool1/);
    for (const method of ['gradient', 'grad-cam']) {
      const a = readNpy(path.join(out, method, 'attribution.npy'));
      expect(a.shape).toEqual([12, 12, 1]);
      const json = JSON.parse(fs.readFileSync(path.join(out, method, 'explanation.json'), 'utf8'));
      expect(json.method).toBe(method);
      expect(json.inputs[0].target).toBe(1);
      expect(typeof json.inputs[0].score).toBe('number');
      expect(json.inputs[0].text).toMatch(/^(Most of the positive evidence|The map gives no evidence) for "1"/);
      const meta = await sharp(path.join(out, method, 'overlay.png')).metadata();
      expect(meta.width).toBeGreaterThanOrEqual(224);
    }
    expect(fs.readdirSync(out).filter((f) => f.startsWith('.staging'))).toEqual([]);
    // Side by side: the input and one tile per method.
    const grid = await sharp(path.join(out, 'grid.png')).metadata();
    expect(grid.width).toBeGreaterThanOrEqual(3 * 224);
    // In words: each map, then how the methods agree. This seeded model's Grad-CAM for class 1 is
    // zero everywhere (the ReLU removes it all), so there is no ranking to compare it with.
    const words = fs.readFileSync(path.join(out, 'summary.txt'), 'utf8');
    expect(words).toMatch(/^gradient: Most of the positive evidence for "1" lies in the /);
    expect(words).toContain('\ngrad-cam: The map gives no evidence for "1" anywhere.\n');
    expect(words).not.toMatch(/agree/);
  });

  it('plots 1-D signal attributions as coloured lines', async () => {
    const m = tf.sequential();
    m.add(tf.layers.conv1d({ inputShape: [16, 1], filters: 3, kernelSize: 3, activation: 'relu', name: 'c1' }));
    m.add(tf.layers.flatten({}));
    m.add(tf.layers.dense({ units: 2, name: 'logits' }));
    reseedWeights(m, 4);
    const signalModel = path.join(dir, 'signal-model');
    await saveLayersModel(m, signalModel);
    const npy = path.join(dir, 'signal.npy');
    writeNpy(npy, { data: seeded(16, 8), shape: [16, 1] });
    const out = path.join(dir, 'out-signal');
    const r = await run(['explain', '--model', signalModel, '--input', npy, '--method', 'gradient,grad-cam', '--out', out]);
    expect(r.code).toBe(0);
    expect(readNpy(path.join(out, 'grad-cam', 'attribution.npy')).shape).toEqual([16, 1]);
    expect(fs.readFileSync(path.join(out, 'gradient', 'plot.svg'), 'utf8')).toMatch(/^<svg/);
    expect((await sharp(path.join(out, 'gradient', 'plot.png')).metadata()).width).toBe(480);
  });

  it('accepts a .npy batch and writes attributions in the same shape', async () => {
    const npy = path.join(dir, 'batch.npy');
    writeNpy(npy, { data: seeded(2 * 144, 5), shape: [2, 12, 12, 1] });
    const out = path.join(dir, 'out-npy');
    const r = await run(['explain', '--model', path.join(modelDir, 'model.json'), '--input', npy, '--method', 'saliency', '--out', out]);
    expect(r.code).toBe(0);
    expect(readNpy(path.join(out, 'saliency', 'attribution.npy')).shape).toEqual([2, 12, 12, 1]);
    expect(fs.existsSync(path.join(out, 'saliency', 'overlay-1.png'))).toBe(true);
  });

  const cases: Array<[string, () => string[], RegExp]> = [
    ['missing model', () => ['--model', path.join(dir, 'nope'), '--input', imagePath], /model not found/],
    ['corrupt model', () => {
      const bad = path.join(dir, 'bad');
      fs.mkdirSync(bad, { recursive: true });
      fs.writeFileSync(path.join(bad, 'model.json'), '{"modelTopology": 3');
      return ['--model', bad, '--input', imagePath];
    }, /not valid JSON/],
    ['truncated weights', () => {
      const bad = path.join(dir, 'trunc');
      fs.cpSync(modelDir, bad, { recursive: true });
      fs.writeFileSync(path.join(bad, 'weights.bin'), Buffer.alloc(10));
      return ['--model', bad, '--input', imagePath];
    }, /corrupt or truncated/],
    ['wrong input shape', () => {
      const npy = path.join(dir, 'wrong.npy');
      writeNpy(npy, { data: new Float32Array(10 * 10), shape: [10, 10, 1] });
      return ['--model', modelDir, '--input', npy];
    }, /expects \[12, 12, 1\]/],
    ['unknown method', () => ['--model', modelDir, '--input', imagePath, '--method', 'magic'], /unknown method "magic"/],
    ['unknown layer', () => ['--model', modelDir, '--input', imagePath, '--method', 'grad-cam', '--layer', 'conv9'], /unknown layer "conv9".*conv1/],
    ['non-image input', () => {
      const txt = path.join(dir, 'notes.png');
      fs.writeFileSync(txt, 'this is not an image');
      return ['--model', modelDir, '--input', txt];
    }, /not a readable image/],
    ['target out of range', () => ['--model', modelDir, '--input', imagePath, '--target', '9'], /--target 9/],
  ];

  for (const [name, args, message] of cases) {
    it(`fails cleanly on ${name}: one line, exit 2, nothing written`, async () => {
      const out = path.join(dir, `err-${name.replace(/\W+/g, '-')}`);
      const r = await run(['explain', ...args(), '--out', out]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).not.toMatch(/\s+at /);
      expect(fs.existsSync(out) ? fs.readdirSync(out) : []).toEqual([]);
    });
  }
});

describe('glassbox methods', () => {
  it('lists the registered methods', async () => {
    const r = await run(['methods']);
    expect(r.code).toBe(0);
    for (const name of ['gradient', 'saliency', 'grad-cam']) expect(r.stdout).toMatch(new RegExp(`^${name}\\s`, 'm'));
  });
});
