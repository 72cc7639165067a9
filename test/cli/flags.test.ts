/** The one numeric flag parser every command uses, and its message reaching the user through `main`. */
import { describe, expect, it, vi } from 'vitest';
import { GlassboxError } from '../../src/core/errors.js';
import {
  badFlag,
  integerFlag,
  integerListFlag,
  numberFlag,
  numberListFlag,
  optionalIntegerFlag,
  optionalNumberFlag,
  rangeWords,
  readInteger,
  readNumber,
  sizeFlag,
} from '../../src/cli/flags.js';
import { main } from '../../src/cli/main.js';

/** The message `fn` fails with (and that it fails as a GlassboxError, exit code 2). */
function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(GlassboxError);
    expect((e as GlassboxError).exitCode).toBe(2);
    return (e as Error).message;
  }
  throw new Error('expected a failure');
}

describe('integerFlag', () => {
  it('accepts both ends of the range and decimal digits with a sign or spaces', () => {
    expect(integerFlag('1', '--count', { min: 1, max: 100 })).toBe(1);
    expect(integerFlag('100', '--count', { min: 1, max: 100 })).toBe(100);
    expect(integerFlag('+7', '--n')).toBe(7);
    expect(integerFlag(' 7 ', '--n')).toBe(7);
    expect(integerFlag('-3', '--n')).toBe(-3);
    expect(Object.is(integerFlag('-0', '--seed', { min: 0 }), 0)).toBe(true);
    expect(integerFlag('007', '--n')).toBe(7);
  });

  it('rejects values out of range with the flag, the value and the range', () => {
    expect(messageOf(() => integerFlag('0', '--count', { min: 1, max: 100 }))).toBe(
      '--count 0: expected an integer from 1 to 100',
    );
    expect(messageOf(() => integerFlag('101', '--count', { min: 1, max: 100 }))).toBe(
      '--count 101: expected an integer from 1 to 100',
    );
    expect(messageOf(() => integerFlag('-1', '--seed', { min: 0 }))).toBe(
      '--seed -1: expected an integer ≥ 0',
    );
    expect(messageOf(() => integerFlag('5', '--n', { max: 4 }))).toBe(
      '--n 5: expected an integer ≤ 4',
    );
  });

  it('rejects floats, exponents, hex, text, empty values, NaN and Infinity', () => {
    for (const text of [
      '1.5',
      '2.0',
      '1e3',
      '0x10',
      'abc',
      '3abc',
      'NaN',
      'Infinity',
      '-Infinity',
      '1_000',
    ])
      expect(messageOf(() => integerFlag(text, '--seed', { min: 0 }))).toBe(
        `--seed ${text}: expected an integer ≥ 0`,
      );
    expect(messageOf(() => integerFlag('', '--seed', { min: 0 }))).toBe(
      '--seed "": expected an integer ≥ 0',
    );
    expect(messageOf(() => integerFlag('  ', '--seed'))).toBe('--seed "  ": expected an integer');
  });

  it('rejects integers too large to hold exactly', () => {
    expect(messageOf(() => integerFlag('99999999999999999999', '--seed', { min: 0 }))).toBe(
      '--seed 99999999999999999999: expected an integer ≥ 0',
    );
    expect(integerFlag(String(Number.MAX_SAFE_INTEGER), '--seed')).toBe(Number.MAX_SAFE_INTEGER);
  });
});

describe('numberFlag', () => {
  it('accepts both ends of the range, decimals and exponents', () => {
    expect(numberFlag('0', '--opacity', { min: 0, max: 1 })).toBe(0);
    expect(numberFlag('1', '--opacity', { min: 0, max: 1 })).toBe(1);
    expect(numberFlag('0.25', '--opacity', { min: 0, max: 1 })).toBe(0.25);
    expect(numberFlag('.5', '--opacity', { min: 0, max: 1 })).toBe(0.5);
    expect(numberFlag('5.', '--x')).toBe(5);
    expect(numberFlag('1e-3', '--lr', { above: 0 })).toBe(0.001);
    expect(numberFlag('-2.5E2', '--x')).toBe(-250);
  });

  it('rejects values out of range, inclusive and exclusive bounds alike', () => {
    expect(messageOf(() => numberFlag('1.5', '--opacity', { min: 0, max: 1 }))).toBe(
      '--opacity 1.5: expected a number from 0 to 1',
    );
    expect(messageOf(() => numberFlag('-0.1', '--opacity', { min: 0, max: 1 }))).toBe(
      '--opacity -0.1: expected a number from 0 to 1',
    );
    expect(messageOf(() => numberFlag('0', '--threshold', { above: 0, max: 1 }))).toBe(
      '--threshold 0: expected a number > 0 and ≤ 1',
    );
    expect(numberFlag('1', '--threshold', { above: 0, max: 1 })).toBe(1);
    expect(messageOf(() => numberFlag('1', '--discard-ratio', { min: 0, below: 1 }))).toBe(
      '--discard-ratio 1: expected a number ≥ 0 and < 1',
    );
    expect(numberFlag('0', '--discard-ratio', { min: 0, below: 1 })).toBe(0);
    expect(messageOf(() => numberFlag('0', '--blur-sigma', { above: 0 }))).toBe(
      '--blur-sigma 0: expected a number > 0',
    );
  });

  it('rejects text, empty values, hex, NaN and Infinity', () => {
    for (const text of ['x', 'NaN', 'Infinity', '-Infinity', '1e999', '0x1', '1,5', '.', 'e3'])
      expect(messageOf(() => numberFlag(text, '--lr', { min: 0, max: 1 }))).toBe(
        `--lr ${text}: expected a number from 0 to 1`,
      );
    expect(messageOf(() => numberFlag('', '--lr'))).toBe('--lr "": expected a number');
  });
});

