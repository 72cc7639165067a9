/**
 * The benchmark: every method × every metric on every entry (a model with its inputs), with the
 * runtime of each method, written as benchmark.json, benchmark.md and benchmark.html. Each
 * explanation batch and each metric result is cached under <out>/cache/ the moment it exists, so
 * an interrupted run resumes where it stopped (see cache.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { argmaxRows } from '../../core/ndarray.js';
import { isGlassboxError } from '../../core/errors.js';
import { explain, getMethod, listMethods } from '../../methods/index.js';
import type { Explanation } from '../../methods/explanation.js';
import type { MethodSpec } from '../../methods/method.js';
import { evaluateMetric, getMetric, listMetrics, metricUnavailable } from '../index.js';
import type { MetricResult } from '../metric.js';
import { fingerprint, hashFloats, ResultCache, safeName } from './cache.js';
import { writeExampleInputs, writeExampleMaps } from './examples.js';
import { writeReports, type ReportFiles } from './report.js';
import type {
  BenchmarkEntry,
  BenchmarkReport,
  CurveSummary,
  EntryReport,
  MethodRow,
  MetricCell,
} from './types.js';

/** The methods benchmarked when none are named: the classic families, a dozen in all. */
export const DEFAULT_METHODS = [
  'gradient',
  'saliency',
  'gradient-x-input',
  'guided-backprop',
  'integrated-gradients',
  'smoothgrad',
  'grad-cam',
  'grad-cam++',
  'score-cam',
  'occlusion',
  'rise',
  'lime',
];

/** Every metric except the independent randomisation (the cascading one answers the same question). */
export const DEFAULT_METRICS = [
  'deletion',
  'insertion',
  'faithfulness-correlation',
  'road',
  'pointing-game',
  'energy-pointing-game',
  'top-k-iou',
  'cascading-randomisation',
  'random-logit',
  'max-sensitivity',
  'avg-sensitivity',
  'sparseness',
  'entropy',
];

/**
 * Method options the benchmark uses unless told otherwise: smaller sample budgets than the
 * methods' own defaults, so that a method explained again by the robustness and randomisation
 * metrics stays affordable. Printed in the report.
 */
export const BENCHMARK_METHOD_OPTIONS: Record<string, Record<string, unknown>> = {
  rise: { masks: 500 },
  occlusion: { patch: 4, stride: 4 },
  lime: { samples: 300 },
  'kernel-shap': { samples: 300 },
  smoothgrad: { samples: 16 },
  'smoothgrad-sq': { samples: 16 },
  vargrad: { samples: 16 },
  'integrated-gradients': { steps: 32 },
};

/** Metric options the benchmark uses unless told otherwise (fewer noisy copies than the metric's default). */
export const BENCHMARK_METRIC_OPTIONS: Record<string, Record<string, unknown>> = {
  'max-sensitivity': { samples: 4 },
  'avg-sensitivity': { samples: 4 },
};

export interface BenchmarkOptions {
  out: string;
  /** Method names, or undefined for DEFAULT_METHODS; "all" for every applicable method. */
  methods?: string[] | 'all';
  metrics?: string[] | 'all';
  seed?: number;
  batchSize?: number;
  /** Per-method options, merged over BENCHMARK_METHOD_OPTIONS. */
  methodOptions?: Record<string, Record<string, unknown>>;
  /** Per-metric options, merged over BENCHMARK_METRIC_OPTIONS. */
  metricOptions?: Record<string, Record<string, unknown>>;
  /** Example maps per method in the HTML report (default 3). */
  examples?: number;
  /** Base name of the report files: "benchmark" (default) or "evaluation". */
  reportName?: string;
  title?: string;
  log?: (line: string) => void;
  signal?: AbortSignal;
  /** Data sets that could not be prepared, listed in the report. */
  skippedEntries?: Array<{ name: string; reason: string }>;
}

export interface BenchmarkRun {
  report: BenchmarkReport;
  files: ReportFiles;
  /** Units computed in this run vs read from the cache. */
  computed: number;
  cached: number;
}

