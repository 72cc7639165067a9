/**
 * `glassbox sag`: Structured Attention Graphs for one image. Writes sag.svg, sag.json and
 * summary.txt to --out, all at once when the run completes (Ctrl-C leaves nothing behind).
 */
import fs from 'node:fs';
import type { Command } from 'commander';
import { fail } from '../core/errors.js';
import { collect, parseOptionPairs } from './option-pairs.js';
import {
  badFlag,
  integerFlag,
  numberFlag,
  optionalIntegerFlag,
  optionalNumberFlag,
  readInteger,
  readNumber,
} from './flags.js';
import { loadAnyModel } from '../models/load.js';
import { prepareInput } from '../io/input.js';
import {
  CHILD_ORDERS,
  SAG_BASELINES,
  SHRINK_ORDERS,
  UPSAMPLE_MODES,
  structuredAttentionGraph,
  writeSag,
  type SagStage,
} from '../sag/index.js';

interface SagFlags {
  model: string;
  input: string;
  target?: string;
  grid: string;
  beam: string;
  successors: string;
  threshold: string;
  childThreshold: string;
  maxChildren: string;
  maxNodes: string;
  childOrder: string;
  maxRoots: string;
  maxOverlap: string;
  show: string;
  maxRootSize?: string;
  patience: string;
  shrink: string;
  baseline: string;
  blurSigma?: string;
  upsample: string;
  heuristic?: string;
  option: string[];
  seed: string;
  batchSize: string;
  out: string;
  quiet?: boolean;
}

export function register(program: Command): void {
  program
    .command('sag')
    .description(
      'structured attention graph: the minimal patch sets that each keep the prediction, and how confidence falls as patches go',
    )
    .requiredOption('--model <path>', 'TF.js model.json (or its folder) or .onnx file')
    .requiredOption('--input <path>', 'PNG/JPEG image or .npy array [H, W, C] (or [1, H, W, C])')
    .option('--target <class>', 'class to explain; default: the predicted class')
    .option('--grid <n>', 'patch grid: n for n×n, or ROWSxCOLS', '7')
    .option('--beam <n>', 'beam width', '3')
    .option('--successors <n>', 'best-ranked unrevealed patches tried from each beam state', '15')
    .option(
      '--threshold <x>',
      'a root keeps at least this fraction of the full-image probability',
      '0.9',
    )
    .option('--child-threshold <x>', 'expand graph nodes that keep at least this fraction', '0.4')
    .option('--max-children <n>', 'children per graph node', '3')
    .option('--max-nodes <n>', 'graph size limit (roots always shown)', '50')
    .option('--child-order <order>', `which children: ${CHILD_ORDERS.join(' or ')}`, 'least-drop')
    .option('--max-roots <n>', 'stop the search after this many distinct roots', '10')
    .option('--max-overlap <n>', 'patches two shown roots may share', '1')
    .option('--show <n>', 'roots shown in the graph', '3')
    .option(
      '--max-root-size <n>',
      'largest root searched for, in patches (default: the whole grid)',
    )
    .option(
      '--patience <n>',
      'after the first root, stop once this many beam steps find no new one ("inf": never)',
      '3',
    )
    .option(
      '--shrink <order>',
      `how candidates are shrunk to minimal roots: ${SHRINK_ORDERS.join(' or ')}`,
      'first-fit',
    )
    .option('--baseline <kind>', `hidden patches: ${SAG_BASELINES.join(', ')} or a number`, 'blur')
    .option(
      '--blur-sigma <px>',
      'σ of the blur baseline in pixels (default: a tenth of the image side)',
    )
    .option(
      '--upsample <mode>',
      `patch mask to pixels: ${UPSAMPLE_MODES.join(', ')}`,
      'align-corners',
    )
    .option(
      '--heuristic <method>',
      'method ranking the patches (default: integrated-gradients for white-box models, else rise, else grad-cam)',
    )
    .option(
      '--option <key=value>',
      'heuristic method option (repeatable), e.g. --option masks=2000',
      collect,
      [],
    )
    .option('--seed <n>', 'seed of the heuristic', '0')
    .option('--batch-size <n>', 'images per forward call', '64')
    .option('--out <dir>', 'output folder', 'runs/sag')
    .option('--quiet', 'no progress on stderr')
    .action(async (flags: SagFlags) => {
      await runSag(flags);
    });
}

function choice<T extends string>(text: string, flag: string, options: readonly T[]): T {
  if (!options.includes(text as T)) fail(`${flag} ${text}: choose one of ${options.join(', ')}`);
  return text as T;
}

function parseGrid(text: string): number | [number, number] {
  const parts = text.split(/x/i).map(readInteger);
  if (parts.length > 2 || parts.some((v) => v === undefined || v < 1))
    badFlag('--grid', text, 'n (for n×n) or ROWSxCOLS, each ≥ 1, e.g. 7 or 7x5');
  const [rows, cols] = parts as number[];
  return cols === undefined ? rows : [rows, cols];
}

