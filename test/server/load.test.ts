/**
 * Load on loopback: 20 clients submit explain jobs at the same moment and follow them over
 * server-sent events. Every request is accepted (queued with a clear position) and completes;
 * none fails; at most `concurrency` jobs run at once; the server answers other requests while
 * it works; and memory (JS heap, array buffers, TF.js tensors) returns to its baseline.
 * Bounded: 20 requests, one run, a 90 s limit.
 */
import v8 from 'node:v8';
import vm from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../src/runtime/tf.js';
import { followJob, makeDataDir, postJson, startTestServer, waitForJob } from './helpers.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const CLIENTS = 20;
const CONCURRENCY = 2;

async function settle(): Promise<{ heap: number; buffers: number; tensors: number }> {
  for (let i = 0; i < 4; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 20));
  }
  const m = process.memoryUsage();
  return { heap: m.heapUsed, buffers: m.arrayBuffers, tensors: tf.memory().numTensors };
}

describe('20 concurrent explain requests on loopback', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  beforeAll(async () => {
    server = await startTestServer(await makeDataDir(), { concurrency: CONCURRENCY, keepJobs: 10 });
  });
  afterAll(async () => {
    await server?.close();
  });

  const request = (i: number) => ({ type: 'explain', model: 'run:mnist-tiny', input: `sample:mnist-digit-${i % 10}.png`, methods: ['gradient', 'grad-cam', 'integrated-gradients'] });

  it('queues them all with a clear status, completes every one, and returns to the memory baseline', async () => {
    const base = server.url;
    // Warm-up: load the model and grow the engine's buffers once, then measure the baseline.
    const warm = (await (await postJson(base, 'api/jobs', request(0))).json()) as { id: string };
    expect((await waitForJob(base, warm.id)).status).toBe('done');
    const before = await settle();

    const t0 = Date.now();
    const submitted = await Promise.all(Array.from({ length: CLIENTS }, (_, i) => postJson(base, 'api/jobs', request(i))));
    const views = await Promise.all(submitted.map(async (r) => ({ status: r.status, body: (await r.json()) as { id: string; status: string; position?: number; statusText: string } })));
    const acceptMs = Date.now() - t0;
    expect(views.map((v) => v.status)).toEqual(Array(CLIENTS).fill(202));
    const queued = views.filter((v) => v.body.status === 'queued');
    expect(queued.length).toBeGreaterThanOrEqual(CLIENTS - CONCURRENCY);
    for (const v of queued) expect(v.body.statusText).toMatch(/^queued, position \d+ of \d+$/);

    // Every client follows its job; the positions it sees only ever go down.
    const positionsOk: boolean[] = [];
    let healthDuring = 0;
    const health = (async () => {
      // The server keeps answering while it computes.
      const h0 = Date.now();
      const r = await fetch(`${base}api/health`);
      healthDuring = Date.now() - h0;
      return r.status;
    })();
    const ends = await Promise.all(
      views.map(async (v) => {
        let last = Infinity;
        let monotone = true;
        const events = await followJob(base, v.body.id, 90_000, (e) => {
          if (e.data.position !== undefined) {
            if (e.data.position > last) monotone = false;
            last = e.data.position;
          }
        });
        positionsOk.push(monotone);
        return { end: events.at(-1)!, ms: Date.now() - t0 };
      }),
    );
    const totalMs = Date.now() - t0;
    expect(await health).toBe(200);
    expect(ends.map((e) => e.end.data.status)).toEqual(Array(CLIENTS).fill('done'));
    expect(positionsOk.every(Boolean)).toBe(true);
    for (const e of ends) expect(e.end.data.result.methods).toHaveLength(3);
    expect(server.context.queue.peakRunning).toBeLessThanOrEqual(CONCURRENCY);
    expect(totalMs).toBeLessThan(90_000);

    const after = await settle();
    const report = {
      clients: CLIENTS,
      concurrency: CONCURRENCY,
      acceptMs,
      healthDuringMs: healthDuring,
      totalMs,
      slowestMs: Math.max(...ends.map((e) => e.ms)),
      heapMB: [before.heap / 2 ** 20, after.heap / 2 ** 20].map((x) => Number(x.toFixed(1))),
      arrayBuffersMB: [before.buffers / 2 ** 20, after.buffers / 2 ** 20].map((x) => Number(x.toFixed(1))),
      tensors: [before.tensors, after.tensors],
    };
    process.stderr.write(`load test: ${JSON.stringify(report)}\n`);
    expect(healthDuring).toBeLessThan(2000);
    // Memory back at its baseline: no tensors leaked, heap and buffers within a few MB.
    expect(after.tensors).toBe(before.tensors);
    expect(after.heap - before.heap).toBeLessThan(8 * 2 ** 20);
    expect(after.buffers - before.buffers).toBeLessThan(8 * 2 ** 20);
  });
});
