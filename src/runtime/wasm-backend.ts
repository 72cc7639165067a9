/**
 * Which wasm build backs the 'wasm' backend, and with how many threads.
 *
 * GLASSBOX_THREADS (default: the number of cores) picks the thread count. With 2 or more, the
 * threaded SIMD build is started (wasm-threaded.ts); if that fails for any reason, tfjs's own
 * single-threaded loader runs instead, so setBackend('wasm') behaves as before.
 */
import os from 'node:os';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { fail } from '../core/errors.js';
import { tf } from './core.js';
import { createThreadedWasmBackend } from './wasm-threaded.js';

/** tfjs-backend-wasm's XNNPACK pool never uses more (its C++ cap). */
export const MAX_WASM_THREADS = 8;
/** Priority tfjs-backend-wasm registers itself with; kept so backend ordering is unchanged. */
const WASM_PRIORITY = 2;

export interface WasmStart {
  threads: number;
  /** Why the threaded build was not used, when it was asked for and failed. */
  fallbackReason?: string;
}

let start: WasmStart | undefined;

/** Thread count asked for via GLASSBOX_THREADS, clamped to [1, 8]; default: number of cores. */
export function requestedThreads(env: string | undefined = process.env.GLASSBOX_THREADS): number {
  if (env == null || env.trim() === '')
    return Math.min(os.availableParallelism(), MAX_WASM_THREADS);
  const n = Number(env);
  if (!Number.isInteger(n) || n < 1)
    fail(`GLASSBOX_THREADS must be a whole number ≥ 1, got "${env}"`);
  return Math.min(n, MAX_WASM_THREADS);
}

/**
 * Replaces the 'wasm' backend factory with one that tries the threaded build first. Call before
 * the wasm backend is first initialised; later calls are ignored.
 */
export function installWasmBackend(threads: number, wasmDir: string): void {
  const engine = tf.engine();
  const original = engine.registryFactory.wasm?.factory;
  if (original == null || start != null) return;
  start = { threads: 1 };
  tf.removeBackend('wasm');
  tf.registerBackend(
    'wasm',
    async () => {
      let fallbackReason: string | undefined;
      if (threads >= 2) {
        try {
          const backend = await createThreadedWasmBackend(threads, wasmDir);
          start = { threads: getThreadsCount() };
          return backend;
        } catch (e) {
          fallbackReason = e instanceof Error ? e.message : String(e);
        }
      }
      const backend = await original();
      start = { threads: getThreadsCount(), fallbackReason };
      return backend;
    },
    WASM_PRIORITY,
  );
}

/** Threads the wasm backend runs with (1 until it is started), and why not more if it fell back. */
export function wasmStart(): WasmStart {
  return start ?? { threads: 1 };
}
