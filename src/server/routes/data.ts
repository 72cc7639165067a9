/**
 * What is already in the data folder: inputs (samples and uploads), training runs with their
 * curves and confusion matrices, benchmark and evaluation reports, and their files.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { fail } from '../../core/errors.js';
import { heatmapChart, lineChart, type Series } from '../../viz/svg-chart.js';
import { parseRequest } from '../app.js';
import { inputType, listSamples, previewPng, resolveInput } from '../inputs.js';
import { readJson } from '../models.js';
import { findFolders, WEB_DIR } from '../storage.js';
import type { ServerContext } from '../tasks/context.js';

const pathQuery = z.strictObject({ path: z.string().min(1).max(512) });
const refQuery = z.strictObject({ ref: z.string().min(1).max(300) });

/** What /api/files serves, by extension; anything else is refused. */
const FILE_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.json': 'application/json',
  '.png': 'image/png',
  '.gif': 'image/gif',
  '.svg': 'image/svg+xml',
  '.txt': 'text/plain; charset=utf-8',
  '.npy': 'application/octet-stream',
};

interface EpochRecord {
  epoch: number;
  loss: number;
  acc: number;
  valLoss?: number;
  valAcc?: number;
}

export function registerDataRoutes(app: FastifyInstance, server: ServerContext): void {
  const { storage } = server;

  app.get('/api/inputs', async () => {
    const samples = await listSamples(storage);
    const dir = storage.dir('uploads', 'inputs');
    const uploads = fs
      .readdirSync(dir)
      .map((f) => ({ f, t: fs.statSync(path.join(dir, f)).mtimeMs }))
      .sort((a, b) => b.t - a.t)
      .slice(0, 20)
      .map(({ f }) => ({ ref: `upload:${f}`, name: f, type: inputType(f) }));
    return { samples, uploads };
  });

  app.get('/api/inputs/preview', async (request, reply) => {
    const { ref } = parseRequest(refQuery, request.query, 'query');
    const png = await previewPng(resolveInput(storage, ref));
    if (!png) return reply.code(404).send({ error: 'this array has no picture (it is not shaped like an image)' });
    return reply.type('image/png').send(png);
  });

  /** Training runs: any folder with run.json, and the built-in examples once trained. */
  app.get('/api/runs', async () => {
    const folders = [...findFolders(storage.root, 'run.json'), ...findFolders(storage.dir('examples'), 'run.json', 1).map((f) => `${WEB_DIR}/examples/${f}`)];
    return folders.map((rel) => {
      const run = readJson(path.join(storage.root, rel, 'run.json')) as RunJson | undefined;
      return {
        path: rel,
        name: run?.name ?? rel,
        createdAt: run?.createdAt,
        dataset: run?.config?.dataset?.name,
        architecture: run?.config?.model?.architecture,
        epochs: run?.training?.epochs,
        testAccuracy: run?.metrics?.test?.accuracy,
      };
    });
  });

  app.get('/api/runs/detail', async (request) => {
    const { path: rel } = parseRequest(pathQuery, request.query, 'query');
    const dir = storage.resolveInside(rel);
    const run = readJson(path.join(dir, 'run.json')) as RunJson | undefined;
    if (!run) fail(`${rel} is not a training run (no readable run.json)`);
    const metricsFile = readJson(path.join(dir, 'metrics.json')) as MetricsJson | undefined;
    const history: EpochRecord[] = metricsFile?.history ?? run.training?.history ?? [];
    const series = (key: keyof EpochRecord, name: string, dashed = false, color?: string): Series => ({
      name,
      points: history.map((h) => [h.epoch, Number(h[key] ?? NaN)] as const),
      dashed,
      color,
    });
    const charts: Record<string, string> = {};
    if (history.length) {
      charts.loss = lineChart({ title: 'Loss', xLabel: 'epoch', yLabel: 'loss', integerX: true, width: 440, height: 280, series: [series('loss', 'train', false, '#1f77b4'), ...(history.some((h) => h.valLoss !== undefined) ? [series('valLoss', 'validation', true, '#ff7f0e')] : [])] });
      charts.accuracy = lineChart({ title: 'Accuracy', xLabel: 'epoch', yLabel: 'accuracy', integerX: true, width: 440, height: 280, series: [series('acc', 'train', false, '#1f77b4'), ...(history.some((h) => h.valAcc !== undefined) ? [series('valAcc', 'validation', true, '#ff7f0e')] : [])] });
    }
    const metrics = metricsFile?.metrics;
    if (metrics?.confusion?.length) {
      const names = metrics.classNames ?? metrics.confusion.map((_, i) => String(i));
      charts.confusion = heatmapChart({ title: 'Confusion matrix (test)', values: metrics.confusion, rowLabels: names, colLabels: names, xLabel: 'predicted', yLabel: 'true' });
    }
    const fileIf = (name: string) => (fs.existsSync(path.join(dir, name)) ? `${rel}/${name}` : undefined);
    return {
      path: rel,
      name: run.name ?? rel,
      createdAt: run.createdAt,
      dataset: run.config?.dataset?.name,
      architecture: run.config?.model?.architecture,
      metrics: run.metrics,
      history,
      charts,
      perClass: metrics?.perClass,
      files: { report: fileIf('report.html'), markdown: fileIf('report.md'), confusion: fileIf('confusion.png'), runJson: fileIf('run.json') },
      tensorboard: fs.existsSync(path.join(dir, 'tb')) ? `tensorboard --logdir ${path.join(storage.root, rel, 'tb')}` : undefined,
      dynamics: dynamicsFiles(dir, rel),
    };
  });

  /** Benchmark and evaluation reports (benchmark.json / evaluation.json) anywhere in the data folder. */
  app.get('/api/benchmarks', async () => {
    const reports: { path: string; kind: string; createdAt?: string; entries: string[]; methods: number; metrics: number }[] = [];
    const roots = [
      ...findFolders(storage.root, 'benchmark.json').map((f) => ({ f, kind: 'benchmark' })),
      ...findFolders(storage.root, 'evaluation.json').map((f) => ({ f, kind: 'evaluation' })),
      ...findFolders(storage.dir('evaluations'), 'evaluation.json', 1).map((f) => ({ f: `${WEB_DIR}/evaluations/${f}`, kind: 'evaluation' })),
    ];
    for (const { f, kind } of roots) {
      const rel = f ? `${f}/${kind}.json` : `${kind}.json`;
      const report = readJson(path.join(storage.root, rel)) as BenchmarkJson | undefined;
      if (!report || report.format !== 'glassbox-benchmark/1') continue;
      reports.push({ path: rel, kind, createdAt: report.createdAt, entries: report.entries.map((e) => e.name), methods: report.entries[0]?.methods.length ?? 0, metrics: report.metrics.length });
    }
    return reports.sort((a, b) => String(b.createdAt).localeCompare(String(a.createdAt)));
  });

  app.get('/api/benchmarks/detail', async (request) => {
    const { path: rel } = parseRequest(pathQuery, request.query, 'query');
    if (!/(^|\/)(benchmark|evaluation)\.json$/.test(rel)) fail('give the path of a benchmark.json or evaluation.json');
    const report = readJson(storage.resolveInside(rel)) as BenchmarkJson | undefined;
    if (!report || report.format !== 'glassbox-benchmark/1') fail(`${rel} is not a Glassbox benchmark report`);
    const folder = path.posix.dirname(rel);
    const charts: Record<string, Record<string, string>> = {};
    for (const entry of report.entries) {
      charts[entry.name] = {};
      for (const metric of ['deletion', 'insertion']) {
        const series: Series[] = [];
        let xLabel = 'fraction removed';
        let yLabel = 'probability';
        for (const row of entry.methods) {
          const curve = row.metrics[metric]?.curves?.[0];
          if (!curve) continue;
          xLabel = curve.xLabel;
          yLabel = curve.yLabel;
          series.push({ name: row.method, points: curve.x.map((x, i) => [x, curve.mean[i]] as const), markers: false });
        }
        if (series.length) charts[entry.name][metric] = lineChart({ title: `${metric[0].toUpperCase()}${metric.slice(1)} curves, ${entry.name}`, xLabel, yLabel, series, width: 520, height: 320 });
      }
    }
    const html = fs.existsSync(path.join(storage.root, folder, `${path.posix.basename(rel, '.json')}.html`)) ? `${folder === '.' ? '' : `${folder}/`}${path.posix.basename(rel, '.json')}.html` : undefined;
    return { path: rel, report, charts, html };
  });

  /** A file of a run or report (whitelisted types; HTML and SVG sandboxed). */
  app.get('/api/files', async (request, reply) => {
    const { path: rel } = parseRequest(pathQuery, request.query, 'query');
    const full = storage.resolveInside(rel);
    const type = FILE_TYPES[path.extname(full).toLowerCase()];
    if (!type) fail(`files of type ${path.extname(full) || '(none)'} are not served`);
    if (!fs.statSync(full).isFile()) fail(`${rel} is not a file`);
    if (rel.split('/').includes('uploads')) fail('uploaded files are not served back as they are');
    reply.header('content-type', type);
    if (type.startsWith('text/html') || type.startsWith('image/svg')) reply.header('content-security-policy', "sandbox allow-scripts; default-src 'self' 'unsafe-inline' data:");
    return reply.send(fs.createReadStream(full));
  });
}

