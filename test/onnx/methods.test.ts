/**
 * Every registered method runs unchanged on an OnnxModel: right shapes, finite values, and the
 * vanilla gradient equal to finite differences of the raw ONNX model.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { explain, listMethods } from '../../src/methods/index.js';
import { OnnxModel } from '../../src/models/onnx-model.js';
import { observedModel } from '../../src/models/observed.js';
import { softmaxRows } from '../../src/core/ndarray.js';
import { seeded } from '../helpers/models.js';
import { gapCnn } from './models.js';
import { finiteDifferences, forward, maxAbs, rawSession, relativeError, toChannelsFirst } from './fd.js';

const S = 16;
const N = 2;
const x = { data: Float32Array.from(seeded(N * S * S * 3, 31, 0.5), (v) => v + 0.5), shape: [N, S, S, 3] };
let model: OnnxModel;

beforeAll(async () => {
  model = await OnnxModel.fromBytes(gapCnn(S), { name: 'gap-cnn', threads: 1 });
});
afterAll(() => model.dispose());

/** Methods that explain detectors, not classifiers. */
const DETECTION_ONLY = new Set(['d-rise']);

describe('explain() with every registered method on an ONNX CNN', () => {
  for (const method of listMethods()) {
    if (DETECTION_ONLY.has(method.name) || !method.kinds.includes('image')) continue;
    it(method.name, async () => {
      const out = await explain(model, x, method.name, { targets: [1, 3], seed: 1 });
      expect(out).toHaveLength(N);
      for (const e of out) {
        expect(e.attribution.shape).toEqual([S, S, 3]);
        expect(e.attribution.data.every(Number.isFinite)).toBe(true);
        expect(e.heatmap.data.every(Number.isFinite)).toBe(true);
      }
    }, 30_000);
  }

  it('gradient equals finite differences of the raw model', async () => {
    // The smooth twin (Tanh, average pooling) keeps the reference exact; the ReLU/max-pool
    // network above is what the rule-specific methods exercise.
    const bytes = gapCnn(S, true);
    const smooth = await OnnxModel.fromBytes(bytes, { threads: 1 });
    const out = await explain(smooth, x, 'gradient', { targets: [1, 3] });
    smooth.dispose();
    const raw = await rawSession(bytes);
    const f = async (batch: Float32Array, m: number) => (await forward(raw, toChannelsFirst(batch, [m, S, S, 3]), [m, 3, S, S])).data;
    const fd = await finiteDifferences(f, x.data, N, [1, 3], 4, 1e-2);
    await raw.release();
    const ours = new Float32Array(fd.length);
    out.forEach((e, i) => ours.set(e.attribution.data, i * S * S * 3));
    expect(maxAbs(fd)).toBeGreaterThan(1e-2);
    expect(relativeError(ours, fd, 1e-6)).toBeLessThan(2e-3);
  });

  it('with targets given, a gradient at the inputs is the only pass: its outputs give score and prediction', async () => {
    const raw = await model.predict(x);
    const probs = softmaxRows(raw);
    const k = model.numClasses;
    const row = (i: number) => Array.from(raw.data.slice(i * k, (i + 1) * k));
    for (const [method, options] of [
      ['gradient', {}],
      ['grad-cam', { layer: model.layers().filter((l) => l.spatial).at(-1)!.name }],
    ] as const) {
      const calls: string[] = [];
      const watched = observedModel(model, {
        predict: () => calls.push('predict'),
        gradients: () => calls.push('gradients'),
        activations: () => calls.push('activations'),
      });
      for (const score of ['logit', 'probability'] as const) {
        calls.length = 0;
        const out = await explain(watched, x, method, { targets: [1, 3], options, score });
        expect(calls).toEqual(['gradients']);
        out.forEach((e, i) => {
          const t = [1, 3][i];
          expect(e.predicted).toBe(row(i).indexOf(Math.max(...row(i))));
          const want = score === 'logit' ? raw.data[i * k + t] : probs.data[i * k + t];
          expect(e.score).toBeCloseTo(want, 5);
        });
      }
      // Without targets the prediction picks them first, and is not repeated.
      calls.length = 0;
      await explain(watched, x, method, { options });
      expect(calls).toEqual(['predict', 'gradients']);
    }
    // A method that never runs a gradient at the inputs themselves (occlusion: predictions of
    // occluded copies) gets the separate prediction, after its own passes.
    const calls: string[] = [];
    const watched = observedModel(model, { predict: (input) => calls.push(input.data === x.data ? 'predict x' : 'predict') });
    const [e] = await explain(watched, x, 'occlusion', { targets: [2, 0], options: { patch: 8, stride: 8 } });
    expect(calls.at(-1)).toBe('predict x');
    expect(e.score).toBeCloseTo(raw.data[2], 5);
  });
});

