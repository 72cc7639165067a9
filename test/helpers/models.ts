/** Small seeded TF.js models for tests. */
import { tf } from '../../src/runtime/tf.js';

/** Deterministic pseudo-random values in [-scale, scale] (no engine RNG involved). */
export function seeded(n: number, seed: number, scale = 1): Float32Array {
  let s = seed >>> 0 || 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    out[i] = ((s / 0xffffffff) * 2 - 1) * scale;
  }
  return out;
}

/** Replace every weight with seeded values so tests do not depend on initialisers. */
export function reseedWeights(model: tf.LayersModel, seed: number, scale = 0.5): void {
  model.layers.forEach((layer, li) => {
    const ws = layer.getWeights();
    if (ws.length === 0) return;
    const isBn = layer.getClassName() === 'BatchNormalization';
    layer.setWeights(
      ws.map((w, wi) => {
        const v = seeded(w.size, seed * 1000 + li * 10 + wi, scale);
        // Keep batch-norm variances positive.
        if (isBn && wi === ws.length - 1) for (let i = 0; i < v.length; i++) v[i] = 0.5 + Math.abs(v[i]);
        return tf.tensor(v, w.shape);
      }),
    );
  });
}

/** conv → conv → pool → flatten → dense; tanh + average pooling make it smooth for finite differences. */
export function smallCnn(activation: 'tanh' | 'relu' = 'tanh', inputShape = [8, 8, 2], pool: 'max' | 'avg' = 'max'): tf.LayersModel {
  const m = tf.sequential();
  m.add(tf.layers.conv2d({ inputShape, filters: 4, kernelSize: 3, padding: 'same', activation, name: 'conv1' }));
  m.add(tf.layers.conv2d({ filters: 3, kernelSize: 3, strides: 1, padding: 'valid', activation, name: 'conv2' }));
  m.add(pool === 'max' ? tf.layers.maxPooling2d({ poolSize: 2, name: 'pool' }) : tf.layers.averagePooling2d({ poolSize: 2, name: 'pool' }));
  m.add(tf.layers.flatten({ name: 'flatten' }));
  m.add(tf.layers.dense({ units: 5, name: 'logits' }));
  reseedWeights(m, 7);
  return m;
}
