/** `glassbox serve`: the web app (HTTP API + front end) on one port, localhost unless told otherwise. */
import path from 'node:path';
import type { Command } from 'commander';
import { integerFlag } from './flags.js';
import { initTf } from '../runtime/tf.js';

interface ServeFlags {
  port: string;
  host: string;
  data: string;
  concurrency: string;
  maxQueue: string;
  maxUploadMb: string;
}

export function register(program: Command): void {
  program
    .command('serve')
    .description('start the web app: explain, SAG, training runs, comparisons and layers in the browser')
    .option('--port <n>', 'port to listen on (0: any free port)', '7860')
    .option('--host <address>', 'address to bind (0.0.0.0 exposes the app to the network)', '127.0.0.1')
    .option('--data <dir>', 'data folder: runs are found here; uploads and results are written here', 'runs')
    .option('--concurrency <n>', 'jobs running at once', '1')
    .option('--max-queue <n>', 'jobs waiting at most', '64')
    .option('--max-upload-mb <n>', 'largest model upload in MB (inputs: 10 MB)', '200')
    .action(async (flags: ServeFlags) => {
      await runServe(flags);
    });
}

export async function runServe(flags: ServeFlags): Promise<void> {
  const port = integerFlag(flags.port, '--port', { min: 0, max: 65535 });
  const concurrency = integerFlag(flags.concurrency, '--concurrency', { min: 1, max: 16 });
  const maxQueued = integerFlag(flags.maxQueue, '--max-queue', { min: 0, max: 10_000 });
  const maxModelBytes = integerFlag(flags.maxUploadMb, '--max-upload-mb', { min: 1, max: 4096 }) * 1024 * 1024;
  const { ensureWebBuilt, startServer } = await import('../server/index.js');
  ensureWebBuilt(undefined, (line) => process.stderr.write(`${line}\n`));
  await initTf();
  // A bug in one request must not take the app down for everyone: log it and go on. (The
  // TF.js wasm module installs a handler that rethrows, which would end the process.)
  process.removeAllListeners('unhandledRejection');
  process.on('unhandledRejection', (e) => process.stderr.write(`glassbox serve: unhandled rejection: ${(e as Error)?.stack ?? e}\n`));
  const server = await startServer({ port, host: flags.host, dataDir: path.resolve(flags.data), concurrency, maxQueued, maxModelBytes });
  process.stderr.write(`Glassbox web app: ${server.url}  (data folder ${server.context.storage.root}; Ctrl-C stops)\n`);
  if (flags.host !== '127.0.0.1' && flags.host !== 'localhost' && flags.host !== '::1') {
    process.stderr.write('warning: the app is reachable from other machines; it has no login\n');
  }
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.stderr.write('stopping…\n');
      void server.close().then(resolve, resolve);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
