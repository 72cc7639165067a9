/** Parsing of repeatable `--option key=value` flags, shared by the commands that take them. */
import { fail } from '../core/errors.js';
import { readNumber } from './flags.js';

/** commander accumulator for a repeatable flag. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function parseOptionPairs(pairs: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) fail(`--option ${pair}: expected key=value`);
    const key = pair.slice(0, eq);
    const raw = pair.slice(eq + 1);
    const number = readNumber(raw);
    let value: unknown = raw;
    if (raw === 'true' || raw === 'false') value = raw === 'true';
    else if (number !== undefined) value = number;
    else if (raw.startsWith('[') || raw.startsWith('{')) {
      try {
        value = JSON.parse(raw);
      } catch {
        fail(`--option ${key}: ${raw} is not valid JSON`);
      }
    }
    out[key] = value;
  }
  return out;
}
