/**
 * `glassbox data list` — the registered data sets and their options.
 * `glassbox data show` — a data set's summary plus a preview grid PNG (images, signals) or a
 * CSV excerpt (tables).
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { fail } from '../core/errors.js';
import type { Dataset, Split } from '../train/data/dataset.js';
import { describeOptions, getDataset, listDatasets } from '../train/data/datasets.js';
import { renderPreview, tablePreview, writePng } from '../train/data/preview.js';
import { classCounts } from '../train/data/split.js';
import { collect, parseOptionPairs } from './option-pairs.js';
import { integerFlag } from './flags.js';

interface ShowFlags {
  dataset: string;
  split: string;
  count: string;
  out?: string;
  seed?: string;
  path?: string;
  option: string[];
}

export function register(program: Command): void {
  const data = program.command('data').description('list data sets and preview their examples');

  data
    .command('list')
    .description('list the data sets Glassbox can load')
    .option('--options', "also list each data set's options")
    .action((flags: { options?: boolean }) => {
      process.stdout.write(formatList(Boolean(flags.options)) + '\n');
    });

  data
    .command('show')
    .description(
      'summarise a data set and write a preview grid (images, signals) or print rows (tables)',
    )
    .requiredOption('--dataset <name>', 'data set name (see `glassbox data list`)')
    .option('--split <name>', 'train, validation or test', 'train')
    .option('--count <n>', 'examples to show', '32')
    .option('--out <file.png>', 'preview PNG to write (default runs/data/<dataset>-<split>.png)')
    .option('--seed <n>', 'seed for generation and splits')
    .option('--path <file|folder>', 'data location for image-folder and csv')
    .option(
      '--option <key=value>',
      'loader option (repeatable), e.g. --option trainLimit=1000',
      collect,
      [],
    )
    .action(async (flags: ShowFlags) => {
      await runShow(flags);
    });
}

export function formatList(withOptions: boolean): string {
  const entries = listDatasets();
  const width = Math.max(...entries.map((e) => e.name.length));
  const lines: string[] = [];
  for (const e of entries) {
    lines.push(
      `${e.name.padEnd(width)}  ${e.kind.padEnd(6)}  ${e.description}${e.needsSetup ? ' [bash scripts/setup-data.sh]' : ''}`,
    );
    if (withOptions) {
      for (const o of describeOptions(e))
        lines.push(`${''.padEnd(width)}    ${o.name}: ${o.description}`);
    }
  }
  return lines.join('\n');
}

async function runShow(flags: ShowFlags): Promise<void> {
  const entry = getDataset(flags.dataset);
  const options = parseOptionPairs(flags.option);
  if (flags.seed !== undefined) options.seed = integerFlag(flags.seed, '--seed');
  if (flags.path !== undefined) options.path = flags.path;
  const count = integerFlag(flags.count, '--count', { min: 1 });
  const ds = await entry.load(options);
  const split = pickSplit(ds, flags.split);

  process.stdout.write(summarise(ds) + '\n');
  if (ds.kind === 'table') {
    process.stdout.write(
      `\nfirst ${Math.min(count, split.count)} ${flags.split} rows (standardised):\n`,
    );
    process.stdout.write(tablePreview(ds, split, count) + '\n');
    return;
  }
  const out =
    flags.out ??
    path.join('runs', 'data', `${ds.name.replaceAll(/[^\w.-]+/g, '_')}-${flags.split}.png`);
  mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
  await writePng(renderPreview(ds, split, { count }), out);
  process.stdout.write(`wrote ${out} (${Math.min(count, split.count)} ${flags.split} examples)\n`);
}

function pickSplit(ds: Dataset, name: string): Split {
  if (name === 'train') return ds.train;
  if (name === 'test') return ds.test;
  if (name === 'validation' || name === 'val') {
    if (!ds.validation)
      fail(`"${ds.name}" has no validation split: pass --option validationFraction=0.1`);
    return ds.validation;
  }
  fail(`unknown split "${name}": use train, validation or test`);
}

/** A few lines: shape, split sizes, class balance, normalisation and provenance. */
export function summarise(ds: Dataset): string {
  const splits: Array<[string, Split | undefined]> = [
    ['train', ds.train],
    ['validation', ds.validation],
    ['test', ds.test],
  ];
  const lines = [
    `${ds.name}  (${ds.kind}, example shape [${ds.inputShape.join(', ')}], ${ds.classNames.length} classes)`,
  ];
  for (const [name, s] of splits) {
    if (!s) continue;
    const counts = classCounts(s.y, ds.classNames.length);
    const extras = [s.masks && 'masks', s.boxes && 'boxes'].filter(Boolean).join(', ');
    lines.push(
      `  ${name.padEnd(10)} ${String(s.count).padStart(6)}  per class: ${counts.join(' ')}${extras ? `  (+${extras})` : ''}`,
    );
  }
  const classes = ds.classNames.join(', ');
  lines.push(`  classes    ${classes.length > 100 ? classes.slice(0, 97) + '...' : classes}`);
  const n = ds.normalisation;
  lines.push(
    `  normalised ${'scale' in n ? `x = raw × ${+n.scale.toPrecision(6)}` : n.mean.length === 1 ? `x = (raw ${n.mean[0] < 0 ? '+' : '−'} ${Math.abs(n.mean[0]).toPrecision(4)}) / ${n.std[0].toPrecision(4)}` : `per feature (raw − mean) / std over ${n.mean.length} features`}`,
  );
  lines.push(`  provenance ${ds.provenance}`);
  return lines.join('\n');
}

