/** The explained score f(x) for each example, as gradient methods define it (see ScoreKind). */
import type { NdArray } from '../core/ndarray.js';
import { softmaxRows } from '../core/ndarray.js';
import type { MethodContext } from './method.js';

/**
 * f(x) for each row: from `predict` when the model's output gives it directly (cheap on every
 * engine), else from a gradient call, which is what defines the score in that case (e.g. the
 * pre-softmax logit of a TF.js model that ends in a softmax).
 */
export async function targetScores(
  ctx: MethodContext,
  inputs: NdArray,
  targets: number[],
): Promise<Float32Array> {
  const { model } = ctx;
  const fromPredict = ctx.score === 'probability' || model.outputKind === 'logits';
  if (!fromPredict)
    return (await model.gradients({ input: inputs, targets, score: ctx.score })).scores;
  let out = await model.predict(inputs);
  if (ctx.score === 'probability' && model.outputKind === 'logits') out = softmaxRows(out);
  const k = out.shape[1];
  return Float32Array.from(targets, (t, i) => out.data[i * k + t]);
}