export function resolveMethods(requested: string[] | 'all' | undefined): string[] {
  if (requested === 'all') return listMethods().map((m) => m.name);
  const names = requested ?? DEFAULT_METHODS.filter((n) => listMethods().some((m) => m.name === n));
  for (const n of names) getMethod(n); // unknown names fail here, before any work
  return names;
}

export function resolveMetrics(requested: string[] | 'all' | undefined): string[] {
  if (requested === 'all') return listMetrics().map((m) => m.name);
  const names = requested ?? DEFAULT_METRICS;
  for (const n of names) getMetric(n);
  return names;
}

export async function runBenchmark(
  entries: BenchmarkEntry[],
  options: BenchmarkOptions,
): Promise<BenchmarkRun> {
  const started = Date.now();
  const out = path.resolve(options.out);
  fs.mkdirSync(out, { recursive: true });
  const cache = new ResultCache(path.join(out, 'cache'));
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const seed = options.seed ?? 0;
  const batchSize = options.batchSize ?? 64;
  const methodNames = resolveMethods(options.methods);
  const metricNames = resolveMetrics(options.metrics);
  const exampleCount = options.examples ?? 3;
  const progress = new ProgressLog(
    log,
    entries.length * methodNames.length * (metricNames.length + 1),
  );
  let computed = 0;
  let cached = 0;

  const reports: EntryReport[] = [];
  for (const entry of entries) {
    const { model, inputs } = entry;
    const n = inputs.shape[0];
    const inputsHash = hashFloats(inputs.data);
    const predictions = await model.predict(inputs);
    const predicted = argmaxRows(predictions);
    const accuracy = entry.labels
      ? predicted.filter((p, i) => p === entry.labels![i]).length / n
      : undefined;
    const exampleInputs = await writeExampleInputs(out, entry, exampleCount);
    const rows: MethodRow[] = [];
    log(
      `${entry.name}: ${n} inputs, model ${entry.modelSource}${accuracy !== undefined ? `, accuracy on them ${(accuracy * 100).toFixed(1)}%` : ''}`,
    );
    for (const methodName of methodNames) {
      const spec = getMethod(methodName);
      const row: MethodRow = { method: spec.name, title: spec.title, metrics: {} };
      rows.push(row);
      const unusable = methodUnavailable(spec, entry);
      if (unusable) {
        row.skipped = unusable;
        progress.skip(
          metricNames.length + 1,
          `${entry.name} · ${spec.name}: skipped (${unusable})`,
        );
        continue;
      }
      const methodOptions = methodOptionsFor(spec.name, options);
      const explKey = fingerprint({
        model: entry.modelId,
        inputs: inputsHash,
        seed,
        method: spec.name,
        methodOptions,
      });
      const rel = path.join(safeName(entry.name), safeName(spec.name));
      let explanations = cache.readExplanations(rel, explKey);
      if (explanations) {
        cached++;
        progress.done(`${entry.name} · ${spec.name}: explanations (cached)`, true);
      } else {
        try {
          const t0 = Date.now();
          explanations = await explain(model, inputs, spec.name, {
            seed,
            options: methodOptions,
            batchSize,
            signal: options.signal,
          });
          cache.writeExplanations(rel, explKey, explanations);
          computed++;
          progress.done(`${entry.name} · ${spec.name}: explained in ${seconds(Date.now() - t0)}`);
        } catch (e) {
          row.skipped = failureReason(e, log, options.signal);
          progress.skip(
            metricNames.length + 1,
            `${entry.name} · ${spec.name}: failed (${row.skipped})`,
          );
          continue;
        }
      }
      row.msPerInput = explanations.reduce((s, e) => s + e.milliseconds, 0) / n;
      row.examples = await writeExampleMaps(out, entry, spec.name, explanations, exampleCount);
      for (const metricName of metricNames) {
        const metricOptions = metricOptionsFor(metricName, options);
        const key = fingerprint({ explanations: explKey, metric: metricName, metricOptions, seed });
        const file = path.join(rel, `${safeName(metricName)}.json`);
        const hit = cache.readJson<MetricCell>(file, key);
        if (hit) {
          cached++;
          row.metrics[metricName] = hit;
          progress.done(
            `${entry.name} · ${spec.name} · ${metricName}: ${formatCell(hit)} (cached)`,
            true,
          );
          continue;
        }
        const cell = await evaluateCell(
          entry,
          explanations,
          metricName,
          metricOptions,
          seed,
          batchSize,
          log,
          options.signal,
        );
        cache.writeJson(file, key, cell);
        computed++;
        row.metrics[metricName] = cell;
        progress.done(
          `${entry.name} · ${spec.name} · ${metricName}: ${formatCell(cell)}${cell.seconds !== undefined ? ` in ${seconds(cell.seconds * 1000)}` : ''}`,
        );
      }
    }
    reports.push({
      name: entry.name,
      kind: model.kind,
      inputShape: model.inputShape,
      modelSource: entry.modelSource,
      count: n,
      accuracy,
      exampleInputs,
      methods: rows,
    });
  }

  const report: BenchmarkReport = {
    format: 'glassbox-benchmark/1',
    createdAt: new Date().toISOString(),
    seed,
    count: Math.max(0, ...entries.map((e) => e.inputs.shape[0])),
    metrics: metricNames.map((name) => {
      const m = getMetric(name);
      return {
        name,
        title: m.title,
        family: m.family,
        direction: m.direction,
        reference: m.reference,
      };
    }),
    entries: reports,
    ...(options.skippedEntries?.length ? { skippedEntries: options.skippedEntries } : {}),
    seconds: (Date.now() - started) / 1000,
    software: { node: process.version, glassbox: packageVersion() },
  };
  const files = await writeReports(out, report, {
    name: options.reportName ?? 'benchmark',
    title: options.title ?? 'Glassbox benchmark',
    methodOptions: Object.fromEntries(methodNames.map((m) => [m, methodOptionsFor(m, options)])),
    metricOptions: Object.fromEntries(metricNames.map((m) => [m, metricOptionsFor(m, options)])),
  });
  log(
    `wrote ${files.html}, ${files.markdown}, ${files.json} (${computed} computed, ${cached} from the cache, ${seconds(Date.now() - started)})`,
  );
  return { report, files, computed, cached };
}

