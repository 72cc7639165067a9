/**
 * Every gradient rule against central finite differences: a small generated model per rule
 * (the op under test, then a fixed random linear head to 3 classes), input gradients from the
 * backward graph vs differences of forward runs of the untouched model on ONNX Runtime.
 * Inputs keep clear of kinks (ReLU at 0, pool ties, clip bounds) by construction.
 */
import { describe, expect, it } from 'vitest';
import { OnnxModel } from '../../src/models/onnx-model.js';
import { gradientOps } from '../../src/onnx/backward/registry.js';
import '../../src/onnx/backward/rules/index.js';
import { seeded } from '../helpers/models.js';
import { ModelBuilder } from './builder.js';
import { avoiding, awayFromZero, distinct, finiteDifferences, forward, rawSession, relativeError } from './fd.js';

interface Case {
  name: string;
  /** Ops whose rules the case exercises. */
  ops: string[];
  /** One example's shape, in the model's own layout. */
  shape: number[];
  build: (b: ModelBuilder, x: string) => string;
  opsets?: number[];
  input?: (count: number, seed: number) => Float32Array;
  h?: number;
  /** Op types the input-gradient graph must contain / must not contain (which path a rule took). */
  backward?: { has?: string[]; lacks?: string[] };
}

const K = 3;

function conv(b: ModelBuilder, x: string, cin: number, cout: number, k: number[], attrs: Record<string, number | number[] | string> = {}, seed = 1): string {
  const group = (attrs.group as number) ?? 1;
  return b.op('Conv', [x, b.rand([cout, cin / group, ...k], seed), b.rand([cout], seed + 1)], attrs);
}

