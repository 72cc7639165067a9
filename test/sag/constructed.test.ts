/**
 * SAG on models whose decision is a known function of the visible patches: the roots, the
 * graph's nodes and edges, and the number of forward passes are all worked out by hand.
 */
import { describe, expect, it } from 'vitest';
import { additive, clauses, onesImage, PatchRuleModel, ranking, sigmoid, sagOnBlack } from './models.js';

const HIGH = sigmoid(4);
const LOW = sigmoid(-4);

describe('SAG on a model that fires when patch A or patch B is visible', () => {
  it('finds exactly the roots {A} and {B}, with no edges', async () => {
    const [A, B] = [17, 31];
    const model = new PatchRuleModel(clauses([[A], [B]]));
    const r = await sagOnBlack(model, onesImage(), {
      upsample: 'nearest',
      heuristic: ranking([3, A, 10, B]),
    });
    expect(r.target).toBe(1);
    expect(r.fullProbability).toBeCloseTo(HIGH, 6);
    expect(r.emptyProbability).toBeCloseTo(LOW, 6);
    expect(r.candidates.map((c) => c.patches)).toEqual([[A], [B]]);
    expect(r.roots.map((c) => c.patches)).toEqual([[A], [B]]);
    expect(r.roots.every((c) => Math.abs(c.probability - HIGH) < 1e-6 && c.step === 1)).toBe(true);
    expect(r.nodes.map((n) => n.patches)).toEqual([[A], [B]]);
    expect(r.edges).toEqual([]);
    expect(r.expression).toBe('P17 or P31');
    // Found at step 1; patience 3 allows steps 2–4, which find only duplicates.
    expect(r.steps.map((s) => s.roots)).toEqual([2, 2, 2, 2]);
  });
});

describe('SAG on a model that fires on (A ∧ B) ∨ (A ∧ C) ∨ (D ∧ E)', () => {
  const [A, B, C, D, E] = [8, 22, 40, 16, 30];
  const rule = clauses([
    [A, B],
    [A, C],
    [D, E],
  ]);
  const options = {
    upsample: 'nearest' as const,
    heuristic: ranking([A, D, B, C, E]),
    maxRoots: 3,
  };

  it('recovers the three roots and the graph, merging the node {A} both roots share', async () => {
    const r = await sagOnBlack(new PatchRuleModel(rule), onesImage(), options);
    expect(r.candidates.map((c) => c.patches)).toEqual([
      [A, B],
      [A, C],
      [D, E].sort((x, y) => x - y),
    ]);
    expect(r.diverse).toEqual(r.candidates);
    expect(r.roots).toEqual(r.candidates);
    expect(r.expression).toBe('P8 & P22 or P8 & P40 or P16 & P30');
    expect(r.nodes.map((n) => [n.id, n.patches, n.root])).toEqual([
      [0, [8, 22], true],
      [1, [8, 40], true],
      [2, [16, 30], true],
      [3, [22], false],
      [4, [8], false],
      [5, [40], false],
      [6, [30], false],
      [7, [16], false],
    ]);
    expect(r.edges.map((e) => [e.from, e.to, e.removedPatch])).toEqual([
      [0, 3, 8],
      [0, 4, 22],
      [1, 5, 8],
      [1, 4, 40],
      [2, 6, 16],
      [2, 7, 30],
    ]);
    for (const e of r.edges) expect(e.drop).toBeCloseTo(HIGH - LOW, 6);
  });

  it('batches each beam step into one predict call; the pass count is what the algorithm implies', async () => {
    // full image 1 + empty set 1 + step 1: the 15 best-ranked single patches + step 2: 3 beam
    // states × 15 successors minus the pairs two states share (1 + 2) = 42. Shrinking and the
    // graph need only single patches, all scored at step 1.
    const model = new PatchRuleModel(rule);
    const r = await sagOnBlack(model, onesImage(), options);
    expect(r.steps.map((s) => [s.successors, s.hits])).toEqual([
      [15, 0],
      [42, 3],
    ]);
    expect(r.forwardPasses).toBe(59);
    expect(model.batches).toEqual([1, 1, 15, 42]);
    expect(r.predictCalls).toBe(4);

    const small = new PatchRuleModel(rule);
    const r2 = await sagOnBlack(small, onesImage(), { ...options, batchSize: 10 });
    expect(small.batches).toEqual([1, 1, 10, 5, 10, 10, 10, 10, 2]);
    expect(r2.forwardPasses).toBe(59);
    expect(r2.edges).toEqual(r.edges);
  });

  it('takes a per-pixel heuristic map, averaged over each patch', async () => {
    // The same order as options.heuristic, painted over each patch's 4×4 pixels.
    const perPatch = ranking([A, D, B, C, E]);
    const pixels = Array.from(
      { length: 28 * 28 },
      (_, i) => perPatch[Math.floor(i / 28 / 4) * 7 + Math.floor((i % 28) / 4)],
    );
    const a = await sagOnBlack(new PatchRuleModel(rule), onesImage(), options);
    const b = await sagOnBlack(new PatchRuleModel(rule), onesImage(), {
      ...options,
      heuristic: pixels,
    });
    expect(b.heuristic.patchScores).toEqual(Array.from(perPatch, (v) => v + 0)); // (−0 + 0 = +0)
    expect(b.edges).toEqual(a.edges);
    expect(b.forwardPasses).toBe(a.forwardPasses);
  });

  it('keeps the largest subset with pairwise overlap ≤ maxOverlap', async () => {
    const r = await sagOnBlack(new PatchRuleModel(rule), onesImage(), {
      ...options,
      maxOverlap: 0,
    });
    expect(r.candidates).toHaveLength(3);
    // {A,B} and {A,C} share A: the earliest largest disjoint subset is {A,B}, {D,E}.
    expect(r.roots.map((c) => c.patches)).toEqual([
      [8, 22],
      [16, 30],
    ]);
    const shown = await sagOnBlack(new PatchRuleModel(rule), onesImage(), {
      ...options,
      show: 1,
    });
    expect(shown.roots.map((c) => c.patches)).toEqual([[8, 22]]);
    expect(shown.nodes.map((n) => n.patches)).toEqual([[8, 22], [22], [8]]);
  });
});

