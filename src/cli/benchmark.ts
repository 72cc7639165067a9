/**
 * `glassbox benchmark`: methods × metrics × data sets. Trains (or reuses) a small model per
 * built-in data set, explains the first --count test inputs with every method, judges the maps
 * with every metric, and writes benchmark.html/.md/.json to --out. Interrupted runs resume from
 * <out>/cache/.
 */
import type { Command } from 'commander';
import { fail, isGlassboxError } from '../core/errors.js';
import { collect } from './option-pairs.js';
import { integerFlag, readNumber } from './flags.js';
import { initTf } from '../runtime/tf.js';
import {
  BENCHMARK_DATASETS,
  prepareBuiltinEntry,
  prepareUserEntry,
} from '../metrics/benchmark/entries.js';
import {
  DEFAULT_METHODS,
  DEFAULT_METRICS,
  resolveMethods,
  resolveMetrics,
  runBenchmark,
} from '../metrics/benchmark/runner.js';
import type { BenchmarkEntry } from '../metrics/benchmark/types.js';

export interface CommonFlags {
  methods?: string;
  metrics?: string;
  count: string;
  out: string;
  seed: string;
  batchSize: string;
  methodOption: string[];
  metricOption: string[];
  examples: string;
}

interface BenchmarkFlags extends CommonFlags {
  datasets?: string;
  model?: string;
  data?: string;
  retrain?: boolean;
  runs: string;
  configs: string;
}

export function register(program: Command): void {
  const cmd = program
    .command('benchmark')
    .description(
      'run methods × metrics × data sets and write benchmark.html, benchmark.md and benchmark.json',
    )
    .option(
      '--datasets <names>',
      `comma-separated built-in data sets (default: ${BENCHMARK_DATASETS.join(',')}, or none when --model is given)`,
    )
    .option('--model <path>', 'also benchmark this model (TF.js model.json or folder, or .onnx) …')
    .option('--data <name|folder>', '… on this data set or image folder (with --model)')
    .option('--retrain', 'train the benchmark models again even when trained ones exist')
    .option('--runs <dir>', 'where trained runs of configs/ are looked for', 'runs')
    .option('--configs <dir>', 'folder of training configs', 'configs');
  addCommonOptions(cmd, 'runs/benchmark', 16).action(async (flags: BenchmarkFlags) => {
    await runBenchmarkCommand(flags);
  });
}

/** Options `evaluate` and `benchmark` share. */
export function addCommonOptions(cmd: Command, out: string, count: number): Command {
  return cmd
    .option(
      '--methods <names>',
      `comma-separated methods, or "all" (default: ${DEFAULT_METHODS.join(',')})`,
    )
    .option(
      '--metrics <names>',
      `comma-separated metrics, or "all" (default: ${DEFAULT_METRICS.join(',')})`,
    )
    .option('--count <n>', 'inputs per data set', String(count))
    .option('--out <dir>', 'output folder (its cache/ lets an interrupted run resume)', out)
    .option('--seed <n>', 'seed for methods and metrics', '0')
    .option('--batch-size <n>', 'inputs per forward pass', '64')
    .option(
      '--method-option <method.key=value>',
      'method option (repeatable), e.g. --method-option rise.masks=4000',
      collect,
      [],
    )
    .option(
      '--metric-option <metric.key=value>',
      'metric option (repeatable), e.g. --metric-option deletion.step=1',
      collect,
      [],
    )
    .option('--examples <n>', 'example maps per method in the HTML report', '3');
}

export function parseList(text: string | undefined): string[] | 'all' | undefined {
  if (text === undefined) return undefined;
  if (text.trim() === 'all') return 'all';
  const items = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return items.length ? items : undefined;
}

/** `name.key=value` pairs → { name: { key: value } }; values are numbers, booleans or JSON when they look like one. */
export function parseScopedOptions(
  pairs: string[],
  flag: string,
): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const pair of pairs) {
    const m = /^([^.=]+)\.([^=]+)=(.*)$/.exec(pair);
    if (!m) fail(`${flag} ${pair}: expected name.key=value, e.g. ${flag} rise.masks=4000`);
    const [, name, key, raw] = m;
    const number = readNumber(raw);
    let value: unknown = raw;
    if (raw === 'true' || raw === 'false') value = raw === 'true';
    else if (number !== undefined) value = number;
    else if (raw.startsWith('[') || raw.startsWith('{') || raw.startsWith('"')) {
      try {
        value = JSON.parse(raw);
      } catch {
        fail(`${flag} ${pair}: ${raw} is not valid JSON`);
      }
    }
    (out[name] ??= {})[key] = value;
  }
  return out;
}

/** Parses and checks the shared flags, unknown method and metric names included, before any slow work. */
export function commonRunOptions(flags: CommonFlags) {
  const methods = parseList(flags.methods);
  const metrics = parseList(flags.metrics);
  resolveMethods(methods);
  resolveMetrics(metrics);
  return {
    methods,
    metrics,
    seed: integerFlag(flags.seed, '--seed', { min: 0, max: 2 ** 31 - 1 }),
    batchSize: integerFlag(flags.batchSize, '--batch-size', { min: 1, max: 100_000 }),
    methodOptions: parseScopedOptions(flags.methodOption, '--method-option'),
    metricOptions: parseScopedOptions(flags.metricOption, '--metric-option'),
    examples: integerFlag(flags.examples, '--examples', { min: 0, max: 100 }),
    out: flags.out,
  };
}

export async function runBenchmarkCommand(flags: BenchmarkFlags): Promise<void> {
  const common = commonRunOptions(flags);
  const count = integerFlag(flags.count, '--count', { min: 1, max: 100_000 });
  if ((flags.model === undefined) !== (flags.data === undefined))
    fail('--model and --data go together: give both, or neither');
  const datasets = parseList(flags.datasets);
  if (datasets === 'all')
    fail('--datasets all is not supported: name the data sets, e.g. --datasets mnist,shapes');
  const names = datasets ?? (flags.model ? [] : BENCHMARK_DATASETS);
  await initTf();
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const entries: BenchmarkEntry[] = [];
  const skipped: Array<{ name: string; reason: string }> = [];
  for (const name of names) {
    try {
      entries.push(
        await prepareBuiltinEntry(name, {
          count,
          out: flags.out,
          retrain: flags.retrain,
          runsDir: flags.runs,
          configsDir: flags.configs,
          log,
        }),
      );
    } catch (e) {
      // A data set that cannot be loaded (e.g. files not installed) must not cost the others.
      if (!isGlassboxError(e) || names.length === 1) throw e;
      log(`skipping ${name}: ${e.message}`);
      skipped.push({ name, reason: e.message });
    }
  }
  if (flags.model && flags.data)
    entries.push(await prepareUserEntry(flags.model, flags.data, count));
  if (entries.length === 0)
    fail('nothing to benchmark: name --datasets or give --model and --data');
  const run = await runBenchmark(entries, { ...common, log, skippedEntries: skipped });
  for (const e of entries) e.model.dispose();
  process.stdout.write(`${run.files.html}\n${run.files.markdown}\n${run.files.json}\n`);
}
