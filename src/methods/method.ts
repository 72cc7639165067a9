/**
 * What an attribution method is: a named, documented function from a batch of inputs and target
 * classes to attributions, with options validated by a zod schema. Methods are registered in a
 * table (registry.ts) that the CLI, the API and the web app all list from.
 */
import type { z } from 'zod';
import type { NdArray } from '../core/ndarray.js';
import type { InputKind, Model, ScoreKind } from '../models/model.js';

export type MethodFamily = 'gradient' | 'cam' | 'perturbation' | 'wrapper' | 'layer';

/** How the raw attribution [..., C] becomes a one-value-per-position heatmap. */
export type ChannelReduction = 'sum' | 'absmax' | 'abssum' | 'mean';

export interface MethodContext {
  model: Model;
  seed: number;
  score: ScoreKind;
  /** Called with (done, total) units of work, e.g. forward passes. */
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
  /** Informational messages (e.g. which layer was chosen). */
  log?: (message: string) => void;
}

export interface AttributionBatch {
  /** [N, ...model.inputShape] */
  attributions: NdArray;
  /** Layer used, for layer methods. */
  layer?: string;
  /** Per-example numbers worth reporting, e.g. Integrated Gradients' completeness delta. */
  extras?: Record<string, number>[];
}

export interface MethodSpec<S extends z.ZodTypeAny = z.ZodTypeAny> {
  name: string;
  title: string;
  family: MethodFamily;
  /** The paper the implementation follows, and any convention it adopts. */
  reference: string;
  needs: 'predict' | 'gradients';
  /** What a call with these options needs, when it differs from `needs` (wrappers: the wrapped method's). */
  needsWith?(options: z.infer<S>): 'predict' | 'gradients';
  kinds: InputKind[];
  reduce: ChannelReduction;
  /** True when attributions carry a meaningful sign (shown with a diverging colour map). */
  signed: boolean;
  options: S;
  attribute(ctx: MethodContext, inputs: NdArray, targets: number[], options: z.infer<S>): Promise<AttributionBatch>;
}

/** Declares a method with its option type inferred from the schema. */
export function defineMethod<S extends z.ZodTypeAny>(spec: MethodSpec<S>): MethodSpec<S> {
  return spec;
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new Error('cancelled');
}
