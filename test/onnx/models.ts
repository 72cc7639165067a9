/** Small ONNX CNNs for the adapter tests, built with the test ModelBuilder (seeded weights). */
import { ModelBuilder } from './builder.js';

export interface CnnOptions {
  opset?: number;
  /** End with a Softmax (the model then outputs probabilities). */
  softmax?: boolean;
  /** Fixed batch size in the input shape (default: symbolic). */
  batch?: number;
  /** Leave height and width symbolic. */
  dynamicSize?: boolean;
  /** Use Clip(0, 6) instead of Relu. */
  relu6?: boolean;
  /** Input channels (default 3). */
  channels?: number;
}

export const CNN_CLASSES = 5;

/** Conv(3→4, 3x3) → BN → ReLU → MaxPool 2x2 → Conv(4→6, 3x3, stride 1) → ReLU → Flatten → Gemm(→5) [→ Softmax]. */
export const CNN_STAGES = ['conv1', 'bn1', 'relu1', 'pool1', 'conv2', 'relu2', 'flatten', 'fc'] as const;
export type CnnStage = (typeof CNN_STAGES)[number];

/** Output shape (channels first, no batch) of each stage for an 8×8 input. */
export const CNN_SHAPES: Record<CnnStage, number[]> = {
  conv1: [4, 8, 8], bn1: [4, 8, 8], relu1: [4, 8, 8], pool1: [4, 4, 4], conv2: [6, 4, 4], relu2: [6, 4, 4], flatten: [96], fc: [5],
};

/**
 * The network; with `from`, only the part after that stage, taking its output as the input
 * (same weights), so layer gradients can be checked by finite differences on the tail.
 */
export function tinyCnn(o: CnnOptions = {}, from?: CnnStage): Uint8Array {
  const b = new ModelBuilder(o.opset ?? 13);
  const c = o.channels ?? 3;
  const hw: (number | string)[] = o.dynamicSize ? ['H', 'W'] : [8, 8];
  const batch = o.batch ?? 'N';
  const start = from ? CNN_STAGES.indexOf(from) + 1 : 0;
  let t = from ? b.input('x', [batch, ...CNN_SHAPES[from]]) : b.input('x', [batch, c, ...hw]);
  const relu = (x: string, name: string) => (o.relu6 ? b.op('Clip', [x, b.init([], [0]), b.init([], [6])], {}, name) : b.op('Relu', [x], {}, name));
  // Weights are created for every stage (so seeds stay aligned) but nodes only from `start` on.
  const w1 = b.rand([4, c, 3, 3], 1, 0.6);
  const b1 = b.rand([4], 2, 0.2);
  const bn = [b.init([4], [1.2, 0.8, 1.5, 0.9]), b.rand([4], 3, 0.3), b.rand([4], 4, 0.2), b.init([4], [0.5, 1.1, 0.8, 1.3])];
  const w2 = b.rand([6, 4, 3, 3], 5, 0.5);
  const b2 = b.rand([6], 6, 0.2);
  const wf = b.rand([CNN_CLASSES, 96], 7, 0.4);
  const bf = b.rand([CNN_CLASSES], 8, 0.2);
  const stages: Record<CnnStage, (x: string) => string> = {
    conv1: (x) => b.op('Conv', [x, w1, b1], { pads: [1, 1, 1, 1] }, 'conv1'),
    bn1: (x) => b.op('BatchNormalization', [x, ...bn], { epsilon: { f: 1e-5 } }, 'bn1'),
    relu1: (x) => relu(x, 'relu1'),
    pool1: (x) => b.op('MaxPool', [x], { kernel_shape: [2, 2], strides: [2, 2] }, 'pool1'),
    conv2: (x) => b.op('Conv', [x, w2, b2], { pads: [1, 1, 1, 1] }, 'conv2'),
    relu2: (x) => relu(x, 'relu2'),
    flatten: (x) => b.op('Flatten', [x], { axis: 1 }, ''),
    fc: (x) => b.op('Gemm', [x, wf, bf], { transB: 1 }, 'fc'),
  };
  for (const stage of CNN_STAGES.slice(start)) t = stages[stage](t);
  if (o.softmax) t = b.op('Softmax', [t], { axis: 1 }, 'prob');
  b.output(t);
  return b.bytes();
}

