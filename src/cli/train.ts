/**
 * `glassbox train --config FILE [--out DIR] [--resume] [--epochs N]`: trains the model a JSON
 * or YAML config describes (see docs/training.md and configs/), saving the model, report,
 * run.json, checkpoints and TensorBoard logs. Ctrl-C saves a resumable checkpoint.
 */
import type { Command } from 'commander';
import { optionalIntegerFlag } from './flags.js';
import { loadConfigFile } from '../train/config.js';
import { train } from '../train/run.js';

interface TrainFlags {
  config: string;
  out?: string;
  resume?: boolean;
  epochs?: string;
  quiet?: boolean;
  printConfig?: boolean;
}

export function register(program: Command): void {
  program
    .command('train')
    .description('train a model from a config file (JSON or YAML; examples in configs/)')
    .requiredOption('--config <file>', 'training config, .json, .yaml or .yml')
    .option('--out <dir>', 'output folder (default: config output.dir, else runs/<name>/)')
    .option('--resume', 'continue from <out>/checkpoints/resume/ (saved each epoch and on Ctrl-C)')
    .option('--epochs <n>', 'override training.epochs (with --resume: extend the run)')
    .option('--quiet', 'no progress bar or messages')
    .option('--print-config', 'print the config with every default filled in, and exit')
    .action(async (flags: TrainFlags) => {
      const config = loadConfigFile(flags.config);
      if (flags.printConfig) {
        process.stdout.write(JSON.stringify(config, null, 2) + '\n');
        return;
      }
      const epochs = optionalIntegerFlag(flags.epochs, '--epochs', { min: 1 });
      const summary = await train(config, {
        outDir: flags.out,
        resume: flags.resume,
        epochs,
        quiet: flags.quiet,
        handleSigint: true,
      });
      if (summary.interrupted) {
        process.stderr.write(
          `interrupted after ${summary.history.length} full epoch(s); continue with: glassbox train --config ${flags.config}` +
            `${flags.out ? ` --out ${flags.out}` : ''} --resume\n`,
        );
        process.exit(130);
      }
    });
}
