/**
 * Long work (explain, SAG, evaluation, layers, training the examples) runs as jobs: a FIFO queue
 * with bounded concurrency and a bounded length, live progress to subscribers (the SSE route),
 * cancellation through an AbortSignal, and a time limit per job. Finished jobs are kept (a bounded
 * number) so that a page can still read their results; their outputs live in the job's folder.
 */
import fs from 'node:fs';
import path from 'node:path';
import { isGlassboxError } from '../core/errors.js';

export type JobStatus = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';

export interface JobProgress {
  done: number;
  total: number;
  stage?: string;
}

export interface JobView {
  id: string;
  type: string;
  title: string;
  status: JobStatus;
  /** 1-based place in the queue while queued. */
  position?: number;
  /** "queued, position 3 of 5", "running: explain 4/10", "done in 1.2 s", … */
  statusText: string;
  progress?: JobProgress;
  result?: unknown;
  error?: string;
  createdAt: string;
  seconds?: number;
}

export interface JobContext {
  id: string;
  signal: AbortSignal;
  /** Folder for the job's output files (created before the runner starts). */
  dir: string;
  progress(done: number, total: number, stage?: string): void;
  log(message: string): void;
}

export type JobRunner = (ctx: JobContext) => Promise<unknown>;

export type JobEvent =
  | { event: 'status'; data: JobView }
  | { event: 'progress'; data: JobView }
  | { event: 'log'; data: { message: string } }
  | { event: 'end'; data: JobView };

interface Job {
  id: string;
  type: string;
  title: string;
  status: JobStatus;
  runner?: JobRunner;
  controller: AbortController;
  progress?: JobProgress;
  result?: unknown;
  error?: string;
  created: number;
  started?: number;
  finished?: number;
  dir: string;
  listeners: Set<(e: JobEvent) => void>;
  lastProgressSent: number;
  timedOut: boolean;
}

export interface JobQueueOptions {
  /** Jobs running at once (default 1: the engines are single-threaded here). */
  concurrency?: number;
  /** Jobs waiting at most; beyond that `submit` refuses with a clear message (default 64). */
  maxQueued?: number;
  /** Finished jobs remembered (default 200). */
  keepFinished?: number;
  /** A job running longer is stopped and marked failed (default 900 s). */
  maxSeconds?: number;
  /** Where job folders go. */
  jobsDir: string;
  /** Smallest interval between two progress events of one job, ms (default 100). */
  progressIntervalMs?: number;
  /** Rewrites error messages before they are shown (e.g. to hide server paths). */
  redact?: (message: string) => string;
}

export class QueueFullError extends Error {
  readonly statusCode = 503;
  constructor(message: string) {
    super(message);
    this.name = 'QueueFullError';
  }
}

export class JobQueue {
  private readonly jobs = new Map<string, Job>();
  private readonly waiting: Job[] = [];
  private running = 0;
  private counter = 0;
  private closed = false;
  readonly concurrency: number;
  readonly maxQueued: number;
  private readonly keepFinished: number;
  private readonly maxSeconds: number;
  private readonly progressIntervalMs: number;
  private readonly jobsDir: string;
  private readonly redact: (message: string) => string;
  /** Most jobs seen running at once (for tests and the status route). */
  peakRunning = 0;

  constructor(o: JobQueueOptions) {
    this.concurrency = Math.max(1, o.concurrency ?? 1);
    this.maxQueued = Math.max(0, o.maxQueued ?? 64);
    this.keepFinished = Math.max(1, o.keepFinished ?? 200);
    this.maxSeconds = o.maxSeconds ?? 900;
    this.progressIntervalMs = o.progressIntervalMs ?? 100;
    this.jobsDir = o.jobsDir;
    this.redact = o.redact ?? ((m) => m);
    fs.mkdirSync(this.jobsDir, { recursive: true });
  }

