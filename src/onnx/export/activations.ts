/**
 * Keras activation names → ONNX ops, one entry per name. Each entry writes the nodes for
 * f(x) and returns the output tensor; `name` prefixes the nodes it adds.
 */
import { fail } from '../../core/errors.js';
import type { GraphBuilder, TensorRef } from './builder.js';
import { internalAxis } from './layout.js';
import { float, int } from './proto.js';

type ActivationWriter = (b: GraphBuilder, x: TensorRef, name: string) => string;

const SELU_ALPHA = 1.6732632423543772848170429916717;
const SELU_SCALE = 1.0507009873554804934193349852946;

function sigmoidTimes(b: GraphBuilder, x: string, name: string, alpha = 1): string {
  const arg = alpha === 1 ? x : b.node('Mul', [x, b.scalar(alpha)], `${name}/scale`);
  return b.node('Mul', [x, b.node('Sigmoid', [arg], `${name}/sigmoid`)], name);
}

const writers: Record<string, ActivationWriter> = {
  linear: (_b, x) => x.name,
  relu: (b, x, name) => b.node('Relu', [x.name], name),
  relu6: (b, x, name) => b.node('Clip', [x.name, b.scalar(0), b.scalar(6)], name),
  sigmoid: (b, x, name) => b.node('Sigmoid', [x.name], name),
  hardSigmoid: (b, x, name) => b.node('HardSigmoid', [x.name], name, { alpha: float(0.2), beta: float(0.5) }),
  tanh: (b, x, name) => b.node('Tanh', [x.name], name),
  softmax: (b, x, name) => b.node('Softmax', [x.name], name, { axis: int(internalAxis(-1, x.shape.length)) }),
  logSoftmax: (b, x, name) => b.node('LogSoftmax', [x.name], name, { axis: int(internalAxis(-1, x.shape.length)) }),
  elu: (b, x, name) => b.node('Elu', [x.name], name, { alpha: float(1) }),
  // Written with ops the backward-graph builder differentiates (it has no Selu/Softsign rules).
  selu: (b, x, name) => b.node('Mul', [b.node('Elu', [x.name], `${name}/elu`, { alpha: float(SELU_ALPHA) }), b.scalar(SELU_SCALE)], name),
  softplus: (b, x, name) => b.node('Softplus', [x.name], name),
  softsign: (b, x, name) => b.node('Div', [x.name, b.node('Add', [b.node('Abs', [x.name], `${name}/abs`), b.scalar(1)], `${name}/den`)], name),
  swish: (b, x, name) => sigmoidTimes(b, x.name, name),
  mish: (b, x, name) => {
    const sp = b.node('Softplus', [x.name], `${name}/softplus`);
    return b.node('Mul', [x.name, b.node('Tanh', [sp], `${name}/tanh`)], name);
  },
  // TF.js 'gelu' is the exact erf form: x · ½(1 + erf(x/√2)).
  gelu: (b, x, name) => {
    const erf = b.node('Erf', [b.node('Mul', [x.name, b.scalar(Math.SQRT1_2)], `${name}/scale`)], `${name}/erf`);
    const half = b.node('Mul', [b.node('Add', [erf, b.scalar(1)], `${name}/add`), b.scalar(0.5)], `${name}/half`);
    return b.node('Mul', [x.name, half], name);
  },
  // 'gelu_new' is the tanh approximation: ½x(1 + tanh(√(2/π)(x + 0.044715x³))).
  gelu_new: (b, x, name) => {
    const x3 = b.node('Mul', [b.node('Mul', [x.name, x.name], `${name}/sq`), x.name], `${name}/cube`);
    const inner = b.node('Add', [x.name, b.node('Mul', [x3, b.scalar(0.044715)], `${name}/c`)], `${name}/inner`);
    const t = b.node('Tanh', [b.node('Mul', [inner, b.scalar(Math.sqrt(2 / Math.PI))], `${name}/k`)], `${name}/tanh`);
    const half = b.node('Mul', [b.node('Add', [t, b.scalar(1)], `${name}/add`), b.scalar(0.5)], `${name}/half`);
    return b.node('Mul', [x.name, half], name);
  },
};

export const supportedActivations = (): string[] => Object.keys(writers);

/** Writes activation `activation` on x. `layer` names the layer, for the error message. */
export function writeActivation(b: GraphBuilder, activation: string | undefined, x: TensorRef, name: string, layer: string): string {
  const w = writers[activation ?? 'linear'];
  if (!w) {
    fail(`cannot export layer "${layer}" to ONNX: activation "${activation}" is not supported (supported: ${supportedActivations().join(', ')})`);
  }
  return w(b, x, name);
}
