/** The library call: cancellation, progress, determinism, baselines and clear errors. */
import { describe, expect, it } from 'vitest';
import { sagJson, type SagResult } from '../../src/sag/index.js';
import { isGlassboxError } from '../../src/core/errors.js';
import { clauses, onesImage, PatchRuleModel, ranking, sigmoid, sagOnBlack } from './models.js';

const [A, B, C, D, E] = [8, 22, 40, 16, 30];
const rule = clauses([
  [A, B],
  [A, C],
  [D, E],
]);
const fixed = { upsample: 'nearest' as const, heuristic: ranking([A, D, B, C, E]), maxRoots: 3 };

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a rejection');
}

describe('cancellation', () => {
  it('an aborted signal stops before any forward pass', async () => {
    const model = new PatchRuleModel(rule);
    const ac = new AbortController();
    ac.abort();
    const e = await rejection(
      sagOnBlack(model, onesImage(), { ...fixed, signal: ac.signal }),
    );
    expect(e.message).toBe('cancelled');
    expect(model.calls).toBe(0);
  });

  it('aborting during the search stops before the next batch', async () => {
    const model = new PatchRuleModel(rule);
    const ac = new AbortController();
    const e = await rejection(
      sagOnBlack(model, onesImage(), {
        ...fixed,
        signal: ac.signal,
        onProgress: (done) => {
          if (done >= 17) ac.abort(); // after beam step 1 (full + empty + 15)
        },
      }),
    );
    expect(e.message).toBe('cancelled');
    expect(model.batches).toEqual([1, 1, 15]);
  });

  it('aborting during the heuristic stops the explainer', async () => {
    const model = new PatchRuleModel(rule);
    const ac = new AbortController();
    const e = await rejection(
      sagOnBlack(model, onesImage(), {
        heuristicOptions: { masks: 640, batchSize: 64 },
        signal: ac.signal,
        onProgress: (done, _total, stage) => {
          if (stage === 'heuristic' && done >= 128) ac.abort();
        },
      }),
    );
    expect(e.message).toBe('cancelled');
    // SAG's full-image pass, then RISE's first two batches of 64 (explain() predicts the input
    // for its score after the method, when the method has not; it never gets there).
    expect(model.batches).toEqual([1, 64, 64]);
  });
});

describe('progress', () => {
  it('reports the heuristic, then forward passes through search and graph, ending at the total', async () => {
    const calls: [number, number, string][] = [];
    const r = await sagOnBlack(new PatchRuleModel(rule), onesImage(), {
      maxRoots: 3,
      upsample: 'nearest',
      heuristicOptions: { masks: 200, batchSize: 100 },
      onProgress: (d, t, s) => calls.push([d, t, s]),
    });
    const stages = calls.map((c) => c[2]);
    expect(stages.indexOf('search')).toBeGreaterThan(stages.lastIndexOf('heuristic'));
    expect(calls.filter((c) => c[2] === 'heuristic')).toEqual([
      [100, 200, 'heuristic'],
      [200, 200, 'heuristic'],
    ]);
    const own = calls.filter((c) => c[2] !== 'heuristic');
    for (let i = 1; i < own.length; i++) expect(own[i][0]).toBeGreaterThanOrEqual(own[i - 1][0]);
    for (const [d, t] of own) expect(d).toBeLessThanOrEqual(t);
    expect(own[own.length - 1].slice(0, 2)).toEqual([r.forwardPasses, r.forwardPasses]);
  });
});

