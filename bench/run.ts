/**
 * `npm run bench [-- --models resnet18,mobilenet_v2] [--rows forward-b1,rise] [--quick] [--out FILE]`
 *
 * Glassbox vs PyTorch, side by side on this machine with the same thread count: each torchvision
 * model (fixed random weights) is exported to ONNX by PyTorch, then every row of bench/rows.ts is
 * timed in PyTorch and in Glassbox alternately, and the medians go to bench/RESULTS.md together
 * with how far Glassbox's gradients are from PyTorch's.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readNpy } from '../src/io/npy.js';
import { gradientAgreement } from './agreement.js';
import { camLayerName, NotYetImplemented, openGlassbox, THREADS, toNhwc } from './glassbox.js';
import { ensureTorchPython, TorchWorker, type Prepared, type TorchInfo } from './python.js';
import { renderResults, type ModelResult, type RowResult } from './report.js';
import { ROWS, type RowContext } from './rows.js';
import { formatMs, median, timeRuns } from './stats.js';

const BENCH = path.dirname(fileURLToPath(import.meta.url));
const CACHE = path.join(BENCH, '.cache');
const MODELS = ['resnet18', 'mobilenet_v2'];

interface Args {
  models: string[];
  rows: string[];
  quick: boolean;
  out: string;
  /** Rows not started by then are listed as skipped (a busy machine can make RISE take long). */
  maxMinutes: number;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { models: MODELS, rows: ROWS.map((r) => r.id), quick: false, out: path.join(BENCH, 'RESULTS.md'), maxMinutes: 45 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--models') args.models = value().split(',');
    else if (a === '--rows') args.rows = value().split(',');
    else if (a === '--quick') args.quick = true;
    else if (a === '--out') args.out = path.resolve(value());
    else if (a === '--max-minutes') args.maxMinutes = Number(value());
    else if (a === '--help' || a === '-h') {
      console.log(`usage: npm run bench -- [--models ${MODELS.join(',')}] [--rows ${ROWS.map((r) => r.id).join(',')}] [--quick] [--out FILE] [--max-minutes 45]`);
      process.exit(0);
    } else throw new Error(`unknown argument ${a} (see --help)`);
  }
  for (const m of args.models) if (!MODELS.includes(m)) throw new Error(`unknown model ${m}; known: ${MODELS.join(', ')}`);
  for (const r of args.rows) if (!ROWS.some((row) => row.id === r)) throw new Error(`unknown row ${r}; known: ${ROWS.map((x) => x.id).join(', ')}`);
  return args;
}

const log = (m: string) => console.log(m);

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const started = new Date();
  const loadBefore = os.loadavg();
  fs.mkdirSync(CACHE, { recursive: true });
  log(`bench: ${args.models.join(', ')} × ${args.rows.join(', ')}; ${THREADS} threads each side; load average ${loadBefore.map((v) => v.toFixed(2)).join(' ')}`);

  const loadSamples: number[] = [];
  const sampler = setInterval(() => loadSamples.push(os.loadavg()[0]), 5000);
  sampler.unref();
  const python = ensureTorchPython(log);
  const worker = new TorchWorker(python, BENCH);
  const results: ModelResult[] = [];
  let torchInfo: TorchInfo;
  try {
    torchInfo = await worker.call<TorchInfo>({ cmd: 'hello', threads: THREADS });
    log(`PyTorch ${torchInfo.torch} (${python}), ${torchInfo.threads} threads`);
    const deadline = started.getTime() + args.maxMinutes * 60_000;
    for (const model of args.models) results.push(await benchModel(worker, model, args, deadline));
  } finally {
    worker.close();
    clearInterval(sampler);
  }

  const command = ['npm run bench', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(' ');
  const ortVersion = JSON.parse(fs.readFileSync(path.join(BENCH, '..', 'node_modules', 'onnxruntime-node', 'package.json'), 'utf8')).version;
  const md = renderResults(
    {
      command,
      started,
      seconds: (Date.now() - started.getTime()) / 1000,
      cpu: os.cpus()[0]?.model ?? 'unknown CPU',
      cores: os.cpus().length,
      loadBefore,
      loadAfter: os.loadavg(),
      loadDuring: loadSamples.length ? loadSamples.reduce((a, b) => a + b, 0) / loadSamples.length : os.loadavg()[0],
      node: process.version,
      ort: ortVersion,
      torch: torchInfo,
      threads: THREADS,
    },
    results,
  );
  fs.writeFileSync(args.out, md + '\n');
  fs.writeFileSync(path.join(CACHE, 'results.json'), JSON.stringify(results.map((r) => ({ ...r, rows: r.rows.map(({ row, ...rest }) => ({ id: row.id, ...rest })) })), null, 1));
  log(`\nwrote ${path.relative(process.cwd(), args.out)}`);
}

