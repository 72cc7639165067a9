/**
 * One table of every white-box method, walked through the same checks (after Captum's shared
 * test table): shapes on every input kind the method declares, the model-randomisation sanity
 * check of Adebayo et al. 2018, no tensor growth over repeated calls, and seed reproducibility.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initTf, tf } from '../../src/runtime/tf.js';
import '../../src/methods/index.js';
import { explain } from '../../src/methods/explain.js';
import { getMethod } from '../../src/methods/registry.js';
import type { InputKind } from '../../src/models/model.js';
import { reseedWeights } from '../helpers/models.js';
import { correlation, input, maxAbs, maxAbsDiff, signalNet, tableNet, wrap } from './fixtures.js';

beforeAll(async () => {
  await initTf();
});

/** Every method this file covers, with options small enough for a quick run. */
const METHODS: Record<string, Record<string, unknown>> = {
  gradient: {},
  saliency: {},
  'gradient-x-input': {},
  'guided-backprop': {},
  deconvnet: {},
  'guided-grad-cam': {},
  'integrated-gradients': { steps: 4 },
  'expected-gradients': { samples: 4 },
  smoothgrad: { samples: 2 },
  'smoothgrad-sq': { samples: 2 },
  vargrad: { samples: 2 },
  'grad-cam': {},
  'grad-cam++': {},
  'xgrad-cam': {},
  'layer-cam': {},
  'eigen-cam': {},
  hirescam: {},
  'feature-maps': {},
};
const RANDOM = [
  'integrated-gradients',
  'expected-gradients',
  'smoothgrad',
  'smoothgrad-sq',
  'vargrad',
];

/** conv → conv → flatten → dense, no max pooling (see fixtures: wasm's MaxPoolGrad is wrong). */
function imageNet(seed: number): tf.LayersModel {
  const m = tf.sequential();
  m.add(
    tf.layers.conv2d({
      inputShape: [8, 8, 3],
      filters: 4,
      kernelSize: 3,
      padding: 'same',
      activation: 'relu',
      name: 'c1',
    }),
  );
  m.add(
    tf.layers.conv2d({
      filters: 4,
      kernelSize: 3,
      padding: 'valid',
      activation: 'relu',
      name: 'c2',
    }),
  );
  m.add(tf.layers.flatten({ name: 'flatten' }));
  m.add(tf.layers.dense({ units: 5, name: 'logits' }));
  reseedWeights(m, seed);
  return m;
}

const models: Record<InputKind, () => tf.LayersModel> = {
  image: () => imageNet(7),
  signal: () => signalNet(),
  table: () => tableNet(),
};
const shapes: Record<InputKind, number[]> = {
  image: [2, 8, 8, 3],
  signal: [2, 16, 2],
  table: [2, 6],
};

describe('every white-box method', () => {
  it('gives finite attributions shaped like the input on each kind it declares', async () => {
    for (const [name, options] of Object.entries(METHODS)) {
      const method = getMethod(name);
      for (const kind of ['image', 'signal', 'table'] as InputKind[]) {
        const model = wrap(models[kind]());
        const x = input(shapes[kind], 101, 1);
        if (!method.kinds.includes(kind)) {
          await expect(explain(model, x, name, { options })).rejects.toThrow(/does not apply/);
          continue;
        }
        const es = await explain(model, x, name, { options });
        expect(es).toHaveLength(2);
        for (const e of es) {
          expect(e.attribution.shape).toEqual(shapes[kind].slice(1));
          expect(e.heatmap.shape).toEqual(kind === 'table' ? [6] : shapes[kind].slice(1, -1));
          expect({ name, kind, finite: e.attribution.data.every(Number.isFinite) }).toEqual({
            name,
            kind,
            finite: true,
          });
        }
        // A single map may legitimately be zero (no positive evidence); a whole batch should not.
        const nonZero = es.some((e) => e.attribution.data.some((v) => v !== 0));
        expect({ name, kind, nonZero }).toEqual({ name, kind, nonZero: true });
      }
    }
  });

  it('changes its map when the model weights are randomised (Adebayo et al. sanity check)', async () => {
    const x = input([1, 8, 8, 3], 102, 1);
    const trained = wrap(imageNet(7));
    const randomised = wrap(imageNet(1234));
    for (const [name, options] of Object.entries(METHODS)) {
      const [a] = await explain(trained, x, name, { options });
      const [b] = await explain(randomised, x, name, { options, targets: [a.target] });
      const r = correlation(a.heatmap.data, b.heatmap.data);
      expect({ name, changed: Number.isFinite(r) && Math.abs(r) < 0.8 }).toEqual({
        name,
        changed: true,
      });
      // The control: the same weights in a fresh model give the same map.
      const [c] = await explain(wrap(imageNet(7)), x, name, { options, targets: [a.target] });
      expect(correlation(a.heatmap.data, c.heatmap.data)).toBeGreaterThan(0.999);
    }
  });

  describe('leaves no tensors behind over 100 calls', () => {
    // The smallest models each method accepts keep 1800 calls quick.
    let table: { model: ReturnType<typeof wrap>; x: ReturnType<typeof input> };
    let signal: typeof table;
    beforeAll(() => {
      table = { model: wrap(tableNet()), x: input([1, 6], 103, 1) };
      const tiny = tf.sequential();
      tiny.add(
        tf.layers.conv1d({
          inputShape: [8, 1],
          filters: 2,
          kernelSize: 3,
          padding: 'same',
          activation: 'relu',
          name: 'conv',
        }),
      );
      tiny.add(tf.layers.globalAveragePooling1d({ name: 'gap' }));
      tiny.add(tf.layers.dense({ units: 2, name: 'logits' }));
      reseedWeights(tiny, 3);
      signal = { model: wrap(tiny), x: input([1, 8, 1], 104, 1) };
    });
    for (const [name, options] of Object.entries(METHODS)) {
      it(name, async () => {
        const { model, x } = getMethod(name).kinds.includes('table') ? table : signal;
        await explain(model, x, name, { options });
        const before = tf.memory().numTensors;
        for (let i = 0; i < 100; i++) await explain(model, x, name, { options, seed: i });
        expect(tf.memory().numTensors).toBe(before);
      });
    }
  });

  it('is bit-identical for the same seed when it draws random numbers, differs for another seed, and ignores batch splits', async () => {
    const model = wrap(imageNet(7));
    const x = input([2, 8, 8, 3], 104, 1);
    for (const name of RANDOM) {
      const options =
        name === 'integrated-gradients' ? { ...METHODS[name], baseline: 'uniform' } : METHODS[name];
      const a = await explain(model, x, name, { options, seed: 9 });
      const b = await explain(model, x, name, { options, seed: 9 });
      const c = await explain(model, x, name, { options, seed: 10 });
      // Draws are per input, so splitting the batch changes nothing.
      const d = await explain(model, x, name, { options, seed: 9, batchSize: 1 });
      for (let i = 0; i < 2; i++) {
        expect(Array.from(a[i].attribution.data)).toEqual(Array.from(b[i].attribution.data));
        expect(maxAbsDiff(a[i].attribution.data, d[i].attribution.data)).toBeLessThan(
          1e-5 * (1 + maxAbs(a[i].attribution.data)),
        );
        expect(maxAbsDiff(a[i].attribution.data, c[i].attribution.data)).toBeGreaterThan(0);
      }
    }
  });
});
