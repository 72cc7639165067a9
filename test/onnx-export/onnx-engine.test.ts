/**
 * Exported models on Glassbox's own ONNX engine (OnnxModel): same layers, predictions and
 * gradients as the TF.js model. TF.js runs on its cpu backend here, whose gradients are the
 * reference (checked against finite differences below).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initTf, tf } from '../../src/runtime/tf.js';
import { exportTfjsToOnnx } from '../../src/onnx/export-tfjs.js';
import { OnnxModel } from '../../src/models/onnx-model.js';
import { TfjsModel } from '../../src/models/tfjs-model.js';
import { seeded, smallCnn } from '../helpers/models.js';
import { relError } from './helpers.js';

const TOL = 1e-4;

beforeAll(async () => {
  expect(await initTf('cpu')).toBe('cpu');
});

describe('exported models on OnnxModel', () => {
  // tanh keeps max-pool windows free of ties, where any choice of winner is a valid gradient.
  it('gives the TfjsModel layers, predictions, input and layer gradients', async () => {
    const lm = smallCnn('tanh');
    const onnxModel = await OnnxModel.fromBytes(exportTfjsToOnnx(lm), { threads: 1 });
    const tfjsModel = new TfjsModel(lm);
    try {
      const onnxLayers = new Map(onnxModel.layers().map((l) => [l.name, l.outputShape]));
      for (const l of tfjsModel.layers()) expect(onnxLayers.get(l.name), l.name).toEqual(l.outputShape);

      const x = { data: seeded(2 * 8 * 8 * 2, 4), shape: [2, 8, 8, 2] };
      expect(relError((await onnxModel.predict(x)).data, (await tfjsModel.predict(x)).data)).toBeLessThan(TOL);

      const req = { input: x, targets: [1, 3], layer: 'conv2' };
      const [a, b] = [await onnxModel.gradients(req), await tfjsModel.gradients(req)];
      expect(relError(a.inputGradient!.data, b.inputGradient!.data)).toBeLessThan(TOL);
      expect(relError(a.activation!.data, b.activation!.data)).toBeLessThan(TOL);
      expect(relError(a.layerGradient!.data, b.layerGradient!.data)).toBeLessThan(TOL);

      // The reference itself: central differences of TF.js predict for example 0.
      const fd = new Float32Array(8 * 8 * 2);
      const h = 1e-2;
      for (let i = 0; i < fd.length; i++) {
        const score = (d: number) =>
          tf.tidy(() => {
            const v = x.data.slice(0, fd.length);
            v[i] += d;
            return (lm.predict(tf.tensor(v, [1, 8, 8, 2])) as tf.Tensor).dataSync()[1];
          });
        fd[i] = (score(h) - score(-h)) / (2 * h);
      }
      expect(relError(a.inputGradient!.data.subarray(0, fd.length), fd)).toBeLessThan(1e-3);
      expect(Math.max(...fd.map(Math.abs))).toBeGreaterThan(1e-2);
    } finally {
      onnxModel.dispose();
    }
  });
});
