/**
 * `glassbox evaluate`: judge explanation methods on your model with the metrics, on a data set
 * or an image folder. Writes evaluation.html/.md/.json to --out (same format as the benchmark).
 */
import type { Command } from 'commander';
import { initTf } from '../runtime/tf.js';
import { prepareUserEntry } from '../metrics/benchmark/entries.js';
import { runBenchmark } from '../metrics/benchmark/runner.js';
import { addCommonOptions, commonRunOptions, type CommonFlags } from './benchmark.js';
import { integerFlag } from './flags.js';

interface EvaluateFlags extends CommonFlags {
  model: string;
  data: string;
}

export function register(program: Command): void {
  const cmd = program
    .command('evaluate')
    .description(
      'score attribution methods on a model with faithfulness, localisation, randomisation, robustness and complexity metrics',
    )
    .requiredOption('--model <path>', 'TF.js model.json (or its folder) or .onnx file')
    .requiredOption(
      '--data <name|folder>',
      'a data set name (mnist, fashion-mnist, mnist1d, shapes, …) or an image folder (one sub-folder per class)',
    );
  addCommonOptions(cmd, 'runs/evaluate', 32).action(async (flags: EvaluateFlags) => {
    await runEvaluate(flags);
  });
}

export async function runEvaluate(flags: EvaluateFlags): Promise<void> {
  const common = commonRunOptions(flags);
  const count = integerFlag(flags.count, '--count', { min: 1, max: 100_000 });
  await initTf();
  const entry = await prepareUserEntry(flags.model, flags.data, count);
  const run = await runBenchmark([entry], {
    ...common,
    reportName: 'evaluation',
    title: `Glassbox evaluation: ${entry.model.name} on ${entry.name}`,
    log: (line) => process.stderr.write(`${line}\n`),
  });
  entry.model.dispose();
  process.stdout.write(`${run.files.html}\n${run.files.markdown}\n${run.files.json}\n`);
}
