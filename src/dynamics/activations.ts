/**
 * Activations of a model's ReLU layers on a probe set: which units ever fire (dead-unit share)
 * and, per class, how strongly (the MLP class-activation maps). A unit is a layer's last axis
 * (a dense unit or a conv channel); for conv layers its activation is averaged over positions.
 */
import { tf } from '../runtime/tf.js';
import type { ProbeSet } from './probe.js';

export interface ReluLayer {
  name: string;
  units: number;
}

/** Layers whose output is a ReLU: Dense/Conv with activation relu, Activation('relu'), ReLU. */
export function reluLayers(model: tf.LayersModel): ReluLayer[] {
  const out: ReluLayer[] = [];
  for (const layer of model.layers) {
    const cls = layer.getClassName();
    const cfg = layer.getConfig() as { activation?: string };
    const isRelu = cls === 'ReLU' || (cfg.activation === 'relu' && cls !== 'LSTM' && cls !== 'GRU' && cls !== 'SimpleRNN');
    if (!isRelu) continue;
    const shape = layer.outputShape as (number | null)[];
    const units = shape[shape.length - 1];
    if (typeof units === 'number') out.push({ name: layer.name, units });
  }
  return out;
}

export interface LayerActivity {
  name: string;
  units: number;
  /** Largest activation of each unit over the probe set (and positions): ≤ 0 means dead. */
  max: Float32Array;
  /** Mean activation per class and unit, classes × units, row-major (absent when not asked for). */
  classMeans?: Float32Array;
  /** Examples of each class in the probe set. */
  classCounts?: number[];
}

/**
 * Runs the probe set through `model` in batches and summarises the outputs of `layers`.
 * `numClasses` turns on the per-class means.
 */
export function layerActivity(
  model: tf.LayersModel,
  probe: ProbeSet,
  layers: ReluLayer[],
  options: { numClasses?: number; batchSize?: number } = {},
): LayerActivity[] {
  if (layers.length === 0) return [];
  const batchSize = options.batchSize ?? 256;
  const k = options.numClasses;
  const sub = tf.model({ inputs: model.inputs, outputs: layers.map((l) => model.getLayer(l.name).output as tf.SymbolicTensor) });
  const result: LayerActivity[] = layers.map((l) => ({
    name: l.name,
    units: l.units,
    max: new Float32Array(l.units).fill(-Infinity),
    ...(k ? { classMeans: new Float32Array(k * l.units), classCounts: new Array<number>(k).fill(0) } : {}),
  }));
  const size = probe.inputShape.reduce((a, b) => a * b, 1);
  for (let from = 0; from < probe.count; from += batchSize) {
    const n = Math.min(batchSize, probe.count - from);
    const outs = tf.tidy(() => {
      const x = tf.tensor(probe.x.subarray(from * size, (from + n) * size), [n, ...probe.inputShape]);
      const ys = sub.predict(x) as tf.Tensor | tf.Tensor[];
      const list = Array.isArray(ys) ? ys : [ys];
      // Per example and unit: the mean over positions (conv) and, separately, the max.
      return list.map((a) => {
        const flat = a.reshape([n, -1, a.shape[a.shape.length - 1] as number]);
        return [tf.mean(flat, 1), tf.max(flat, 1)] as const;
      });
    });
    outs.forEach(([meanT, maxT], li) => {
      const r = result[li];
      const means = meanT.dataSync() as Float32Array;
      const maxes = maxT.dataSync() as Float32Array;
      meanT.dispose();
      maxT.dispose();
      const u = r.units;
      for (let e = 0; e < n; e++) {
        for (let j = 0; j < u; j++) if (maxes[e * u + j] > r.max[j]) r.max[j] = maxes[e * u + j];
        if (r.classMeans && k) {
          const c = probe.y[from + e];
          r.classCounts![c]++;
          for (let j = 0; j < u; j++) r.classMeans[c * u + j] += means[e * u + j];
        }
      }
    });
  }
  for (const r of result) {
    if (!r.classMeans || !k) continue;
    for (let c = 0; c < k; c++) {
      const cnt = r.classCounts![c];
      for (let j = 0; j < r.units; j++) r.classMeans[c * r.units + j] = cnt > 0 ? r.classMeans[c * r.units + j] / cnt : NaN;
    }
  }
  return result;
}

/** Units whose activation never exceeds zero on the probe set. */
export function deadUnits(a: LayerActivity): number[] {
  const dead: number[] = [];
  for (let j = 0; j < a.units; j++) if (!(a.max[j] > 0)) dead.push(j);
  return dead;
}
