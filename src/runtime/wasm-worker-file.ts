/**
 * The pthread worker script of tfjs's threaded wasm build, as a real file.
 *
 * tfjs ships it only as a JS string and starts it from a `blob:` URL, which Node's Worker cannot
 * load. The file goes into a private (0700) temporary directory, never a shared, guessable path
 * that another user could swap, and is removed when the process exits.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

let file: string | undefined;

export function workerScriptFile(contents: string): string {
  if (file != null) return file;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'glassbox-wasm-'));
  const target = path.join(dir, 'tfjs-backend-wasm-threaded-simd.worker.cjs');
  // tfjs's string came from a template literal, which turned "\n" escapes inside string
  // literals into raw newlines; put the escapes back (tfjs does the same before making its Blob).
  fs.writeFileSync(target, contents.replace(/\n/g, '\\n'), { mode: 0o600 });
  process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  file = target;
  return target;
}
