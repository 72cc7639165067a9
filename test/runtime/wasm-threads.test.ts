/**
 * The threaded wasm build in Node: it starts with the thread count asked for, computes what the
 * cpu backend computes, lets the process exit, and falls back to one thread when it cannot start.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { GlassboxError } from '../../src/core/errors.js';
import { initTf, tf } from '../../src/runtime/tf.js';
import { requestedThreads, wasmStart } from '../../src/runtime/wasm-backend.js';
import { createThreadedWasmBackend } from '../../src/runtime/wasm-threaded.js';
import { randn, relErr, runCpu, runWasm } from './kernel-harness.js';

const run = promisify(execFile);
const tfModule = fileURLToPath(new URL('../../src/runtime/tf.ts', import.meta.url));
const backendModule = fileURLToPath(new URL('../../src/runtime/wasm-backend.ts', import.meta.url));

beforeAll(async () => {
  process.env.GLASSBOX_THREADS = '2';
  expect(await initTf('wasm')).toBe('wasm');
});

describe('threaded wasm', () => {
  it('runs with 2 threads', () => {
    expect(wasmStart()).toEqual({ threads: 2 });
  });

  it.each([
    [
      'Conv2D',
      { x: [2, 16, 16, 8], filter: [3, 3, 8, 16] },
      { strides: 1, pad: 'same', dilations: 1, dataFormat: 'NHWC' },
    ],
    ['BatchMatMul', { a: [3, 40, 50], b: [3, 50, 30] }, { transposeA: false, transposeB: false }],
    [
      'Conv2DBackpropFilter',
      { x: [2, 16, 16, 8], dy: [2, 8, 8, 16] },
      { strides: 2, pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, 8, 16] },
    ],
  ] as const)('%s matches cpu', (kernel, shapes, attrs) => {
    const inputs = Object.fromEntries(
      Object.entries(shapes).map(([k, s], i) => [k, randn([...s], 20 + i)]),
    );
    const wasm = runWasm(kernel, inputs, attrs);
    expect(relErr(wasm.values, runCpu(kernel, inputs, attrs))).toBeLessThan(1e-4);
    expect(wasm.leaked).toBe(0);
    tf.dispose(Object.values(inputs));
  });

  it('rejects, without crashing, when the build cannot be loaded', async () => {
    await expect(createThreadedWasmBackend(2, '/nonexistent/')).rejects.toThrow();
  });
});

describe('GLASSBOX_THREADS', () => {
  it('defaults to the number of cores, clamps to 8 and rejects nonsense', () => {
    expect(requestedThreads(undefined)).toBe(Math.min(8, os.cpus().length));
    expect(requestedThreads('3')).toBe(3);
    expect(requestedThreads('64')).toBe(8);
    for (const bad of ['0', '-2', '1.5', 'two'])
      expect(() => requestedThreads(bad)).toThrow(GlassboxError);
  });
});

/** Runs a fresh Node process that starts the wasm backend, optionally after `prelude`. */
async function child(
  prelude: string,
): Promise<{ threads: number; fallbackReason?: string; sum: number }> {
  const code = `${prelude}
    const { initTf, tf } = await import(${JSON.stringify(tfModule)});
    const { wasmStart } = await import(${JSON.stringify(backendModule)});
    await initTf('wasm');
    const x = tf.ones([1, 8, 8, 2]);
    const sum = tf.conv2d(x, tf.ones([3, 3, 2, 4]), 1, 'valid').sum().dataSync()[0];
    console.log(JSON.stringify({ ...wasmStart(), sum }));`;
  // A script file, not -e: workers inherit execArgv, and --input-type would make them fail.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'glassbox-test-'));
  const script = path.join(dir, 'start.mjs');
  fs.writeFileSync(script, code);
  try {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', script], {
      env: { ...process.env, GLASSBOX_THREADS: '2' },
      timeout: 30_000, // a process kept alive by a worker thread fails here
    });
    return JSON.parse(stdout.trim().split('\n').pop()!);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('in a fresh process', () => {
  it('exits by itself with the threads running', async () => {
    const out = await child('');
    expect(out).toEqual({ threads: 2, sum: 4 * 6 * 6 * 18 }); // 36 outputs × 4 filters × 18 taps
  });

  it('falls back to one thread when shared memory is unavailable', async () => {
    const noSharedMemory = `
      const Memory = WebAssembly.Memory;
      WebAssembly.Memory = function (d) { if (d.shared) throw new Error('no shared memory'); return new Memory(d); };`;
    const out = await child(noSharedMemory);
    expect(out.threads).toBe(1);
    expect(out.fallbackReason).toMatch(/no shared memory/);
    expect(out.sum).toBe(4 * 6 * 6 * 18);
  });
});