async function benchModel(worker: TorchWorker, model: string, args: Args, deadline: number): Promise<ModelResult> {
  log(`\n== ${model}`);
  const prepared = await worker.call<Prepared>({ cmd: 'prepare', model, cache: CACHE, seed: 0 });
  const side = await openGlassbox(prepared.onnx);
  if (side.modelError) log(`  Glassbox OnnxModel unavailable: ${side.modelError}`);
  const nchw = readNpy(prepared.files.input);
  const nhwc = toNhwc(nchw);
  const camLayer = side.model ? camLayerName(side.model, prepared.layer_prefix) : undefined;
  const result: ModelResult = { model, target: prepared.target, camLayer, rows: [], agreement: [], notes: [] };

  try {
    result.agreement = await gradientAgreement(side, prepared, nhwc, camLayer);
    for (const a of result.agreement) log(`  agreement ${a.what}: max |Δ| ${a.maxAbs.toExponential(2)}, relative ${a.relative.toExponential(2)}`);
  } catch (e) {
    result.agreementError = (e as Error).message;
    log(`  agreement failed: ${result.agreementError}`);
  }

  const ctx: RowContext = { side, nchw, nhwc, target: prepared.target, camLayer, note: (t) => result.notes.push(t) };
  for (const row of ROWS) {
    if (!args.rows.includes(row.id) || (row.models && !row.models.includes(model))) continue;
    const timing = args.quick ? { ...row.timing, repeats: Math.min(row.timing.repeats, 3), budgetSeconds: row.timing.budgetSeconds / 3, min: Math.min(row.timing.min, 2) } : row.timing;
    const r: RowResult = { row };
    if (Date.now() > deadline) {
      r.torchError = r.glassboxStatus = `skipped: the run passed --max-minutes ${args.maxMinutes}`;
      result.rows.push(r);
      log(`  ${row.title}: skipped (time limit)`);
      continue;
    }
    if (row.torch) {
      try {
        const out = await worker.call<{ ms?: number[]; cpu?: number; missing?: boolean }>({ cmd: 'time', model, row: row.torch, ...timing, warmup: row.torchWarmup ?? timing.warmup, budget: timing.budgetSeconds });
        if (out.missing) r.torchError = `no PyTorch function "${row.torch}"`;
        else {
          r.torchMs = out.ms;
          r.torchCpu = out.cpu;
        }
      } catch (e) {
        r.torchError = (e as Error).message;
      }
    }
    await pause();
    try {
      const fn = await row.glassbox(ctx);
      const t = await timeRuns(fn, timing, THREADS);
      r.glassboxMs = t.ms;
      r.glassboxCpu = t.cpu;
    } catch (e) {
      r.glassboxStatus = e instanceof NotYetImplemented ? `not yet implemented (${e.message})` : `error: ${(e as Error).message.split('\n')[0]}`;
    }
    await pause();
    const pt = r.torchMs ? formatMs(median(r.torchMs)) : r.torchError ?? '—';
    const gb = r.glassboxMs ? formatMs(median(r.glassboxMs)) : r.glassboxStatus;
    const ratio = r.torchMs && r.glassboxMs ? ` ratio ${(median(r.torchMs) / median(r.glassboxMs)).toFixed(2)}` : '';
    log(`  ${row.title}: PyTorch ${pt}, Glassbox ${gb}${ratio}`);
    result.rows.push(r);
  }
  side.model?.dispose();
  await side.raw.release();
  return result;
}

/** Lets the other side's worker threads stop spinning before the next timing starts. */
const pause = () => new Promise((r) => setTimeout(r, 300));

main().catch((e) => {
  console.error(`bench failed: ${(e as Error).stack ?? e}`);
  process.exit(1);
});