const cases: Case[] = [
  { name: 'Conv 3x3 pads 1', ops: ['Conv'], shape: [3, 6, 6], build: (b, x) => conv(b, x, 3, 4, [3, 3], { pads: [1, 1, 1, 1] }) },
  {
    name: 'Conv stride 2, dilation 2, asymmetric pads',
    ops: ['Conv'],
    shape: [2, 9, 8],
    build: (b, x) => conv(b, x, 2, 3, [3, 2], { strides: [2, 2], dilations: [2, 2], pads: [1, 0, 2, 1] }),
  },
  {
    name: 'Conv groups 2, stride 2, odd size (output_padding)',
    ops: ['Conv'],
    shape: [4, 7, 7],
    build: (b, x) => conv(b, x, 4, 6, [3, 3], { group: 2, strides: [2, 2], pads: [1, 1, 1, 1] }),
  },
  {
    name: 'depthwise Conv, SAME_UPPER, stride 2',
    ops: ['Conv'],
    shape: [3, 8, 8],
    build: (b, x) => conv(b, x, 3, 3, [3, 3], { group: 3, strides: [2, 2], auto_pad: 'SAME_UPPER' }),
  },
  { name: 'Conv 1-D stride 2', ops: ['Conv'], shape: [3, 10], build: (b, x) => conv(b, x, 3, 4, [3], { strides: [2] }) },
  // Stride 1: the input gradient is a Conv with flipped weights (rules/conv.ts), in every form.
  {
    name: 'Conv stride 1, groups 2, dilation 2, asymmetric pads, non-square kernel',
    ops: ['Conv'],
    shape: [4, 9, 8],
    build: (b, x) => conv(b, x, 4, 6, [3, 2], { group: 2, dilations: [2, 1], pads: [2, 0, 1, 1] }),
    backward: { lacks: ['ConvTranspose'] },
  },
  {
    name: 'depthwise Conv stride 1 with channel multiplier 2, SAME_LOWER',
    ops: ['Conv'],
    shape: [3, 7, 7],
    build: (b, x) => conv(b, x, 3, 6, [3, 3], { group: 3, auto_pad: 'SAME_LOWER' }),
    backward: { lacks: ['ConvTranspose'] },
  },
  {
    name: 'Conv 1x1 and 1-D stride 1, no pads',
    ops: ['Conv'],
    shape: [3, 10],
    build: (b, x) => conv(b, conv(b, x, 3, 4, [1]), 4, 2, [5], {}, 3),
    backward: { lacks: ['ConvTranspose'] },
  },
  {
    name: 'Conv stride 1 with pads larger than the kernel (ConvTranspose kept)',
    ops: ['Conv'],
    shape: [2, 5, 5],
    build: (b, x) => conv(b, x, 2, 3, [3, 3], { pads: [3, 1, 0, 3] }),
    backward: { has: ['ConvTranspose'] },
  },
  { name: 'Relu', ops: ['Relu'], shape: [2, 4, 4], build: (b, x) => b.op('Relu', [x]), input: awayFromZero },
  { name: 'Abs', ops: ['Abs'], shape: [2, 4, 4], build: (b, x) => b.op('Abs', [x]), input: awayFromZero },
  { name: 'LeakyRelu', ops: ['LeakyRelu'], shape: [2, 4, 4], build: (b, x) => b.op('LeakyRelu', [x], { alpha: { f: 0.1 } }), input: awayFromZero },
  {
    name: 'Clip as ReLU6',
    ops: ['Clip'],
    shape: [2, 4, 4],
    build: (b, x) => b.op('Clip', [x, b.init([], [0]), b.init([], [6])]),
    input: (n, s) => avoiding(n, s, -2, 8, [0, 6]),
  },
  {
    name: 'Clip with min only',
    ops: ['Clip'],
    shape: [2, 4, 4],
    build: (b, x) => b.op('Clip', [x, b.init([], [-0.3])]),
    input: (n, s) => avoiding(n, s, -1, 1, [-0.3]),
  },
  { name: 'Sigmoid', ops: ['Sigmoid'], shape: [2, 4, 4], build: (b, x) => b.op('Sigmoid', [x]) },
  { name: 'Tanh', ops: ['Tanh'], shape: [2, 4, 4], build: (b, x) => b.op('Tanh', [x]) },
  {
    name: 'HardSigmoid',
    ops: ['HardSigmoid'],
    shape: [2, 4, 4],
    build: (b, x) => b.op('HardSigmoid', [x], { alpha: { f: 0.25 }, beta: { f: 0.5 } }),
    input: (n, s) => avoiding(n, s, -3.5, 3.5, [-2, 2]),
  },
  {
    name: 'HardSwish',
    ops: ['HardSwish'],
    shape: [2, 4, 4],
    opsets: [14],
    build: (b, x) => b.op('HardSwish', [x]),
    input: (n, s) => avoiding(n, s, -5, 5, [-3, 3]),
  },
  { name: 'Elu', ops: ['Elu'], shape: [2, 4, 4], build: (b, x) => b.op('Elu', [x], { alpha: { f: 0.7 } }), input: awayFromZero },
  { name: 'PRelu', ops: ['PRelu'], shape: [2, 4, 4], build: (b, x) => b.op('PRelu', [x, b.rand([2, 1, 1], 3)]), input: awayFromZero },
  {
    name: 'Softplus, Exp, Log, Sqrt, Neg, Erf, Pow',
    ops: ['Softplus', 'Exp', 'Log', 'Sqrt', 'Neg', 'Erf', 'Pow'],
    shape: [2, 3, 3],
    build: (b, x) => {
      const sq = b.op('Pow', [x, b.init([], [2])]);
      const pos = b.op('Add', [sq, b.init([], [0.5])]);
      const parts = [b.op('Softplus', [x]), b.op('Exp', [b.op('Neg', [x])]), b.op('Log', [pos]), b.op('Sqrt', [pos]), b.op('Erf', [x])];
      return b.op('Sum', parts);
    },
  },
  {
    name: 'Add/Sub/Mul/Div with broadcasting, both operands on the path',
    ops: ['Add', 'Sub', 'Mul', 'Div', 'Sum', 'ReduceMean', 'Sigmoid'],
    shape: [3, 4, 5],
    build: (b, x) => {
      const gate = b.reduce('ReduceMean', x, [2, 3], 1); // [N,C,1,1]
      const scaled = b.op('Mul', [b.op('Sigmoid', [x]), gate]);
      const shifted = b.op('Add', [scaled, b.rand([3, 1, 1], 4)]);
      const row = b.reduce('ReduceMean', b.op('Mul', [x, x]), [1], 1); // [N,1,H,W]
      const divided = b.op('Div', [shifted, b.op('Add', [row, b.init([], [1])])]);
      const sub = b.op('Sub', [b.rand([5], 5), divided]);
      return b.op('Sub', [sub, b.op('Div', [gate, b.init([1, 1], [2])])]);
    },
    opsets: [11, 13, 18],
  },
  {
    name: 'Mean and Where',
    ops: ['Mean', 'Where'],
    shape: [2, 3, 3],
    build: (b, x) => {
      const cond = b.op('Greater', [b.rand([3, 3], 6), b.init([], [0])]);
      return b.op('Mean', [x, b.op('Where', [cond, b.op('Tanh', [x]), b.rand([1], 7)]), b.op('Sigmoid', [x])]);
    },
  },
  {
    name: 'MaxPool 2x2 stride 2',
    ops: ['MaxPool'],
    shape: [2, 6, 6],
    build: (b, x) => b.op('MaxPool', [x], { kernel_shape: [2, 2], strides: [2, 2] }),
    input: distinct,
    opsets: [11, 13, 18],
  },
  {
    name: 'MaxPool 3x3 stride 2 pads 1 (overlapping windows)',
    ops: ['MaxPool'],
    shape: [2, 7, 8],
    build: (b, x) => b.op('MaxPool', [x], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }),
    input: distinct,
  },
  {
    name: 'MaxPool ceil_mode, dilation 2',
    ops: ['MaxPool'],
    shape: [2, 9, 8],
    build: (b, x) => b.op('MaxPool', [x], { kernel_shape: [2, 3], strides: [2, 2], dilations: [2, 1], ceil_mode: 1 }),
    input: distinct,
  },
  {
    name: 'MaxPool 1-D stride 1',
    ops: ['MaxPool'],
    shape: [3, 10],
    build: (b, x) => b.op('MaxPool', [x], { kernel_shape: [3], strides: [1], pads: [1, 1] }),
    input: distinct,
  },
  {
    name: 'AveragePool 3x3 stride 2 pads 1, padding excluded',
    ops: ['AveragePool'],
    shape: [2, 7, 6],
    build: (b, x) => b.op('AveragePool', [x], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }),
  },
  {
    name: 'AveragePool padding counted, ceil_mode (last window past the padding)',
    ops: ['AveragePool'],
    shape: [2, 8, 6],
    build: (b, x) => b.op('AveragePool', [x], { kernel_shape: [2, 2], strides: [2, 2], pads: [1, 1, 0, 1], count_include_pad: 1, ceil_mode: 1 }),
  },
  { name: 'GlobalAveragePool', ops: ['GlobalAveragePool'], shape: [3, 4, 5], build: (b, x) => b.op('GlobalAveragePool', [x]) },
  { name: 'GlobalMaxPool', ops: ['GlobalMaxPool'], shape: [3, 4, 5], build: (b, x) => b.op('GlobalMaxPool', [x]), input: distinct },
  {
    name: 'BatchNormalization (inference)',
    ops: ['BatchNormalization'],
    shape: [3, 4, 4],
    build: (b, x) => b.op('BatchNormalization', [x, b.rand([3], 8), b.rand([3], 9), b.rand([3], 10), b.init([3], [0.5, 1.5, 2])], { epsilon: { f: 1e-3 } }),
  },
  {
    name: 'Gemm transB, alpha, beta, bias',
    ops: ['Gemm', 'Tanh'],
    shape: [6],
    build: (b, x) => b.op('Tanh', [b.op('Gemm', [x, b.rand([4, 6], 11), b.rand([4], 12)], { transB: 1, alpha: { f: 0.7 }, beta: { f: 1.3 } })]),
  },
  {
    name: 'Gemm transA with A on the path, B on the path',
    ops: ['Gemm', 'Transpose'],
    shape: [5],
    build: (b, x) => {
      const xt = b.op('Transpose', [x], { perm: [1, 0] }); // [5, N]
      const a = b.op('Gemm', [xt, b.rand([5, 4], 13)], { transA: 1 }); // [N, 4]
      const yt = b.op('Gemm', [b.rand([4, 5], 14), xt]); // B on the path: [4, N]
      const yt2 = b.op('Gemm', [b.rand([4, 5], 15), x], { transB: 1, alpha: { f: 0.5 } }); // B on the path, transposed
      return b.op('Add', [b.op('Tanh', [a]), b.op('Transpose', [b.op('Mul', [yt, yt2])], { perm: [1, 0] })]);
    },
  },
  {
    name: 'MatMul 3-D, both operands on the path (attention-like)',
    ops: ['MatMul', 'Transpose', 'Softmax'],
    shape: [4, 5],
    build: (b, x) => {
      const q = b.op('MatMul', [x, b.rand([5, 3], 16)]);
      const k = b.op('MatMul', [x, b.rand([5, 3], 17)]);
      const scores = b.op('MatMul', [q, b.op('Transpose', [k], { perm: [0, 2, 1] })]); // [N,4,4]
      return b.op('MatMul', [b.op('Softmax', [scores], { axis: -1 }), x]);
    },
  },
  {
    name: 'Reshape from a Shape/Gather/Concat subgraph, Flatten, Squeeze, Unsqueeze, Identity, Dropout',
    ops: ['Reshape', 'Flatten', 'Squeeze', 'Unsqueeze', 'Identity', 'Dropout', 'Cast'],
    shape: [2, 3, 4],
    opsets: [11, 13],
    build: (b, x) => {
      const shape = b.op('Shape', [x]);
      const batch = b.op('Gather', [shape, b.init([1], [0], 'int64')], { axis: 0 });
      const target = b.op('Concat', [batch, b.init([2], [6, 4], 'int64')], { axis: 0 });
      const r = b.op('Reshape', [b.op('Sigmoid', [x]), target]); // [N, 6, 4]
      const u = b.unsqueeze(r, [1]); // [N,1,6,4]
      const s = b.squeeze(b.op('Identity', [u]), [1]);
      const d = b.op('Dropout', [s]);
      return b.op('Cast', [b.op('Flatten', [d], { axis: 1 })], { to: 1 });
    },
  },
  {
    name: 'Transpose, Concat, Split',
    ops: ['Transpose', 'Concat', 'Split'],
    shape: [4, 3, 2],
    opsets: [11, 13, 18],
    build: (b, x) => {
      const t = b.op('Transpose', [x], { perm: [0, 2, 3, 1] }); // [N,3,2,4]
      const cat = b.op('Concat', [t, b.op('Tanh', [t]), b.op('Sigmoid', [t])], { axis: 3 }); // [N,3,2,12]
      const parts =
        b.opset >= 18
          ? b.node('Split', [cat], { axis: 3, num_outputs: 3 }, 3)
          : b.opset >= 13
            ? b.node('Split', [cat, b.init([3], [5, 3, 4], 'int64')], { axis: 3 }, 3)
            : b.node('Split', [cat], { axis: 3, split: [5, 3, 4] }, 3);
      // parts[1] is left unused: its gradient is zero.
      const slice = (t: string, from: number, to: number) =>
        b.op('Slice', [t, b.init([1], [from], 'int64'), b.init([1], [to], 'int64'), b.init([1], [3], 'int64')]);
      return b.op('Mul', [slice(parts[2], 1, 3), slice(parts[0], 0, 2)]);
    },
  },
  {
    name: 'Slice with negative indices, Pad',
    ops: ['Slice', 'Pad'],
    shape: [2, 6, 5],
    build: (b, x) => {
      const s = b.op('Slice', [x, b.init([2], [1, -4], 'int64'), b.init([2], [-1, 100], 'int64'), b.init([2], [2, -1], 'int64')]); // [N,2,4,4]
      const p = b.op('Pad', [b.op('Sigmoid', [s]), b.init([8], [0, 0, 1, 2, 0, 0, 2, 0], 'int64'), b.init([], [0.3])]);
      return p;
    },
  },
  {
    name: 'ReduceMean, ReduceSum (keepdims 0)',
    ops: ['ReduceMean', 'ReduceSum'],
    shape: [3, 4, 5],
    opsets: [11, 13, 18],
    build: (b, x) => {
      const m = b.reduce('ReduceMean', b.op('Tanh', [x]), [2, 3], 0); // [N,3]
      const s = b.reduce('ReduceSum', b.op('Mul', [x, x]), [1, -1], 0); // [N,4]
      return b.op('Concat', [m, s], { axis: 1 });
    },
  },
  {
    name: 'Softmax and LogSoftmax',
    ops: ['Softmax', 'LogSoftmax'],
    shape: [3, 2, 4],
    opsets: [11, 13],
    build: (b, x) => {
      const s = b.op('Softmax', [x], { axis: 1 });
      const l = b.op('LogSoftmax', [x], { axis: 2 });
      return b.op('Add', [s, b.op('Mul', [l, b.init([], [0.3])])]);
    },
  },
  {
    name: 'Constant node and Expand',
    ops: ['Expand', 'Constant'],
    shape: [3, 1],
    build: (b, x) => {
      const c = b.op('Constant', [], { value: { t: { dims: [1, 4], dataType: 1, floatData: [0.5, -1, 2, 0.25] } } });
      const e = b.op('Expand', [x, b.init([3], [1, 3, 4], 'int64')]);
      return b.op('Mul', [e, c]);
    },
  },
];

