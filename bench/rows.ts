/**
 * The bench, as a table: each row names its PyTorch function (bench/torch/rows.py) and builds its
 * Glassbox function. Adding a row (training images/s, occlusion, KernelSHAP, SAG, …) is adding an
 * entry here and, for the PyTorch side, a function in rows.py. A row whose Glassbox side throws
 * NotYetImplemented is reported as such; its PyTorch side is still timed.
 */
import * as ort from 'onnxruntime-node';
import type { NdArray } from '../src/core/ndarray.js';
import { needMethod, needModel, NotYetImplemented, repeatBatch, type GlassboxSide } from './glassbox.js';
import type { Repeats } from './stats.js';
import { PERTURBATION_ROWS } from './rows/perturbation.js';
import { SAG_NOISE_ROW, SAG_RANDOM_OBJECT_ROW, SAG_TRAINED_ROWS } from './rows/sag.js';
import { TRAINING_ROW } from './rows/training.js';

export interface RowContext {
  side: GlassboxSide;
  /** The PyTorch input as NCHW (for the plain ORT session) and NHWC (for Glassbox). */
  nchw: NdArray;
  nhwc: NdArray;
  target: number;
  /** Glassbox layer name of the Grad-CAM layer (resolved from the PyTorch module path). */
  camLayer?: string;
  /** Notes shown under the table (e.g. which engine path a row used). */
  note(text: string): void;
}

export interface BenchRow {
  id: string;
  title: string;
  /** Forward-only rows aim at PyTorch/Glassbox ≥ 1.5, the others at ≥ 1.0 (issue 3). */
  forwardOnly: boolean;
  /** Images per timed call, to show a throughput next to the time. */
  images?: number;
  timing: Repeats;
  /** Warm-up runs on the PyTorch side when they differ from `timing.warmup`. */
  torchWarmup?: number;
  /** Function name in bench/torch/rows.py, or null when there is no PyTorch side. */
  torch: string | null;
  /** Prepares the Glassbox side; returns the call to time. */
  glassbox(ctx: RowContext): Promise<() => Promise<unknown>>;
  /** Models the row runs on; default all. */
  models?: string[];
}

const quick = (warmup: number, repeats: number, budgetSeconds: number, min = 3): Repeats => ({ warmup, repeats, budgetSeconds, min });

export const IG_STEPS = 50;
export const RISE = { masks: 2000, gridSize: 7, keepProbability: 0.5, batchSize: 64 };

export const ROWS: BenchRow[] = [
  {
    id: 'forward-b1',
    title: 'forward, batch 1',
    forwardOnly: true,
    timing: quick(3, 30, 10),
    torch: 'forward-b1',
    async glassbox(ctx) {
      return forward(ctx, ctx.nchw, ctx.nhwc);
    },
  },
  {
    id: 'forward-b64',
    title: 'forward, batch 64',
    forwardOnly: true,
    images: 64,
    timing: quick(1, 6, 20),
    torch: 'forward-b64',
    async glassbox(ctx) {
      return forward(ctx, repeatBatch(ctx.nchw, 64), repeatBatch(ctx.nhwc, 64));
    },
  },
  {
    id: 'vanilla-gradient',
    title: 'vanilla gradient, batch 1',
    forwardOnly: false,
    timing: quick(2, 15, 10),
    torch: 'vanilla-gradient',
    async glassbox(ctx) {
      const { model, explain } = needMethod(ctx.side, 'gradient');
      return () => explain(model, ctx.nhwc, 'gradient', { targets: [ctx.target] });
    },
  },
  {
    id: 'grad-cam',
    title: 'Grad-CAM, batch 1',
    forwardOnly: false,
    timing: quick(2, 15, 10),
    torch: 'grad-cam',
    async glassbox(ctx) {
      const { model, explain } = needMethod(ctx.side, 'grad-cam');
      if (!ctx.camLayer) throw new NotYetImplemented('the Grad-CAM layer was not found among the model layers');
      return () => explain(model, ctx.nhwc, 'grad-cam', { targets: [ctx.target], options: { layer: ctx.camLayer } });
    },
  },
  {
    id: 'integrated-gradients',
    title: `Integrated Gradients, ${IG_STEPS} steps`,
    forwardOnly: false,
    timing: quick(1, 5, 30, 2),
    torch: 'integrated-gradients',
    async glassbox(ctx) {
      const { model, explain } = needMethod(ctx.side, 'integrated-gradients');
      const options = { steps: IG_STEPS, internalBatchSize: IG_STEPS, baseline: 'zero' };
      return () => explain(model, ctx.nhwc, 'integrated-gradients', { targets: [ctx.target], options });
    },
  },
  {
    id: 'rise',
    title: `RISE, ${RISE.masks} masks`,
    forwardOnly: true,
    images: RISE.masks,
    // Glassbox's warm-up run builds and caches the masks (reused per seed, as in issue 6); the
    // PyTorch function warms up on one batch itself, so a whole extra run is not spent on it.
    timing: quick(1, 3, 60, 1),
    torchWarmup: 0,
    torch: 'rise',
    async glassbox(ctx) {
      const { model, explain } = needMethod(ctx.side, 'rise');
      // PyTorch's RISE weighs masks by the softmax probability, so explain the same score.
      return () => explain(model, ctx.nhwc, 'rise', { targets: [ctx.target], seed: 0, score: 'probability', options: { ...RISE } });
    },
  },
  ...SAG_TRAINED_ROWS,
  SAG_RANDOM_OBJECT_ROW,
  SAG_NOISE_ROW,
  ...PERTURBATION_ROWS,
  TRAINING_ROW,
];

/** Glassbox's Model.predict when available, else the plain ORT session (said in a note). */
function forward(ctx: RowContext, nchw: NdArray, nhwc: NdArray): () => Promise<unknown> {
  try {
    const model = needModel(ctx.side);
    return () => model.predict(nhwc);
  } catch (e) {
    if (!(e instanceof NotYetImplemented)) throw e;
    ctx.note('forward rows ran on onnxruntime-node directly (Glassbox OnnxModel not available in this build)');
    const { raw, rawInput } = ctx.side;
    return () => raw.run({ [rawInput]: new ort.Tensor('float32', nchw.data, nchw.shape) });
  }
}
