/** The diverse subset of roots on hand-made candidates. */
import { describe, expect, it } from 'vitest';
import { diverseSubset, overlap } from '../../src/sag/diversity.js';

describe('diverseSubset', () => {
  const sets = [[1, 2], [1, 3], [4, 5], [2, 3, 6], [7]];

  it('counts shared patches of sorted sets', () => {
    expect(overlap([1, 2, 5, 9], [2, 3, 9])).toBe(2);
    expect(overlap([], [1])).toBe(0);
  });

  it('with overlap 0: the largest pairwise-disjoint subset, earliest first among ties', () => {
    // Maximum disjoint subsets: {0,2,4}, {1,2,4}, {2,3,4}; the reference's DFS returns the first.
    expect(diverseSubset(sets, 0)).toEqual([0, 2, 4]);
  });

  it('with overlap 1: every candidate (no pair shares two patches)', () => {
    expect(diverseSubset(sets, 1)).toEqual([0, 1, 2, 3, 4]);
    expect(
      diverseSubset(
        [
          [1, 2, 3],
          [1, 2],
          [3, 4],
        ],
        1,
      ),
    ).toEqual([0, 2]);
  });

  it('is exact where picking greedily from the first would not be', () => {
    // Greedy from {1,2,3} keeps 1 set; the best is the three singletons.
    expect(diverseSubset([[1, 2, 3], [1], [2], [3]], 0)).toEqual([1, 2, 3]);
  });

  it('handles none, one, and twenty candidates quickly', () => {
    expect(diverseSubset([], 1)).toEqual([]);
    expect(diverseSubset([[4]], 0)).toEqual([0]);
    // 20 sets sharing patch 0 pairwise, plus pairs i, i+1 sharing another: overlap 1 allows
    // only non-neighbours, so the best is every other set (10).
    const many = Array.from({ length: 20 }, (_, i) => [0, 100 + i, 101 + i]);
    const started = performance.now();
    expect(diverseSubset(many, 1)).toEqual([0, 2, 4, 6, 8, 10, 12, 14, 16, 18]);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});
