/**
 * Max- and average-sensitivity (Yeh, Hsieh, Suggala, Inouye & Ravikumar 2019, "On the
 * (In)fidelity and Sensitivity of Explanations"; Quantus `MaxSensitivity`, `AvgSensitivity`):
 * explain `samples` copies of each input with uniform noise in ±radius added to every value, and
 * measure ‖h(x + δ) − h(x)‖₂ / ‖h(x)‖₂ for each; max-sensitivity is the largest, average
 * sensitivity the mean. `radius` is a fraction of the input's value range (max − min), so the
 * same setting means the same thing for [0, 1] images and standardised data. Lower is better.
 * Both metrics share one set of perturbed explanations when asked for the same batch.
 */
import { z } from 'zod';
import { createRng } from '../core/random.js';
import { defineMetric, type MetricBatch, type MetricContext } from './metric.js';
import { mean, norm2 } from './common/stats.js';

const options = z.strictObject({
  samples: z.number().int().positive().default(8).describe('noisy copies per input (Quantus: 200)'),
  radius: z
    .number()
    .positive()
    .default(0.05)
    .describe("noise half-width as a fraction of the input's value range"),
});
type Options = z.infer<typeof options>;

/**
 * Sensitivities d_j per input, memoised on the explanations array (and inputs) so that max- and
 * avg-sensitivity of the same explanations explain the noisy copies only once.
 */
const memo = new WeakMap<object, Map<string, { inputs: object; result: Promise<number[][]> }>>();

function sensitivities(ctx: MetricContext, batch: MetricBatch, o: Options): Promise<number[][]> {
  const key = JSON.stringify([ctx.seed, o.samples, o.radius, batch.targets]);
  let perBatch = memo.get(batch.explanations);
  if (!perBatch) memo.set(batch.explanations, (perBatch = new Map()));
  const hit = perBatch.get(key);
  if (hit && hit.inputs === batch.inputs) return hit.result;
  const result = compute(ctx, batch, o);
  perBatch.set(key, { inputs: batch.inputs, result });
  result.catch(() => perBatch.delete(key));
  return result;
}

async function compute(ctx: MetricContext, batch: MetricBatch, o: Options): Promise<number[][]> {
  const { inputs, targets, layout } = batch;
  const n = targets.length;
  const size = layout.size;
  const noisy = new Float32Array(n * o.samples * size);
  const noisyTargets: number[] = [];
  for (let e = 0; e < n; e++) {
    const x = inputs.data.subarray(e * size, (e + 1) * size);
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of x) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    const r = o.radius * (hi > lo ? hi - lo : 1);
    const rng = createRng(`${ctx.seed}:sensitivity:${e}`);
    for (let s = 0; s < o.samples; s++) {
      const off = (e * o.samples + s) * size;
      for (let i = 0; i < size; i++) noisy[off + i] = x[i] + rng.uniform(-r, r);
      noisyTargets.push(targets[e]);
    }
  }
  const again = await ctx.reexplain(
    { data: noisy, shape: [n * o.samples, ...inputs.shape.slice(1)] },
    noisyTargets,
  );
  return Array.from({ length: n }, (_, e) => {
    const base = batch.maps[e];
    const denom = norm2(base);
    return Array.from({ length: o.samples }, (_, s) => {
      const m = again[e * o.samples + s].heatmap.data;
      const diff = m.map((v, i) => v - base[i]);
      return denom > 0 ? norm2(diff) / denom : NaN;
    });
  });
}

const reference =
  'Yeh et al. 2019, "On the (In)fidelity and Sensitivity of Explanations" (Quantus MaxSensitivity/AvgSensitivity): relative L2 change of the heatmap under uniform input noise';

export const maxSensitivity = defineMetric({
  name: 'max-sensitivity',
  title: 'Max-sensitivity',
  family: 'robustness',
  reference,
  direction: 'lower',
  kinds: ['image', 'signal', 'table'],
  needs: ['reexplain'],
  options,
  async evaluate(ctx, batch, o) {
    const d = await sensitivities(ctx, batch, o);
    return { scores: d.map((row) => Math.max(...row)) };
  },
});

export const avgSensitivity = defineMetric({
  name: 'avg-sensitivity',
  title: 'Average sensitivity',
  family: 'robustness',
  reference,
  direction: 'lower',
  kinds: ['image', 'signal', 'table'],
  needs: ['reexplain'],
  options,
  async evaluate(ctx, batch, o) {
    const d = await sensitivities(ctx, batch, o);
    return { scores: d.map(mean) };
  },
});