  submit(type: string, title: string, runner: JobRunner): JobView {
    if (this.closed) throw new QueueFullError('the server is shutting down; try again in a moment');
    if (this.running >= this.concurrency && this.waiting.length >= this.maxQueued) {
      throw new QueueFullError(`the queue is full (${this.waiting.length} jobs waiting, ${this.running} running); try again when some have finished`);
    }
    const id = `${Date.now().toString(36)}-${(++this.counter).toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
    const job: Job = {
      id,
      type,
      title,
      status: 'queued',
      runner,
      controller: new AbortController(),
      created: Date.now(),
      dir: path.join(this.jobsDir, id),
      listeners: new Set(),
      lastProgressSent: 0,
      timedOut: false,
    };
    this.jobs.set(id, job);
    this.waiting.push(job);
    this.pump();
    return this.view(job);
  }

  get(id: string): JobView | undefined {
    const job = this.jobs.get(id);
    return job && this.view(job);
  }

  /** Folder of a job's outputs (undefined for an unknown id). */
  dirOf(id: string): string | undefined {
    return this.jobs.get(id)?.dir;
  }

  list(): JobView[] {
    return [...this.jobs.values()].map((j) => this.view(j));
  }

  stats(): { running: number; queued: number; known: number; concurrency: number; maxQueued: number; peakRunning: number } {
    return { running: this.running, queued: this.waiting.length, known: this.jobs.size, concurrency: this.concurrency, maxQueued: this.maxQueued, peakRunning: this.peakRunning };
  }

  /** Cancels a queued job at once, a running one at its next check of the signal. */
  cancel(id: string): JobView | undefined {
    const job = this.jobs.get(id);
    if (!job) return undefined;
    if (job.status === 'queued') {
      this.waiting.splice(this.waiting.indexOf(job), 1);
      this.finish(job, 'cancelled');
      this.announcePositions();
    } else if (job.status === 'running') {
      job.controller.abort(new Error('cancelled'));
    }
    return this.view(job);
  }

  /** Calls `listener` with every event of the job until it ends; returns the unsubscribe. */
  subscribe(id: string, listener: (e: JobEvent) => void): () => void {
    const job = this.jobs.get(id);
    if (!job) return () => {};
    job.listeners.add(listener);
    return () => job.listeners.delete(listener);
  }

  /** Cancels everything and waits (bounded) for running jobs to stop. */
  async close(timeoutMs = 10_000): Promise<void> {
    this.closed = true;
    for (const job of [...this.waiting]) this.cancel(job.id);
    for (const job of this.jobs.values()) if (job.status === 'running') job.controller.abort(new Error('cancelled'));
    const until = Date.now() + timeoutMs;
    while (this.running > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  }

  private pump(): void {
    while (this.running < this.concurrency && this.waiting.length > 0) {
      const job = this.waiting.shift()!;
      this.running++;
      this.peakRunning = Math.max(this.peakRunning, this.running);
      void this.run(job).finally(() => {
        this.running--;
        // Let pending HTTP work through before the next job starts computing.
        setImmediate(() => this.pump());
      });
    }
    this.announcePositions();
  }

  private async run(job: Job): Promise<void> {
    job.status = 'running';
    job.started = Date.now();
    this.emit(job, { event: 'status', data: this.view(job) });
    const timer = setTimeout(() => {
      job.timedOut = true;
      job.controller.abort(new Error('timeout'));
    }, this.maxSeconds * 1000);
    timer.unref();
    const runner = job.runner!;
    job.runner = undefined;
    try {
      fs.mkdirSync(job.dir, { recursive: true });
      const result = await runner({
        id: job.id,
        signal: job.controller.signal,
        dir: job.dir,
        progress: (done, total, stage) => this.onProgress(job, done, total, stage),
        log: (message) => this.emit(job, { event: 'log', data: { message } }),
      });
      if (job.controller.signal.aborted) this.finish(job, job.timedOut ? 'failed' : 'cancelled');
      else {
        job.result = result;
        this.finish(job, 'done');
      }
    } catch (e) {
      if (job.controller.signal.aborted && !job.timedOut) this.finish(job, 'cancelled');
      else {
        job.error = this.redact(
          job.timedOut
            ? `stopped: the job took longer than the ${this.maxSeconds} s limit`
            : isGlassboxError(e)
              ? e.message
              : `internal error: ${(e as Error)?.message ?? String(e)}`,
        );
        if (!isGlassboxError(e) && !job.timedOut) process.stderr.write(`glassbox serve: job ${job.id} (${job.type}) failed: ${(e as Error)?.stack ?? e}\n`);
        this.finish(job, 'failed');
      }
    } finally {
      clearTimeout(timer);
    }
  }

  private onProgress(job: Job, done: number, total: number, stage?: string): void {
    const stageChanged = stage !== job.progress?.stage;
    job.progress = { done, total, ...(stage ? { stage } : {}) };
    const now = Date.now();
    if (!stageChanged && now - job.lastProgressSent < this.progressIntervalMs && done < total) return;
    job.lastProgressSent = now;
    this.emit(job, { event: 'progress', data: this.view(job) });
  }

  private finish(job: Job, status: JobStatus): void {
    job.status = status;
    job.finished = Date.now();
    job.runner = undefined;
    if (status === 'cancelled') job.error = 'cancelled';
    this.emit(job, { event: 'end', data: this.view(job) });
    job.listeners.clear();
    if (status !== 'done') fs.rmSync(job.dir, { recursive: true, force: true });
    this.forgetOld();
  }

  private forgetOld(): void {
    const finished = [...this.jobs.values()].filter((j) => j.finished !== undefined);
    for (const job of finished.slice(0, Math.max(0, finished.length - this.keepFinished))) {
      this.jobs.delete(job.id);
      fs.rmSync(job.dir, { recursive: true, force: true });
    }
  }

  private announcePositions(): void {
    for (const job of this.waiting) this.emit(job, { event: 'status', data: this.view(job) });
  }

  private emit(job: Job, e: JobEvent): void {
    for (const l of job.listeners) {
      try {
        l(e);
      } catch {
        // A broken subscriber (closed socket) must not stop the job.
      }
    }
  }

  private view(job: Job): JobView {
    const position = job.status === 'queued' ? this.waiting.indexOf(job) + 1 : undefined;
    const seconds = job.finished !== undefined && job.started !== undefined ? (job.finished - job.started) / 1000 : undefined;
    return {
      id: job.id,
      type: job.type,
      title: job.title,
      status: job.status,
      ...(position ? { position } : {}),
      statusText: statusText(job, position, this.waiting.length, seconds),
      ...(job.progress ? { progress: job.progress } : {}),
      ...(job.status === 'done' ? { result: job.result } : {}),
      ...(job.error ? { error: job.error } : {}),
      createdAt: new Date(job.created).toISOString(),
      ...(seconds !== undefined ? { seconds } : {}),
    };
  }
}

function statusText(job: Job, position: number | undefined, queued: number, seconds: number | undefined): string {
  switch (job.status) {
    case 'queued':
      return `queued, position ${position} of ${queued}`;
    case 'running': {
      const p = job.progress;
      if (!p || p.total <= 0) return 'running';
      return `running${p.stage ? ` (${p.stage})` : ''}: ${p.done}/${p.total}`;
    }
    case 'done':
      return `done in ${(seconds ?? 0).toFixed(1)} s`;
    case 'failed':
      return `failed: ${job.error}`;
    case 'cancelled':
      return 'cancelled';
  }
}
