/**
 * Whole-network gradients on wasm against the cpu backend (same weights, same batch), for every
 * layer kind Glassbox trains; and no tensors or wasm buffers left behind by repeated gradients.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initTf, inputGradientsOnly, tf } from '../../src/runtime/tf.js';
import { liveBuffers, randn, relErr, runWasm } from './kernel-harness.js';

const TOL = 1e-4;

beforeAll(async () => {
  expect(await initTf('wasm')).toBe('wasm');
});

const init = (seed: number) => tf.initializers.glorotUniform({ seed });

function imageNet(): tf.LayersModel {
  const m = tf.sequential();
  m.add(
    tf.layers.conv2d({
      inputShape: [12, 12, 3],
      filters: 6,
      kernelSize: 3,
      strides: 2,
      padding: 'same',
      activation: 'relu',
      kernelInitializer: init(1),
    }),
  );
  m.add(
    tf.layers.batchNormalization({
      gammaInitializer: tf.initializers.randomUniform({ minval: 0.5, maxval: 1.5, seed: 2 }),
    }),
  );
  m.add(
    tf.layers.depthwiseConv2d({
      kernelSize: 3,
      depthMultiplier: 2,
      padding: 'same',
      useBias: false,
      depthwiseInitializer: init(3),
    }),
  ); // a bias before BN has zero gradient
  m.add(tf.layers.batchNormalization({ movingVarianceInitializer: 'ones' }));
  m.add(
    tf.layers.separableConv2d({
      filters: 5,
      kernelSize: 3,
      activation: 'relu6',
      depthwiseInitializer: init(4),
      pointwiseInitializer: init(5),
    }),
  );
  m.add(tf.layers.maxPooling2d({ poolSize: 2, padding: 'same' }));
  m.add(tf.layers.conv2d({ filters: 4, kernelSize: 1, kernelInitializer: init(6) }));
  m.add(tf.layers.averagePooling2d({ poolSize: 1 }));
  m.add(tf.layers.flatten());
  m.add(tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: init(7) }));
  return m;
}

function sequenceNet(cell: 'lstm' | 'gru'): tf.LayersModel {
  const m = tf.sequential();
  m.add(
    tf.layers.embedding({
      inputDim: 11,
      outputDim: 4,
      inputLength: 9,
      embeddingsInitializer: tf.initializers.randomNormal({ seed: 8 }),
    }),
  );
  m.add(
    tf.layers.conv1d({
      filters: 5,
      kernelSize: 3,
      padding: 'same',
      activation: 'tanh',
      kernelInitializer: init(9),
    }),
  );
  m.add(
    tf.layers[cell]({
      units: 6,
      returnSequences: true,
      kernelInitializer: init(10),
      recurrentInitializer: init(11),
    }),
  );
  m.add(tf.layers.globalAveragePooling1d());
  m.add(tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: init(12) }));
  return m;
}

/** Gradients of the training loss w.r.t. every weight and the input, on the current backend. */
function gradients(
  model: tf.LayersModel,
  x: tf.Tensor,
  y: tf.Tensor,
  wrtInput: boolean,
): Float32Array[] {
  return tf.tidy(() => {
    const loss = () =>
      tf.losses.softmaxCrossEntropy(
        y,
        model.apply(x, { training: true }) as tf.Tensor,
      ) as tf.Scalar;
    const { grads } = tf.variableGrads(loss);
    const out = model.trainableWeights.map((w) => grads[w.originalName].dataSync() as Float32Array);
    if (wrtInput)
      out.push(
        tf
          .grad((xx: tf.Tensor) =>
            tf.losses.softmaxCrossEntropy(y, model.apply(xx, { training: true }) as tf.Tensor),
          )(x)
          .dataSync() as Float32Array,
      );
    return out;
  });
}

function compareWithCpu(model: tf.LayersModel, x: tf.Tensor, y: tf.Tensor, wrtInput: boolean) {
  const wasm = gradients(model, x, y, wrtInput);
  tf.setBackend('cpu');
  try {
    const cpu = gradients(model, x, y, wrtInput);
    expect(wasm.length).toBe(cpu.length);
    const errs = wasm.map((g, i) => relErr(g, cpu[i]));
    expect(
      Math.max(...errs),
      `relative errors ${errs.map((e) => e.toExponential(1))}`,
    ).toBeLessThan(TOL);
    // Not vacuous: the gradients are not all zero.
    expect(cpu.some((g) => g.some((v) => Math.abs(v) > 1e-6))).toBe(true);
  } finally {
    tf.setBackend('wasm');
  }
}

describe('gradients on wasm match cpu', () => {
  it('conv / batch norm / depthwise / separable / pools / dense', () => {
    const model = imageNet();
    const x = tf.randomNormal([4, 12, 12, 3], 0, 1, 'float32', 13);
    const y = tf.oneHot(tf.tensor1d([0, 1, 2, 1], 'int32'), 3);
    compareWithCpu(model, x, y, true);
  });

  it.each(['lstm', 'gru'] as const)('embedding / conv1d / %s', (cell) => {
    const model = sequenceNet(cell);
    const x = tf.tensor2d([
      [1, 2, 3, 4, 5, 6, 7, 8, 9],
      [0, 10, 3, 3, 3, 1, 2, 0, 5],
      [4, 4, 4, 4, 4, 4, 4, 4, 4],
    ]);
    const y = tf.oneHot(tf.tensor1d([0, 2, 1], 'int32'), 3);
    compareWithCpu(model, x, y, false);
  });
});

