/**
 * A bounded LRU of ONNX Runtime sessions. Each graph variant (predict, a set of activations, a
 * gradient graph for a layer/rule/score) gets its own session; the least recently used ones are
 * released once the cache is full, but only after any run still using them has finished.
 */
import * as ort from 'onnxruntime-node';
import { fail, isGlassboxError } from '../core/errors.js';
import { firstLine } from './shapes.js';

interface Entry {
  session: Promise<ort.InferenceSession>;
  leases: number;
  evicted: boolean;
}

export class SessionCache {
  private readonly entries = new Map<string, Entry>();
  private created = 0;

  constructor(
    private readonly limit: number,
    private readonly options: ort.InferenceSession.SessionOptions,
  ) {}

  /** Sessions currently held. */
  get size(): number {
    return this.entries.size;
  }

  /** Sessions built since the cache was made (a cache miss builds one). */
  get builds(): number {
    return this.created;
  }

  /** Runs `fn` on the session for `key`, building it from `bytes()` on a miss. */
  async use<T>(key: string, bytes: () => Uint8Array, fn: (session: ort.InferenceSession) => Promise<T>): Promise<T> {
    let entry = this.entries.get(key);
    if (entry) {
      this.entries.delete(key);
      this.entries.set(key, entry);
    } else {
      const buffer = bytes();
      this.created++;
      entry = { session: ort.InferenceSession.create(buffer, this.options), leases: 0, evicted: false };
      this.entries.set(key, entry);
      this.trim();
    }
    entry.leases++;
    try {
      let session: ort.InferenceSession;
      try {
        session = await entry.session;
      } catch (e) {
        if (this.entries.get(key) === entry) this.entries.delete(key);
        if (isGlassboxError(e)) throw e;
        fail(`ONNX Runtime could not build the graph for this request: ${firstLine(e)}`);
      }
      return await fn(session);
    } finally {
      entry.leases--;
      if (entry.evicted && entry.leases === 0) void release(entry);
    }
  }

  async clear(): Promise<void> {
    const all = [...this.entries.values()];
    this.entries.clear();
    for (const e of all) {
      e.evicted = true;
      if (e.leases === 0) await release(e);
    }
  }

  private trim(): void {
    while (this.entries.size > this.limit) {
      const [key, oldest] = this.entries.entries().next().value as [string, Entry];
      this.entries.delete(key);
      oldest.evicted = true;
      if (oldest.leases === 0) void release(oldest);
    }
  }
}

async function release(e: Entry): Promise<void> {
  try {
    await (await e.session).release();
  } catch {
    // A session that failed to build holds nothing to release.
  }
}
