/**
 * The gates recomputed from an LSTM's weights, recombined into c_t and h_t, must equal what
 * TF.js's own LSTM layer computes (its LSTMCell is the reference for the gate order i, f, c, o).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initTf, tf } from '../../src/runtime/tf.js';
import { createRng } from '../../src/core/random.js';
import { buildModel } from '../../src/train/architectures/index.js';
import { parseConfig } from '../../src/train/config.js';
import { computeGates, layerInput, lstmWeights, type LstmWeights } from '../../src/dynamics/lstm-gates.js';

beforeAll(async () => {
  await initTf();
});

const STEPS = 12;
const FEATURES = 3;
const UNITS = 5;

/** A TF.js LSTM with random weights large enough to push the gates into their saturated ranges. */
function randomLstm(recurrentActivation: string, seed: number): { layer: tf.layers.Layer; x: Float32Array } {
  const rng = createRng(`lstm-test:${seed}`);
  const layer = tf.layers.lstm({ units: UNITS, returnSequences: true, returnState: true, recurrentActivation: recurrentActivation as any, inputShape: [STEPS, FEATURES] });
  tf.tidy(() => void layer.apply(tf.zeros([1, STEPS, FEATURES]))); // builds the weights
  layer.setWeights(layer.getWeights().map((w) => tf.tensor(Float32Array.from({ length: w.size }, () => rng.normal(0, 1.5)), w.shape)));
  const x = Float32Array.from({ length: STEPS * FEATURES }, () => rng.normal(0, 1));
  return { layer, x };
}

/** TF.js's own outputs: h_t for every step, and c_t for every step by running each prefix. */
function reference(layer: tf.layers.Layer, x: Float32Array): { h: Float32Array; c: Float32Array } {
  const h = new Float32Array(STEPS * UNITS);
  const c = new Float32Array(STEPS * UNITS);
  tf.tidy(() => {
    const [seq] = layer.apply(tf.tensor(x, [1, STEPS, FEATURES])) as tf.Tensor[];
    h.set(seq.dataSync());
    for (let t = 1; t <= STEPS; t++) {
      const prefix = tf.tensor(x.subarray(0, t * FEATURES), [1, t, FEATURES]);
      const [, , cT] = layer.apply(prefix) as tf.Tensor[];
      c.set(cT.dataSync(), (t - 1) * UNITS);
    }
  });
  return { h, c };
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe('LSTM gates from the weights', () => {
  for (const act of ['hardSigmoid', 'sigmoid']) {
    it(`recombine into TF.js's c_t and h_t (recurrent activation ${act})`, () => {
      const { layer, x } = randomLstm(act, act.length);
      const w = lstmWeights(layer);
      expect(w.recurrentActivation).toBe(act);
      const g = computeGates(w, x, STEPS);
      const ref = reference(layer, x);
      expect(maxAbsDiff(g.h, ref.h)).toBeLessThan(1e-5);
      expect(maxAbsDiff(g.c, ref.c)).toBeLessThan(1e-5);
      // Recombine by hand from the gates alone: c_t = f·c_{t−1} + i·g, h_t = o·tanh(c_t).
      let prev = new Float32Array(UNITS);
      for (let t = 0; t < STEPS; t++) {
        for (let u = 0; u < UNITS; u++) {
          const k = t * UNITS + u;
          const c = g.forget[k] * prev[u] + g.input[k] * g.cell[k];
          expect(Math.abs(c - ref.c[k])).toBeLessThan(1e-5);
          expect(Math.abs(g.output[k] * Math.tanh(c) - ref.h[k])).toBeLessThan(1e-5);
        }
        prev = ref.c.slice(t * UNITS, (t + 1) * UNITS);
      }
      // The gates really vary (the test is not passing on saturated constants).
      const spread = (a: Float32Array) => Math.max(...a) - Math.min(...a);
      expect(spread(g.forget)).toBeGreaterThan(0.5);
      layer.dispose();
    });
  }

  it('fails to match when the gate order is wrong (i and f swapped)', () => {
    const { layer, x } = randomLstm('hardSigmoid', 3);
    const w = lstmWeights(layer);
    const swap = (a: Float32Array, rows: number): Float32Array => {
      const out = a.slice();
      for (let r = 0; r < rows; r++) {
        for (let j = 0; j < UNITS; j++) {
          out[r * 4 * UNITS + j] = a[r * 4 * UNITS + UNITS + j];
          out[r * 4 * UNITS + UNITS + j] = a[r * 4 * UNITS + j];
        }
      }
      return out;
    };
    const wrong: LstmWeights = { ...w, kernel: swap(w.kernel, FEATURES), recurrentKernel: swap(w.recurrentKernel, UNITS), bias: swap(w.bias, 1) };
    const ref = reference(layer, x);
    expect(maxAbsDiff(computeGates(wrong, x, STEPS).h, ref.h)).toBeGreaterThan(1e-2);
    layer.dispose();
  });

  it('reads the sequence a Glassbox row-by-row LSTM sees and reproduces its output', () => {
    const config = parseConfig({ name: 't', dataset: { name: 'mnist' }, model: { architecture: 'lstm', units: 6, dense: [] } });
    const model = buildModel(config.model, { inputShape: [7, 4, 1], numClasses: 3, seed: 5 });
    const rng = createRng('row-lstm');
    const example = Float32Array.from({ length: 28 }, () => rng.next());
    const seq = layerInput(model, 'lstm1', example, [7, 4, 1]);
    expect([seq.steps, seq.features]).toEqual([7, 4]);
    expect(Array.from(seq.x)).toEqual(Array.from(example)); // rows are the steps
    const g = computeGates(lstmWeights(model.getLayer('lstm1')), seq.x, seq.steps);
    const lastH = tf.tidy(() => (tf.model({ inputs: model.inputs, outputs: model.getLayer('lstm1').output as tf.SymbolicTensor }).predict(tf.tensor(example, [1, 7, 4, 1])) as tf.Tensor).dataSync());
    expect(maxAbsDiff(g.h.subarray(6 * 6), Float32Array.from(lastH))).toBeLessThan(1e-5);
    model.dispose();
  });
});
