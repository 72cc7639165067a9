/** Reading event files back: framing and checksums first, then the Event protos. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { GlassboxError } from '../../core/errors.js';
import { decodeEvent, type TbEvent } from './event.js';
import { parseRecords, type ParseRecordsOptions } from './record.js';

/** Decodes every event of an event file, checking both CRCs of every record. */
export function readEvents(
  file: string,
  options: Pick<ParseRecordsOptions, 'truncatedTail'> = {},
): TbEvent[] {
  let bytes: Uint8Array;
  try {
    bytes = fs.readFileSync(file);
  } catch (e) {
    throw new GlassboxError(`cannot read event file ${file}: ${(e as Error).message}`);
  }
  return parseEvents(bytes, { ...options, source: file });
}

export function parseEvents(bytes: Uint8Array, options: ParseRecordsOptions = {}): TbEvent[] {
  return parseRecords(bytes, options).map(decodeEvent);
}

/** Event files directly inside `dir` (names containing "tfevents", as TensorBoard matches), sorted. */
export function listEventFiles(dir: string): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch (e) {
    throw new GlassboxError(`cannot list TensorBoard folder ${dir}: ${(e as Error).message}`);
  }
  return names
    .filter((n) => n.includes('tfevents'))
    .sort()
    .map((n) => path.join(dir, n));
}
