/**
 * The one place Glassbox imports TF.js and picks its backend.
 *
 * Order of preference in Node: tfjs-node (when the user has it installed), then wasm with the
 * kernels Glassbox adds (see wasm-kernels/) and, with GLASSBOX_THREADS ≥ 2 (default: the number
 * of cores), tfjs's threaded build (see wasm-backend.ts), then the pure-JS cpu backend.
 * `setBackend` can fail silently and leave TF.js on cpu, so the backend actually in use is always
 * read back.
 */
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import path from 'node:path';
import { GlassboxError } from '../core/errors.js';
import { tf } from './core.js';
import { installGradientFixes } from './gradients/index.js';
import { installWasmBackend, requestedThreads } from './wasm-backend.js';
import { registerWasmKernels } from './wasm-kernels/index.js';

export { tf };
export { inputGradientsOnly } from './input-gradients-only.js';

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';

let ready: Promise<BackendName> | undefined;

/** Backend requested via GLASSBOX_BACKEND (wasm|cpu|tensorflow), else the best available. */
export function initTf(preferred: BackendName | undefined = envBackend()): Promise<BackendName> {
  ready ??= selectBackend(preferred);
  return ready;
}

function envBackend(): BackendName | undefined {
  const v = process.env.GLASSBOX_BACKEND;
  return v === 'wasm' || v === 'cpu' || v === 'tensorflow' ? v : undefined;
}

async function selectBackend(preferred: BackendName | undefined): Promise<BackendName> {
  tf.env().set('PROD', true);
  installGradientFixes();
  const order: BackendName[] = preferred ? [preferred] : ['tensorflow', 'wasm', 'cpu'];
  // Read before trying, so a bad GLASSBOX_THREADS is reported rather than swallowed below.
  const threads = order.includes('wasm') ? requestedThreads() : 1;
  for (const name of order) {
    if (await tryBackend(name, threads)) return name;
  }
  if (preferred) throw new GlassboxError(`TF.js backend "${preferred}" could not be started`);
  throw new Error('no TF.js backend could be started');
}

async function tryBackend(name: BackendName, threads: number): Promise<boolean> {
  try {
    if (name === 'tensorflow') {
      // Optional dependency: present only when the user installed it themselves.
      const tfnode = '@tensorflow/tfjs-node';
      await import(tfnode);
    }
    if (name === 'wasm') {
      setWasmPaths(wasmDir());
      registerWasmKernels();
      installWasmBackend(threads, wasmDir());
    }
    const ok = await tf.setBackend(name);
    await tf.ready();
    return ok && tf.getBackend() === name;
  } catch {
    return false;
  }
}

/** Directory holding the tfjs-backend-wasm .wasm binaries, as a path Node can read. */
export function wasmDir(): string {
  const require = createRequire(import.meta.url);
  const main = require.resolve('@tensorflow/tfjs-backend-wasm');
  return path.join(path.dirname(main), path.sep);
}
