/**
 * The heuristic that orders patches for the beam search: any Glassbox explainer's heatmap
 * averaged over each patch (the reference uses an I-GOS mask computed at patch resolution), or a
 * map the caller already has.
 */
import type { NdArray } from '../core/ndarray.js';
import { fail } from '../core/errors.js';
import type { Model } from '../models/model.js';
import { explain, listMethods } from '../methods/index.js';
import type { PatchGrid } from './patches.js';

/** A method name, or scores given directly: one per patch, or an [H, W] map (row-major). */
export type Heuristic = string | readonly number[] | Float32Array;

/** Tried in order when no heuristic is named: the first registered one the model supports. */
export const DEFAULT_HEURISTICS = ['rise', 'integrated-gradients', 'grad-cam'];

/**
 * Options SAG gives a heuristic unless the caller sets them. RISE's own default of 4000 masks is
 * tuned for fine saliency maps; the beam search only needs a coarse order of 49 patches (it tries
 * the 15 best from every state), and at 4000 the masks would cost more than the whole search.
 */
export const HEURISTIC_DEFAULTS: Record<string, Record<string, unknown>> = {
  rise: { masks: 500 },
};

export interface PatchScores {
  /** Method name, or 'given' for a caller's map. */
  method: string;
  options: Record<string, unknown>;
  /** One score per patch, higher = more important. */
  scores: Float32Array;
  /** Forward (or forward+backward) passes the explainer made. */
  passes: number;
  milliseconds: number;
}

export function defaultHeuristic(model: Model): string {
  const usable = new Set(
    listMethods()
      .filter((m) => m.kinds.includes(model.kind) && (model.whiteBox || m.needs === 'predict'))
      .map((m) => m.name),
  );
  const name = DEFAULT_HEURISTICS.find((n) => usable.has(n));
  if (!name)
    fail(
      `no heuristic method for model ${model.name}: register one of ${DEFAULT_HEURISTICS.join(', ')} or pass a heuristic map`,
    );
  return name;
}

export interface HeuristicRequest {
  heuristic?: Heuristic;
  options?: Record<string, unknown>;
  seed: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

export async function patchScores(
  model: Model,
  input: NdArray,
  target: number,
  grid: PatchGrid,
  req: HeuristicRequest,
): Promise<PatchScores> {
  const started = performance.now();
  const h = req.heuristic ?? defaultHeuristic(model);
  if (typeof h !== 'string') {
    const map = Float32Array.from(h);
    if (map.some((v) => Number.isNaN(v)))
      fail('the heuristic map contains NaN: give finite scores');
    if (map.length === grid.count)
      return { method: 'given', options: {}, scores: map, passes: 0, milliseconds: 0 };
    if (map.length === grid.height * grid.width)
      return {
        method: 'given',
        options: {},
        scores: grid.patchMeans(map),
        passes: 0,
        milliseconds: 0,
      };
    fail(
      `the heuristic map has ${map.length} values: give ${grid.count} (one per patch of the ${grid.rows}×${grid.cols} grid) or ${grid.height * grid.width} (${grid.height}×${grid.width} pixels)`,
    );
  }
  const options = { ...(HEURISTIC_DEFAULTS[h] ?? {}), ...(req.options ?? {}) };
  const counter = { passes: 0 };
  const [e] = await explain(counting(model, counter), input, h, {
    targets: [target],
    seed: req.seed,
    options,
    signal: req.signal,
    onProgress: req.onProgress,
  });
  if (e.heatmap.shape.length !== 2)
    fail(
      `heuristic ${h} gave a heatmap of shape [${e.heatmap.shape.join(', ')}]; SAG needs an [H, W] map`,
    );
  return {
    method: h,
    options,
    scores: grid.patchMeans(e.heatmap.data),
    passes: counter.passes,
    milliseconds: performance.now() - started,
  };
}

/** The same model, counting the examples that go through it. */
function counting(model: Model, counter: { passes: number }): Model {
  const wrapped: Model = {
    name: model.name,
    kind: model.kind,
    inputShape: model.inputShape,
    numClasses: model.numClasses,
    outputKind: model.outputKind,
    classNames: model.classNames,
    whiteBox: model.whiteBox,
    layers: () => model.layers(),
    predict: (x) => {
      counter.passes += x.shape[0];
      return model.predict(x);
    },
    activations: (x, layers) => {
      counter.passes += x.shape[0];
      return model.activations(x, layers);
    },
    gradients: (r) => {
      counter.passes += r.input.shape[0];
      return model.gradients(r);
    },
    dispose: () => undefined,
  };
  if (model.channelGradient) wrapped.channelGradient = (r) => model.channelGradient!(r);
  return wrapped;
}
