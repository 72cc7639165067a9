import type { Command } from 'commander';
import { listMethods } from '../methods/index.js';

export function register(program: Command): void {
  program
    .command('methods')
    .description('list the attribution methods')
    .option('--json', 'machine-readable output')
    .action((opts: { json?: boolean }) => {
      const methods = listMethods();
      if (opts.json) {
        process.stdout.write(JSON.stringify(methods.map(({ name, title, family, needs, kinds, reference }) => ({ name, title, family, needs, kinds, reference })), null, 2) + '\n');
        return;
      }
      const width = Math.max(...methods.map((m) => m.name.length));
      for (const m of methods) {
        process.stdout.write(`${m.name.padEnd(width)}  ${m.family.padEnd(12)} ${m.needs.padEnd(9)} ${m.title} — ${m.reference}\n`);
      }
    });
}
