import { z } from 'zod';
import { defineMethod, type MethodContext } from '../method.js';
import { classifierOperator, type Operator } from './common/operator.js';
import { gridOf, methodSeed, PassCounter, runOptions, scorePerturbations, spreadOverChannels } from './common/runner.js';
import { baselineFor, baselineOption, blurSigmaOption } from './common/baseline.js';
import { riseMasks, type RiseMasks } from './common/masks.js';

export const riseOptions = z.strictObject({
  masks: z.number().int().positive().default(4000).describe('number of random masks N'),
  gridSize: z.number().int().min(1).default(7).describe('side s of the binary grid each mask is upsampled from'),
  keepProbability: z.number().gt(0).max(1).default(0.5).describe('probability p that a grid cell keeps the input'),
  baseline: baselineOption.default(0).describe('what masked-out parts become (the paper multiplies by the mask: 0)'),
  blurSigma: blurSigmaOption,
  ...runOptions,
});
export type RiseOptions = z.infer<typeof riseOptions>;

/**
 * Σ_i f(x ⊙ M_i + b ⊙ (1 − M_i)) · M_i / (N·p) for one example x (positions × channels), where f is
 * any operator; one value per position.
 */
export async function riseSaliency(
  x: Float32Array,
  exampleShape: number[],
  channels: number,
  op: Operator,
  masks: RiseMasks,
  baseline: Float32Array,
  batchSize: number,
  passes: PassCounter,
): Promise<Float32Array> {
  const positions = masks.positions;
  // Masks rebuilt on demand are kept for their batch, so each is built once.
  // Two batches of masks: the next batch is built before the current one's scores arrive.
  const capacity = 2 * Math.max(1, Math.min(batchSize, masks.count));
  const held = new Float32Array(capacity * positions);
  const slot = (i: number) => held.subarray((i % capacity) * positions, (i % capacity + 1) * positions);
  const sal = new Float64Array(positions);
  // x⊙M + b⊙(1 − M) = b + (x − b)⊙M: one multiply-add per value.
  const diff = Float32Array.from(x, (v, k) => v - baseline[k]);
  await scorePerturbations(op, exampleShape, masks.count, batchSize, (i, out) => {
    const m = masks.mask(i, slot(i));
    if (channels === 3) {
      for (let p = 0, k = 0; p < positions; p++, k += 3) {
        const keep = m[p];
        out[k] = baseline[k] + diff[k] * keep;
        out[k + 1] = baseline[k + 1] + diff[k + 1] * keep;
        out[k + 2] = baseline[k + 2] + diff[k + 2] * keep;
      }
      return;
    }
    for (let p = 0, k = 0; p < positions; p++) {
      const keep = m[p];
      for (let c = 0; c < channels; c++, k++) out[k] = baseline[k] + diff[k] * keep;
    }
  }, passes, (start, scores) => {
    for (let j = 0; j < scores.length; j++) {
      const s = scores[j];
      if (s === 0) continue;
      const m = masks.stored ? masks.mask(start + j, slot(start + j)) : slot(start + j);
      for (let p = 0; p < positions; p++) sal[p] += s * m[p];
    }
  });
  const norm = masks.count * masks.keepProbability;
  return Float32Array.from(sal, (v) => v / norm);
}

/** RISE: weight random masks by the score of the masked input. */
export const rise = defineMethod({
  name: 'rise',
  title: 'RISE',
  family: 'perturbation',
  reference:
    'Petsiuk, Das & Saenko 2018, "RISE: Randomized Input Sampling for Explanation of Black-box Models" ' +
    '(saliency = Σ_i f(x⊙M_i)·M_i / (N·p); masks as in the authors\' code: s×s binary grid, bilinear upsampling to (s+1)·⌈H/s⌉, random crop)',
  needs: 'predict',
  kinds: ['image', 'signal'],
  reduce: 'mean',
  signed: false,
  options: riseOptions,
  async attribute(ctx: MethodContext, inputs, targets, options) {
    const { model } = ctx;
    const { grid, channels } = gridOf(model.inputShape, model.kind);
    const masks = riseMasks({ seed: methodSeed(ctx, options), count: options.masks, gridSize: options.gridSize, keepProbability: options.keepProbability, size: grid });
    const n = inputs.shape[0];
    const per = masks.positions * channels;
    const passes = new PassCounter(ctx, n * options.masks);
    const out = new Float32Array(n * per);
    for (let i = 0; i < n; i++) {
      const x = inputs.data.subarray(i * per, (i + 1) * per);
      const baseline = baselineFor(x, grid, channels, options.baseline, { blurSigma: options.blurSigma });
      const op = classifierOperator(model, targets[i], ctx.score);
      const sal = await riseSaliency(x, model.inputShape, channels, op, masks, baseline, options.batchSize, passes);
      spreadOverChannels(sal, channels, out, i * per);
    }
    return { attributions: { data: out, shape: [n, ...model.inputShape] } };
  },
});
