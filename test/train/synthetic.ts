/** Tiny seeded data sets for training tests: class c is a fixed random pattern plus noise. */
import { createRng } from '../../src/core/random.js';
import type { Dataset, Split } from '../../src/train/data/dataset.js';

export function blobs(options: {
  inputShape: number[];
  classes?: number;
  train?: number;
  validation?: number;
  test?: number;
  noise?: number;
  seed?: number;
  /** Fraction of the training examples in class 0 (the rest shared evenly), for imbalance tests. */
  majority?: number;
  kind?: Dataset['kind'];
}): Dataset {
  const { inputShape, classes = 3, noise = 0.6, seed = 1 } = options;
  const size = inputShape.reduce((a, b) => a * b, 1);
  const rng = createRng(`blobs:${seed}`);
  const patterns = Array.from({ length: classes }, () => Float32Array.from({ length: size }, () => rng.normal()));
  const split = (count: number, majority?: number): Split => {
    const x = new Float32Array(count * size);
    const y = new Int32Array(count);
    for (let i = 0; i < count; i++) {
      const c = majority !== undefined ? (rng.next() < majority ? 0 : 1 + rng.int(classes - 1)) : i % classes;
      y[i] = c;
      for (let j = 0; j < size; j++) x[i * size + j] = patterns[c][j] + noise * rng.normal();
    }
    return { x, y, count };
  };
  return {
    name: 'blobs',
    kind: options.kind ?? (inputShape.length === 3 ? 'image' : inputShape.length === 2 ? 'signal' : 'table'),
    inputShape,
    classNames: Array.from({ length: classes }, (_, c) => `class${c}`),
    train: split(options.train ?? 96, options.majority),
    validation: options.validation === 0 ? undefined : split(options.validation ?? 30),
    test: split(options.test ?? 30),
    normalisation: { scale: 1 },
    provenance: `synthetic blobs, seed ${seed}`,
  };
}
