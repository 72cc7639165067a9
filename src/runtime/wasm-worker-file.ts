/**
 * The pthread worker script of tfjs's threaded wasm build, as a real file for as long as the
 * workers need it.
 *
 * tfjs ships the script only as a JS string and starts it from a `blob:` URL, which Node's Worker
 * cannot load. The file goes into a private (0700) temporary directory, never a shared, guessable
 * path that another user could swap, and is deleted as soon as the workers have started (they
 * read it once), so nothing is left behind even if the process is killed later.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export async function withWorkerScript<T>(
  contents: string,
  use: (file: string) => Promise<T>,
): Promise<T> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'glassbox-wasm-'));
  try {
    const file = path.join(dir, 'tfjs-backend-wasm-threaded-simd.worker.cjs');
    // tfjs's string came from a template literal, which turned "\n" escapes inside string
    // literals into raw newlines; put the escapes back (tfjs does the same before making its Blob).
    fs.writeFileSync(file, contents.replace(/\n/g, '\\n'), { mode: 0o600 });
    return await use(file);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
