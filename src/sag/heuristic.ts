/**
 * The heuristic that orders patches for the beam search: any Glassbox explainer's heatmap
 * averaged over each patch (the reference uses an I-GOS mask computed at patch resolution), or a
 * map the caller already has. The explainer hides or integrates from SAG's own baseline unless
 * told otherwise, so the ranking measures what the search will measure.
 */
import type { NdArray } from '../core/ndarray.js';
import { fail } from '../core/errors.js';
import type { Model } from '../models/model.js';
import { observedModel } from '../models/observed.js';
import { explain, getMethod, listMethods } from '../methods/index.js';
import type { PatchGrid } from './patches.js';

/** A method name, or scores given directly: one per patch, or an [H, W] map (row-major). */
export type Heuristic = string | readonly number[] | Float32Array;

/**
 * Tried in order when no heuristic is named: the first registered one the model supports.
 * Integrated Gradients first (white-box models): integrated from SAG's baseline, it splits
 * f(image) − f(fully masked image) over the pixels (completeness), which is the quantity the
 * search grows patch by patch, at the cost of a few dozen gradient passes (the reference's I-GOS
 * is also an integrated-gradient mask). RISE for black-box models: 500 masked images.
 */
export const DEFAULT_HEURISTICS = ['integrated-gradients', 'rise', 'grad-cam'];

/**
 * Options SAG gives a heuristic unless the caller sets them. Both defaults are tuned for fine
 * per-pixel maps, while the beam search only needs a coarse order of 49 patches (it tries the 15
 * best from every state): RISE's 4000 masks would cost more than the whole search, and a patch
 * mean of Integrated Gradients sums thousands of pixels, so 20 Gauss–Legendre steps (the
 * reference's I-GOS integrates over 20 too) give the same roots as 50 (docs/sag.md, "Cost").
 */
export const HEURISTIC_DEFAULTS: Record<string, Record<string, unknown>> = {
  rise: { masks: 500 },
  'integrated-gradients': { steps: 20 },
};

/** SAG's baseline, as built for the search, and how it was asked for. */
export interface SagBaseline {
  kind: 'black' | 'blur' | 'mean' | number;
  values: Float32Array;
  blurSigma?: number;
}

/** SAG's baseline in the perturbation methods' form: 'black' is the number 0. */
export function hiddenValue(kind: SagBaseline['kind']): 'blur' | 'mean' | number {
  return kind === 'black' ? 0 : kind;
}

/**
 * The `baseline` option that makes heuristic `method` hide (perturbation methods) or start from
 * (path methods) what SAG's hidden patches show; {} when the method has no such option. A method
 * taking a baseline array gets SAG's exact one; one taking the perturbation form gets its name.
 */
export function heuristicBaseline(method: string, b: SagBaseline): Record<string, unknown> {
  const schema = (getMethod(method).options as { shape?: Record<string, { safeParse(v: unknown): { success: boolean } }> })
    .shape?.baseline;
  if (!schema) return {};
  if (schema.safeParse(b.values).success) return { baseline: b.values };
  const named = hiddenValue(b.kind);
  if (!schema.safeParse(named).success) return {};
  return b.kind === 'blur' && b.blurSigma !== undefined
    ? { baseline: named, blurSigma: b.blurSigma }
    : { baseline: named };
}

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
  /** SAG's baseline, given to the method unless `options` sets one. */
  baseline?: SagBaseline;
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
  const own = req.options ?? {};
  const shared = req.baseline && !('baseline' in own) ? heuristicBaseline(h, req.baseline) : {};
  const options = { ...(HEURISTIC_DEFAULTS[h] ?? {}), ...shared, ...own };
  // The result records SAG's baseline by name, not as the image-sized array the method got.
  const recorded =
    shared.baseline instanceof Float32Array ? { ...options, baseline: req.baseline!.kind } : options;
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
    options: recorded,
    scores: grid.patchMeans(e.heatmap.data),
    passes: counter.passes,
    milliseconds: performance.now() - started,
  };
}

/** The same model, counting the examples that go through it. */
function counting(model: Model, counter: { passes: number }): Model {
  const count = (x: { shape: number[] }) => {
    counter.passes += x.shape[0];
  };
  return observedModel(model, {
    predict: count,
    activations: count,
    gradients: (r) => count(r.input),
  });
}
