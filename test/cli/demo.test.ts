/** The demo end to end on a tiny config: trains, explains, and writes the report with its words. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initTf } from '../../src/runtime/tf.js';
import { runDemo } from '../../src/cli/demo.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'glassbox-demo-'));

beforeAll(async () => {
  await initTf();
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('glassbox demo', () => {
  it('trains, explains one digit per class and writes the report with each map in words', async () => {
    const config = path.join(dir, 'tiny.json');
    fs.writeFileSync(
      config,
      JSON.stringify({
        name: 'tiny-mnist',
        seed: 1,
        dataset: { name: 'mnist', options: { trainLimit: 600, testLimit: 200, validationFraction: 0.1 } },
        model: { architecture: 'cnn', convBlocks: [{ filters: 8, kernel: 3, pool: 'max' }, { filters: 8, kernel: 3, pool: 'max' }], dense: [] },
        training: { epochs: 1, batchSize: 64, optimizer: 'adam', learningRate: 0.005 },
        output: { histograms: false, sampleImages: 0, report: false },
      }),
    );
    const out = path.join(dir, 'demo');
    const { report, summaryFile } = await runDemo({ out, count: '3', methods: 'gradient,grad-cam', config });
    const html = fs.readFileSync(report, 'utf8');
    const agreements = fs.readFileSync(path.join(out, 'explain', 'summary.txt'), 'utf8').match(/^gradient and grad-cam .* on where the evidence is .*$/gm) ?? [];
    expect(agreements.length).toBeGreaterThan(0);
    expect(html.match(/<td class="words" colspan="3">gradient and grad-cam /g)?.length).toBe(agreements.length);
    expect(html.match(/<td title="(Most of the |The largest shares |The map gives no)/g)?.length).toBe(6);
    const summary = JSON.parse(fs.readFileSync(summaryFile, 'utf8'));
    expect(summary.inputs.map((i: { label: number }) => i.label)).toEqual([...new Set(summary.inputs.map((i: { label: number }) => i.label))]);
    expect(summary.methods.map((m: { name: string; error?: string }) => [m.name, m.error])).toEqual([
      ['gradient', undefined],
      ['grad-cam', undefined],
    ]);
    expect(fs.readFileSync(path.join(out, 'explain', 'summary.txt'), 'utf8')).toMatch(/^Input 0:\ngradient: /);
  });

  it('runs on MNIST-1D with each map drawn over its signal', async () => {
    const config = path.join(dir, 'tiny-1d.json');
    fs.writeFileSync(
      config,
      JSON.stringify({
        name: 'tiny-mnist1d',
        seed: 1,
        dataset: { name: 'mnist1d', options: { validationFraction: 0.1 } },
        model: { architecture: 'cnn1d', convBlocks: [{ filters: 8, kernel: 5, stride: 2 }, { filters: 8, kernel: 3, stride: 2 }], dense: [] },
        training: { epochs: 1, batchSize: 100, optimizer: 'adam', learningRate: 0.01 },
        output: { histograms: false, sampleImages: 0, report: false },
      }),
    );
    const out = path.join(dir, 'demo-1d');
    const { report } = await runDemo({ out, count: '2', methods: 'integrated-gradients,occlusion', config });
    const html = fs.readFileSync(report, 'utf8');
    expect(html).toContain('drawn over the signal');
    // The two inputs and their 2 × 2 maps are line plots.
    expect(html.match(/<img class="plot" src="data:image\/png;base64,/g)?.length).toBe(6);
    expect(fs.existsSync(path.join(out, 'explain', 'occlusion', 'plot-0.svg'))).toBe(true);
    expect(fs.readFileSync(path.join(out, 'explain', 'summary.txt'), 'utf8')).toMatch(/time steps hold \d+% of it/);
  });

  it('refuses a table config before training, writing nothing', async () => {
    const out = path.join(dir, 'demo-table');
    const config = path.resolve('configs/breast-cancer-mlp.json');
    await expect(runDemo({ out, count: '2', methods: 'gradient', config })).rejects.toThrow(
      /^the demo shows images and signals; config breast-cancer-mlp trains on a table/,
    );
    expect(fs.existsSync(out)).toBe(false);
  });
});
