/**
 * One table of every perturbation method, walked through the same checks (as Captum's shared test
 * table does): progress reaches its total, cancellation stops the run, results do not depend on
 * the forward-pass batch size or on which other inputs share the call, a seed reproduces a run,
 * and repeated runs leave no TF.js tensors behind.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initTf, tf } from '../../src/runtime/tf.js';
import { TfjsModel } from '../../src/models/tfjs-model.js';
import { explain } from '../../src/methods/index.js';
import type { Model } from '../../src/models/model.js';
import { maskCacheStats, setMaskCacheBudget } from '../../src/methods/perturbation/common/masks.js';
import { smallCnn } from '../helpers/models.js';
import { blobDetector, functionModel, maxAbsDiff, uniform } from './helpers.js';

interface Case {
  method: string;
  model: () => Model;
  options: Record<string, unknown>;
}

const image = functionModel([8, 8, 2], 3, (x) => {
  let a = 0;
  let b = 0;
  for (let i = 0; i < x.length; i++) {
    a += Math.sin(i) * x[i];
    b += Math.cos(i * 0.7) * x[i] * x[i];
  }
  return [a, b, Math.tanh(a - b)];
});
const table = functionModel([6], 2, (x) => [x[0] * x[1] + Math.tanh(x[2] - x[3]) + 0.5 * x[4] - x[5], 0]);
const background = Array.from({ length: 30 }, (_, r) => Array.from(uniform(6, 1000 + 7 * r, -1, 1)));
let cnn: TfjsModel;

const cases: Case[] = [
  { method: 'occlusion', model: () => image, options: { patch: 3, stride: 2 } },
  { method: 'rise', model: () => image, options: { masks: 50, gridSize: 3 } },
  { method: 'lime', model: () => image, options: { segmentation: 'grid', segments: 9, samples: 40 } },
  { method: 'lime', model: () => table, options: { background, samples: 60 } },
  { method: 'kernel-shap', model: () => image, options: { segmentation: 'grid', segments: 9, samples: 40 } },
  { method: 'kernel-shap', model: () => table, options: { background, maxBackground: 5 } },
  { method: 'score-cam', model: () => cnn, options: {} },
  { method: 'sise', model: () => cnn, options: {} },
  { method: 'd-rise', model: () => blobDetector(12, 12), options: { masks: 40, gridSize: 4 } },
];

function inputsFor(model: Model, n: number) {
  const per = model.inputShape.reduce((a, b) => a * b, 1);
  const data = Float32Array.from(uniform(n * per, 77, 0, 1));
  if (model.name === 'blob-detector') for (let i = 0; i < n; i++) for (let p = 20; p < 60; p += 12) data.fill(0.95, i * per + p * 3, i * per + p * 3 + 12);
  return { data, shape: [n, ...model.inputShape] };
}

beforeAll(async () => {
  await initTf();
  cnn = new TfjsModel(smallCnn('relu'));
});

describe.each(cases)('$method on $options', ({ method, model: make, options }) => {
  it('reports progress up to its total and is reproducible for a seed', async () => {
    const model = make();
    const calls: [number, number][] = [];
    const x = inputsFor(model, 2);
    const a = await explain(model, x, method, { seed: 5, options: { ...options, batchSize: 7 }, onProgress: (d, t) => calls.push([d, t]) });
    expect(calls.length).toBeGreaterThan(1);
    const [lastDone, lastTotal] = calls[calls.length - 1];
    expect(lastDone).toBe(lastTotal);
    for (let i = 1; i < calls.length; i++) expect(calls[i][0]).toBeGreaterThanOrEqual(calls[i - 1][0]);
    for (const [d, t] of calls) expect(d).toBeLessThanOrEqual(t);
    const b = await explain(model, x, method, { seed: 5, options: { ...options, batchSize: 7 } });
    expect(Array.from(b[1].attribution.data)).toEqual(Array.from(a[1].attribution.data));
  });

  it('does not depend on the batch size or on the other inputs of the call', async () => {
    const model = make();
    const x = inputsFor(model, 2);
    const together = await explain(model, x, method, { seed: 3, options: { ...options, batchSize: 64 } });
    const alone = await explain(model, { data: x.data.subarray(x.data.length / 2), shape: [1, ...model.inputShape] }, method, {
      seed: 3,
      targets: [together[1].target],
      options: { ...options, batchSize: 1 },
    });
    expect(maxAbsDiff(alone[0].attribution.data, together[1].attribution.data)).toBeLessThan(1e-5);
    expect(together[0].attribution.shape).toEqual(model.inputShape);
  });

  it('stops when cancelled', async () => {
    const model = make();
    const controller = new AbortController();
    let seen = 0;
    const run = explain(model, inputsFor(model, 2), method, {
      options: { ...options, batchSize: 2 },
      signal: controller.signal,
      onProgress: (d, t) => {
        seen++;
        if (d < t) controller.abort();
      },
    });
    await expect(run).rejects.toThrow(/cancelled/);
    expect(seen).toBe(1);
  });
});

describe('resources', () => {
  it('leaves no TF.js tensors behind over repeated calls', async () => {
    const x = inputsFor(cnn, 2);
    const run = async () => {
      for (const method of ['occlusion', 'rise', 'score-cam', 'sise']) await explain(cnn, x, method, { options: method === 'rise' ? { masks: 30 } : {} });
    };
    await run();
    const before = tf.memory().numTensors;
    await run();
    await run();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('keeps the RISE mask cache within its budget', async () => {
    setMaskCacheBudget(200_000);
    for (let seed = 0; seed < 12; seed++) await explain(image, inputsFor(image, 1), 'rise', { seed, options: { masks: 300, gridSize: 3 } });
    const stats = maskCacheStats();
    expect(stats.bytes).toBeLessThanOrEqual(200_000);
    expect(stats.bytes).toBeGreaterThan(0);
    setMaskCacheBudget(256 * 1024 * 1024);
  });
});