/** The case's model with a seeded linear head to K classes. */
async function caseModel(c: Case, opset: number): Promise<Uint8Array> {
  const probe = new ModelBuilder(opset);
  const px = probe.input('x', ['N', ...c.shape]);
  const pt = c.build(probe, px);
  probe.output(pt);
  const session = await rawSession(probe.bytes());
  const size = c.shape.reduce((a, b) => a * b, 1);
  const out = await forward(session, new Float32Array(size).fill(0.3), [1, ...c.shape]);
  await session.release();
  const features = out.dims.slice(1).reduce((a, b) => a * b, 1);

  const b = new ModelBuilder(opset);
  const x = b.input('x', ['N', ...c.shape]);
  const t = c.build(b, x);
  const flat = b.op('Flatten', [t], { axis: 1 });
  b.output(b.op('Gemm', [flat, b.init([K, features], seeded(K * features, 99, 1)), b.init([K], [0.1, -0.2, 0.3])], { transB: 1 }));
  return b.bytes();
}

describe('gradient rules vs finite differences', () => {
  const covered = new Set<string>();
  const errors: number[] = [];
  for (const c of cases) {
    for (const opset of c.opsets ?? [13]) {
      it(`${c.name} (opset ${opset})`, async () => {
        const bytes = await caseModel(c, opset);
        const model = await OnnxModel.fromBytes(bytes, { name: c.name, layout: 'nhwc', threads: 1 });
        const n = 2;
        const per = c.shape.reduce((a, b) => a * b, 1);
        const x = (c.input ?? ((count: number, seed: number) => seeded(count, seed, 1)))(n * per, 21 + opset);
        const targets = [0, 2];
        const r = await model.gradients({ input: { data: x, shape: [n, ...c.shape] }, targets });
        if (c.backward) {
          // The graph behind the call above (OnnxModel builds it privately).
          const graph = (model as unknown as { gradientGraph(...a: unknown[]): { toModel(): { graph?: { node?: { opType?: string }[] } } } })
            .gradientGraph(undefined, true, 'standard', 'logit');
          const ops = new Set(graph.toModel().graph?.node?.map((n) => n.opType));
          for (const op of c.backward.has ?? []) expect(ops.has(op), `${op} in the backward graph`).toBe(true);
          for (const op of c.backward.lacks ?? []) expect(ops.has(op), `${op} in the backward graph`).toBe(false);
        }
        const session = await rawSession(bytes);
        const fd = await finiteDifferences(async (batch, m) => (await forward(session, batch, [m, ...c.shape])).data, x, n, targets, K, c.h ?? 1e-2);
        await session.release();
        // The reported score is the target logit of a plain forward pass.
        const plain = await model.predict({ data: x, shape: [n, ...c.shape] });
        expect(Array.from(r.scores)).toEqual(targets.map((t, i) => expect.closeTo(plain.data[i * K + t], 5)));
        expect(r.inputGradient!.shape).toEqual([n, ...c.shape]);
        const err = relativeError(r.inputGradient!.data, fd);
        errors.push(err);
        expect(err, `relative error ${err}`).toBeLessThan(2e-3);
        model.dispose();
        for (const op of c.ops) covered.add(op);
      });
    }
  }

  it('covers every registered rule', () => {
    const missing = gradientOps().filter((op) => !covered.has(op));
    expect(missing).toEqual([]);
    console.log(`gradient rules: ${errors.length} models, largest relative error vs finite differences ${Math.max(...errors).toExponential(2)}`);
  });
});