/** Files of the training-dynamics views (src/dynamics) saved in a run, when there are any. */
function dynamicsFiles(dir: string, rel: string): { name: string; path: string; type: string }[] {
  const out: { name: string; path: string; type: string }[] = [];
  for (const sub of ['dynamics', '.']) {
    const d = path.join(dir, sub);
    if (!fs.existsSync(d)) continue;
    for (const name of fs.readdirSync(d).sort()) {
      const ext = path.extname(name).toLowerCase();
      if (sub === '.' && !name.startsWith('dynamics')) continue;
      if (!['.png', '.gif', '.svg', '.html', '.json'].includes(ext)) continue;
      if (!fs.statSync(path.join(d, name)).isFile()) continue;
      out.push({ name, path: sub === '.' ? `${rel}/${name}` : `${rel}/dynamics/${name}`, type: ext.slice(1) });
    }
  }
  return out;
}

interface RunJson {
  name?: string;
  createdAt?: string;
  config?: { dataset?: { name?: string }; model?: { architecture?: string } };
  training?: { epochs?: number; history?: EpochRecord[] };
  metrics?: { test?: { accuracy?: number } };
}

interface MetricsJson {
  history?: EpochRecord[];
  metrics?: { classNames?: string[]; confusion?: number[][]; perClass?: unknown[] };
}

interface BenchmarkJson {
  format: string;
  createdAt?: string;
  metrics: { name: string }[];
  entries: Array<{ name: string; methods: Array<{ method: string; metrics: Record<string, { curves?: Array<{ x: number[]; mean: number[]; xLabel: string; yLabel: string }> }> }> }>;
}
