import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GlassboxError } from '../../src/core/errors.js';
import {
  encodeEvent,
  frameRecord,
  listEventFiles,
  readEvents,
  TensorBoardWriter,
} from '../../src/train/tensorboard/index.js';
import { encodePng } from '../../src/viz/png.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'glassbox-tb-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function clock(start: number) {
  let t = start;
  return () => (t += 0.25) - 0.25;
}

describe('TensorBoardWriter', () => {
  it('names the file as TensorBoard expects and avoids collisions', () => {
    const dir = path.join(tmp, 'names');
    const a = new TensorBoardWriter(dir, { now: () => 1700000000.9, hostname: 'box' });
    const b = new TensorBoardWriter(dir, { now: () => 1700000000.2, hostname: 'box' });
    a.close();
    b.close();
    expect(path.basename(a.file)).toBe('events.out.tfevents.1700000000.box');
    expect(path.basename(b.file)).toBe('events.out.tfevents.1700000000.box.1');
    expect(listEventFiles(dir)).toEqual([a.file, b.file]);
  });

  it('round-trips scalars, histograms and images byte for byte', async () => {
    const dir = path.join(tmp, 'run');
    const w = new TensorBoardWriter(dir, { now: clock(1700000000), hostname: 'h' });
    const pixels = Uint8Array.from({ length: 4 * 3 * 3 }, (_, i) => (i * 37) % 256);
    const png = await encodePng(pixels, 4, 3, 3);
    const weights = Float32Array.of(-0.5, 0.1, 0.1, 2);
    w.scalar('loss', 0.1, 0);
    w.scalar('loss', 1 / 3, 1);
    w.histogram('dense/kernel', weights, 1);
    w.histogram('dense/bias', weights, 2, { bins: 3 });
    w.image('sample', png, 4, 3, 3, 2);
    w.flush();
    w.close();

    const events = readEvents(w.file);
    expect(events).toHaveLength(6);
    expect(events[0]).toEqual({ wallTime: 1700000000, step: 0, fileVersion: 'brain.Event:2' });
    expect(events.map((e) => e.wallTime)).toEqual(
      [0, 0.25, 0.5, 0.75, 1, 1.25].map((d) => 1700000000 + d),
    );
    expect(events.map((e) => e.step)).toEqual([0, 0, 1, 1, 2, 2]);
    expect(events[1].summary).toEqual([{ tag: 'loss', simpleValue: Math.fround(0.1) }]);
    expect(events[2].summary![0].simpleValue).toBe(Math.fround(1 / 3));
    const h = events[3].summary![0].histo!;
    expect(h.num).toBe(4);
    expect(h.min).toBe(-0.5);
    expect(h.max).toBe(2);
    expect(h.sum).toBeCloseTo(-0.5 + 0.2 + 2, 6);
    expect(h.bucket.reduce((a, b) => a + b)).toBe(4);
    // 3 equal bins over [-0.5, 2]: width 5/6, so -0.5, 0.1, 0.1 in the first, 2 in the last.
    expect(events[4].summary![0].histo!.bucket).toEqual([3, 0, 1]);
    const img = events[5].summary![0].image!;
    expect(img).toMatchObject({ height: 3, width: 4, colorspace: 3 });
    expect(Buffer.from(img.encodedImage).equals(png)).toBe(true);

    // Re-encoding what was read reproduces the file exactly.
    const again = Buffer.concat(events.map((e) => frameRecord(encodeEvent(e))));
    expect(again.equals(fs.readFileSync(w.file))).toBe(true);
  });

  it('detects a corrupted byte anywhere in a record', () => {
    const dir = path.join(tmp, 'corrupt');
    const w = new TensorBoardWriter(dir, { now: () => 1, hostname: 'h' });
    w.scalar('x', 1, 1);
    w.close();
    const good = fs.readFileSync(w.file);
    const first = 16 + 8 + 1 + 2 + 13; // header event: wall_time + file_version
    expect(good.length).toBeGreaterThan(first);
    for (const [at, msg] of [
      [first + 2, /length checksum mismatch in record 1/], // length
      [first + 9, /length checksum mismatch in record 1/], // length crc
      [first + 14, /data checksum mismatch in record 1/], // data
      [good.length - 1, /data checksum mismatch in record 1/], // data crc
    ] as const) {
      const bad = Buffer.from(good);
      bad[at] ^= 0x01;
      fs.writeFileSync(w.file, bad);
      expect(() => readEvents(w.file)).toThrow(msg);
      expect(() => readEvents(w.file)).toThrow(GlassboxError);
    }
    fs.writeFileSync(w.file, good.subarray(0, good.length - 3));
    expect(() => readEvents(w.file)).toThrow(/truncated/);
    expect(readEvents(w.file, { truncatedTail: 'ignore' })).toHaveLength(1);
  });

  it('rejects bad input with user-facing errors', () => {
    const w = new TensorBoardWriter(path.join(tmp, 'bad'), { hostname: 'h' });
    expect(() => w.scalar('', 1, 0)).toThrow(GlassboxError);
    expect(() => w.scalar('a', 1, 0.5)).toThrow(/integer/);
    expect(() => w.image('i', Uint8Array.of(1, 2, 3), 1, 1, 3, 0)).toThrow(/not a PNG/);
    w.close();
    expect(() => w.scalar('a', 1, 0)).toThrow(/closed/);
    expect(() => readEvents(path.join(tmp, 'missing'))).toThrow(GlassboxError);
  });
});
