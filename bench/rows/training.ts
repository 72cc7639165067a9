/**
 * Bench row: training throughput of the Fashion-MNIST CNN (configs/fashion-mnist-cnn.json), in
 * images/s, Glassbox vs the same network in PyTorch (bench/torch/training.py).
 *
 * Glassbox builds the model from the config and trains it with `fit`, the code `glassbox train`
 * runs (shuffle, dropout seeds, Adam, per-batch loss and accuracy); one timed call is one epoch of
 * TRAIN_BATCHES batches. Both sides train on the first TRAIN_BATCHES × batch-size Fashion-MNIST
 * training images (pixels/255), or on seeded uniform noise when the Debian package is absent:
 * speed does not depend on the values, and a note says which was used.
 *
 * The row does not depend on the bench's model, so it runs only with resnet18.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchRow } from '../rows.js';
import { THREADS } from '../glassbox.js';
import type { Split } from '../../src/train/data/dataset.js';

export const TRAIN_BATCHES = 20;

/** Trainable parameters of the config's network (BN moving statistics excluded); training.py asserts the same. */
export const TRAINABLE_PARAMS = 206_970;

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const CONFIG = path.join(ROOT, 'configs', 'fashion-mnist-cnn.json');
const INPUT_SHAPE = [28, 28, 1];
const CLASSES = 10;

export const TRAINING_ROW: BenchRow = {
  id: 'train-fashion-cnn',
  title: `training, Fashion-MNIST CNN (${TRAIN_BATCHES} batches of 64)`,
  forwardOnly: false,
  images: TRAIN_BATCHES * 64,
  timing: { warmup: 1, repeats: 5, budgetSeconds: 60, min: 2 },
  torch: 'train-fashion-cnn',
  models: ['resnet18'],
  async glassbox(ctx) {
    // Same thread count as PyTorch; read when the wasm backend starts, so set before initTf.
    process.env.GLASSBOX_THREADS ??= String(THREADS);
    const { initTf, tf } = await import('../../src/runtime/tf.js');
    const { wasmStart } = await import('../../src/runtime/wasm-backend.js');
    const { loadConfigFile } = await import('../../src/train/config.js');
    const { buildModel } = await import('../../src/train/architectures/index.js');
    const { fit } = await import('../../src/train/trainer.js');

    const backend = await initTf();
    const config = loadConfigFile(CONFIG);
    const { training } = config;
    if (training.batchSize !== 64 || training.optimizer.type !== 'adam' || training.learningRate !== 0.002 || config.augmentation) {
      throw new Error(`${CONFIG} changed its training settings: update this row and bench/torch/training.py to match`);
    }
    const model = buildModel(config.model, { inputShape: INPUT_SHAPE, numClasses: CLASSES, seed: config.seed });
    const trainable = model.trainableWeights.reduce((s, w) => s + w.read().size, 0);
    if (trainable !== TRAINABLE_PARAMS) {
      throw new Error(`${CONFIG} builds ${trainable} trainable parameters, PyTorch's copy has ${TRAINABLE_PARAMS}: update bench/torch/training.py`);
    }
    const { split, source } = await trainingImages(TRAIN_BATCHES * training.batchSize);
    const threads = backend === 'wasm' ? wasmStart().threads : 1;
    ctx.note(
      `training row: TF.js ${tf.version_core} on ${backend} (${threads} thread${threads === 1 ? '' : 's'}), ` +
        `${trainable} trainable parameters on both sides, one timed run = ${TRAIN_BATCHES} batches of ${training.batchSize} on ${source}`,
    );

    // One epoch over the images per call; the learning rate stays at its first-epoch value.
    const oneEpoch = { ...training, epochs: 1, earlyStopping: null };
    return async () => {
      await fit({ model, train: split, inputShape: INPUT_SHAPE, numClasses: CLASSES, training: oneEpoch, seed: config.seed });
    };
  },
};

/** The first `count` Fashion-MNIST training images, or seeded noise when the data set is absent. */
async function trainingImages(count: number): Promise<{ split: Split; source: string }> {
  const { FASHION_MNIST_DIR, loadFashionMnist } = await import('../../src/train/data/mnist.js');
  if (existsSync(path.join(FASHION_MNIST_DIR, 'train-images-idx3-ubyte.gz'))) {
    const ds = loadFashionMnist({ trainLimit: count, testLimit: 1, validationFraction: 0 });
    return { split: ds.train, source: `the first ${count} Fashion-MNIST training images` };
  }
  const { createRng } = await import('../../src/core/random.js');
  const rng = createRng('bench:train-fashion-cnn');
  const x = Float32Array.from({ length: count * 784 }, () => rng.next());
  const y = Int32Array.from({ length: count }, (_, i) => i % CLASSES);
  return { split: { x, y, count }, source: `uniform noise (${FASHION_MNIST_DIR} not installed)` };
}
