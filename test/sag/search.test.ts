/** Shrinking to minimal roots and ranking, on hand-made set functions. */
import { describe, expect, it } from 'vitest';
import { minimise, rankPatches, searchRoots } from '../../src/sag/search.js';
import type { ScoreSets } from '../../src/sag/scorer.js';

/** A set function as a scorer that records every set it is asked for. */
function table(f: (s: Set<number>) => number): {
  score: ScoreSets;
  asked: string[];
  batches: number[];
} {
  const asked: string[] = [];
  const batches: number[] = [];
  const score: ScoreSets = async (sets) => {
    batches.push(sets.length);
    return sets.map((s) => {
      asked.push(s.join(','));
      return f(new Set(s));
    });
  };
  return { score, asked, batches };
}

const has = (s: Set<number>, ...ps: number[]) => ps.every((p) => s.has(p));

describe('minimise', () => {
  it('first-fit sweeps least important first and repeats until a sweep drops nothing', async () => {
    const t = table((s) => (has(s, 2, 5) ? 1 : 0));
    // Ranking best first: 7, 5, 2, 1 → sweep order 1, 2, 5, 7.
    const [m] = await minimise(
      t.score,
      [{ patches: [1, 2, 5, 7], probability: 1 }],
      0.5,
      'first-fit',
      [7, 5, 2, 1],
    );
    expect(m).toEqual({ patches: [2, 5], probability: 1 });
    // Sweep 1: −1 kept out, −2 fails, −5 fails, −7 kept out; sweep 2 over {2,5}: both fail.
    expect(t.asked).toEqual(['2,5,7', '5,7', '2,7', '2,5', '5', '2']);
    expect(t.batches).toEqual([1, 1, 1, 1, 1, 1]);
  });

  it('best-first drops the patch whose removal keeps the most; first-fit the least important one', async () => {
    const p: Record<string, number> = { '1,2,3': 1, '1,2': 0.95, '2,3': 0.99, '1,3': 0.5 };
    const f = (s: Set<number>) => p[[...s].sort().join(',')] ?? 0;
    const best = table(f);
    const [b] = await minimise(
      best.score,
      [{ patches: [1, 2, 3], probability: 1 }],
      0.9,
      'best-first',
    );
    expect(b).toEqual({ patches: [2, 3], probability: 0.99 });
    expect(best.batches).toEqual([3, 2]);
    const first = table(f);
    const [a] = await minimise(
      first.score,
      [{ patches: [1, 2, 3], probability: 1 }],
      0.9,
      'first-fit',
      [1, 2, 3],
    );
    expect(a).toEqual({ patches: [1, 2], probability: 0.95 });
  });

  it('shrinks several sets side by side, one batch per round, and leaves minimal sets alone', async () => {
    const t = table((s) => (has(s, 1) || has(s, 4, 6) ? 1 : 0));
    const out = await minimise(
      t.score,
      [
        { patches: [1, 2], probability: 1 },
        { patches: [3, 4, 6], probability: 1 },
        { patches: [9], probability: 1 },
      ],
      0.5,
      'first-fit',
      [1, 2, 3, 4, 5, 6, 7, 8, 9],
    );
    expect(out.map((o) => o.patches)).toEqual([[1], [4, 6], [9]]);
    // Round 1: {1,2}−2 and {3,4,6}−6; round 2: {3,4,6}−4; round 3: −3 (kept out); then sweep 2
    // over {4,6}: −6, −4.
    expect(t.batches).toEqual([2, 1, 1, 1, 1]);
    for (const o of out.slice(0, 2)) {
      for (const p of o.patches)
        expect((await t.score([o.patches.filter((q) => q !== p)]))[0]).toBe(0);
    }
  });

  it('first-fit with fill looks further ahead after failed removals: same sets, fewer rounds', async () => {
    // Needs all of 0–19: sweep 1 over 0–24 (least important first: 24 … 0) drops 24–20, then
    // fails 20 times; sweep 2 confirms the 20. One at a time: 45 rounds of one set. Ahead: a
    // success restarts at one test, failures double it (1, 2, 4, 8, then the 5 left), and sweep 2
    // goes on from there (all 20 at once).
    const t = table((s) =>
      Array.from({ length: 20 }, (_, i) => i).every((p) => s.has(p)) ? 1 : 0,
    );
    const ranking = Array.from({ length: 25 }, (_, i) => i);
    const set = { patches: Array.from({ length: 25 }, (_, i) => i), probability: 1 };
    const one = table((s) =>
      Array.from({ length: 20 }, (_, i) => i).every((p) => s.has(p)) ? 1 : 0,
    );
    const seq = await minimise(one.score, [set], 0.5, 'first-fit', ranking);
    const [m] = await minimise(t.score, [set], 0.5, 'first-fit', ranking, 64);
    expect(m).toEqual(seq[0]);
    expect(m.patches).toEqual(ranking.slice(0, 20));
    expect(one.batches).toHaveLength(45);
    expect(t.batches).toEqual([1, 1, 1, 1, 1, 1, 2, 4, 8, 5, 20]);
    expect(t.asked).toHaveLength(45);
  });

  it('first-fit with fill gives the same minimal sets as one test at a time on an interacting function', async () => {
    // Weighted patches plus a bonus for neighbouring pairs; the sets shrink a lot.
    const w = Array.from({ length: 49 }, (_, p) => ((p * 37) % 11) / 10);
    const f = (s: Set<number>) => {
      let v = 0;
      for (const p of s) v += w[p] + (s.has(p + 1) ? 0.3 : 0);
      return v;
    };
    const sets = [
      Array.from({ length: 30 }, (_, i) => i),
      Array.from({ length: 25 }, (_, i) => 2 * i - (i > 20 ? 3 : 0)).sort((a, b) => a - b),
      [3, 9, 10, 11, 40, 41, 48],
    ].map((patches) => ({ patches, probability: f(new Set(patches)) }));
    const ranking = Array.from({ length: 49 }, (_, i) => (i * 19) % 49);
    for (const bar of [3, 6, 10]) {
      const one = table(f);
      const seq = await minimise(one.score, sets, bar, 'first-fit', ranking);
      const ahead = table(f);
      const spec = await minimise(ahead.score, sets, bar, 'first-fit', ranking, 64);
      expect(spec).toEqual(seq);
      expect(ahead.batches.length).toBeLessThan(one.batches.length);
      expect(ahead.asked.length).toBeLessThan(1.5 * one.asked.length);
      expect(Math.max(...ahead.batches)).toBeLessThanOrEqual(64);
    }
  });
});

