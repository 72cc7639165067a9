/**
 * Sanity checks and robustness: a map that ignores the model (the input itself) must fail the
 * randomisation and random-logit tests while the gradient passes; sensitivities have known values.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { initTf } from '../../src/runtime/tf.js';
import { TfjsModel } from '../../src/models/tfjs-model.js';
import { explain } from '../../src/methods/index.js';
import { registerMethod } from '../../src/methods/registry.js';
import { defineMethod } from '../../src/methods/method.js';
import { evaluateMetric } from '../../src/metrics/index.js';
import { cloneLayersModel, randomiseLayer, weightedLayers } from '../../src/metrics/randomise.js';
import { isGlassboxError } from '../../src/core/errors.js';
import { seeded, smallCnn } from '../helpers/models.js';
import { LinearModel, uniformValues } from './helpers.js';

// A "method" whose map is the input itself: independent of the weights and of the class.
registerMethod(
  defineMethod({
    name: 'test-input-map',
    title: 'the input (test only)',
    family: 'gradient',
    reference: 'none',
    needs: 'predict',
    kinds: ['image', 'signal', 'table'],
    reduce: 'sum',
    signed: false,
    options: z.strictObject({}),
    async attribute(_ctx, inputs) {
      return { attributions: { data: inputs.data.slice(), shape: [...inputs.shape] } };
    },
  }),
);

beforeAll(async () => {
  await initTf();
});

const shape = [3, 8, 8, 2];
const x = { data: Float32Array.from(seeded(3 * 128, 9), (v) => 0.5 + 0.5 * v), shape };

describe('model-parameter randomisation', () => {
  it('fails a map of the input and passes the gradient (cascading and independent)', async () => {
    const lm = smallCnn('relu');
    const model = new TfjsModel(lm);
    const before = await model.predict(x);
    const results: Record<string, Record<string, number>> = {};
    for (const method of ['gradient', 'test-input-map']) {
      const exps = await explain(model, x, method, { seed: 0 });
      results[method] = {};
      for (const metric of ['cascading-randomisation', 'independent-randomisation']) {
        const r = await evaluateMetric(model, x, exps, metric, { seed: 5 });
        results[method][metric] = r.mean;
        const curve = r.curves!.find((c) => c.name === 'spearman')!;
        expect(curve.xNames).toEqual(['logits', 'conv2', 'conv1']);
        if (method === 'test-input-map') {
          for (const row of r.curves!.flatMap((c) => c.y))
            for (const v of row) expect(v).toBeCloseTo(1, 10);
        }
      }
    }
    for (const metric of ['cascading-randomisation', 'independent-randomisation']) {
      expect(results['test-input-map'][metric]).toBeCloseTo(1, 10);
      expect(results.gradient[metric]).toBeLessThan(0.6);
    }
    // The model under test keeps its trained weights.
    const after = await model.predict(x);
    expect(Array.from(after.data)).toEqual(Array.from(before.data));
  });

  it('randomises layers reproducibly from the seed, on a clone', async () => {
    const lm = smallCnn('relu');
    const a = await cloneLayersModel(lm);
    const b = await cloneLayersModel(lm);
    expect(weightedLayers(a)).toEqual(['conv1', 'conv2', 'logits']);
    const original = Array.from(lm.getLayer('conv2').getWeights()[0].dataSync());
    randomiseLayer(a, 'conv2', 1, 'reinit');
    randomiseLayer(b, 'conv2', 1, 'reinit');
    const wa = Array.from(a.getLayer('conv2').getWeights()[0].dataSync());
    expect(Array.from(b.getLayer('conv2').getWeights()[0].dataSync())).toEqual(wa);
    expect(wa).not.toEqual(original);
    // Glorot-uniform bound for a 3×3×4→3 kernel: sqrt(6 / (36 + 27)).
    const limit = Math.sqrt(6 / (9 * 4 + 9 * 3));
    for (const v of wa) expect(Math.abs(v)).toBeLessThanOrEqual(limit + 1e-6);
    randomiseLayer(b, 'conv2', 2, 'permute');
    const permuted = Array.from(b.getLayer('conv2').getWeights()[0].dataSync());
    expect([...permuted].sort()).toEqual([...wa].sort());
    expect(permuted).not.toEqual(wa);
    expect(Array.from(lm.getLayer('conv2').getWeights()[0].dataSync())).toEqual(original);
    a.dispose();
    b.dispose();
  });

  it('asks for a TF.js model', async () => {
    const lin = new LinearModel([4], [new Float64Array(4), new Float64Array(4)], [0, 0], 'table');
    const inputs = { data: new Float32Array(4), shape: [1, 4] };
    const exps = await explain(lin, inputs, 'gradient', { targets: [0] });
    const err = await evaluateMetric(lin, inputs, exps, 'cascading-randomisation').catch((e) => e);
    expect(isGlassboxError(err)).toBe(true);
    expect(err.message).toMatch(/TF\.js model/);
  });
});

describe('random logit test', () => {
  it('gives SSIM 1 for a class-blind map and less for the gradient', async () => {
    const model = new TfjsModel(smallCnn('relu'));
    const blind = await evaluateMetric(
      model,
      x,
      await explain(model, x, 'test-input-map'),
      'random-logit',
      { seed: 2 },
    );
    for (const s of blind.scores) expect(s).toBeCloseTo(1, 10);
    const grad = await evaluateMetric(
      model,
      x,
      await explain(model, x, 'gradient'),
      'random-logit',
      { seed: 2 },
    );
    expect(grad.mean).toBeLessThan(0.9);
    const preds = await model.predict(x);
    grad.details!.otherClass.forEach((cls, e) => {
      expect(cls).not.toBe(argmax(preds.data.subarray(e * 5, e * 5 + 5)));
      expect(cls).toBeGreaterThanOrEqual(0);
      expect(cls).toBeLessThan(5);
    });
  });
});

function argmax(a: ArrayLike<number>): number {
  let b = 0;
  for (let i = 1; i < a.length; i++) if (a[i] > a[b]) b = i;
  return b;
}

describe('max- and average sensitivity', () => {
  const size = 6 * 5;
  const lin = new LinearModel(
    [6, 5, 1],
    [
      Float64Array.from(uniformValues(size, 1), (v) => v - 0.5),
      Float64Array.from(uniformValues(size, 2)),
    ],
    [0, 0],
  );
  const inputs = { data: uniformValues(2 * size, 3), shape: [2, 6, 5, 1] };

  it('are 0 for the gradient of a linear model, which does not depend on the input', async () => {
    const exps = await explain(lin, inputs, 'gradient', { targets: [0, 1] });
    for (const metric of ['max-sensitivity', 'avg-sensitivity']) {
      const r = await evaluateMetric(lin, inputs, exps, metric, { seed: 1 });
      for (const s of r.scores) expect(s).toBe(0);
    }
  });

  it('bound the change of a map of the input by the noise, max ≥ avg, and share one set of explanations', async () => {
    const exps = await explain(lin, inputs, 'test-input-map', { targets: [0, 1] });
    const calls = lin.predictCalls;
    const mx = await evaluateMetric(lin, inputs, exps, 'max-sensitivity', {
      seed: 1,
      options: { radius: 0.1, samples: 6 },
    });
    const afterMax = lin.predictCalls;
    const av = await evaluateMetric(lin, inputs, exps, 'avg-sensitivity', {
      seed: 1,
      options: { radius: 0.1, samples: 6 },
    });
    expect(afterMax).toBeGreaterThan(calls);
    expect(lin.predictCalls).toBe(afterMax);
    for (let e = 0; e < 2; e++) {
      const xi = inputs.data.subarray(e * size, (e + 1) * size);
      const range = Math.max(...xi) - Math.min(...xi);
      const norm = Math.sqrt(xi.reduce((s, v) => s + v * v, 0));
      // |δ| ≤ 0.1·range per value: ‖δ‖ ≤ 0.1·range·√n, and uniform noise has E‖δ‖² = n·r²/3.
      expect(mx.scores[e]).toBeLessThanOrEqual((0.1 * range * Math.sqrt(size)) / norm + 1e-9);
      expect(av.scores[e]).toBeGreaterThan((0.5 * 0.1 * range * Math.sqrt(size / 3)) / norm);
      expect(mx.scores[e]).toBeGreaterThanOrEqual(av.scores[e]);
    }
  });
});
