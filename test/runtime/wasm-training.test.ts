/**
 * model.fit() of a small CNN (conv + batch norm + pooling + dropout + dense) on the wasm backend
 * learns a synthetic problem: the loss measured by model.evaluate() before training falls clearly.
 */
import { beforeAll, expect, it } from 'vitest';
import { initTf, tf } from '../../src/runtime/tf.js';

beforeAll(async () => {
  expect(await initTf('wasm')).toBe('wasm');
});

/** Class k: a bright 3×3 square at corner k of a noisy 10×10 image. */
function squares(perClass: number, seed: number): { x: tf.Tensor4D; y: tf.Tensor2D } {
  const corners = [
    [1, 1],
    [1, 6],
    [6, 3],
  ];
  return tf.tidy(() => {
    const masks = corners.map(([r, c]) =>
      tf.pad(tf.ones([3, 3, 1]), [
        [r, 7 - r],
        [c, 7 - c],
        [0, 0],
      ]),
    );
    const clean = tf.concat(masks.map((m) => tf.tile(tf.expandDims(m, 0), [perClass, 1, 1, 1])));
    const x = tf.add(clean, tf.randomNormal(clean.shape, 0, 0.4, 'float32', seed)) as tf.Tensor4D;
    const labels = tf.tensor1d(
      corners.flatMap((_, k) => Array<number>(perClass).fill(k)),
      'int32',
    );
    return { x, y: tf.oneHot(labels, corners.length) as tf.Tensor2D };
  });
}

it('fit() on wasm drives the loss down', async () => {
  const seed = (s: number) => tf.initializers.glorotUniform({ seed: s });
  const model = tf.sequential();
  model.add(
    tf.layers.conv2d({
      inputShape: [10, 10, 1],
      filters: 8,
      kernelSize: 3,
      padding: 'same',
      activation: 'relu',
      kernelInitializer: seed(1),
    }),
  );
  model.add(tf.layers.batchNormalization());
  model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  model.add(tf.layers.dropout({ rate: 0.2, seed: 2 }));
  model.add(tf.layers.flatten());
  model.add(tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: seed(3) }));
  model.compile({
    optimizer: tf.train.adam(0.01),
    loss: 'categoricalCrossentropy',
    metrics: ['accuracy'],
  });

  const train = squares(30, 4);
  const test = squares(10, 5);
  const evaluate = () =>
    (model.evaluate(test.x, test.y) as tf.Scalar[]).map((t) => t.dataSync()[0]);
  const [lossBefore] = evaluate();
  const history = await model.fit(train.x, train.y, {
    epochs: 6,
    batchSize: 15,
    shuffle: true,
    verbose: 0,
  });
  const [lossAfter, accuracyAfter] = evaluate();

  expect(tf.getBackend()).toBe('wasm');
  const losses = history.history.loss as number[];
  expect(losses[losses.length - 1]).toBeLessThan(0.5 * losses[0]);
  expect(lossAfter).toBeLessThan(0.5 * lossBefore);
  expect(accuracyAfter).toBeGreaterThan(0.9); // chance is 1/3
});
