/**
 * Appends TensorBoard events to `<dir>/events.out.tfevents.<unix-seconds>.<hostname>`, the name
 * TensorBoard's file watcher looks for (it matches "tfevents"). Writes are synchronous and
 * unbuffered: every call leaves a complete record on disk, so a crash loses nothing written.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { GlassboxError } from '../../core/errors.js';
import { FILE_VERSION, encodeEvent, type SummaryValue, type TbEvent } from './event.js';
import { buildHistogram, type HistogramBuckets } from './histogram.js';
import { frameRecord } from './record.js';

export interface TensorBoardWriterOptions {
  /** Seconds since the Unix epoch, used for wall_time and the file name; tests pin it. */
  now?: () => number;
  /** Host name in the file name (default `os.hostname()`). */
  hostname?: string;
  /** Default bucketing for `histogram()` (see histogram.ts). */
  histogramBuckets?: HistogramBuckets;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

export class TensorBoardWriter {
  /** Absolute path of the event file being written. */
  readonly file: string;
  private fd: number | undefined;
  private readonly now: () => number;
  private readonly buckets: HistogramBuckets;

  constructor(dir: string, options: TensorBoardWriterOptions = {}) {
    this.now = options.now ?? (() => Date.now() / 1000);
    this.buckets = options.histogramBuckets ?? 'tf';
    const start = this.now();
    const host = (options.hostname ?? os.hostname()).replace(/[/\\]/g, '_');
    const base = `events.out.tfevents.${Math.floor(start)}.${host}`;
    try {
      fs.mkdirSync(dir, { recursive: true });
    } catch (e) {
      throw new GlassboxError(
        `cannot create TensorBoard log folder ${dir}: ${(e as Error).message}`,
      );
    }
    const opened = openUnique(dir, base);
    this.fd = opened.fd;
    this.file = opened.file;
    this.append({ wallTime: start, step: 0, fileVersion: FILE_VERSION });
  }

  scalar(tag: string, value: number, step: number): void {
    if (typeof value !== 'number') {
      throw new GlassboxError(`scalar "${tag}" must be a number, got ${typeof value}`);
    }
    this.summary(step, { tag: checkTag(tag), simpleValue: value });
  }

  /** Logs the distribution of `values` (e.g. a layer's weights); non-finite values are skipped. */
  histogram(
    tag: string,
    values: ArrayLike<number>,
    step: number,
    buckets: HistogramBuckets = this.buckets,
  ): void {
    this.summary(step, { tag: checkTag(tag), histo: buildHistogram(values, buckets) });
  }

  /**
   * Logs an already encoded PNG (see `encodePng` in src/viz/png.ts). `channels` 1–4 gives the
   * colour space: grey, grey+alpha, RGB, RGBA.
   */
  image(
    tag: string,
    png: Uint8Array,
    width: number,
    height: number,
    channels: number,
    step: number,
  ): void {
    if (!PNG_SIGNATURE.every((b, i) => png[i] === b)) {
      throw new GlassboxError(`image "${tag}" is not a PNG file (bad signature)`);
    }
    for (const [name, v] of [
      ['width', width],
      ['height', height],
    ] as const) {
      if (!Number.isInteger(v) || v < 1) {
        throw new GlassboxError(`image "${tag}": ${name} must be a positive integer, got ${v}`);
      }
    }
    if (!Number.isInteger(channels) || channels < 1 || channels > 4) {
      throw new GlassboxError(`image "${tag}": channels must be 1, 2, 3 or 4, got ${channels}`);
    }
    this.summary(step, {
      tag: checkTag(tag),
      image: { height, width, colorspace: channels, encodedImage: png },
    });
  }

  /** Asks the OS to put what was written on disk (it is already visible to readers). */
  flush(): void {
    if (this.fd !== undefined) fs.fsyncSync(this.fd);
  }

  close(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    fs.fsyncSync(fd);
    fs.closeSync(fd);
  }

  private summary(step: number, value: SummaryValue): void {
    if (!Number.isSafeInteger(step)) {
      throw new GlassboxError(
        `TensorBoard step must be an integer, got ${step} for "${value.tag}"`,
      );
    }
    this.append({ wallTime: this.now(), step, summary: [value] });
  }

  private append(event: TbEvent): void {
    if (this.fd === undefined) {
      throw new GlassboxError(`TensorBoard writer for ${this.file} is closed`);
    }
    const record = frameRecord(encodeEvent(event));
    let written = 0;
    while (written < record.length) {
      written += fs.writeSync(this.fd, record, written, record.length - written);
    }
  }
}

/** Two writers started in the same second in one folder must not share a file. */
function openUnique(dir: string, base: string): { fd: number; file: string } {
  for (let n = 0; ; n++) {
    const file = path.resolve(dir, n === 0 ? base : `${base}.${n}`);
    try {
      return { fd: fs.openSync(file, 'wx'), file };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new GlassboxError(`cannot create event file ${file}: ${(e as Error).message}`);
      }
    }
  }
}

function checkTag(tag: string): string {
  if (typeof tag !== 'string' || tag.length === 0) {
    throw new GlassboxError('TensorBoard tag must be a non-empty string');
  }
  return tag;
}
