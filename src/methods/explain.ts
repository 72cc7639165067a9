/** The one verb every face of Glassbox uses: explain a batch with a named method. */
import type { NdArray } from '../core/ndarray.js';
import { argmaxRows, batchItem, concatBatches, softmaxRows } from '../core/ndarray.js';
import { fail } from '../core/errors.js';
import { parseOptions } from '../core/options.js';
import type { Model, ScoreKind } from '../models/model.js';
import { checkInputBatch, checkTargets } from '../models/validate.js';
import type { AttributionBatch, MethodContext } from './method.js';
import { getMethod } from './registry.js';
import { observedModel } from '../models/observed.js';
import { reduceChannels, type Explanation } from './explanation.js';

export interface ExplainOptions {
  /** One class per input; default: the predicted class. */
  targets?: number[];
  seed?: number;
  /** Method options (validated against the method's schema). */
  options?: Record<string, unknown>;
  score?: ScoreKind;
  /** Inputs per call to the method; the method may batch further internally. */
  batchSize?: number;
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
  log?: (message: string) => void;
}

export async function explain(model: Model, inputs: NdArray, methodName: string, opts: ExplainOptions = {}): Promise<Explanation[]> {
  const method = getMethod(methodName);
  const options = parseOptions(method.options, opts.options, `options for ${method.name}`);
  const needs = method.needsWith?.(options) ?? method.needs;
  if (needs === 'gradients' && !model.whiteBox) {
    fail(`method ${method.name} needs gradients, which model ${model.name} does not provide; use a perturbation method`);
  }
  if (!method.kinds.includes(model.kind)) {
    fail(`method ${method.name} does not apply to ${model.kind} inputs (it supports: ${method.kinds.join(', ')})`);
  }
  checkInputBatch(inputs, model.inputShape, model.name);
  const n = inputs.shape[0];
  const scoreKind: ScoreKind = opts.score ?? (model.outputKind === 'probabilities' ? 'probability' : 'logit');

  // Without targets the prediction picks them, so it comes first. With targets, a method that
  // runs the inputs themselves through the model (a gradient pass, or a perturbation method's
  // unperturbed score) already has their class outputs, and the separate prediction (a whole
  // forward pass, a third of a single-image gradient) is skipped.
  const first = opts.targets ? undefined : await model.predict(inputs);
  const targets = opts.targets ?? argmaxRows(first!);
  checkTargets(targets, n, model.numClasses);
  const seen = new Map<Float32Array, NdArray>();
  const observed = first
    ? model
    : observedModel(model, {
        predict: (x, out) => seen.set(x.data, out),
        gradients: (r, result) => {
          if (result.outputs) seen.set(r.input.data, result.outputs);
        },
      });

  const ctx: MethodContext = {
    model: observed,
    seed: opts.seed ?? 0,
    score: scoreKind,
    onProgress: opts.onProgress,
    signal: opts.signal,
    log: opts.log,
  };
  const chunk = Math.max(1, opts.batchSize ?? n);
  const parts: AttributionBatch[] = [];
  const started = performance.now();
  const outputs: (NdArray | undefined)[] = [];
  for (let i = 0; i < n; i += chunk) {
    const end = Math.min(n, i + chunk);
    const slice = sliceBatch(inputs, i, end);
    parts.push(await method.attribute(ctx, slice, targets.slice(i, end), options));
    outputs.push(seen.get(slice.data));
    seen.clear();
  }
  const elapsed = performance.now() - started;
  const raw =
    first ??
    (outputs.every((o) => o !== undefined)
      ? concatBatches(outputs as NdArray[])
      : await model.predict(inputs));
  const probs = model.outputKind === 'logits' ? softmaxRows(raw) : raw;
  const predicted = argmaxRows(raw);
  const attributions = concatBatches(parts.map((p) => p.attributions));
  const extras = parts.flatMap((p, j) => p.extras ?? Array.from({ length: p.attributions.shape[0] }, () => ({})));
  const k = model.numClasses;
  return targets.map((target, i) => {
    const attribution = copy(batchItem(attributions, i));
    attribution.shape = attribution.shape.slice(1);
    const score = scoreKind === 'probability' ? probs.data[i * k + target] : raw.data[i * k + target];
    return {
      method: method.name,
      options: options as Record<string, unknown>,
      target,
      targetName: model.classNames?.[target],
      score,
      scoreKind,
      predicted: predicted[i],
      layer: parts[0]?.layer,
      milliseconds: elapsed / n,
      signed: method.signed,
      attribution,
      heatmap: reduceChannels(attribution, method.reduce),
      extras: extras[i] ?? {},
    };
  });
}

function sliceBatch(a: NdArray, start: number, end: number): NdArray {
  const per = a.data.length / a.shape[0];
  return { data: a.data.subarray(start * per, end * per), shape: [end - start, ...a.shape.slice(1)] };
}

function copy(a: NdArray): NdArray {
  return { data: a.data.slice(), shape: [...a.shape] };
}