function parseBaseline(text: string): (typeof SAG_BASELINES)[number] | number {
  if ((SAG_BASELINES as readonly string[]).includes(text))
    return text as (typeof SAG_BASELINES)[number];
  const v = readNumber(text);
  if (v === undefined)
    fail(`--baseline ${text}: choose ${SAG_BASELINES.join(', ')} or give a number`);
  return v;
}

/** An integer ≥ 1, or "inf" (also "infinity") for no limit. */
function parsePatience(text: string): number {
  if (/^\s*inf(inity)?\s*$/i.test(text)) return Infinity;
  const v = readInteger(text);
  if (v === undefined || v < 1) badFlag('--patience', text, 'an integer ≥ 1, or inf');
  return v;
}

export async function runSag(flags: SagFlags): Promise<void> {
  const options = {
    grid: parseGrid(flags.grid),
    beam: integerFlag(flags.beam, '--beam', { min: 1 }),
    successors: integerFlag(flags.successors, '--successors', { min: 1 }),
    threshold: numberFlag(flags.threshold, '--threshold', { above: 0, max: 1 }),
    childThreshold: numberFlag(flags.childThreshold, '--child-threshold', { min: 0, max: 1 }),
    maxChildren: integerFlag(flags.maxChildren, '--max-children', { min: 1 }),
    maxNodes: integerFlag(flags.maxNodes, '--max-nodes', { min: 1 }),
    childOrder: choice(flags.childOrder, '--child-order', CHILD_ORDERS),
    maxRoots: integerFlag(flags.maxRoots, '--max-roots', { min: 1 }),
    maxOverlap: integerFlag(flags.maxOverlap, '--max-overlap', { min: 0 }),
    show: integerFlag(flags.show, '--show', { min: 1 }),
    maxRootSize: optionalIntegerFlag(flags.maxRootSize, '--max-root-size', { min: 1 }),
    patience: parsePatience(flags.patience),
    shrink: choice(flags.shrink, '--shrink', SHRINK_ORDERS),
    baseline: parseBaseline(flags.baseline),
    blurSigma: optionalNumberFlag(flags.blurSigma, '--blur-sigma', { above: 0 }),
    upsample: choice(flags.upsample, '--upsample', UPSAMPLE_MODES),
    heuristic: flags.heuristic,
    heuristicOptions: flags.option.length ? parseOptionPairs(flags.option) : undefined,
    seed: integerFlag(flags.seed, '--seed', { min: 0, max: 2 ** 31 - 1 }),
    batchSize: integerFlag(flags.batchSize, '--batch-size', { min: 1 }),
  };
  if (!fs.existsSync(flags.input)) fail(`input not found: ${flags.input}`);
  const model = await loadAnyModel(flags.model);
  try {
    const target = optionalIntegerFlag(flags.target, '--target', {
      min: 0,
      max: model.numClasses - 1,
    });
    const input = await prepareInput(flags.input, model);
    if (input.batch.shape[0] !== 1)
      fail(
        `${flags.input} holds ${input.batch.shape[0]} examples; SAG explains one image at a time`,
      );
    const progress = progressPrinter(flags.quiet ? undefined : process.stderr);
    const controller = new AbortController();
    const onSigint = () => controller.abort();
    process.once('SIGINT', onSigint);
    let result;
    try {
      result = await structuredAttentionGraph(model, input.batch, {
        ...options,
        target,
        signal: controller.signal,
        onProgress: progress.update,
      });
    } catch (e) {
      if (controller.signal.aborted) fail('cancelled: nothing was written');
      throw e;
    } finally {
      process.removeListener('SIGINT', onSigint);
      progress.done();
    }
    const written = await writeSag(flags.out, result, input.display);
    process.stderr.write(
      `sag: class ${result.target}${result.targetName ? ` (${result.targetName})` : ''}, p = ${result.fullProbability.toFixed(4)}; ` +
        `${result.candidates.length} roots found, ${result.roots.length} shown; ${result.forwardPasses} forward passes + ${result.heuristic.passes} for ${result.heuristic.method}; ${(result.milliseconds / 1000).toFixed(1)} s\n`,
    );
    process.stdout.write(`${result.expression}\n`);
    for (const w of written) process.stdout.write(`${w}\n`);
  } finally {
    model.dispose();
  }
}

/** One status line on a terminal (rewritten at most every 200 ms); stage changes only otherwise. */
function progressPrinter(stream: NodeJS.WriteStream | undefined) {
  let last = 0;
  let stage: SagStage | undefined;
  const tty = Boolean(stream?.isTTY);
  const label: Record<SagStage, string> = {
    heuristic: 'ranking patches',
    search: 'beam search',
    graph: 'building the graph',
  };
  return {
    update: (done: number, total: number, s: SagStage) => {
      if (!stream) return;
      const now = Date.now();
      if (s !== stage) {
        if (!tty) stream.write(`sag: ${label[s]}…\n`);
        stage = s;
      } else if (!tty || now - last < 200) return;
      last = now;
      if (tty)
        stream.write(
          `\rsag: ${label[s]} ${done}/${total}${s === 'heuristic' ? '' : ' forward passes'}\x1b[K`,
        );
    },
    done: () => {
      if (stream && tty) stream.write('\r\x1b[K');
    },
  };
}
