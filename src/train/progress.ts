/**
 * Training progress on stderr. On a terminal: one line redrawn in place with the epoch, a bar,
 * live loss/accuracy, elapsed time and ETA. Not on a terminal (logs, CI, pipes): no bar, only
 * the one-line summary each epoch ends with. `quiet` silences both.
 */
export interface ProgressOptions {
  stream?: NodeJS.WriteStream;
  quiet?: boolean;
  /** Force the live bar on or off (default: on when the stream is a TTY). */
  live?: boolean;
  /** Minimum milliseconds between redraws. */
  intervalMs?: number;
  now?: () => number;
}

export interface LiveMetrics {
  loss: number;
  acc: number;
}

export class Progress {
  private readonly stream: NodeJS.WriteStream;
  private readonly quiet: boolean;
  private readonly live: boolean;
  private readonly interval: number;
  private readonly now: () => number;
  private epochStart = 0;
  private lastDraw = 0;
  private label = '';
  private total = 0;
  private drawn = false;

  constructor(options: ProgressOptions = {}) {
    this.stream = options.stream ?? process.stderr;
    this.quiet = options.quiet ?? false;
    this.live = options.live ?? Boolean(this.stream.isTTY);
    this.interval = options.intervalMs ?? 100;
    this.now = options.now ?? (() => Date.now());
  }

  /** A new epoch of `steps` batches begins (`done` already done when resuming mid-epoch). */
  startEpoch(label: string, steps: number): void {
    this.label = label;
    this.total = steps;
    this.epochStart = this.now();
    this.lastDraw = 0;
  }

  /** After each batch; redraws at most every `intervalMs`. */
  update(done: number, metrics: LiveMetrics, doneAtStart = 0): void {
    if (this.quiet || !this.live) return;
    const t = this.now();
    if (done < this.total && t - this.lastDraw < this.interval) return;
    this.lastDraw = t;
    const elapsed = (t - this.epochStart) / 1000;
    const rate = (done - doneAtStart) / Math.max(elapsed, 1e-9);
    const eta = rate > 0 ? (this.total - done) / rate : NaN;
    const columns = this.stream.columns ?? 100;
    const text = `${this.label} ${done}/${this.total} loss ${fmt(metrics.loss)} acc ${fmt(metrics.acc)} ${seconds(elapsed)} ETA ${seconds(eta)}`;
    const width = Math.max(10, Math.min(30, columns - text.length - 4));
    const filled = this.total > 0 ? Math.round((width * done) / this.total) : width;
    const bar = `[${'='.repeat(Math.max(0, filled - 1))}${filled > 0 ? (done >= this.total ? '=' : '>') : ''}${' '.repeat(width - filled)}]`;
    const line = `${this.label} ${bar} ${text.slice(this.label.length + 1)}`;
    this.stream.write(`\r\x1b[K${line.slice(0, columns - 1)}`);
    this.drawn = true;
  }

  /** Replaces the live line with a permanent one (printed in every mode but quiet). */
  log(line: string): void {
    if (this.quiet) return;
    if (this.drawn) this.stream.write('\r\x1b[K');
    this.drawn = false;
    this.stream.write(`${line}\n`);
  }

  /** Clears a half-drawn line (on interrupt). */
  clear(): void {
    if (this.drawn && !this.quiet) this.stream.write('\r\x1b[K');
    this.drawn = false;
  }
}

function fmt(v: number): string {
  return Number.isFinite(v) ? v.toFixed(4) : '-';
}

export function seconds(s: number): string {
  if (!Number.isFinite(s)) return '--';
  if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}
