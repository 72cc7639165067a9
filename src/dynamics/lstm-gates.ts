/**
 * LSTM gates recomputed from a layer's weights, step by step, exactly as TF.js's LSTMCell does
 * (tfjs-layers, layers/recurrent.ts, LSTMCell.call):
 *   z   = x_t · kernel + h_{t−1} · recurrentKernel + bias        (kernel [in, 4u], recurrent [u, 4u])
 *   [z_i, z_f, z_c, z_o] = split(z, 4)                            Keras gate order i, f, c, o
 *   i = σ(z_i)   f = σ(z_f)   o = σ(z_o)                          σ = recurrentActivation (hardSigmoid by default in TF.js)
 *   c_t = f ⊙ c_{t−1} + i ⊙ act(z_c)                              act = activation (tanh)
 *   h_t = o ⊙ act(c_t)
 * test/dynamics/lstm-gates.test.ts checks that c_t and h_t rebuilt from these gates equal TF.js's
 * own LSTM layer output.
 */
import { tf } from '../runtime/tf.js';
import { fail } from '../core/errors.js';

export type GateName = 'input' | 'forget' | 'cell' | 'output';
export const GATE_NAMES: GateName[] = ['input', 'forget', 'cell', 'output'];

export interface LstmWeights {
  units: number;
  inputDim: number;
  /** [inputDim, 4·units], row-major. */
  kernel: Float32Array;
  /** [units, 4·units], row-major. */
  recurrentKernel: Float32Array;
  /** [4·units] (zeros when the layer has no bias). */
  bias: Float32Array;
  activation: string;
  recurrentActivation: string;
  goBackwards: boolean;
}

export interface GateTrace {
  steps: number;
  units: number;
  /** steps × units each, row-major: gate values after their activation. */
  input: Float32Array;
  forget: Float32Array;
  /** The candidate act(z_c). */
  cell: Float32Array;
  output: Float32Array;
  /** Cell and hidden state after each step. */
  c: Float32Array;
  h: Float32Array;
}

const ACTIVATIONS: Record<string, (x: number) => number> = {
  tanh: Math.tanh,
  sigmoid: (x) => 1 / (1 + Math.exp(-x)),
  hardSigmoid: (x) => Math.min(1, Math.max(0, 0.2 * x + 0.5)),
  relu: (x) => Math.max(0, x),
  linear: (x) => x,
  softsign: (x) => x / (1 + Math.abs(x)),
};

function activationFn(name: string, what: string): (x: number) => number {
  const f = ACTIVATIONS[name];
  if (!f) fail(`the LSTM's ${what} is "${name}": the gate animation supports ${Object.keys(ACTIVATIONS).join(', ')}`);
  return f;
}

/** The weights and activations of a TF.js LSTM layer (not a Bidirectional wrapper). */
export function lstmWeights(layer: tf.layers.Layer): LstmWeights {
  if (layer.getClassName() !== 'LSTM') fail(`layer ${layer.name} is a ${layer.getClassName()}, not an LSTM: choose an LSTM layer with --layer`);
  const cfg = layer.getConfig() as { units: number; activation: string; recurrentActivation: string; useBias: boolean; goBackwards?: boolean };
  const ws = layer.getWeights();
  const [kernel, recurrent, bias] = ws;
  const units = cfg.units;
  if (!kernel || kernel.shape.length !== 2 || kernel.shape[1] !== 4 * units) fail(`layer ${layer.name}: unexpected LSTM kernel shape [${kernel?.shape}]`);
  return {
    units,
    inputDim: kernel.shape[0],
    kernel: kernel.dataSync() as Float32Array,
    recurrentKernel: recurrent.dataSync() as Float32Array,
    bias: cfg.useBias && bias ? (bias.dataSync() as Float32Array) : new Float32Array(4 * units),
    activation: cfg.activation,
    recurrentActivation: cfg.recurrentActivation,
    goBackwards: cfg.goBackwards ?? false,
  };
}

/**
 * Runs the cell over one sequence `x` (steps × inputDim, row-major), from zero states unless
 * `h0`/`c0` are given. Accumulates in float64. With goBackwards the steps are taken last to
 * first, as TF.js does, and the trace is in processing order.
 */
export function computeGates(w: LstmWeights, x: Float32Array, steps: number, init: { h0?: Float32Array; c0?: Float32Array } = {}): GateTrace {
  const { units: u, inputDim: d } = w;
  if (x.length !== steps * d) fail(`the sequence has ${x.length} values, expected ${steps} steps × ${d} features`);
  const sig = activationFn(w.recurrentActivation, 'recurrent activation');
  const act = activationFn(w.activation, 'activation');
  const out: GateTrace = {
    steps,
    units: u,
    input: new Float32Array(steps * u),
    forget: new Float32Array(steps * u),
    cell: new Float32Array(steps * u),
    output: new Float32Array(steps * u),
    c: new Float32Array(steps * u),
    h: new Float32Array(steps * u),
  };
  let h = Float64Array.from(init.h0 ?? new Float32Array(u));
  let c = Float64Array.from(init.c0 ?? new Float32Array(u));
  const z = new Float64Array(4 * u);
  for (let s = 0; s < steps; s++) {
    const t = w.goBackwards ? steps - 1 - s : s;
    for (let j = 0; j < 4 * u; j++) z[j] = w.bias[j];
    for (let a = 0; a < d; a++) {
      const xa = x[t * d + a];
      if (xa === 0) continue;
      const row = a * 4 * u;
      for (let j = 0; j < 4 * u; j++) z[j] += xa * w.kernel[row + j];
    }
    for (let a = 0; a < u; a++) {
      const ha = h[a];
      if (ha === 0) continue;
      const row = a * 4 * u;
      for (let j = 0; j < 4 * u; j++) z[j] += ha * w.recurrentKernel[row + j];
    }
    const nh = new Float64Array(u);
    const nc = new Float64Array(u);
    for (let j = 0; j < u; j++) {
      const i = sig(z[j]);
      const f = sig(z[u + j]);
      const g = act(z[2 * u + j]);
      const o = sig(z[3 * u + j]);
      nc[j] = f * c[j] + i * g;
      nh[j] = o * act(nc[j]);
      const k = s * u + j;
      out.input[k] = i;
      out.forget[k] = f;
      out.cell[k] = g;
      out.output[k] = o;
      out.c[k] = nc[j];
      out.h[k] = nh[j];
    }
    h = nh;
    c = nc;
  }
  return out;
}

/** The input sequence a layer of `model` receives for one example (steps × features). */
export function layerInput(model: tf.LayersModel, layerName: string, example: Float32Array, inputShape: number[]): { x: Float32Array; steps: number; features: number } {
  const layer = model.getLayer(layerName);
  const input = layer.input as tf.SymbolicTensor;
  const x = tf.tidy(() => {
    const batch = tf.tensor(example, [1, ...inputShape]);
    if (input === model.inputs[0]) return batch.reshape([1, inputShape[0], -1]);
    const sub = tf.model({ inputs: model.inputs, outputs: input });
    return sub.predict(batch) as tf.Tensor;
  });
  const shape = x.shape;
  const data = x.dataSync() as Float32Array;
  x.dispose();
  if (shape.length !== 3) fail(`layer ${layerName} receives shape [${shape.join(', ')}], not a sequence [steps, features]`);
  return { x: Float32Array.from(data), steps: shape[1] as number, features: shape[2] as number };
}

/** The LSTM layers of a model (named for --layer). */
export function lstmLayers(model: tf.LayersModel): string[] {
  return model.layers.filter((l) => l.getClassName() === 'LSTM').map((l) => l.name);
}
