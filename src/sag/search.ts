/**
 * Finding the roots of a SAG: minimal patch sets that keep the target class confident.
 *
 * Beam search from the fully masked image (the reference's `beamSearch_topKSuccessors_roots`):
 * every step, each beam state grows by one of its `successors` best-ranked unrevealed patches;
 * all successors of the step are scored in one batch. Successors reaching the bar become root
 * candidates and are shrunk to minimal sets; the best `beam` of the others form the next beam.
 * The search stops when `maxRoots` distinct roots are found, when states reach `maxRootSize`
 * patches, when nothing is left to reveal, or (an addition to the reference, which searches on to
 * the whole grid) when `patience` steps in a row after the first root add no new root.
 *
 * Differences from the reference, each deliberate: successors produced by two beam states are
 * scored once (the reference scores and may keep both copies); the next beam holds exactly `beam`
 * states (the reference keeps beam + 1); all candidates of a step are shrunk side by side, one
 * batch per round (see `minimise`). Shrinking ends at a set from which no single patch can be
 * removed: minimal.
 */
import type { ScoreSets } from './scorer.js';
import { setKey, withoutPatch, withPatch } from './patches.js';

export interface SearchSettings {
  beam: number;
  successors: number;
  /** Probability a root must reach (threshold × full-image probability). */
  bar: number;
  maxRoots: number;
  maxRootSize: number;
  shrink: ShrinkOrder;
  /** Once a root is found, stop after this many steps in a row add no new root (Infinity: never). */
  patience: number;
  /** Sets per first-fit shrinking round to aim for (see `minimise`); default 1. */
  fill?: number;
}

export interface ScoredSet {
  /** Sorted patch indices. */
  patches: number[];
  probability: number;
}

export interface FoundRoot extends ScoredSet {
  /** Beam-search step (= size of the set before shrinking) that found it. */
  step: number;
  /** The set the search reached before shrinking. */
  found: ScoredSet;
}

export interface StepRecord {
  step: number;
  /** Distinct successors scored. */
  successors: number;
  /** Successors that reached the bar. */
  hits: number;
  /** Distinct roots after the step. */
  roots: number;
  /** Best probability among the successors. */
  best: number;
}

export interface SearchResult {
  roots: FoundRoot[];
  steps: StepRecord[];
}

/** Patches ordered best first by their heuristic score (ties: lower index first). */
export function rankPatches(scores: ArrayLike<number>): number[] {
  const order = Array.from({ length: scores.length }, (_, i) => i);
  const v = (i: number) => (Number.isNaN(scores[i]) ? -Infinity : scores[i]);
  order.sort((a, b) => v(b) - v(a) || a - b);
  return order;
}

/**
 * Beam search for root candidates, shrunk to minimal sets, duplicates dropped, at most
 * `maxRoots`, in the order found. Precondition: the empty set scores below the bar.
 */
export async function searchRoots(
  score: ScoreSets,
  ranking: readonly number[],
  s: SearchSettings,
  onStep?: (r: StepRecord) => void,
): Promise<SearchResult> {
  const roots: FoundRoot[] = [];
  const rootKeys = new Set<string>();
  const steps: StepRecord[] = [];
  let beam: number[][] = [[]];
  let idle = 0;
  const limit = Math.min(s.maxRootSize, ranking.length);
  for (let step = 1; step <= limit && beam.length > 0; step++) {
    const successors: number[][] = [];
    const seen = new Set<string>();
    for (const state of beam) {
      const revealed = new Set(state);
      let taken = 0;
      for (const p of ranking) {
        if (taken >= s.successors) break;
        if (revealed.has(p)) continue;
        taken++;
        const next = withPatch(state, p);
        const k = setKey(next);
        if (!seen.has(k)) {
          seen.add(k);
          successors.push(next);
        }
      }
    }
    if (successors.length === 0) break;
    const probs = await score(successors);
    // Best first; equal probabilities keep generation order (beam order, then patch rank).
    const order = successors.map((_, i) => i).sort((a, b) => probs[b] - probs[a] || a - b);
    const hits: ScoredSet[] = [];
    const next: number[][] = [];
    for (const i of order) {
      if (probs[i] >= s.bar) hits.push({ patches: successors[i], probability: probs[i] });
      else if (next.length < s.beam) next.push(successors[i]);
    }
    // Shrink the hits best first, only as many at a time as roots are still wanted: hits beyond
    // the maxRoots-th distinct root would be dropped anyway, and shrinking large sets is costly.
    const before = roots.length;
    for (let i = 0; i < hits.length && roots.length < s.maxRoots;) {
      const chunk = hits.slice(i, i + s.maxRoots - roots.length);
      i += chunk.length;
      const minimal = await minimise(score, chunk, s.bar, s.shrink, ranking, s.fill);
      minimal.forEach((m, j) => {
        const k = setKey(m.patches);
        if (rootKeys.has(k) || roots.length >= s.maxRoots) return;
        rootKeys.add(k);
        roots.push({ ...m, step, found: chunk[j] });
      });
    }
    const record: StepRecord = {
      step,
      successors: successors.length,
      hits: hits.length,
      roots: roots.length,
      best: probs[order[0]],
    };
    steps.push(record);
    onStep?.(record);
    if (roots.length >= s.maxRoots) break;
    if (roots.length > 0) idle = roots.length > before ? 0 : idle + 1;
    if (idle >= s.patience) break;
    beam = next;
  }
  return { roots, steps };
}

