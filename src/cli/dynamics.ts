/**
 * `glassbox dynamics --run DIR`: overfitting from the weights of a run's epoch checkpoints.
 * `glassbox animate mlp --run DIR`: per-class hidden activations, one frame per epoch.
 * `glassbox animate lstm --run DIR --index N`: LSTM gates over the steps of one sequence.
 */
import path from 'node:path';
import type { Command } from 'commander';
import { fail } from '../core/errors.js';
import { integerFlag, optionalIntegerFlag } from './flags.js';
import { runDynamics, verdictLine } from '../dynamics/report.js';
import { animateMlp } from '../dynamics/mlp-activations.js';
import { animateLstm, type AnimateOver } from '../dynamics/lstm-animation.js';
import { GATE_NAMES, type GateName } from '../dynamics/lstm-gates.js';

const log = (line: string) => process.stderr.write(`${line}\n`);

function split(flag: string, text: string | undefined, fallback: 'train' | 'test'): 'train' | 'test' {
  if (text === undefined) return fallback;
  if (text !== 'train' && text !== 'test') fail(`${flag} ${text}: choose train or test`);
  return text;
}

export function register(program: Command): void {
  program
    .command('dynamics')
    .description('detect where overfitting begins from the weights of the per-epoch checkpoints (no validation data), with charts')
    .requiredOption('--run <dir>', 'a `glassbox train` output folder (with checkpoints/epoch-NNN/)')
    .option('--out <dir>', 'output folder (default <run>/dynamics)')
    .option('--probe <n>', 'training examples per class for the dead-unit share (0 = skip)', '50')
    .option('--seed <n>', 'seed of the probe-set choice', '0')
    .option('--json', 'print the result as JSON')
    .action(async (flags: { run: string; out?: string; probe?: string; seed?: string; json?: boolean }) => {
      const r = await runDynamics(flags.run, {
        outDir: flags.out,
        probePerClass: optionalIntegerFlag(flags.probe, '--probe', { min: 0 }) ?? 50,
        seed: optionalIntegerFlag(flags.seed, '--seed', { min: 0 }) ?? 0,
        log,
      });
      if (flags.json) {
        process.stdout.write(
          JSON.stringify({ detectedEpoch: r.detection.epoch, validation: r.validation ?? null, difference: r.difference, warnings: r.detection.warnings, outDir: r.outDir, seconds: r.seconds }, null, 2) + '\n',
        );
        return;
      }
      process.stdout.write(`${verdictLine(r)}\n`);
      for (const w of r.detection.warnings) process.stdout.write(`warning: ${w}\n`);
      process.stdout.write(`wrote ${path.join(r.outDir, 'summary.md')}, dynamics.json and ${r.files.filter((f) => f.endsWith('.svg')).length} charts (SVG + PNG) in ${r.seconds.toFixed(1)} s\n`);
    });

  const animate = program.command('animate').description('animations of what a trained network does inside (GIF + PNG frames + JSON)');

  animate
    .command('mlp')
    .description('hidden-layer activations averaged per class (classes × units), one frame per epoch; dead units marked')
    .requiredOption('--run <dir>', 'a `glassbox train` output folder of an mlp (with checkpoints/epoch-NNN/)')
    .option('--out <dir>', 'output folder (default <run>/animations/mlp)')
    .option('--split <split>', 'examples to average over: train or test', 'train')
    .option('--per-class <n>', 'examples per class', '50')
    .option('--layers <names>', 'comma-separated hidden layers (default all ReLU layers)')
    .option('--seed <n>', 'seed of the example choice', '0')
    .option('--delay <ms>', 'milliseconds per frame', '300')
    .action(async (flags: { run: string; out?: string; split?: string; perClass?: string; layers?: string; seed?: string; delay?: string }) => {
      const r = await animateMlp(flags.run, {
        outDir: flags.out,
        split: split('--split', flags.split, 'train'),
        perClass: optionalIntegerFlag(flags.perClass, '--per-class', { min: 1 }) ?? 50,
        layers: flags.layers?.split(',').map((s) => s.trim()).filter(Boolean),
        seed: optionalIntegerFlag(flags.seed, '--seed', { min: 0 }) ?? 0,
        delayMs: optionalIntegerFlag(flags.delay, '--delay', { min: 0 }) ?? 300,
        log,
      });
      for (const s of r.summary) {
        process.stdout.write(`${s.layer}: ${s.units} units, ${s.deadAtEnd} dead at the last epoch, ${s.deadThroughout} dead in every frame\n`);
      }
      process.stdout.write(`wrote ${r.gif}, ${r.frames.length} frames and ${path.basename(r.json)} in ${r.seconds.toFixed(1)} s\n`);
    });

  animate
    .command('lstm')
    .description('LSTM gates recomputed from the weights over the steps of one sequence (units × time); bright = open (forget gate: remembering)')
    .requiredOption('--run <dir>', 'a `glassbox train` output folder of an lstm')
    .requiredOption('--index <n>', 'example index in the split')
    .option('--split <split>', 'train or test', 'test')
    .option('--gates <list>', `comma-separated gates: ${GATE_NAMES.join(', ')}`, 'forget')
    .option('--over <what>', 'time (frames = steps of the final model) or epochs (frames = checkpoints)', 'time')
    .option('--layer <name>', 'LSTM layer (default the first)')
    .option('--out <dir>', 'output folder (default <run>/animations/lstm-<split>-<index>)')
    .option('--delay <ms>', 'milliseconds per frame')
    .action(async (flags: { run: string; index: string; split?: string; gates?: string; over?: string; layer?: string; out?: string; delay?: string }) => {
      const gates = (flags.gates ?? 'forget').split(',').map((s) => s.trim()).filter(Boolean);
      const bad = gates.filter((g) => !GATE_NAMES.includes(g as GateName));
      if (bad.length) fail(`--gates ${bad.join(',')}: choose from ${GATE_NAMES.join(', ')}`);
      if (flags.over !== undefined && flags.over !== 'time' && flags.over !== 'epochs') fail(`--over ${flags.over}: choose time or epochs`);
      const r = await animateLstm(flags.run, {
        index: integerFlag(flags.index, '--index', { min: 0 }),
        split: split('--split', flags.split, 'test'),
        gates: gates as GateName[],
        over: (flags.over ?? 'time') as AnimateOver,
        layer: flags.layer,
        outDir: flags.out,
        delayMs: optionalIntegerFlag(flags.delay, '--delay', { min: 0 }),
        log,
      });
      const means = Object.entries(r.means).map(([g, v]) => `${g} ${v.toFixed(3)}`).join(', ');
      process.stdout.write(`${r.layer}: ${r.units} units × ${r.steps} steps, class ${r.label}, predicted ${r.predicted}; mean gate values: ${means}\n`);
      process.stdout.write(`wrote ${r.gif}, ${r.frames.length} frames and ${path.basename(r.json)} in ${r.seconds.toFixed(1)} s\n`);
    });
}
