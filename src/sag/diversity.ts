/**
 * Diverse roots: the largest subset of root candidates in which every pair shares at most
 * `maxOverlap` patches (the reference's `maximal_overlapThresh_set`, overlap threshold 1).
 * Among subsets of that largest size the one listing the earliest candidates wins, which is what
 * the reference's depth-first search returns; the search here is exact (branch and bound), so it
 * stays fast for the few tens of candidates a SAG has.
 */

/** Patches two sorted sets share. */
export function overlap(a: readonly number[], b: readonly number[]): number {
  let i = 0;
  let j = 0;
  let n = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      n++;
      i++;
      j++;
    } else if (a[i] < b[j]) i++;
    else j++;
  }
  return n;
}

/** Indices (ascending) of the chosen diverse subset of `sets`. */
export function diverseSubset(sets: readonly (readonly number[])[], maxOverlap: number): number[] {
  const n = sets.length;
  const compatible: boolean[][] = sets.map((a, i) =>
    sets.map((b, j) => i !== j && overlap(a, b) <= maxOverlap),
  );
  let best: number[] = [];
  const chosen: number[] = [];
  // Include-before-exclude in index order visits equal-size subsets earliest-first; only a
  // strictly larger subset replaces the best, so the earliest maximum one is kept.
  const visit = (candidates: number[]) => {
    if (chosen.length + candidates.length <= best.length) return;
    if (candidates.length === 0) {
      best = [...chosen];
      return;
    }
    const [first, ...rest] = candidates;
    chosen.push(first);
    visit(rest.filter((c) => compatible[first][c]));
    chosen.pop();
    visit(rest);
  };
  visit(Array.from({ length: n }, (_, i) => i));
  return best;
}
