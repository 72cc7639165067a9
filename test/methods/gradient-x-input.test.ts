/** Gradient × input: against finite differences, and equal to Integrated Gradients on linear models. */
import { beforeAll, describe, expect, it } from 'vitest';
import { initTf, tf } from '../../src/runtime/tf.js';
import '../../src/methods/index.js';
import { explain } from '../../src/methods/explain.js';
import { QUADRATURES } from '../../src/methods/quadrature.js';
import { reseedWeights } from '../helpers/models.js';
import { gapNet, input, maxAbs, maxAbsDiff, wrap } from './fixtures.js';

beforeAll(async () => {
  await initTf();
});

function linearImageNet(): tf.LayersModel {
  const m = tf.sequential();
  m.add(
    tf.layers.conv2d({
      inputShape: [5, 5, 2],
      filters: 3,
      kernelSize: 3,
      padding: 'same',
      name: 'conv',
    }),
  );
  m.add(tf.layers.flatten({ name: 'flatten' }));
  m.add(tf.layers.dense({ units: 3, name: 'logits' }));
  reseedWeights(m, 31);
  return m;
}

function linearTableNet(): tf.LayersModel {
  const m = tf.sequential();
  m.add(tf.layers.dense({ inputShape: [7], units: 4, name: 'logits' }));
  reseedWeights(m, 32);
  return m;
}

describe('gradient × input', () => {
  it('is x times the finite-difference gradient on a smooth CNN', async () => {
    const lm = gapNet({ activation: 'tanh', shape: [8, 8, 2] });
    const model = wrap(lm);
    const x = input([1, 8, 8, 2], 41);
    const [e] = await explain(model, x, 'gradient-x-input', { targets: [2] });
    const f = (v: Float32Array) =>
      (lm.predict(tf.tensor(v, [1, 8, 8, 2])) as tf.Tensor).dataSync()[2];
    const h = 1e-2;
    for (const j of [0, 17, 63, 100, 127]) {
      const up = x.data.slice();
      const down = x.data.slice();
      up[j] += h;
      down[j] -= h;
      const fd = (f(up) - f(down)) / (2 * h);
      expect(Math.abs(e.attribution.data[j] - fd * x.data[j])).toBeLessThan(
        2e-3 * (1 + Math.abs(fd)),
      );
    }
  });

  it('equals Integrated Gradients with a zero baseline on linear models, for every quadrature rule', async () => {
    for (const [lm, shape] of [
      [linearImageNet(), [2, 5, 5, 2]],
      [linearTableNet(), [3, 7]],
    ] as const) {
      const model = wrap(lm);
      const x = input([...shape], 42);
      const gxi = await explain(model, x, 'gradient-x-input', {
        targets: shape[0] === 2 ? [0, 2] : [0, 1, 3],
      });
      for (const method of QUADRATURES) {
        const ig = await explain(model, x, 'integrated-gradients', {
          targets: gxi.map((e) => e.target),
          options: { method, steps: 7 },
        });
        for (let i = 0; i < gxi.length; i++) {
          expect(maxAbs(gxi[i].attribution.data)).toBeGreaterThan(1e-3);
          expect(maxAbsDiff(gxi[i].attribution.data, ig[i].attribution.data)).toBeLessThan(
            1e-5 * (1 + maxAbs(gxi[i].attribution.data)),
          );
        }
      }
    }
  });
});