describe('optional flags', () => {
  it('give undefined when the flag is absent and check the value when present', () => {
    expect(optionalIntegerFlag(undefined, '--epochs', { min: 1 })).toBeUndefined();
    expect(optionalIntegerFlag(undefined, '--epochs', { min: 1 }) ?? 5).toBe(5);
    expect(optionalIntegerFlag('3', '--epochs', { min: 1 })).toBe(3);
    expect(messageOf(() => optionalIntegerFlag('0', '--epochs', { min: 1 }))).toBe(
      '--epochs 0: expected an integer ≥ 1',
    );
    expect(optionalNumberFlag(undefined, '--blur-sigma', { above: 0 })).toBeUndefined();
    expect(optionalNumberFlag('1.5', '--blur-sigma', { above: 0 })).toBe(1.5);
    expect(messageOf(() => optionalNumberFlag('', '--blur-sigma', { above: 0 }))).toBe(
      '--blur-sigma "": expected a number > 0',
    );
  });
});

describe('lists', () => {
  it('parse comma-separated values, each checked against the range', () => {
    expect(integerListFlag('0, 2,1', '--target', { min: 0, max: 2 })).toEqual([0, 2, 1]);
    expect(messageOf(() => integerListFlag('0,3', '--target', { min: 0, max: 2 }))).toBe(
      '--target 0,3: expected integers from 0 to 2 separated by commas',
    );
    expect(messageOf(() => integerListFlag('0,,1', '--target', { min: 0, max: 2 }))).toMatch(
      /^--target 0,,1: /,
    );
    expect(messageOf(() => integerListFlag('', '--target'))).toBe(
      '--target "": expected integers separated by commas',
    );
    expect(numberListFlag('0.5,0.25,1e-1', '--mean')).toEqual([0.5, 0.25, 0.1]);
    expect(messageOf(() => numberListFlag('0.5,0', '--std', { above: 0 }))).toBe(
      '--std 0.5,0: expected numbers > 0 separated by commas',
    );
  });

  it('parse input sizes written 224x224 or 224,224', () => {
    expect(sizeFlag('224x224')).toEqual([224, 224]);
    expect(sizeFlag('32X16')).toEqual([32, 16]);
    expect(sizeFlag('224,224')).toEqual([224, 224]);
    expect(sizeFlag('64')).toEqual([64]);
    for (const text of ['224x0', '224.5x224', 'big', '', '224x'])
      expect(messageOf(() => sizeFlag(text))).toMatch(
        /^--size .*: expected integers ≥ 1 like 224x224$/,
      );
  });
});

describe('building blocks', () => {
  it('read without a range, and describe ranges', () => {
    expect(readInteger('12')).toBe(12);
    expect(readInteger('1.0')).toBeUndefined();
    expect(readNumber('1.0')).toBe(1);
    expect(readNumber('Infinity')).toBeUndefined();
    expect(rangeWords({})).toBe('');
    expect(rangeWords({ min: 1, max: 3 })).toBe(' from 1 to 3');
    expect(rangeWords({ above: 0, below: 1 })).toBe(' > 0 and < 1');
    expect(messageOf(() => badFlag('--grid', '7by7', 'n or ROWSxCOLS'))).toBe(
      '--grid 7by7: expected n or ROWSxCOLS',
    );
  });
});

describe('through the CLI', () => {
  async function run(args: string[]): Promise<{ code: number; stderr: string }> {
    let stderr = '';
    const e = vi
      .spyOn(process.stderr, 'write')
      .mockImplementation((s: any) => ((stderr += String(s)), true));
    const o = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      return { code: await main(['node', 'glassbox', ...args]), stderr };
    } finally {
      e.mockRestore();
      o.mockRestore();
    }
  }

  it.each([
    [['serve', '--port', '70000'], '--port 70000: expected an integer from 0 to 65535'],
    [['serve', '--concurrency', '1.5'], '--concurrency 1.5: expected an integer from 1 to 16'],
    [
      ['train', '--config', 'configs/mnist-cnn.json', '--epochs', '0'],
      '--epochs 0: expected an integer ≥ 1',
    ],
    [['demo', '--count', '101'], '--count 101: expected an integer from 1 to 100'],
    [['demo', '--epochs', 'ten'], '--epochs ten: expected an integer ≥ 1'],
    [['data', 'show', '--dataset', 'shapes', '--count', '0'], '--count 0: expected an integer ≥ 1'],
    [['benchmark', '--seed', '1e3'], '--seed 1e3: expected an integer from 0 to 2147483647'],
  ])('glassbox %j prints one line and exits with code 2', async (args, message) => {
    const r = await run(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`glassbox: ${message}\n`);
  });
});
