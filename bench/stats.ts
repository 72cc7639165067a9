/** Timing helpers shared by both sides of the bench. */

export function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export interface Repeats {
  warmup: number;
  /** Timed runs wanted… */
  repeats: number;
  /** …unless this many seconds of timed runs pass first (never fewer than `min`). */
  budgetSeconds: number;
  min: number;
}

export interface Timed {
  ms: number[];
  /** Process CPU time / (wall time × threads) over the timed runs. */
  cpu: number;
}

/** Runs `fn` warm-up times untimed, then times it per `r`. */
export async function timeRuns(fn: () => Promise<unknown>, r: Repeats, threads: number): Promise<Timed> {
  for (let i = 0; i < r.warmup; i++) await fn();
  const ms: number[] = [];
  let spent = 0;
  const cpu0 = process.cpuUsage();
  while (ms.length < r.repeats && (ms.length < r.min || spent < r.budgetSeconds * 1000)) {
    const t0 = performance.now();
    await fn();
    const dt = performance.now() - t0;
    ms.push(dt);
    spent += dt;
  }
  const cpu = process.cpuUsage(cpu0);
  return { ms, cpu: (cpu.user + cpu.system) / 1000 / (spent * threads) };
}

export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  if (ms >= 10_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  return `${ms.toFixed(ms >= 100 ? 0 : 1)} ms`;
}
