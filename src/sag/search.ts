/**
 * Finding the roots of a SAG: minimal patch sets that keep the target class confident.
 *
 * Beam search from the fully masked image (the reference's `beamSearch_topKSuccessors_roots`):
 * every step, each beam state grows by one of its `successors` best-ranked unrevealed patches;
 * all successors of the step are scored in one batch. Successors reaching the bar become root
 * candidates and are shrunk to minimal sets; the best `beam` of the others form the next beam.
 * The search stops when `maxRoots` distinct roots are found, when states reach `maxRootSize`
 * patches, or when nothing is left to reveal.
 *
 * Differences from the reference, each deliberate: successors produced by two beam states are
 * scored once (the reference scores and may keep both copies); the next beam holds exactly `beam`
 * states (the reference keeps beam + 1); the shrinking is best-first (drop the patch whose removal
 * keeps the highest probability, all removals of all candidates scored as one batch per round)
 * where the reference drops the first removable patch in row-major order, one forward pass at a
 * time. Both end at a set from which no single patch can be removed: minimal.
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
export async function searchRoots(score: ScoreSets, ranking: readonly number[], s: SearchSettings, onStep?: (r: StepRecord) => void): Promise<SearchResult> {
  const roots: FoundRoot[] = [];
  const rootKeys = new Set<string>();
  const steps: StepRecord[] = [];
  let beam: number[][] = [[]];
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
    const minimal = await minimise(score, hits, s.bar);
    minimal.forEach((m, i) => {
      const k = setKey(m.patches);
      if (rootKeys.has(k) || roots.length >= s.maxRoots) return;
      rootKeys.add(k);
      roots.push({ ...m, step, found: hits[i] });
    });
    const record: StepRecord = { step, successors: successors.length, hits: hits.length, roots: roots.length, best: probs[order[0]] };
    steps.push(record);
    onStep?.(record);
    if (roots.length >= s.maxRoots) break;
    beam = next;
  }
  return { roots, steps };
}

/**
 * Shrinks each set (all reaching `bar`) until no single patch can be removed without falling
 * below it. Each round scores every single-patch removal of every unfinished set in one batch and
 * drops the patch whose removal keeps the highest probability (ties: the lowest patch index).
 * A one-patch set is minimal when the empty set is below the bar (the caller checks that).
 */
export async function minimise(score: ScoreSets, sets: readonly ScoredSet[], bar: number): Promise<ScoredSet[]> {
  const current = sets.map((s) => ({ patches: [...s.patches], probability: s.probability }));
  let active = current.map((_, i) => i).filter((i) => current[i].patches.length > 1);
  while (active.length > 0) {
    const removals = active.map((i) => current[i].patches.map((p) => withoutPatch(current[i].patches, p)));
    const probs = await score(removals.flat());
    let offset = 0;
    const still: number[] = [];
    active.forEach((i, a) => {
      const options = removals[a];
      let best = -1;
      for (let j = 0; j < options.length; j++) {
        if (probs[offset + j] >= bar && (best < 0 || probs[offset + j] > probs[offset + best])) best = j;
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