/** Two-layer ReLU MLP: x[4] → Gemm(W1: 6×4) → ReLU → Gemm(W2: 3×6) → logits[3]. Weights returned for hand computation. */
export function reluMlp(): { bytes: Uint8Array; w1: number[][]; b1: number[]; w2: number[][]; b2: number[] } {
  const w1 = [
    [0.5, -0.3, 0.8, 0.1],
    [-0.6, 0.4, 0.2, -0.9],
    [0.3, 0.7, -0.5, 0.4],
    [-0.2, -0.8, 0.6, 0.3],
    [0.9, 0.1, -0.3, -0.6],
    [-0.4, 0.5, 0.4, 0.7],
  ];
  const b1 = [0.1, -0.2, 0.05, 0.3, -0.1, 0.2];
  const w2 = [
    [0.7, -0.5, 0.3, 0.9, -0.4, 0.2],
    [-0.6, 0.8, -0.2, 0.4, 0.5, -0.7],
    [0.2, 0.3, 0.9, -0.8, 0.6, 0.1],
  ];
  const b2 = [0.05, -0.05, 0.1];
  const b = new ModelBuilder(13);
  const x = b.input('x', ['N', 4]);
  const h = b.op('Gemm', [x, b.init([6, 4], w1.flat()), b.init([6], b1)], { transB: 1 }, 'hidden');
  const r = b.op('Relu', [h], {}, 'relu');
  b.output(b.op('Gemm', [r, b.init([3, 6], w2.flat()), b.init([3], b2)], { transB: 1 }, 'logits'));
  return { bytes: b.bytes(), w1, b1, w2, b2 };
}

/**
 * A size-agnostic CNN (global average pooling head) for running every method: [N, 3, S, S] → 4
 * classes. `smooth` swaps ReLU for Tanh and max for average pooling (no kinks, no near-ties
 * between saturated units), for exact finite-difference references.
 */
export function gapCnn(size = 16, smooth = false, opset = 13): Uint8Array {
  const activation = smooth ? 'Tanh' : 'Relu';
  const b = new ModelBuilder(opset);
  const x = b.input('x', ['N', 3, size, size]);
  const c1 = b.op('Conv', [x, b.rand([6, 3, 3, 3], 11, 0.6), b.rand([6], 12, 0.2)], { pads: [1, 1, 1, 1] }, 'conv1');
  const n1 = b.op('BatchNormalization', [c1, b.init([6], [1, 1.2, 0.8, 1.1, 0.9, 1.3]), b.rand([6], 13, 0.2), b.rand([6], 14, 0.2), b.init([6], [0.6, 1, 0.9, 1.2, 0.7, 1.1])], {}, 'bn1');
  const r1 = b.op(activation, [n1], {}, 'relu1');
  const p1 = b.op(smooth ? 'AveragePool' : 'MaxPool', [r1], { kernel_shape: [2, 2], strides: [2, 2] }, 'pool1');
  const c2 = b.op('Conv', [p1, b.rand([8, 6, 3, 3], 15, 0.5), b.rand([8], 16, 0.2)], { pads: [1, 1, 1, 1] }, 'conv2');
  const r2 = b.op(activation, [c2], {}, 'relu2');
  const gap = b.op('GlobalAveragePool', [r2], {}, 'gap');
  b.output(b.op('Gemm', [b.op('Flatten', [gap], {}, 'flatten'), b.rand([4, 8], 17, 0.8), b.rand([4], 18, 0.1)], { transB: 1 }, 'fc'));
  return b.bytes();
}