function methodOptionsFor(method: string, options: BenchmarkOptions): Record<string, unknown> {
  return {
    ...(BENCHMARK_METHOD_OPTIONS[method] ?? {}),
    ...(options.methodOptions?.[method] ?? {}),
  };
}

function metricOptionsFor(metric: string, options: BenchmarkOptions): Record<string, unknown> {
  return {
    ...(BENCHMARK_METRIC_OPTIONS[metric] ?? {}),
    ...(options.metricOptions?.[metric] ?? {}),
  };
}

/**
 * A failing method or metric must not end a long run: user errors are recorded as the reason,
 * anything else as "error: …" (and its stack is logged, since it is a bug to report).
 */
function failureReason(e: unknown, log: (line: string) => void, signal?: AbortSignal): string {
  if (signal?.aborted) throw e;
  if (isGlassboxError(e)) return e.message;
  log(`warning: ${(e as Error)?.stack ?? String(e)}`);
  return `error: ${(e as Error)?.message?.split('\n')[0] ?? String(e)}`;
}

function methodUnavailable(spec: MethodSpec, entry: BenchmarkEntry): string | undefined {
  if (!spec.kinds.includes(entry.model.kind)) return `does not apply to ${entry.model.kind} inputs`;
  if (spec.needs === 'gradients' && !entry.model.whiteBox)
    return 'needs gradients, which this model does not provide';
  return undefined;
}