describe('rankPatches', () => {
  it('orders by score, best first, ties and NaN last by index', () => {
    expect(rankPatches([0.1, 0.5, 0.5, NaN, 0.9])).toEqual([4, 1, 2, 0, 3]);
  });
});

describe('searchRoots', () => {
  it('keeps exactly `beam` states and stops at maxRootSize', async () => {
    // Nothing ever reaches the bar: the search walks down the ranking to maxRootSize.
    const t = table((s) => s.size / 100);
    const r = await searchRoots(t.score, [0, 1, 2, 3, 4, 5], {
      beam: 2,
      successors: 3,
      bar: 0.9,
      maxRoots: 10,
      maxRootSize: 3,
      shrink: 'first-fit',
      patience: 3,
    });
    expect(r.roots).toEqual([]);
    // Step 1: {0},{1},{2}; beam {0},{1}. Step 2: {0,1},{0,2},{0,3},{1,2},{1,3}; ties keep order.
    // Step 3 from {0,1},{0,2}: {0,1,2},{0,1,3},{0,1,4},{0,2,3},{0,2,4}.
    expect(t.batches).toEqual([3, 5, 5]);
    expect(t.asked.slice(3, 8)).toEqual(['0,1', '0,2', '0,3', '1,2', '1,3']);
    expect(t.asked.slice(8)).toEqual(['0,1,2', '0,1,3', '0,1,4', '0,2,3', '0,2,4']);
  });

  it('shrinks only as many hits as roots are still wanted', async () => {
    // Any three patches reach the bar: step 3 has 5 hits, but maxRoots 1 needs only the best.
    const t = table((s) => (s.size >= 3 ? 1 : 0));
    const r = await searchRoots(t.score, [0, 1, 2, 3, 4, 5], {
      beam: 2,
      successors: 3,
      bar: 0.5,
      maxRoots: 1,
      maxRootSize: 6,
      shrink: 'first-fit',
      patience: 3,
    });
    expect(r.roots.map((x) => [x.patches, x.step])).toEqual([[[0, 1, 2], 3]]);
    // Steps 1–3, then the first hit's sweep: −2, −1, −0, one set per round.
    expect(t.batches).toEqual([3, 5, 5, 1, 1, 1]);
    expect(t.asked.slice(13)).toEqual(['0,1', '0,2', '1,2']);
  });
});
