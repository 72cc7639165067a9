/** Finds a Python interpreter with the modules a reference computation needs (tests skip without one). */
import { spawnSync } from 'node:child_process';

const cache = new Map<string, string | undefined>();

export function findPython(modules: string[]): string | undefined {
  const key = modules.join(',');
  if (cache.has(key)) return cache.get(key);
  let found: string | undefined;
  for (const exe of ['python3', '/usr/bin/python3']) {
    const r = spawnSync(exe, ['-c', modules.map((m) => `import ${m}`).join('; ') || 'pass'], {
      encoding: 'utf8',
    });
    if (r.status === 0) {
      found = exe;
      break;
    }
  }
  cache.set(key, found);
  return found;
}

/** Runs a script and returns its stdout; throws with stderr when it fails. */
export function runPython(exe: string, args: string[]): string {
  const r = spawnSync(exe, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`${exe} ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}
