/**
 * Structured Attention Graphs (Shitole et al., NeurIPS 2021, "One Explanation is Not Enough"):
 * the minimal patch sets that each keep a classifier confident, and how its confidence falls as
 * their patches are removed. Steps: rank patches with a heuristic map → beam search for root
 * candidates, shrunk to minimal sets → the largest diverse subset → the patch-deletion graph.
 */
import type { NdArray } from '../core/ndarray.js';
import { argmaxRows, softmaxRows } from '../core/ndarray.js';
import { fail } from '../core/errors.js';
import { parseOptions } from '../core/options.js';
import type { Model } from '../models/model.js';
import { checkInputBatch, checkTargets } from '../models/validate.js';
import { throwIfAborted } from '../methods/method.js';
import { baselineFor } from '../methods/perturbation/common/baseline.js';
import { PatchGrid } from './patches.js';
import { PatchScorer } from './scorer.js';
import { hiddenValue, patchScores } from './heuristic.js';
import { rankPatches, searchRoots } from './search.js';
import { diverseSubset } from './diversity.js';
import { buildGraph } from './graph.js';
import { rootExpression, summarise } from './summary.js';
import {
  sagOptionsSchema,
  type RootSet,
  type SagOptions,
  type SagResult,
  type SagSettings,
  type SagStage,
} from './types.js';

export async function structuredAttentionGraph(
  model: Model,
  input: NdArray,
  options: SagOptions = {},
): Promise<SagResult> {
  const started = performance.now();
  const { onProgress, signal, ...rest } = options;
  const o = parseOptions(sagOptionsSchema, rest, 'SAG options');
  if (model.kind !== 'image' || model.inputShape.length !== 3) {
    fail(
      `SAG explains image classifiers; model ${model.name} takes ${model.kind} inputs of shape [${model.inputShape.join(', ')}]`,
    );
  }
  const batch = input.shape.length === 3 ? { data: input.data, shape: [1, ...input.shape] } : input;
  if (batch.shape[0] !== 1)
    fail(
      `SAG explains one image at a time; got a batch of ${batch.shape[0]}: pass [1, H, W, C] or [H, W, C]`,
    );
  checkInputBatch(batch, model.inputShape, model.name);
  const [height, width] = batch.shape.slice(1);
  const [rows, cols] = typeof o.grid === 'number' ? [o.grid, o.grid] : o.grid;
  const grid = new PatchGrid(height, width, rows, cols, o.upsample);
  const settings: SagSettings = {
    grid: [rows, cols],
    beam: o.beam,
    successors: o.successors,
    threshold: o.threshold,
    childThreshold: o.childThreshold,
    maxChildren: o.maxChildren,
    maxNodes: o.maxNodes,
    childOrder: o.childOrder,
    maxRoots: o.maxRoots,
    maxOverlap: o.maxOverlap,
    show: o.show,
    maxRootSize: Math.min(o.maxRootSize ?? grid.count, grid.count),
    shrink: o.shrink,
    patience: o.patience,
    baseline: o.baseline,
    blurSigma: o.blurSigma,
    upsample: o.upsample,
    seed: o.seed,
    batchSize: o.batchSize,
  };
  let stage: SagStage = 'heuristic';

  throwIfAborted(signal);
  const raw = await model.predict(batch);
  const probs = model.outputKind === 'logits' ? softmaxRows(raw) : raw;
  const predicted = argmaxRows(raw)[0];
  const target = o.target ?? predicted;
  checkTargets([target], 1, model.numClasses);
  const fullProbability = probs.data[target];
  if (!(fullProbability > 0))
    fail(
      `the model gives class ${target} probability ${fullProbability} on the full image: nothing to explain; choose another --target`,
    );

  const baseline = makeBaseline(batch, o.baseline, o.blurSigma);
  const heuristic = await patchScores(model, batch, target, grid, {
    heuristic: o.heuristic,
    options: o.heuristicOptions,
    baseline: { kind: o.baseline, values: baseline, blurSigma: o.blurSigma },
    seed: o.seed,
    signal,
    onProgress: (d, t) => onProgress?.(d, t, 'heuristic'),
  });
  const ranking = rankPatches(heuristic.scores);

  const image = batch.data;
  const scorer = new PatchScorer(
    model,
    image,
    baseline,
    grid,
    target,
    {
      batchSize: o.batchSize,
      signal,
      // +1: the full-image pass above.
      onPasses: (done, scheduled) => onProgress?.(done + 1, scheduled + 1, stage),
    },
  );
  stage = 'search';
  const bar = o.threshold * fullProbability;
  const [emptyProbability] = await scorer.score([[]]);
  const search =
    emptyProbability >= bar
      ? { roots: [], steps: [] }
      : await searchRoots(scorer.score, ranking, {
          beam: o.beam,
          successors: o.successors,
          bar,
          maxRoots: o.maxRoots,
          maxRootSize: settings.maxRootSize,
          shrink: o.shrink,
          patience: o.patience,
          fill: o.batchSize,
        });
  const toRoot = (r: { patches: number[]; probability: number; step: number }): RootSet => ({
    patches: r.patches,
    probability: r.probability,
    relative: r.probability / fullProbability,
    step: r.step,
  });
  const candidates = search.roots.map(toRoot);
  const diverse = diverseSubset(
    candidates.map((c) => c.patches),
    o.maxOverlap,
  ).map((i) => candidates[i]);
  const roots = diverse.slice(0, o.show);

  stage = 'graph';
  const graph = await buildGraph(scorer.score, roots, {
    expandBar: o.childThreshold * fullProbability,
    maxChildren: o.maxChildren,
    childOrder: o.childOrder,
    maxNodes: o.maxNodes,
  });

  const partial = {
    target,
    targetName: model.classNames?.[target],
    predicted,
    fullProbability,
    emptyProbability,
    grid: { rows, cols, height, width },
    roots,
    diverse,
    candidates,
    nodes: graph.nodes,
    edges: graph.edges,
    truncated: graph.truncated,
    expression: rootExpression(roots),
    heuristic: {
      method: heuristic.method,
      options: heuristic.options,
      patchScores: Array.from(heuristic.scores),
      passes: heuristic.passes,
      milliseconds: heuristic.milliseconds,
    },
    steps: search.steps,
    settings,
    forwardPasses: scorer.forwardPasses + 1,
    predictCalls: scorer.predictCalls + 1,
    milliseconds: 0,
  };
  partial.milliseconds = performance.now() - started;
  return { ...partial, summary: summarise(partial) };
}

/** What hidden patches show. 'black' is 0, black for Glassbox's [0, 1] images. */
function makeBaseline(
  batch: NdArray,
  baseline: 'black' | 'blur' | 'mean' | number,
  blurSigma: number | undefined,
): Float32Array {
  const [, h, w, c] = batch.shape;
  return baselineFor(batch.data, [h, w], c, hiddenValue(baseline), { blurSigma });
}
