/**
 * Numeric command-line flags, parsed one way for every command. A bad value fails through
 * `fail()` (one line, exit code 2) with one message form:
 *
 *   --count 0: expected an integer from 1 to 100
 *   --seed abc: expected an integer ≥ 0
 *   --threshold 0: expected a number > 0 and ≤ 1
 *   --target 1,7: expected integers from 0 to 2 separated by commas
 *
 * Accepted text: integers are decimal digits with an optional sign ("1e3", "0x10" and "2.0" are
 * not integers); numbers are decimals with an optional exponent ("0.5", ".5", "1e-3"). Empty
 * text, NaN, Infinity, hex and anything else are rejected. Surrounding spaces are ignored.
 */
import { fail } from '../core/errors.js';

/** Accepted values: `min`/`max` are inclusive, `above`/`below` exclusive; give at most one per side. */
export interface Range {
  min?: number;
  max?: number;
  above?: number;
  below?: number;
}

export interface ListFormat {
  /** What separates the values (default: a comma). */
  separator?: RegExp;
  /** How the accepted form is described after the range (default: "separated by commas"). */
  format?: string;
}

const INTEGER = /^[+-]?\d+$/;
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;

/** The integer `text` spells, or undefined when it is not one (no range check). */
export function readInteger(text: string): number | undefined {
  const t = text.trim();
  if (!INTEGER.test(t)) return undefined;
  const v = Number(t) + 0; // + 0 turns -0 into 0
  return Number.isSafeInteger(v) ? v : undefined;
}

/** The finite number `text` spells, or undefined when it is not one (no range check). */
export function readNumber(text: string): number | undefined {
  const t = text.trim();
  if (!DECIMAL.test(t)) return undefined;
  const v = Number(t) + 0;
  return Number.isFinite(v) ? v : undefined;
}

/** An integer flag in `range`, e.g. `integerFlag(flags.count, '--count', { min: 1, max: 100 })`. */
export function integerFlag(text: string, flag: string, range: Range = {}): number {
  const v = readInteger(text);
  if (v === undefined || !inRange(v, range)) badFlag(flag, text, `an integer${rangeWords(range)}`);
  return v;
}

/** A number flag in `range`, e.g. `numberFlag(flags.opacity, '--opacity', { min: 0, max: 1 })`. */
export function numberFlag(text: string, flag: string, range: Range = {}): number {
  const v = readNumber(text);
  if (v === undefined || !inRange(v, range)) badFlag(flag, text, `a number${rangeWords(range)}`);
  return v;
}

/** `integerFlag` for a flag that may be absent: undefined then (use `?? fallback` for a default). */
export function optionalIntegerFlag(
  text: string | undefined,
  flag: string,
  range: Range = {},
): number | undefined {
  return text === undefined ? undefined : integerFlag(text, flag, range);
}

/** `numberFlag` for a flag that may be absent: undefined then. */
export function optionalNumberFlag(
  text: string | undefined,
  flag: string,
  range: Range = {},
): number | undefined {
  return text === undefined ? undefined : numberFlag(text, flag, range);
}

/** Integers separated by commas (or `list.separator`), each in `range`, e.g. "1,2,0" or "224x224". */
export function integerListFlag(
  text: string,
  flag: string,
  range: Range = {},
  list: ListFormat = {},
): number[] {
  return parseList(text, flag, range, list, readInteger, 'integers');
}

/** Numbers separated by commas (or `list.separator`), each in `range`, e.g. "0.5,0.5,0.5". */
export function numberListFlag(
  text: string,
  flag: string,
  range: Range = {},
  list: ListFormat = {},
): number[] {
  return parseList(text, flag, range, list, readNumber, 'numbers');
}

/** An input size of positive integers, "224x224" (or "224,224"); ONNX models with a free size take it. */
export function sizeFlag(text: string, flag = '--size'): number[] {
  return integerListFlag(text, flag, { min: 1 }, { separator: /[x,]/i, format: 'like 224x224' });
}

/** Fails with the common message form: `<flag> <value>: expected <expected>`. */
export function badFlag(flag: string, text: string, expected: string): never {
  fail(`${flag} ${shown(text)}: expected ${expected}`);
}

/** " from 1 to 100", " ≥ 0", " > 0 and ≤ 1", or "" for no bounds. */
export function rangeWords(range: Range): string {
  if (range.min !== undefined && range.max !== undefined)
    return ` from ${range.min} to ${range.max}`;
  const bounds: string[] = [];
  if (range.min !== undefined) bounds.push(`≥ ${range.min}`);
  else if (range.above !== undefined) bounds.push(`> ${range.above}`);
  if (range.max !== undefined) bounds.push(`≤ ${range.max}`);
  else if (range.below !== undefined) bounds.push(`< ${range.below}`);
  return bounds.length ? ` ${bounds.join(' and ')}` : '';
}

function inRange(v: number, r: Range): boolean {
  return (
    (r.min === undefined || v >= r.min) &&
    (r.above === undefined || v > r.above) &&
    (r.max === undefined || v <= r.max) &&
    (r.below === undefined || v < r.below)
  );
}

function parseList(
  text: string,
  flag: string,
  range: Range,
  list: ListFormat,
  read: (part: string) => number | undefined,
  noun: string,
): number[] {
  const values = text.split(list.separator ?? ',').map(read);
  if (values.some((v) => v === undefined || !inRange(v, range)))
    badFlag(flag, text, `${noun}${rangeWords(range)} ${list.format ?? 'separated by commas'}`);
  return values as number[];
}

/** The value as typed; quoted when it would not be visible (empty, or with spaces). */
function shown(text: string): string {
  return text === '' || /\s/.test(text) ? JSON.stringify(text) : text;
}