describe('SAG on an additive model: expansion threshold, children choice, merged nodes', () => {
  // logit = 3·vE + 2.5·vF + 2·vG + 1.5·vH − 5.5; full image: logit 3.5, p = 0.97069.
  // A root needs p ≥ 0.9·0.97069, i.e. logit ≥ 1.933: {E,F,G} (logit 2) is the only minimal one.
  const [E, F, G, H] = [24, 10, 38, 45];
  const rule = additive({ [E]: 3, [F]: 2.5, [G]: 2, [H]: 1.5 }, 5.5);
  const options = { upsample: 'nearest' as const, heuristic: ranking([E, F, G, H]) };
  const full = sigmoid(3.5);

  it('finds {E,F,G} at step 3 and expands nodes that keep ≥ 40% of the full probability', async () => {
    const r = await sagOnBlack(new PatchRuleModel(rule), onesImage(), options);
    expect(r.fullProbability).toBeCloseTo(full, 6);
    expect(r.candidates.map((c) => [c.patches, c.step])).toEqual([[[10, 24, 38], 3]]);
    expect(r.roots[0].probability).toBeCloseTo(sigmoid(2), 6);
    expect(r.roots[0].relative).toBeCloseTo(sigmoid(2) / full, 6);
    expect(r.steps.slice(0, 3).map((s) => [s.successors, s.hits, s.roots])).toEqual([
      [15, 0, 0],
      [42, 0, 0],
      [42, 1, 1],
    ]);
    // Children of the root by least drop: −G (p 0.5), −F (0.378), −E (0.269). Only {E,F}
    // keeps ≥ 0.4·0.97069 = 0.388 and is expanded: −F (0.076), −E (0.047).
    expect(r.nodes.map((n) => [n.patches, n.expanded])).toEqual([
      [[10, 24, 38], true],
      [[10, 24], true],
      [[24, 38], false],
      [[10, 38], false],
      [[24], false],
      [[10], false],
    ]);
    expect(r.edges.map((e) => [e.from, e.to, e.removedPatch])).toEqual([
      [0, 1, 38],
      [0, 2, 10],
      [0, 3, 24],
      [1, 4, 10],
      [1, 5, 24],
    ]);
    const expected = [
      sigmoid(2) - 0.5,
      sigmoid(2) - sigmoid(-0.5),
      sigmoid(2) - sigmoid(-1),
      0.5 - sigmoid(-2.5),
      0.5 - sigmoid(-3),
    ];
    r.edges.forEach((e, i) => expect(e.drop).toBeCloseTo(expected[i], 6));
  });

  it('with a lower expansion threshold, merges children reached from several parents', async () => {
    const r = await sagOnBlack(new PatchRuleModel(rule), onesImage(), {
      ...options,
      childThreshold: 0.25,
    });
    expect(r.nodes.map((n) => n.patches)).toEqual([
      [10, 24, 38],
      [10, 24],
      [24, 38],
      [10, 38],
      [24],
      [10],
      [38],
    ]);
    expect(r.edges.map((e) => [e.from, e.to, e.removedPatch])).toEqual([
      [0, 1, 38],
      [0, 2, 10],
      [0, 3, 24],
      [1, 4, 10],
      [1, 5, 24],
      [2, 4, 38],
      [2, 6, 24],
      [3, 5, 38],
      [3, 6, 10],
    ]);
  });

  it('stops adding nodes at maxNodes and says the graph was truncated', async () => {
    const base = { ...options, childThreshold: 0.25 };
    const whole = await sagOnBlack(new PatchRuleModel(rule), onesImage(), base);
    expect(whole.truncated).toBe(false);
    const four = await sagOnBlack(new PatchRuleModel(rule), onesImage(), {
      ...base,
      maxNodes: 4,
    });
    expect(four.nodes.map((n) => n.patches)).toEqual([
      [10, 24, 38],
      [10, 24],
      [24, 38],
      [10, 38],
    ]);
    expect(four.edges).toHaveLength(3);
    expect(four.truncated).toBe(true);
    // Room for one more: {E,F} is expanded, its first child {E} fits, {F} does not.
    const five = await sagOnBlack(new PatchRuleModel(rule), onesImage(), {
      ...base,
      maxNodes: 5,
    });
    expect(five.nodes.map((n) => n.patches)).toEqual([
      [10, 24, 38],
      [10, 24],
      [24, 38],
      [10, 38],
      [24],
    ]);
    expect(five.edges.map((e) => [e.from, e.to, e.removedPatch])).toEqual([
      [0, 1, 38],
      [0, 2, 10],
      [0, 3, 24],
      [1, 4, 10],
    ]);
    expect(five.summary).toMatch(/stopped at 5 nodes/);
  });

  it('limits children to maxChildren, by least drop or (as the reference) by patch order', async () => {
    const least = await sagOnBlack(new PatchRuleModel(rule), onesImage(), {
      ...options,
      maxChildren: 2,
    });
    expect(least.edges.filter((e) => e.from === 0).map((e) => e.removedPatch)).toEqual([38, 10]);
    const ordered = await sagOnBlack(new PatchRuleModel(rule), onesImage(), {
      ...options,
      maxChildren: 2,
      childOrder: 'patch-order',
    });
    expect(ordered.nodes.map((n) => n.patches)).toEqual([
      [10, 24, 38],
      [24, 38],
      [10, 38],
    ]);
    expect(ordered.edges.map((e) => e.removedPatch)).toEqual([10, 24]);
  });
});

describe('SAG with the default align-corners upsampling', () => {
  it('recovers the deciding patches when the model thresholds visibility at one half', async () => {
    // A lone interior patch revealed through the bilinear tent has mean visibility 0.605; a hidden
    // one whose neighbours are all revealed, 0.395: a step at 0.5 still tells them apart.
    const [A, B, C] = [16, 18, 32];
    const seen = (v: number) => sigmoid(60 * (v - 0.5));
    const model = new PatchRuleModel(
      (v) => 8 * Math.max(seen(v[A]) * seen(v[B]), seen(v[C])) - 4,
      3,
    );
    const r = await sagOnBlack(model, onesImage(3), {
      heuristic: ranking([A, C, B]),
    });
    expect(r.candidates.map((c) => c.patches)).toEqual([[C], [A, B]]);
    expect(r.roots.map((c) => c.patches)).toEqual([[C], [A, B]]);
    expect(r.edges.map((e) => [e.from, e.to, e.removedPatch])).toEqual([
      [1, 2, 16],
      [1, 3, 18],
    ]);
  });
});
