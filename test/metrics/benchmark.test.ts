/** A small end-to-end run of the benchmark and of `glassbox evaluate`, and the cache that lets them resume. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Command } from 'commander';
import sharp from 'sharp';
import { initTf } from '../../src/runtime/tf.js';
import { TfjsModel } from '../../src/models/tfjs-model.js';
import { saveLayersModel } from '../../src/io/tfjs-files.js';
import { explain } from '../../src/methods/index.js';
import { evaluateMetric } from '../../src/metrics/index.js';
import { runBenchmark } from '../../src/metrics/benchmark/runner.js';
import { meanRanks } from '../../src/metrics/benchmark/report.js';
import type { BenchmarkEntry, BenchmarkReport } from '../../src/metrics/benchmark/types.js';
import { generateShapes } from '../../src/train/data/shapes.js';
import { parseConfig } from '../../src/train/config.js';
import { register as registerEvaluate } from '../../src/cli/evaluate.js';
import { register as registerBenchmark } from '../../src/cli/benchmark.js';
import { smallCnn } from '../helpers/models.js';

beforeAll(async () => {
  await initTf();
});

const SIZE = 20;
const shapesOptions = {
  size: SIZE,
  channels: 3 as const,
  trainCount: 8,
  testCount: 4,
  classes: 4,
  seed: 1,
};

function shapesEntry(): BenchmarkEntry {
  const ds = generateShapes(shapesOptions);
  const n = 3;
  const size = SIZE * SIZE * 3;
  return {
    name: 'shapes',
    model: new TfjsModel(smallCnn('relu', [SIZE, SIZE, 3])),
    modelId: 'small-cnn-7',
    modelSource: 'test model',
    inputs: { data: ds.test.x.slice(0, n * size), shape: [n, SIZE, SIZE, 3] },
    labels: ds.test.y.slice(0, n),
    groundTruth: {
      masks: ds.test.masks!.slice(0, n * SIZE * SIZE),
      boxes: ds.test.boxes!.slice(0, n * 4),
    },
  };
}

function tmp(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

describe('benchmark runner', () => {
  it('writes the three reports, with values equal to a direct evaluation, and resumes from its cache', async () => {
    const out = tmp('gb-bench-');
    const entry = shapesEntry();
    const lines: string[] = [];
    const opts = {
      out,
      methods: ['gradient', 'grad-cam'],
      metrics: ['deletion', 'pointing-game'],
      examples: 2,
      log: (l: string) => lines.push(l),
    };
    const first = await runBenchmark([entry], opts);
    expect(first.computed).toBe(2 + 4);
    expect(first.cached).toBe(0);
    const json = JSON.parse(
      fs.readFileSync(path.join(out, 'benchmark.json'), 'utf8'),
    ) as BenchmarkReport;
    expect(json.entries[0].methods.map((m) => m.method)).toEqual(['gradient', 'grad-cam']);
    // The deletion cell is the mean of an independent evaluation of the same explanations.
    const exps = await explain(entry.model, entry.inputs, 'grad-cam', { seed: 0 });
    const direct = await evaluateMetric(entry.model, entry.inputs, exps, 'deletion');
    const cell = json.entries[0].methods[1].metrics.deletion;
    expect(cell.mean).toBeCloseTo(direct.mean, 6);
    expect(cell.scores!.length).toBe(3);
    expect(cell.curves![0].mean.length).toBe(SIZE + 1);
    expect(json.entries[0].methods[0].msPerInput).toBeGreaterThan(0);
    for (const m of json.entries[0].methods)
      expect(m.metrics['pointing-game'].mean).toBeGreaterThanOrEqual(0);

    const md = fs.readFileSync(path.join(out, 'benchmark.md'), 'utf8');
    expect(md).toContain('| method | ms/input | deletion ↓ | pointing-game ↑ | rank F | rank |');
    expect(md).toMatch(/\| grad-cam \| [\d.]+ \| /);
    const html = fs.readFileSync(path.join(out, 'benchmark.html'), 'utf8');
    expect(html).toContain('class="sortable"');
    expect(html).toContain('<svg');
    const imgs = [...html.matchAll(/<img src="([^"]+)"/g)].map((m) => m[1]);
    expect(imgs.length).toBe(2 * 3); // 2 examples × (input + 2 methods)
    for (const f of imgs) expect(fs.existsSync(path.join(out, f))).toBe(true);
    expect(lines.some((l) => l.includes('[6/6]'))).toBe(true);

    // Again: everything from the cache, same numbers.
    const second = await runBenchmark([entry], opts);
    expect(second.computed).toBe(0);
    expect(second.cached).toBe(6);
    expect(second.report.entries[0].methods[1].metrics.deletion.mean).toBe(cell.mean);
    // One result lost (an interrupted run): only it is computed again.
    fs.rmSync(path.join(out, 'cache', 'shapes', 'gradient', 'pointing-game.json'));
    const third = await runBenchmark([entry], opts);
    expect(third.computed).toBe(1);
    // Other method options invalidate that method's explanations and its metrics, not the others.
    const fourth = await runBenchmark([entry], {
      ...opts,
      methodOptions: { 'grad-cam': { layer: 'conv1' } },
    });
    expect(fourth.computed).toBe(3);
  });

  it("ranks methods per metric with the metric's direction, ties sharing their mean rank", () => {
    const cell = (mean: number, direction: 'higher' | 'lower') => ({
      metric: 'x',
      direction,
      mean,
    });
    const entry = {
      name: 'e',
      kind: 'image',
      inputShape: [1],
      modelSource: '',
      count: 1,
      methods: [
        {
          method: 'a',
          title: '',
          metrics: { deletion: cell(0.1, 'lower'), insertion: cell(0.5, 'higher') },
        },
        {
          method: 'b',
          title: '',
          metrics: { deletion: cell(0.3, 'lower'), insertion: cell(0.5, 'higher') },
        },
        {
          method: 'c',
          title: '',
          metrics: { deletion: cell(0.2, 'lower'), insertion: cell(0.9, 'higher') },
        },
      ],
    };
    const ranks = meanRanks(entry, ['deletion', 'insertion'], (m) =>
      m === 'deletion' ? 'lower' : 'higher',
    );
    expect(ranks.get('a')).toBeCloseTo((1 + 2.5) / 2, 12);
    expect(ranks.get('b')).toBeCloseTo((3 + 2.5) / 2, 12);
    expect(ranks.get('c')).toBeCloseTo((2 + 1) / 2, 12);
  });
});

describe('glassbox evaluate and glassbox benchmark', () => {
  async function run(args: string[]): Promise<string> {
    const program = new Command('glassbox').exitOverride();
    registerEvaluate(program);
    registerBenchmark(program);
    const written: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    const errWrite = process.stderr.write.bind(process.stderr);
    process.stdout.write = ((s: string) => (
      written.push(String(s)),
      true
    )) as typeof process.stdout.write;
    process.stderr.write = (() => true) as typeof process.stderr.write;
    try {
      await program.parseAsync(['node', 'glassbox', ...args]);
    } finally {
      process.stdout.write = write;
      process.stderr.write = errWrite;
    }
    return written.join('');
  }

  it('evaluate scores a saved model on the shapes data with masks', async () => {
    const dir = tmp('gb-eval-');
    await saveLayersModel(smallCnn('relu', [SIZE, SIZE, 3]), path.join(dir, 'model'));
    const out = path.join(dir, 'out');
    const stdout = await run([
      'evaluate',
      '--model',
      path.join(dir, 'model'),
      '--data',
      'shapes',
      '--count',
      '2',
      '--methods',
      'gradient',
      '--metrics',
      'sparseness,energy-pointing-game',
      '--out',
      out,
    ]);
    expect(stdout.trim().split('\n')).toEqual([
      path.join(out, 'evaluation.html'),
      path.join(out, 'evaluation.md'),
      path.join(out, 'evaluation.json'),
    ]);
    const json = JSON.parse(
      fs.readFileSync(path.join(out, 'evaluation.json'), 'utf8'),
    ) as BenchmarkReport;
    const cells = json.entries[0].methods[0].metrics;
    expect(cells.sparseness.count).toBe(2);
    expect(cells['energy-pointing-game'].count).toBe(2);
  });

  it("evaluate takes an image folder, without accuracy when the folder names are not the model's classes", async () => {
    const dir = tmp('gb-eval-folder-');
    for (const cls of ['cats', 'dogs']) {
      fs.mkdirSync(path.join(dir, 'images', cls), { recursive: true });
      for (let i = 0; i < 3; i++) {
        const px = Buffer.from(
          Array.from(
            { length: 24 * 24 * 3 },
            (_, k) => (k * (i + 3) + (cls === 'cats' ? 0 : 90)) % 256,
          ),
        );
        await sharp(px, { raw: { width: 24, height: 24, channels: 3 } })
          .png()
          .toFile(path.join(dir, 'images', cls, `${i}.png`));
      }
    }
    await saveLayersModel(smallCnn('relu', [SIZE, SIZE, 3]), path.join(dir, 'model'));
    const out = path.join(dir, 'out');
    await run([
      'evaluate',
      '--model',
      path.join(dir, 'model'),
      '--data',
      path.join(dir, 'images'),
      '--count',
      '4',
      '--methods',
      'saliency',
      '--metrics',
      'deletion',
      '--out',
      out,
    ]);
    const json = JSON.parse(
      fs.readFileSync(path.join(out, 'evaluation.json'), 'utf8'),
    ) as BenchmarkReport;
    expect(json.entries[0].name).toBe('images');
    expect(json.entries[0].count).toBe(4);
    expect(json.entries[0].accuracy).toBeUndefined();
    expect(json.entries[0].methods[0].metrics.deletion.count).toBe(4);
  });

  it('benchmark reuses a finished run of a repository config, and rejects unknown names in one line', async () => {
    const dir = tmp('gb-bench-cli-');
    const configs = path.join(dir, 'configs');
    const runs = path.join(dir, 'runs');
    fs.mkdirSync(configs);
    const configInput = {
      name: 'tiny-shapes',
      dataset: { name: 'shapes', options: shapesOptions },
      model: { architecture: 'cnn', convBlocks: [{ filters: 4, kernel: 3 }] },
      training: { epochs: 1 },
    };
    fs.writeFileSync(path.join(configs, 'shapes-cnn.json'), JSON.stringify(configInput));
    // A finished run of that config: run.json with the parsed config, and a model.
    fs.mkdirSync(path.join(runs, 'tiny-shapes'), { recursive: true });
    fs.writeFileSync(
      path.join(runs, 'tiny-shapes', 'run.json'),
      JSON.stringify({ config: parseConfig(configInput) }),
    );
    await saveLayersModel(
      smallCnn('relu', [SIZE, SIZE, 3]),
      path.join(runs, 'tiny-shapes', 'model'),
    );
    const out = path.join(dir, 'bench');
    await run([
      'benchmark',
      '--datasets',
      'shapes',
      '--runs',
      runs,
      '--configs',
      configs,
      '--count',
      '2',
      '--methods',
      'saliency',
      '--metrics',
      'entropy',
      '--out',
      out,
    ]);
    const json = JSON.parse(
      fs.readFileSync(path.join(out, 'benchmark.json'), 'utf8'),
    ) as BenchmarkReport;
    expect(json.entries[0].modelSource).toContain('tiny-shapes');
    expect(json.entries[0].methods[0].metrics.entropy.count).toBe(2);
    expect(fs.existsSync(path.join(out, 'models'))).toBe(false); // nothing was trained

    const err = await run([
      'benchmark',
      '--datasets',
      'shapes',
      '--metrics',
      'nope',
      '--out',
      out,
    ]).catch((e) => e);
    expect(err.message).toMatch(/unknown metric "nope"/);
  });
});
