/**
 * The same network on both engines: a TF.js model exported to ONNX gives the same explanation
 * with every white-box method. The TF.js results are pinned to hand computations elsewhere in
 * this folder, so agreement carries those checks over to ONNX Runtime.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initTf, tf } from '../../src/runtime/tf.js';
import '../../src/methods/index.js';
import { explain } from '../../src/methods/explain.js';
import { getMethod } from '../../src/methods/registry.js';
import { visualizeFilters } from '../../src/methods/layers/filters.js';
import { exportTfjsToOnnx } from '../../src/onnx/export-tfjs.js';
import { OnnxModel } from '../../src/models/onnx-model.js';
import type { InputKind, Model } from '../../src/models/model.js';
import { reseedWeights } from '../helpers/models.js';
import { input, maxAbs, maxAbsDiff, signalNet, tableNet, wrap } from './fixtures.js';

/** CAMs without their final ReLU: the whole map is compared, not just its positive part. */
const METHODS: Record<string, Record<string, unknown>> = {
  gradient: {},
  'gradient-x-input': {},
  'guided-backprop': {},
  deconvnet: {},
  'guided-grad-cam': { relu: false },
  'integrated-gradients': { steps: 8, baseline: 'uniform' },
  'expected-gradients': { samples: 6, noise: 0.05 },
  smoothgrad: { samples: 3 },
  'smoothgrad-sq': { samples: 3, method: 'gradient-x-input' },
  vargrad: { samples: 3 },
  'grad-cam': { relu: false },
  'grad-cam++': { relu: false },
  'xgrad-cam': { relu: false },
  'layer-cam': { relu: false },
  'eigen-cam': { relu: false },
  hirescam: { relu: false },
  'feature-maps': {},
};

function imageNet(): tf.LayersModel {
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
      filters: 5,
      kernelSize: 3,
      strides: 2,
      padding: 'same',
      activation: 'relu',
      name: 'c2',
    }),
  );
  m.add(tf.layers.globalAveragePooling2d({ name: 'gap' }));
  m.add(tf.layers.dense({ units: 4, name: 'logits' }));
  reseedWeights(m, 8);
  return m;
}

const pairs: Partial<
  Record<InputKind, { tfjs: Model; onnx: OnnxModel; x: { data: Float32Array; shape: number[] } }>
> = {};

beforeAll(async () => {
  await initTf();
  const builders: [InputKind, () => tf.LayersModel, number[]][] = [
    ['image', imageNet, [2, 8, 8, 3]],
    ['signal', () => signalNet(), [2, 16, 2]],
    ['table', () => tableNet(), [2, 6]],
  ];
  for (const [kind, build, shape] of builders) {
    const lm = build();
    pairs[kind] = {
      tfjs: wrap(lm),
      onnx: await OnnxModel.fromBytes(exportTfjsToOnnx(lm), { threads: 1 }),
      x: input(shape, 111, 1),
    };
  }
});

afterAll(() => {
  for (const p of Object.values(pairs)) p?.onnx.dispose();
});

describe('TF.js and ONNX Runtime agree', () => {
  for (const [name, options] of Object.entries(METHODS)) {
    it(
      name,
      async () => {
        for (const kind of getMethod(name).kinds) {
          const { tfjs, onnx, x } = pairs[kind]!;
          const a = await explain(tfjs, x, name, { options, targets: [0, 2], seed: 4 });
          const b = await explain(onnx, x, name, { options, targets: [0, 2], seed: 4 });
          // One example may have no positive gradient for its target (Grad-CAM++, Layer-CAM); not both.
          const scale = Math.max(maxAbs(a[0].attribution.data), maxAbs(a[1].attribution.data));
          expect({ kind, scale: scale > 0 }).toEqual({ kind, scale: true });
          for (let i = 0; i < 2; i++) {
            expect(b[i].layer).toBe(a[i].layer);
            expect({
              kind,
              diff: maxAbsDiff(a[i].attribution.data, b[i].attribution.data) / scale < 1e-3,
            }).toEqual({ kind, diff: true });
            for (const key of Object.keys(a[i].extras))
              expect(b[i].extras[key]).toBeCloseTo(a[i].extras[key], 3);
          }
        }
      },
      30_000,
    );
  }

  it('filter visualisation', async () => {
    const { tfjs, onnx } = pairs.image!;
    const options = { layer: 'c2', steps: 6, channels: [0, 3] };
    const a = await visualizeFilters(tfjs, options);
    const b = await visualizeFilters(onnx, options);
    expect(maxAbsDiff(a.images.data, b.images.data)).toBeLessThan(1e-3);
  });
});
