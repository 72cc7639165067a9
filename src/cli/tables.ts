/**
 * `glassbox tables --run DIR`: explains a trained table classifier (e.g. configs/breast-cancer-mlp.json)
 * with LIME, KernelSHAP and Integrated Gradients: per-row feature-importance bars and a global
 * summary over the test rows (mean |attribution| per feature per method, agreement between
 * methods). See docs/tables.md.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { fail } from '../core/errors.js';
import { integerFlag } from './flags.js';
import { loadAnyModel } from '../models/load.js';
import { writeNpy } from '../io/npy.js';
import { readRun, runDataset, splitRows } from '../vision/run-data.js';
import {
  explainTable,
  summariseTable,
  TABLE_METHOD_TITLES,
  TABLE_METHODS,
  type TableMethod,
} from '../tables/table-explain.js';
import { importanceSvg, rowBarsSvg } from '../tables/charts.js';

interface TablesFlags {
  run: string;
  rows: string;
  show: string;
  target?: string;
  methods: string;
  seed: string;
  out?: string;
}

export function register(program: Command): void {
  program
    .command('tables')
    .description(
      'explain a table classifier with LIME, KernelSHAP and Integrated Gradients: bars per row and a global summary',
    )
    .requiredOption(
      '--run <dir>',
      'training run of a table model (glassbox train --config configs/breast-cancer-mlp.json)',
    )
    .option('--rows <n>', 'test rows summarised globally', '60')
    .option('--show <n>', 'rows drawn as bar charts', '3')
    .option(
      '--target <class>',
      "class whose logit is explained (default: each row's predicted class)",
    )
    .option(
      '--methods <list>',
      `comma-separated subset of ${TABLE_METHODS.join(', ')}`,
      TABLE_METHODS.join(','),
    )
    .option('--seed <n>', 'seed for LIME and KernelSHAP sampling', '0')
    .option('--out <dir>', 'output folder (default: <run>/tables)')
    .action(async (flags: TablesFlags) => {
      await runTables(flags);
    });
}

async function runTables(flags: TablesFlags): Promise<void> {
  const started = performance.now();
  // Checked before any slow work, so a typo fails at once.
  const rowCount = integerFlag(flags.rows, '--rows', { min: 1 });
  const showCount = integerFlag(flags.show, '--show', { min: 1 });
  const seed = integerFlag(flags.seed, '--seed', { min: 0 });
  const run = readRun(flags.run);
  const ds = await runDataset(run);
  if (ds.kind !== 'table')
    fail(`run ${run.name} was trained on ${ds.kind} data; glassbox tables explains table models`);
  const model = await loadAnyModel(run.modelDir, { kind: 'table' });
  const methods = flags.methods.split(',').map((m) => m.trim());
  for (const m of methods)
    if (!(TABLE_METHODS as readonly string[]).includes(m))
      fail(`--methods: unknown method "${m}"; choose from ${TABLE_METHODS.join(', ')}`);
  const rows = splitRows(ds.test.x, ds.inputShape, 0, rowCount);
  const background = { data: ds.train.x, shape: [ds.train.count, ...ds.inputShape] };
  let targets: number[] | undefined;
  if (flags.target !== undefined) {
    const t = integerFlag(flags.target, '--target', { min: 0, max: ds.classNames.length - 1 });
    targets = Array.from({ length: rows.shape[0] }, () => t);
  }
  const results = await explainTable(model, rows, background, {
    methods: methods as TableMethod[],
    seed,
    targets,
  });
  const names = ds.featureNames ?? Array.from({ length: ds.inputShape[0] }, (_, j) => `f${j}`);
  const summary = summariseTable(results, names);

  const out = path.resolve(flags.out ?? path.join(run.dir, 'tables'));
  fs.mkdirSync(out, { recursive: true });
  const show = Math.min(showCount, rows.shape[0]);
  for (let i = 0; i < show; i++) {
    const t = results[0].targets[i];
    const title = `test row ${i}: true ${ds.classNames[ds.test.y[i]]}, explaining the logit of ${ds.classNames[t]}`;
    fs.writeFileSync(path.join(out, `row-${i}.svg`), rowBarsSvg(names, results, i, title));
  }
  fs.writeFileSync(path.join(out, 'importance.svg'), importanceSvg(summary));
  for (const r of results)
    writeNpy(path.join(out, `${r.method}.npy`), {
      data: r.attributions,
      shape: [rows.shape[0], names.length],
    });
  const seconds = (performance.now() - started) / 1000;
  fs.writeFileSync(
    path.join(out, 'summary.json'),
    JSON.stringify({ run: run.name, seconds, targets: results[0].targets, ...summary }, null, 2) +
      '\n',
  );

  const lines = [
    `explained ${summary.rows} test rows of ${run.name} in ${seconds.toFixed(1)} s → ${out}`,
  ];
  for (const r of results) {
    const imp = summary.importance[r.method].meanAbs;
    const top = imp
      .map((v, j) => [v, j] as const)
      .sort((a, b) => b[0] - a[0])
      .slice(0, 5)
      .map(([, j]) => names[j]);
    lines.push(`  ${TABLE_METHOD_TITLES[r.method].padEnd(21)} top features: ${top.join(', ')}`);
  }
  for (const p of summary.pairs) {
    lines.push(
      `  ${p.a} vs ${p.b}: rank correlation per row ${p.meanRowSpearman.toFixed(2)}, global ${p.globalSpearman.toFixed(2)}, top-${summary.topK} sign agreement ${(100 * p.topSignAgreement).toFixed(0)}%`,
    );
  }
  if (summary.igMaxDelta !== undefined) {
    lines.push(
      `  IG completeness gap (max over rows): ${summary.igMaxDelta.toExponential(2)} (${(100 * summary.igMaxRelativeDelta!).toFixed(2)}% of f(x) − f(baseline))`,
    );
  }
  if (summary.shapMaxAdditivityError !== undefined)
    lines.push(
      `  KernelSHAP additivity error (max): ${summary.shapMaxAdditivityError.toExponential(2)}`,
    );
  process.stdout.write(lines.join('\n') + '\n');
}
