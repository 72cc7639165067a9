/**
 * The `glassbox` command. Each command lives in its own file and registers itself; a
 * GlassboxError becomes one line on stderr and exit code 2, anything else is a bug report.
 */
import { Command } from 'commander';
import { isGlassboxError } from '../core/errors.js';
import { register as registerExplain } from './explain.js';
import { register as registerMethods } from './methods.js';
import { register as registerDemo } from './demo.js';
import { register as registerLayers } from './layers.js';
import { register as registerTrain } from './train.js';
import { register as registerData } from './data.js';

const commands: Array<(program: Command) => void> = [registerDemo, registerTrain, registerExplain, registerMethods, registerLayers, registerData];

/** Commands written in parallel register themselves here once their file exists. */
const optionalCommands = ['./sag.js', './evaluate.js', './benchmark.js', './serve.js', './dynamics.js', './vit.js', './detect.js', './tables.js'];

export async function buildProgram(): Promise<Command> {
  const program = new Command('glassbox')
    .description('Train, explain and judge deep-learning models')
    .showHelpAfterError()
    .exitOverride();
  for (const r of commands) r(program);
  for (const file of optionalCommands) {
    try {
      const mod = await import(file);
      mod.register(program);
    } catch (e) {
      // Only the command file itself may be absent; a missing import inside it is a real error.
      const missing = (e as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND' && String((e as Error).message).includes(file.slice(2, -3));
      if (!missing) throw e;
    }
  }
  return program;
}

export async function main(argv: string[]): Promise<number> {
  try {
    const program = await buildProgram();
    await program.parseAsync(argv);
    return 0;
  } catch (e) {
    if (isGlassboxError(e)) {
      process.stderr.write(`glassbox: ${e.message}\n`);
      return 2;
    }
    const code = (e as { code?: string; exitCode?: number }).code;
    if (typeof code === 'string' && code.startsWith('commander.')) {
      // commander already printed the help or the usage error.
      return code === 'commander.helpDisplayed' || code === 'commander.version' || code === 'commander.help' ? 0 : 2;
    }
    process.stderr.write(`glassbox: internal error (please report): ${(e as Error).stack ?? e}\n`);
    return 1;
  }
}

