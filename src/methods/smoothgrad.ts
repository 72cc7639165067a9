/**
 * SmoothGrad, SmoothGrad² and VarGrad: one wrapper (Captum's NoiseTunnel) around any registered
 * method. Each input gets `samples` copies with Gaussian noise of std σ = noise × (max − min of
 * that input); the wrapped method explains them all and the results are averaged (SmoothGrad),
 * averaged after squaring (SmoothGrad²), or their variance taken (VarGrad).
 */
import { z } from 'zod';
import type { NdArray } from '../core/ndarray.js';
import { sizeOf } from '../core/ndarray.js';
import { fail } from '../core/errors.js';
import { parseOptions } from '../core/options.js';
import { defineMethod, throwIfAborted, type MethodSpec } from './method.js';
import { getMethod } from './registry.js';
import { exampleRange } from './baselines.js';
import { exampleRng } from './example-rng.js';

export const noiseTunnelOptions = z.strictObject({
  method: z
    .string()
    .default('gradient')
    .describe('the registered method to smooth, e.g. integrated-gradients'),
  methodOptions: z
    .record(z.string(), z.unknown())
    .default({})
    .describe("the wrapped method's own options"),
  samples: z.number().int().min(1).max(100_000).default(50).describe('noisy copies per input'),
  noise: z
    .number()
    .min(0)
    .default(0.15)
    .describe('noise std as a fraction of the input range (max − min)'),
  seed: z.number().int().optional().describe('seed for the noise; default: the run seed'),
  batchSize: z
    .number()
    .int()
    .min(1)
    .default(32)
    .describe('noisy copies per call to the wrapped method'),
});

type Aggregate = 'mean' | 'mean-square' | 'variance';

function defineNoiseTunnel(
  name: string,
  title: string,
  aggregate: Aggregate,
  reference: string,
  signed: boolean,
): MethodSpec<typeof noiseTunnelOptions> {
  return defineMethod({
    name,
    title,
    family: 'wrapper',
    reference,
    // Listed as needing gradients (the default wrapped method does); a call needs what the
    // wrapped method needs, so a perturbation method can be smoothed on a black-box model.
    needs: 'gradients',
    needsWith: (o) => getMethod(o.method).needs,
    kinds: ['image', 'signal', 'table'],
    reduce: 'sum',
    signed,
    options: noiseTunnelOptions,
    async attribute(ctx, inputs, targets, o) {
      const inner = getMethod(o.method);
      const { model } = ctx;
      if (inner.needs === 'gradients' && !model.whiteBox)
        fail(
          `${name} wraps ${inner.name}, which needs gradients that model ${model.name} does not provide`,
        );
      if (!inner.kinds.includes(model.kind))
        fail(`${name} wraps ${inner.name}, which does not apply to ${model.kind} inputs`);
      const innerOptions = parseOptions(
        inner.options,
        o.methodOptions,
        `methodOptions for ${inner.name}`,
      );
      const n = inputs.shape[0];
      const tail = inputs.shape.slice(1);
      const per = sizeOf(tail);
      const seed = o.seed ?? ctx.seed;
      const rngs = Array.from({ length: n }, (_, i) => exampleRng(seed, inputs, i));
      const sigmas = Array.from({ length: n }, (_, i) => {
        const [lo, hi] = exampleRange(inputs, i);
        return o.noise * (hi - lo);
      });
      const sum = new Float64Array(n * per);
      const sumSq = new Float64Array(n * per);
      const extraSums: Record<string, number>[] = Array.from({ length: n }, () => ({}));
      let layer: string | undefined;
      const rows = n * o.samples;
      for (let start = 0; start < rows; start += o.batchSize) {
        throwIfAborted(ctx.signal);
        const end = Math.min(rows, start + o.batchSize);
        const data = new Float32Array((end - start) * per);
        const rowTargets: number[] = [];
        for (let r = start; r < end; r++) {
          const i = Math.floor(r / o.samples);
          const off = (r - start) * per;
          for (let j = 0; j < per; j++) {
            const x = inputs.data[i * per + j];
            data[off + j] = sigmas[i] > 0 ? x + rngs[i].normal(0, sigmas[i]) : x;
          }
          rowTargets.push(targets[i]);
        }
        // The wrapped method's own draws are seeded by each noisy copy's values (example-rng.ts).
        const innerCtx = { ...ctx, seed, onProgress: undefined };
        const out = await inner.attribute(
          innerCtx,
          { data, shape: [end - start, ...tail] },
          rowTargets,
          innerOptions,
        );
        layer ??= out.layer;
        const a = out.attributions.data;
        for (let r = start; r < end; r++) {
          const i = Math.floor(r / o.samples);
          const off = (r - start) * per;
          for (let j = 0; j < per; j++) {
            const v = a[off + j];
            sum[i * per + j] += v;
            sumSq[i * per + j] += v * v;
          }
          for (const [key, v] of Object.entries(out.extras?.[r - start] ?? {}))
            extraSums[i][key] = (extraSums[i][key] ?? 0) + v;
        }
        ctx.onProgress?.(end, rows);
      }
      const k = o.samples;
      const result = new Float32Array(n * per);
      for (let j = 0; j < result.length; j++) {
        const mean = sum[j] / k;
        const meanSq = sumSq[j] / k;
        result[j] =
          aggregate === 'mean'
            ? mean
            : aggregate === 'mean-square'
              ? meanSq
              : Math.max(0, meanSq - mean * mean);
      }
      const extras = extraSums.map((s, i) => {
        const e: Record<string, number> = { sigma: sigmas[i], samples: k };
        for (const [key, v] of Object.entries(s)) e[`inner.${key}`] = v / k;
        return e;
      });
      const attributions: NdArray = { data: result, shape: [...inputs.shape] };
      return { attributions, layer, extras };
    },
  });
}

export const smoothGrad = defineNoiseTunnel(
  'smoothgrad',
  'SmoothGrad',
  'mean',
  'Smilkov et al. 2017, "SmoothGrad" (mean of the wrapped method over noisy copies, σ = noise × (max − min) per input; signed as the wrapped method, heatmap sums channels; extras inner.* are the wrapped method\'s extras averaged)',
  true,
);

export const smoothGradSquared = defineNoiseTunnel(
  'smoothgrad-sq',
  'SmoothGrad²',
  'mean-square',
  'Hooker et al. 2019, "A Benchmark for Interpretability Methods in Deep Neural Networks" (mean of the squared attributions over noisy copies; unsigned)',
  false,
);

export const varGrad = defineNoiseTunnel(
  'vargrad',
  'VarGrad',
  'variance',
  'Adebayo et al. 2018, "Local Explanation Methods for Deep Neural Networks Lack Sensitivity to Parameter Values" (variance of the attributions over noisy copies, E[a²] − E[a]²; unsigned)',
  false,
);