export const SHRINK_ORDERS = ['first-fit', 'best-first'] as const;
export type ShrinkOrder = (typeof SHRINK_ORDERS)[number];

/**
 * Shrinks each set (all reaching `bar`) until no single patch can be removed without falling
 * below it; the sets are shrunk side by side, one batch per round.
 *
 * 'first-fit' (the reference's `remove_extra_patches`): sweep over the set's patches and drop each
 * one whose removal keeps the set at the bar; repeat sweeps until one drops nothing. The
 * reference sweeps in row-major order; here the sweep goes from the least to the most important
 * patch by the heuristic (`ranking`, best first), so weak patches go first. Cost ≈ 2·|set|.
 * A sweep is sequential (each test depends on the ones before), so a round of a few candidates
 * is a small batch. `fill` > 1 lets a round test a candidate's next removals ahead, all against
 * its current set, as if the earlier ones fail: one test after a removal succeeded, twice as
 * many as last time after a round in which all failed, at most ⌊fill / candidates⌋. Results are
 * read in sweep order up to the first removal that succeeds; the tests after it were made against
 * a set that no longer exists and are discarded. The result is the same as with `fill` 1; the
 * discarded tests cost a few extra passes, and the rounds become far fewer, fuller batches.
 * 'best-first': each round scores every single removal and drops the patch whose removal keeps the
 * highest probability (ties: lowest index). Cost ≈ |set|²/2, often a more probable root.
 *
 * A one-patch set is minimal when the empty set is below the bar (the caller checks that).
 */
export async function minimise(
  score: ScoreSets,
  sets: readonly ScoredSet[],
  bar: number,
  order: ShrinkOrder = 'first-fit',
  ranking?: readonly number[],
  fill = 1,
): Promise<ScoredSet[]> {
  return order === 'best-first'
    ? bestFirst(score, sets, bar)
    : firstFit(score, sets, bar, ranking, fill);
}

async function firstFit(
  score: ScoreSets,
  sets: readonly ScoredSet[],
  bar: number,
  ranking: readonly number[] | undefined,
  fill: number,
): Promise<ScoredSet[]> {
  const position = new Map<number, number>();
  (ranking ?? []).forEach((p, i) => position.set(p, i));
  // Least important first: last in the ranking first; unranked patches by descending index.
  const sweepOrder = (patches: number[]) =>
    [...patches].sort((a, b) => (position.get(b) ?? b) - (position.get(a) ?? a) || b - a);
  const state = sets.map((s) => ({
    patches: [...s.patches],
    probability: s.probability,
    queue: sweepOrder(s.patches),
    next: 0,
    changed: false,
    ahead: 1,
  }));
  let active = state.filter((s) => s.patches.length > 1);
  while (active.length > 0) {
    const most = Math.max(1, Math.floor(fill / active.length));
    const tries = active.map((s) => s.queue.slice(s.next, s.next + Math.min(s.ahead, most)));
    const probs = await score(
      active.flatMap((s, i) => tries[i].map((p) => withoutPatch(s.patches, p))),
    );
    let offset = 0;
    active = active.filter((s, i) => {
      const t = tries[i];
      // Removals that fail in a row make the next round look further ahead; a success restarts.
      s.ahead = Math.min(2 * s.ahead, fill);
      for (let j = 0; j < t.length; j++) {
        s.next++;
        if (probs[offset + j] >= bar) {
          s.patches = withoutPatch(s.patches, t[j]);
          s.probability = probs[offset + j];
          s.changed = true;
          s.ahead = 1;
          break;
        }
      }
      offset += t.length;
      if (s.patches.length <= 1) return false;
      if (s.next < s.queue.length) return true;
      if (!s.changed) return false;
      s.queue = sweepOrder(s.patches);
      s.next = 0;
      s.changed = false;
      return true;
    });
  }
  return state.map(({ patches, probability }) => ({ patches, probability }));
}

async function bestFirst(
  score: ScoreSets,
  sets: readonly ScoredSet[],
  bar: number,
): Promise<ScoredSet[]> {
  const current = sets.map((s) => ({ patches: [...s.patches], probability: s.probability }));
  let active = current.map((_, i) => i).filter((i) => current[i].patches.length > 1);
  while (active.length > 0) {
    const removals = active.map((i) =>
      current[i].patches.map((p) => withoutPatch(current[i].patches, p)),
    );
    const probs = await score(removals.flat());
    let offset = 0;
    const still: number[] = [];
    active.forEach((i, a) => {
      const options = removals[a];
      let best = -1;
      for (let j = 0; j < options.length; j++) {
        if (probs[offset + j] >= bar && (best < 0 || probs[offset + j] > probs[offset + best]))
          best = j;
      }
      if (best >= 0) {
        current[i] = { patches: options[best], probability: probs[offset + best] };
        if (current[i].patches.length > 1) still.push(i);
      }
      offset += options.length;
    });
    active = still;
  }
  return current;
}