async function evaluateCell(
  entry: BenchmarkEntry,
  explanations: Explanation[],
  metricName: string,
  metricOptions: Record<string, unknown>,
  seed: number,
  batchSize: number,
  log: (line: string) => void,
  signal?: AbortSignal,
): Promise<MetricCell> {
  const spec = getMetric(metricName);
  const why = metricUnavailable(spec, entry.model, entry.groundTruth);
  if (why) return { metric: metricName, direction: spec.direction, skipped: why };
  try {
    const r = await evaluateMetric(entry.model, entry.inputs, explanations, metricName, {
      seed,
      batchSize,
      options: metricOptions,
      groundTruth: entry.groundTruth,
      signal,
    });
    return summarise(r);
  } catch (e) {
    return {
      metric: metricName,
      direction: spec.direction,
      skipped: failureReason(e, log, signal),
    };
  }
}

/** What the report keeps of a metric result: per-input scores, mean ± SEM, mean details and mean curves. */
export function summarise(r: MetricResult): MetricCell {
  const finite = r.scores.filter(Number.isFinite);
  const sd =
    finite.length > 1
      ? Math.sqrt(finite.reduce((s, v) => s + (v - r.mean) ** 2, 0) / (finite.length - 1))
      : NaN;
  const details: Record<string, number> = {};
  for (const [k, values] of Object.entries(r.details ?? {})) {
    const f = values.filter(Number.isFinite);
    if (f.length) details[k] = f.reduce((a, b) => a + b, 0) / f.length;
  }
  const curves: CurveSummary[] = (r.curves ?? []).map((c) => ({
    name: c.name,
    xLabel: c.xLabel,
    yLabel: c.yLabel,
    x: c.x,
    ...(c.xNames ? { xNames: c.xNames } : {}),
    mean: c.x.map((_, j) => {
      const col = c.y.map((row) => row[j]).filter(Number.isFinite);
      return col.length ? col.reduce((a, b) => a + b, 0) / col.length : NaN;
    }),
  }));
  return {
    metric: r.metric,
    direction: r.direction,
    mean: Number.isFinite(r.mean) ? r.mean : undefined,
    sem: Number.isFinite(sd) ? sd / Math.sqrt(finite.length) : undefined,
    count: r.count,
    scores: r.scores.map((v) => (Number.isFinite(v) ? v : null)),
    ...(Object.keys(details).length ? { details } : {}),
    ...(curves.length ? { curves } : {}),
    seconds: r.milliseconds / 1000,
  };
}

function formatCell(c: MetricCell): string {
  if (c.skipped) return `n/a (${c.skipped})`;
  return c.mean === undefined ? 'n/a' : c.mean.toFixed(4);
}

function seconds(ms: number): string {
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

/** One line per finished unit (an explanation batch or a metric), with the count and an ETA. */
class ProgressLog {
  private finished = 0;
  private timedUnits = 0;
  private timedMs = 0;
  private last = Date.now();

  constructor(
    private readonly log: (line: string) => void,
    private readonly total: number,
  ) {}

  /** `cached` units took no time and would make the estimate too hopeful. */
  done(message: string, cached = false): void {
    const now = Date.now();
    if (!cached) {
      this.timedUnits++;
      this.timedMs += now - this.last;
    }
    this.last = now;
    this.finished++;
    const left = this.total - this.finished;
    const eta =
      left > 0 && this.timedUnits > 0
        ? `, about ${seconds((this.timedMs / this.timedUnits) * left)} left`
        : '';
    this.log(`[${this.finished}/${this.total}${eta}] ${message}`);
  }

  skip(units: number, message: string): void {
    this.finished += units;
    this.last = Date.now();
    this.log(`[${this.finished}/${this.total}] ${message}`);
  }
}

function packageVersion(): string {
  try {
    let dir = path.dirname(new URL(import.meta.url).pathname);
    for (; dir !== path.dirname(dir); dir = path.dirname(dir)) {
      const file = path.join(dir, 'package.json');
      if (fs.existsSync(file)) {
        const pkg = JSON.parse(fs.readFileSync(file, 'utf8'));
        if (pkg.name === 'glassbox') return pkg.version;
      }
    }
  } catch {
    // fall through
  }
  return 'unknown';
}