describe('determinism', () => {
  const strip = (r: SagResult) =>
    JSON.stringify({
      ...sagJson(r),
      milliseconds: 0,
      heuristic: { ...r.heuristic, milliseconds: 0 },
      summary: undefined,
    });

  it('the same seed gives the same graph; RISE is the default heuristic for a black-box model', async () => {
    const model = new PatchRuleModel(clauses([[17], [31]]));
    const opts = { seed: 5, upsample: 'nearest' as const, heuristicOptions: { masks: 300 } };
    const a = await sagOnBlack(model, onesImage(), opts);
    const b = await sagOnBlack(model, onesImage(), opts);
    expect(a.heuristic.method).toBe('rise');
    expect(a.heuristic.passes).toBe(301); // 300 masks, then explain() predicts the input once
    expect(strip(a)).toBe(strip(b));
    // RISE ranks the two deciding patches first; the roots are those patches (in RISE's order).
    expect(
      a.heuristic.patchScores
        .map((s, p) => [s, p])
        .sort((x, y) => y[0] - x[0])
        .slice(0, 2)
        .map((x) => x[1])
        .sort(),
    ).toEqual([17, 31]);
    expect(a.roots.map((r) => r.patches[0]).sort()).toEqual([17, 31]);
    expect(a.roots.every((r) => r.patches.length === 1)).toBe(true);
    const c = await sagOnBlack(model, onesImage(), { ...opts, seed: 6 });
    expect(c.heuristic.patchScores).not.toEqual(a.heuristic.patchScores);
  });
});

describe('baselines', () => {
  it('a number fills hidden patches with it', async () => {
    const r = await sagOnBlack(new PatchRuleModel(rule), onesImage(), {
      ...fixed,
      baseline: 0.25,
    });
    // Every patch then has visibility 0.25: logit 8·0.25² − 4 for a two-patch clause.
    expect(r.emptyProbability).toBeCloseTo(sigmoid(8 * 0.0625 - 4), 6);
    expect(r.roots.map((x) => x.patches)).toEqual([
      [8, 22],
      [8, 40],
      [16, 30],
    ]);
  });

  it('when the fully masked image keeps the class there is nothing to explain', async () => {
    // The mean of an all-ones image is the image itself.
    const model = new PatchRuleModel(rule);
    const r = await sagOnBlack(model, onesImage(), { ...fixed, baseline: 'mean' });
    expect(r.emptyProbability).toBeCloseTo(r.fullProbability, 6);
    expect(r.roots).toEqual([]);
    expect(r.nodes).toEqual([]);
    expect(model.passes).toBe(2);
    expect(r.summary).toMatch(/fully masked image already keeps 100.0% of the probability/);
  });
});

describe('errors', () => {
  const cases: [string, () => Promise<unknown>, RegExp][] = [
    [
      'target out of range',
      () =>
        sagOnBlack(new PatchRuleModel(rule), onesImage(), { ...fixed, target: 5 }),
      /target class 5 is out of range/,
    ],
    [
      'a batch of two',
      () =>
        sagOnBlack(
          new PatchRuleModel(rule),
          { data: new Float32Array(2 * 784), shape: [2, 28, 28, 1] },
          fixed,
        ),
      /one image at a time/,
    ],
    [
      'a bad option',
      () => sagOnBlack(new PatchRuleModel(rule), onesImage(), { ...fixed, beam: 0 }),
      /SAG options: beam/,
    ],
    [
      'a heuristic map of the wrong size',
      () =>
        sagOnBlack(new PatchRuleModel(rule), onesImage(), { heuristic: [1, 2, 3] }),
      /give 49 .* or 784/,
    ],
    [
      'an unknown heuristic',
      () => sagOnBlack(new PatchRuleModel(rule), onesImage(), { heuristic: 'nope' }),
      /unknown method "nope"/,
    ],
    [
      'a grid finer than the image',
      () => sagOnBlack(new PatchRuleModel(rule), onesImage(), { grid: 40 }),
      /does not fit/,
    ],
  ];
  for (const [what, run, message] of cases) {
    it(`${what}: one clear GlassboxError`, async () => {
      const e = await rejection(run());
      expect(isGlassboxError(e)).toBe(true);
      expect(e.message).toMatch(message);
      expect(e.message).not.toContain('\n');
    });
  }
});
