/**
 * Starts tfjs's threaded SIMD wasm build in Node, which tfjs itself refuses to do. Three things
 * stand in the way, each worked around here without patching tfjs:
 *  1. tfjs reports no thread support in Node (flag WASM_HAS_MULTITHREAD_SUPPORT) and never loads
 *     this build: we call the build's Emscripten factory ourselves.
 *  2. The pthread worker would start from a `blob:` URL: we hand Emscripten a real file
 *     (wasm-worker-file.ts) and the factory's own path as the script each worker imports.
 *  3. The C++ side caps threads at emscripten_num_logical_cores() / 2, read once when the module
 *     starts (1 on a 2-core machine): we instantiate the module ourselves (Emscripten's
 *     `instantiateWasm` hook) and answer that import with 2 × the threads we want.
 * Emscripten also pre-spawns 8 workers; only threads - 1 are kept (XNNPACK's pool uses the
 * calling thread too), which saves ~0.6 s of start-up on 2 cores.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Worker } from 'node:worker_threads';
import { BackendWasm, setThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { withWorkerScript } from './wasm-worker-file.js';

type EmWorker = Worker & { onerror?: (e: unknown) => void };

interface PThreads {
  unusedWorkers: EmWorker[];
  runningWorkers: EmWorker[];
  terminateAllThreads(): void;
}

interface ThreadedModule {
  PThread: PThreads;
  cwrap(name: string, ret: string | null, args: string[]): (...a: number[]) => number;
  tfjs?: Record<string, (...a: number[]) => number>;
}

interface FactoryConfig {
  mainScriptUrlOrBlob: string;
  locateFile(file: string, prefix: string): string;
  instantiateWasm(
    imports: WebAssembly.Imports,
    receive: (i: WebAssembly.Instance, m: WebAssembly.Module) => void,
  ): object;
  onAbort(reason: unknown): void;
  PThread?: PThreads;
}

/** How long a failing start may take before we give up on threads (workers load in parallel). */
const START_TIMEOUT_MS = 30_000;

export async function createThreadedWasmBackend(
  threads: number,
  wasmDir: string,
): Promise<BackendWasm> {
  if (threads < 2) throw new Error('the threaded build needs at least 2 threads');
  const require = createRequire(import.meta.url);
  const outDir = path.join(wasmDir, '..', 'wasm-out');
  const factoryPath = path.join(outDir, 'tfjs-backend-wasm-threaded-simd.js');
  const factory = require(factoryPath) as (c: FactoryConfig) => Promise<ThreadedModule>;
  const { wasmWorkerContents } = require(
    path.join(outDir, 'tfjs-backend-wasm-threaded-simd.worker.js'),
  ) as {
    wasmWorkerContents: string;
  };
  const binary = fs.readFileSync(path.join(wasmDir, 'tfjs-backend-wasm-threaded-simd.wasm'));
  // The backend's constructor starts XNNPACK's pool on the pre-loaded workers, so after it
  // returns the worker script is no longer read and can go.
  return withWorkerScript(wasmWorkerContents, async (workerFile) => {
    const module = await startModule(factory, factoryPath, workerFile, binary, threads);
    try {
      setThreadsCount(threads);
      const backend = new BackendWasm(module as never);
      // XNNPACK's threads live as long as the backend; they must not keep Node from exiting.
      for (const w of module.PThread.runningWorkers) w.unref();
      return backend;
    } catch (e) {
      module.PThread.terminateAllThreads();
      throw e;
    }
  });
}

/** Runs the Emscripten factory with our overrides; rejects (never hangs, never crashes) on failure. */
async function startModule(
  factory: (c: FactoryConfig) => Promise<ThreadedModule>,
  factoryPath: string,
  workerFile: string,
  binary: Buffer,
  threads: number,
): Promise<ThreadedModule> {
  const restore: (() => void)[] = [];
  let fail: (e: unknown) => void = () => {};
  const failed = new Promise<never>((_, reject) => (fail = reject));
  const config: FactoryConfig = {
    mainScriptUrlOrBlob: factoryPath,
    locateFile: (file, prefix) => (file.endsWith('.worker.js') ? workerFile : prefix + file),
    onAbort: (reason) => fail(new Error(`threaded wasm aborted: ${String(reason)}`)),
    instantiateWasm(imports, receive) {
      imports.env.emscripten_num_logical_cores = () => 2 * threads;
      WebAssembly.instantiate(new Uint8Array(binary), imports)
        .then(({ instance, module }) => {
          const pool = config.PThread!;
          for (const w of pool.unusedWorkers.splice(threads - 1)) void w.terminate();
          receive(instance, module);
          // Emscripten rethrows a worker's error from an event handler, which would kill the
          // process; while starting, make it a failed start instead (restored once started).
          for (const w of pool.unusedWorkers) {
            const own = w.onerror;
            w.onerror = (e) => fail(e);
            restore.push(() => (w.onerror = own));
          }
        })
        .catch(fail);
      return {};
    },
  };
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error('threaded wasm did not start in time')),
      START_TIMEOUT_MS,
    );
  });
  try {
    const module = await Promise.race([factory(config), failed, timedOut]);
    for (const undo of restore) undo();
    module.tfjs = {
      init: module.cwrap('init', null, []),
      initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']),
      getThreadsCount: module.cwrap('get_threads_count', 'number', []),
      registerTensor: module.cwrap('register_tensor', null, ['number', 'number', 'number']),
      disposeData: module.cwrap('dispose_data', null, ['number']),
      dispose: module.cwrap('dispose', null, []),
    };
    return module;
  } catch (e) {
    config.PThread?.terminateAllThreads();
    throw e;
  } finally {
    clearTimeout(timer);
  }
}
