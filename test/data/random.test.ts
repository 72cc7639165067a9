import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/core/random.js';

describe('createRng', () => {
  it('is deterministic per seed and differs between seeds (numbers and strings)', () => {
    const draw = (seed: number | string) => {
      const r = createRng(seed);
      return Array.from({ length: 8 }, () => r.uint32());
    };
    expect(draw(7)).toEqual(draw(7));
    expect(draw('abc')).toEqual(draw('abc'));
    expect(draw(7)).not.toEqual(draw(8));
    expect(draw(0)).not.toEqual(draw(2 ** 32)); // high bits are not dropped
    expect(draw('a')).not.toEqual(draw('b'));
  });

  it('next() is uniform on [0, 1)', () => {
    const r = createRng(1);
    const n = 100_000;
    let sum = 0;
    let min = 1;
    let max = 0;
    for (let i = 0; i < n; i++) {
      const v = r.next();
      sum += v;
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
    expect(Math.abs(sum / n - 0.5)).toBeLessThan(0.005); // standard error 0.0009
  });

  it('int(n) covers 0…n-1 evenly (chi-square)', () => {
    const r = createRng(2);
    const k = 10;
    const n = 100_000;
    const counts = new Array(k).fill(0);
    for (let i = 0; i < n; i++) counts[r.int(k)]++;
    const expected = n / k;
    const chi2 = counts.reduce((a, c) => a + (c - expected) ** 2 / expected, 0);
    expect(chi2).toBeLessThan(27.9); // df 9, p = 0.001
    expect(() => r.int(0)).toThrow(RangeError);
    expect(() => r.int(2.5)).toThrow(RangeError);
  });

  it('normal() has mean 0, variance 1 and 68.3% within one std', () => {
    const r = createRng(3);
    const n = 100_000;
    let s = 0;
    let s2 = 0;
    let within = 0;
    for (let i = 0; i < n; i++) {
      const z = r.normal();
      s += z;
      s2 += z * z;
      if (Math.abs(z) < 1) within++;
    }
    expect(Math.abs(s / n)).toBeLessThan(0.015);
    expect(Math.abs(s2 / n - 1)).toBeLessThan(0.02);
    expect(Math.abs(within / n - 0.6827)).toBeLessThan(0.006);
    const shifted = createRng(4);
    let m = 0;
    for (let i = 0; i < 10_000; i++) m += shifted.normal(5, 2);
    expect(m / 10_000).toBeCloseTo(5, 1);
  });

  it('shuffle and permutation return permutations, and every position is reachable', () => {
    const r = createRng(5);
    const p = r.permutation(50);
    expect([...p].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    const firsts = new Set<number>();
    for (let t = 0; t < 200; t++) firsts.add(r.shuffle([0, 1, 2, 3, 4])[0]);
    expect(firsts.size).toBe(5);
  });

  it('fork() gives a stream different from its parent, reproducibly', () => {
    const a = createRng(9);
    const child = a.fork();
    const b = createRng(9);
    const child2 = b.fork();
    const xs = Array.from({ length: 5 }, () => child.uint32());
    expect(xs).toEqual(Array.from({ length: 5 }, () => child2.uint32()));
    expect(xs).not.toEqual(Array.from({ length: 5 }, () => a.uint32()));
  });
});
