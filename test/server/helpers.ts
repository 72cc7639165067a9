/**
 * Shared by the server and browser tests: a data folder holding a real trained run (the built-in
 * MNIST example's config, trained once per machine and cached), and a server on loopback.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { initTf } from '../../src/runtime/tf.js';
import { EXAMPLES } from '../../src/server/models.js';
import { startServer } from '../../src/server/index.js';
import type { AppOptions } from '../../src/server/app.js';

const CACHE = path.join(os.tmpdir(), 'glassbox-web-tests');

/** A finished run of the built-in example's config; trained on first use (about 15 s), then reused. */
export async function trainedRun(): Promise<string> {
  const config = EXAMPLES[0].config;
  const key = crypto.createHash('sha256').update(JSON.stringify(config)).digest('hex').slice(0, 12);
  const dir = path.join(CACHE, `run-${key}`);
  const ready = () => fs.existsSync(path.join(dir, 'model', 'model.json')) && fs.existsSync(path.join(dir, 'metrics.json'));
  if (ready()) return dir;
  fs.mkdirSync(CACHE, { recursive: true });
  const lock = `${dir}.lock`;
  const until = Date.now() + 180_000;
  // Test files run in parallel: one trains, the others wait for it.
  for (;;) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch {
      if (ready()) return dir;
      const age = Date.now() - (fs.statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > 150_000) fs.rmSync(lock, { recursive: true, force: true });
      if (Date.now() > until) throw new Error('timed out waiting for another test to train the fixture model');
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  try {
    if (ready()) return dir;
    await initTf();
    const { train } = await import('../../src/train/run.js');
    const staging = `${dir}.staging-${process.pid}`;
    fs.rmSync(staging, { recursive: true, force: true });
    await train(config, { outDir: staging, quiet: true });
    fs.rmSync(path.join(staging, 'checkpoints'), { recursive: true, force: true });
    fs.rmSync(dir, { recursive: true, force: true });
    fs.renameSync(staging, dir);
    return dir;
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

/** A fresh data folder with the trained run as runs/mnist-tiny and as the ready built-in example. */
export async function makeDataDir(withExample = true): Promise<string> {
  const run = await trainedRun();
  const data = fs.mkdtempSync(path.join(os.tmpdir(), 'glassbox-web-data-'));
  fs.cpSync(run, path.join(data, 'mnist-tiny'), { recursive: true });
  if (withExample) fs.cpSync(run, path.join(data, '.glassbox-web', 'examples', 'mnist'), { recursive: true });
  return data;
}

export async function startTestServer(dataDir: string, options: Partial<AppOptions> = {}) {
  await initTf();
  return startServer({ dataDir, port: 0, host: '127.0.0.1', ...options });
}

/** Waits for a job to end by polling its status (the SSE route has its own test). */
export async function waitForJob(base: string, id: string, timeoutMs = 60_000): Promise<{ status: string; result?: any; error?: string; statusText: string }> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = (await (await fetch(`${base}api/jobs/${id}`)).json()) as { status: string; result?: unknown; error?: string; statusText: string };
    if (v.status === 'done' || v.status === 'failed' || v.status === 'cancelled') return v;
    if (Date.now() > until) throw new Error(`job ${id} still ${v.status} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export function postJson(base: string, route: string, body: unknown): Promise<Response> {
  return fetch(`${base}${route}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
}

/** A small valid PNG (solid grey), made without the project's code. */
export async function greyPng(size = 28): Promise<Buffer> {
  const sharp = (await import('sharp')).default;
  return sharp({ create: { width: size, height: size, channels: 3, background: { r: 128, g: 128, b: 128 } } }).png().toBuffer();
}

export interface SseEvent {
  event: string;
  data: any;
}

/** Follows a job's server-sent events until `end` (or the time limit); returns every event. */
export async function followJob(base: string, id: string, timeoutMs = 60_000, onEvent?: (e: SseEvent) => void): Promise<SseEvent[]> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const events: SseEvent[] = [];
  try {
    const res = await fetch(`${base}api/jobs/${id}/events`, { signal: controller.signal });
    if (res.headers.get('content-type') !== 'text/event-stream') throw new Error(`events of ${id}: ${res.status} ${await res.text()}`);
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let cut: number;
      while ((cut = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (!event || data === undefined) continue;
        const e = { event, data: JSON.parse(data) };
        events.push(e);
        onEvent?.(e);
        if (event === 'end') return events;
      }
    }
    return events;
  } finally {
    clearTimeout(timer);
  }
}
