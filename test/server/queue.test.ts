/** The job queue: bounded concurrency, FIFO, positions, cancellation, limits, failures. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fail } from '../../src/core/errors.js';
import { JobQueue, QueueFullError, type JobContext } from '../../src/server/jobs.js';

const jobsDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'glassbox-queue-'));

/** A runner that waits until released (or aborted), recording when it started. */
function gate(started: string[], name: string) {
  let release!: (v?: unknown) => void;
  const done = new Promise((r) => (release = r));
  const runner = async (ctx: JobContext) => {
    started.push(name);
    await Promise.race([
      done,
      new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(new Error('cancelled')))),
    ]);
    return { name };
  };
  return { runner, release };
}

const tick = (ms = 5) => new Promise((r) => setTimeout(r, ms));
async function until(cond: () => boolean, ms = 2000) {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not reached');
    await tick();
  }
}

describe('JobQueue', () => {
  it('runs at most `concurrency` jobs at once, in FIFO order, and tells each waiting job its position', async () => {
    const q = new JobQueue({ concurrency: 2, jobsDir: jobsDir() });
    const started: string[] = [];
    const gates = ['a', 'b', 'c', 'd', 'e'].map((n) => gate(started, n));
    const views = gates.map((g, i) => q.submit('test', `job ${i}`, g.runner));
    await tick();
    expect(started).toEqual(['a', 'b']);
    expect(q.stats().running).toBe(2);
    const waiting = views.slice(2).map((v) => q.get(v.id)!);
    expect(waiting.map((v) => v.status)).toEqual(['queued', 'queued', 'queued']);
    expect(waiting.map((v) => v.position)).toEqual([1, 2, 3]);
    expect(waiting[1].statusText).toBe('queued, position 2 of 3');

    // Positions move up as jobs finish; the next in line starts.
    const events: string[] = [];
    q.subscribe(views[4].id, (e) => events.push(`${e.event}:${e.data && 'statusText' in e.data ? e.data.statusText : ''}`));
    gates[0].release();
    await until(() => started.length === 3);
    expect(started).toEqual(['a', 'b', 'c']);
    expect(q.get(views[4].id)!.position).toBe(2);
    expect(events).toContain('status:queued, position 2 of 2');
    for (const g of gates) g.release();
    await until(() => views.every((v) => q.get(v.id)!.status === 'done'));
    expect(started).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(q.peakRunning).toBe(2);
    expect(q.get(views[3].id)!.result).toEqual({ name: 'd' });
  });

  it('cancels a queued job at once and a running one through its signal', async () => {
    const q = new JobQueue({ concurrency: 1, jobsDir: jobsDir() });
    const started: string[] = [];
    const a = gate(started, 'a');
    const b = gate(started, 'b');
    const c = gate(started, 'c');
    const [va, vb, vc] = [a, b, c].map((g) => q.submit('test', 't', g.runner));
    await tick();
    expect(q.cancel(vb.id)!.status).toBe('cancelled');
    expect(q.get(vc.id)!.position).toBe(1);
    q.cancel(va.id);
    await until(() => q.get(va.id)!.status === 'cancelled');
    await until(() => started.includes('c'));
    expect(started).toEqual(['a', 'c']);
    c.release();
    await until(() => q.get(vc.id)!.status === 'done');
    expect(q.get(va.id)!.error).toBe('cancelled');
  });

  it('refuses jobs beyond the queue limit with a clear message', async () => {
    const q = new JobQueue({ concurrency: 1, maxQueued: 2, jobsDir: jobsDir() });
    const started: string[] = [];
    const gates = [0, 1, 2, 3].map((i) => gate(started, String(i)));
    q.submit('t', 't', gates[0].runner);
    await tick();
    q.submit('t', 't', gates[1].runner);
    q.submit('t', 't', gates[2].runner);
    expect(() => q.submit('t', 't', gates[3].runner)).toThrow(QueueFullError);
    expect(() => q.submit('t', 't', gates[3].runner)).toThrow(/queue is full \(2 jobs waiting, 1 running\)/);
    for (const g of gates) g.release();
  });

  it('reports user errors as they are, other errors as internal, and stops jobs over the time limit', async () => {
    const q = new JobQueue({ concurrency: 1, jobsDir: jobsDir(), maxSeconds: 0.1 });
    const user = q.submit('t', 't', async () => fail('input not found: x.png'));
    const bug = q.submit('t', 't', async () => {
      throw new TypeError('x is undefined');
    });
    const slow = q.submit('t', 't', (ctx) => new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(new Error('aborted')))));
    const after = q.submit('t', 't', async () => 42);
    await until(() => q.get(after.id)!.status === 'done');
    expect(q.get(user.id)).toMatchObject({ status: 'failed', error: 'input not found: x.png' });
    expect(q.get(bug.id)).toMatchObject({ status: 'failed', error: 'internal error: x is undefined' });
    expect(q.get(slow.id)!.error).toMatch(/longer than the 0.1 s limit/);
    expect(q.get(after.id)!.result).toBe(42);
  });

  it('forgets old finished jobs and removes their folders', async () => {
    const dir = jobsDir();
    const q = new JobQueue({ concurrency: 1, jobsDir: dir, keepFinished: 3 });
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      ids.push(
        q.submit('t', 't', async (ctx) => {
          fs.writeFileSync(path.join(ctx.dir, 'out.txt'), String(i));
          return i;
        }).id,
      );
    }
    await until(() => q.get(ids[5])?.status === 'done');
    expect(ids.map((id) => q.get(id)?.result)).toEqual([undefined, undefined, undefined, 3, 4, 5]);
    expect(fs.readdirSync(dir).sort()).toEqual(ids.slice(3).sort());
  });

  it('sends progress events, throttled, and always the last one', async () => {
    const q = new JobQueue({ concurrency: 1, jobsDir: jobsDir(), progressIntervalMs: 1000 });
    const seen: string[] = [];
    const v = q.submit('t', 't', async (ctx) => {
      await tick(20);
      for (let i = 1; i <= 100; i++) ctx.progress(i, 100, 'work');
      return 'ok';
    });
    q.subscribe(v.id, (e) => seen.push(e.event === 'progress' ? `progress ${e.data.progress?.done}` : e.event));
    await until(() => q.get(v.id)!.status === 'done');
    // The job started inside submit, before this subscription: no status event here.
    expect(seen).toEqual(['progress 1', 'progress 100', 'end']);
  });
});
