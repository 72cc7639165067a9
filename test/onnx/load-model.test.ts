/** loadModel picks the engine by file content; `glassbox layers` lists layers for both engines. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initTf } from '../../src/runtime/tf.js';
import { saveLayersModel } from '../../src/io/tfjs-files.js';
import { loadModel, detectModelFormat } from '../../src/models/load-model.js';
import { OnnxModel } from '../../src/models/onnx-model.js';
import { TfjsModel } from '../../src/models/tfjs-model.js';
import { register, runLayers } from '../../src/cli/layers.js';
import { smallCnn } from '../helpers/models.js';
import { tinyCnn } from './models.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'glassbox-load-'));
const onnxFile = path.join(dir, 'tiny.onnx');
const disguised = path.join(dir, 'weights.bin');
const tfjsDir = path.join(dir, 'tfjs');
const onnxDir = path.join(dir, 'onnx-only');

beforeAll(async () => {
  await initTf();
  fs.writeFileSync(onnxFile, tinyCnn());
  fs.writeFileSync(disguised, tinyCnn());
  fs.mkdirSync(onnxDir);
  fs.writeFileSync(path.join(onnxDir, 'net.onnx'), tinyCnn());
  await saveLayersModel(smallCnn(), tfjsDir);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('loadModel', () => {
  it('chooses the engine by content, not only by extension', async () => {
    expect(detectModelFormat(onnxFile).format).toBe('onnx');
    expect(detectModelFormat(disguised).format).toBe('onnx');
    expect(detectModelFormat(tfjsDir)).toEqual({ format: 'tfjs', file: path.join(tfjsDir, 'model.json') });
    expect(detectModelFormat(path.join(tfjsDir, 'model.json')).format).toBe('tfjs');
    expect(detectModelFormat(onnxDir)).toEqual({ format: 'onnx', file: path.join(onnxDir, 'net.onnx') });
    const a = await loadModel(disguised, { threads: 1 });
    expect(a).toBeInstanceOf(OnnxModel);
    expect(a.inputShape).toEqual([8, 8, 3]);
    a.dispose();
    const b = await loadModel(tfjsDir);
    expect(b).toBeInstanceOf(TfjsModel);
    b.dispose();
  });

  it('refuses ONNX-only options for a TF.js model', async () => {
    await expect(loadModel(tfjsDir, { preprocess: 'imagenet' })).rejects.toThrow(/preprocess apply to ONNX models only/);
  });
});

describe('glassbox layers', () => {
  it('prints names, types and canonical shapes of an ONNX model', async () => {
    const out = await runLayers({ model: onnxFile });
    const lines = out.trim().split('\n');
    expect(lines[0]).toBe('tiny: image input [8, 8, 3], 5 classes (logits), 8 layers');
    expect(lines.find((l) => l.startsWith('pool1'))).toMatch(/^pool1\s+MaxPool\s+\[4, 4, 4\]\s+spatial$/);
    expect(lines.find((l) => l.startsWith('fc'))).toMatch(/^fc\s+Gemm\s+\[5\]$/);
  });

  it('prints the layers of a TF.js model, and JSON on request', async () => {
    const out = await runLayers({ model: tfjsDir });
    expect(out).toMatch(/^conv2\s+Conv2D\s+\[6, 6, 3\]\s+spatial$/m);
    const json = JSON.parse(await runLayers({ model: onnxFile, json: true }));
    expect(json.layers.map((l: { name: string }) => l.name).slice(0, 4)).toEqual(['conv1', 'bn1', 'relu1', 'pool1']);
    expect(json.inputShape).toEqual([8, 8, 3]);
  });

  it('registers the command with its options', () => {
    const program = new Command();
    register(program);
    const cmd = program.commands.find((c) => c.name() === 'layers')!;
    expect(cmd.options.map((o) => o.long)).toEqual(['--model', '--layout', '--size', '--json']);
  });
});
