/**
 * The evaluation job (Compare page): the benchmark runner on one model and a built-in data set,
 * with the methods and metrics picked in the page. Reports are kept under
 * .glassbox-web/evaluations/<id>/ so they show up with the other benchmark reports.
 */
import path from 'node:path';
import { z } from 'zod';
import { fail } from '../../core/errors.js';
import { prepareUserEntry } from '../../metrics/benchmark/entries.js';
import { runBenchmark } from '../../metrics/benchmark/runner.js';
import { getMetric } from '../../metrics/index.js';
import { getMethod } from '../../methods/index.js';
import { listDatasets } from '../../train/data/datasets.js';
import type { JobContext } from '../jobs.js';
import type { ServerContext } from './context.js';
import { yieldingModel } from '../yielding-model.js';

export const evaluateRequest = z.strictObject({
  type: z.literal('evaluate'),
  model: z.string().max(300),
  /** A built-in data set name (never a path: requests do not name files). */
  data: z.string().max(60),
  methods: z.array(z.string().max(60)).min(1, 'pick at least one method').max(12),
  metrics: z.array(z.string().max(60)).min(1, 'pick at least one metric').max(14),
  count: z.number().int().min(1).max(64).default(8),
  seed: z.number().int().min(0).default(0),
});
export type EvaluateRequest = z.infer<typeof evaluateRequest>;

/** Data sets an evaluation can name: the built-in ones that need no path. */
export function evaluationDatasets(): string[] {
  return listDatasets()
    .map((d) => d.name)
    .filter((n) => n !== 'image-folder' && n !== 'csv');
}

export function checkEvaluateRequest(r: EvaluateRequest): void {
  if (!evaluationDatasets().includes(r.data)) fail(`unknown data set "${r.data}": choose one of ${evaluationDatasets().join(', ')}`);
  for (const m of r.methods) getMethod(m);
  for (const m of r.metrics) getMetric(m);
}

export async function runEvaluate(server: ServerContext, r: EvaluateRequest, job: JobContext): Promise<unknown> {
  const resolved = server.models.resolve(r.model);
  if (resolved.example) await server.models.ensureExample(resolved.example, job.signal, job.progress);
  job.progress(0, 1, `loading ${r.data}`);
  const entry = await prepareUserEntry(resolved.path, r.data, r.count, r.data);
  const own = entry.model;
  entry.model = yieldingModel(own, job.signal);
  const out = server.storage.dir('evaluations', job.id);
  let units = 0;
  const total = r.methods.length * (1 + r.metrics.length);
  try {
    const run = await runBenchmark([entry], {
      out,
      methods: r.methods,
      metrics: r.metrics,
      seed: r.seed,
      examples: 2,
      reportName: 'evaluation',
      title: `Glassbox evaluation: ${entry.model.name} on ${entry.name}`,
      signal: job.signal,
      log: (line) => {
        job.log(line);
        units = Math.min(total, units + 1);
        job.progress(units, total, 'evaluating');
      },
    });
    return {
      report: server.storage.relative(run.files.json),
      html: server.storage.relative(run.files.html),
      computed: run.computed,
      folder: server.storage.relative(path.dirname(run.files.json)),
    };
  } finally {
    own.dispose();
  }
}