describe('tf.batchNorm gradients', () => {
  // The same function built from elementary ops, whose gradients tfjs-core has long had right.
  const composite = (
    x: tf.Tensor,
    m: tf.Tensor,
    v: tf.Tensor,
    offset?: tf.Tensor,
    scale?: tf.Tensor,
  ) => {
    let y = tf.mul(tf.sub(x, m), tf.rsqrt(tf.add(v, 1e-3)));
    if (scale) y = tf.mul(y, scale);
    return offset ? tf.add(y, offset) : y;
  };
  const cases = [
    { name: 'scale and offset', x: [2, 3, 4, 5], stat: [5], scale: true, offset: true },
    { name: 'no scale', x: [2, 3, 4, 5], stat: [5], scale: false, offset: true },
    { name: 'no offset', x: [2, 3, 4, 5], stat: [5], scale: true, offset: false },
    { name: 'neither', x: [2, 3, 4, 5], stat: [5], scale: false, offset: false },
    { name: 'rank-2 input', x: [6, 5], stat: [5], scale: true, offset: true },
    { name: 'rank-4 statistics', x: [2, 3, 4, 5], stat: [1, 1, 1, 5], scale: true, offset: false },
    {
      name: 'per-position statistics',
      x: [2, 3, 4, 5],
      stat: [1, 3, 4, 5],
      scale: false,
      offset: true,
    },
  ];
  it.each(cases)('$name', ({ x: xs, stat, scale, offset }) => {
    const r = (shape: number[], seed: number) => tf.randomNormal(shape, 0, 1, 'float32', seed);
    const inputs = [
      r(xs, 1),
      r(stat, 2),
      tf.add(tf.abs(r(stat, 3)), 0.5),
      ...(offset ? [r(stat, 4)] : []),
      ...(scale ? [r(stat, 5)] : []),
    ];
    const split = (t: tf.Tensor[]) =>
      [t[0], t[1], t[2], offset ? t[3] : undefined, scale ? t[offset ? 4 : 3] : undefined] as const;
    const dy = r(xs, 6);
    const viaKernel = tf.grads((...t: tf.Tensor[]) => {
      const [x, m, v, o, s] = split(t);
      return tf.sum(tf.mul(tf.batchNorm(x!, m!, v!, o, s, 1e-3), dy));
    })(inputs);
    const viaOps = tf.grads((...t: tf.Tensor[]) => {
      const [x, m, v, o, s] = split(t);
      return tf.sum(tf.mul(composite(x!, m!, v!, o, s), dy));
    })(inputs);
    viaKernel.forEach((g, i) => {
      expect(g.shape).toEqual(inputs[i].shape);
      expect(relErr(g.dataSync(), viaOps[i].dataSync()), `input ${i}`).toBeLessThan(TOL);
    });
  });
});

describe('inputGradientsOnly', () => {
  it('leaves the input gradient unchanged and skips filter gradients', () => {
    const model = imageNet();
    const x = tf.randomNormal([2, 12, 12, 3], 0, 1, 'float32', 15);
    const y = tf.oneHot(tf.tensor1d([2, 0], 'int32'), 3);
    const dx = tf.grad((xx: tf.Tensor) =>
      tf.losses.softmaxCrossEntropy(y, model.apply(xx) as tf.Tensor),
    );
    const full = dx(x).dataSync();
    const only = inputGradientsOnly(() => dx(x)).dataSync();
    expect(relErr(only, full)).toBeLessThan(1e-6);

    const inputs = { x: randn([1, 6, 6, 2], 16), dy: randn([1, 6, 6, 3], 17) };
    const attrs = { strides: 1, pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, 2, 3] };
    const skipped = inputGradientsOnly(() => runWasm('Conv2DBackpropFilter', inputs, attrs));
    expect(skipped.values.every((v) => v === 0)).toBe(true);
    expect(runWasm('Conv2DBackpropFilter', inputs, attrs).values.some((v) => v !== 0)).toBe(true);
    const dwAttrs = { strides: 1, dilations: 1, pad: 'same', filterShape: [3, 3, 2, 1] };
    const dwInputs = { x: inputs.x, dy: randn([1, 6, 6, 2], 18) };
    expect(
      inputGradientsOnly(() =>
        runWasm('DepthwiseConv2dNativeBackpropFilter', dwInputs, dwAttrs),
      ).values.every((v) => v === 0),
    ).toBe(true);
  });
});

describe('memory', () => {
  it('repeated gradients leave tensor and wasm buffer counts flat', () => {
    const model = imageNet();
    const x = tf.randomNormal([4, 12, 12, 3], 0, 1, 'float32', 14);
    const y = tf.oneHot(tf.tensor1d([0, 1, 2, 1], 'int32'), 3);
    const step = () => {
      const loss = () =>
        tf.losses.softmaxCrossEntropy(
          y,
          model.apply(x, { training: true }) as tf.Tensor,
        ) as tf.Scalar;
      const { value, grads } = tf.variableGrads(loss);
      const dx = tf.grad((xx: tf.Tensor) =>
        tf.losses.softmaxCrossEntropy(y, model.apply(xx) as tf.Tensor),
      )(x);
      tf.dispose([value, dx, ...Object.values(grads)]);
    };
    step(); // builds weights and any lazily created state
    const tensors = tf.memory().numTensors;
    const buffers = tf.backend().numDataIds(); // includes the filters cached for these weights
    for (let i = 0; i < 5; i++) step();
    expect(tf.memory().numTensors).toBe(tensors);
    expect(tf.backend().numDataIds()).toBe(buffers);
    expect(liveBuffers()).toBeLessThan(buffers); // not vacuous: the cache is in use
  });
});
