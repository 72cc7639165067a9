/** The web app's server: the library face of `glassbox serve`. */
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { fail } from '../core/errors.js';
import { buildApp, DEFAULT_WEB_DIST, type AppOptions, type GlassboxServer } from './app.js';

export { buildApp, type AppOptions, type GlassboxServer } from './app.js';
export { JobQueue, type JobView, type JobStatus } from './jobs.js';

const PACKAGE_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Builds web/dist with Vite when it is missing (first start after a plain install). */
export function ensureWebBuilt(webDist = DEFAULT_WEB_DIST, log: (line: string) => void = () => {}): void {
  if (fs.existsSync(path.join(webDist, 'index.html'))) return;
  const config = path.join(PACKAGE_ROOT, 'web', 'vite.config.ts');
  if (!fs.existsSync(config)) fail(`the web app is not built (${webDist} is missing) and its sources are not here`);
  log('building the web app (first start)…');
  const r = spawnSync(process.execPath, [path.join(PACKAGE_ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', config, '--logLevel', 'error'], { cwd: PACKAGE_ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0 || !fs.existsSync(path.join(webDist, 'index.html'))) {
    fail('building the web app failed: run `npm ci` (it installs Vite), then `bash scripts/setup-web.sh`');
  }
}

export interface StartOptions extends AppOptions {
  port: number;
  host: string;
}

export async function startServer(o: StartOptions): Promise<GlassboxServer & { url: string }> {
  const server = await buildApp(o);
  try {
    await server.app.listen({ port: o.port, host: o.host });
  } catch (e) {
    await server.close();
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') fail(`port ${o.port} on ${o.host} is in use: pick another with --port`);
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') fail(`cannot listen on ${o.host}: not an address of this machine`);
    if (code === 'EACCES') fail(`not allowed to listen on port ${o.port}: use a port above 1023`);
    throw e;
  }
  const address = server.app.server.address();
  const port = typeof address === 'object' && address ? address.port : o.port;
  const host = o.host.includes(':') ? `[${o.host}]` : o.host;
  return { ...server, url: `http://${host}:${port}/` };
}
