/**
 * Building blocks the gradient rules emit, written once and opset-aware: ReduceSum, Squeeze and
 * Unsqueeze took their axes as attributes before opset 13 and as inputs from 13 on.
 * Anything that depends on the batch size is computed from `Shape` at run time, so one backward
 * graph serves every batch size.
 */
import type { OnnxGraph } from '../graph.js';
import { floatTensor } from '../proto.js';

export function reduceSum(g: OnnxGraph, x: string, axes: number[], keepdims: boolean): string {
  if (axes.length === 0) return x;
  const keep = keepdims ? 1 : 0;
  if (g.opset >= 13) return g.op('ReduceSum', [x, g.constInt64(axes)], { keepdims: keep });
  return g.op('ReduceSum', [x], { axes, keepdims: keep });
}

/** ReduceMean without kept dims (axes moved to an input at opset 18). */
export function reduceMean(g: OnnxGraph, x: string, axes: number[]): string {
  if (g.opset >= 18) return g.op('ReduceMean', [x, g.constInt64(axes)], { keepdims: 0 });
  return g.op('ReduceMean', [x], { axes, keepdims: 0 });
}

export function unsqueeze(g: OnnxGraph, x: string, axes: number[]): string {
  if (axes.length === 0) return x;
  if (g.opset >= 13) return g.op('Unsqueeze', [x, g.constInt64(axes)]);
  return g.op('Unsqueeze', [x], { axes });
}

export function squeeze(g: OnnxGraph, x: string, axes: number[]): string {
  if (axes.length === 0) return x;
  if (g.opset >= 13) return g.op('Squeeze', [x, g.constInt64(axes)]);
  return g.op('Squeeze', [x], { axes });
}

export function shapeOf(g: OnnxGraph, x: string): string {
  return g.op('Shape', [x]);
}

/** Reshape `x` to the run-time shape of `like`. */
export function reshapeLike(g: OnnxGraph, x: string, like: string): string {
  return g.op('Reshape', [x, shapeOf(g, like)]);
}

export function constantOfShape(g: OnnxGraph, shape: string, value: number): string {
  return g.op('ConstantOfShape', [shape], { value: floatTensor('', [1], [value]) });
}

export function zerosLike(g: OnnxGraph, x: string): string {
  return constantOfShape(g, shapeOf(g, x), 0);
}

export function scalar(g: OnnxGraph, v: number): string {
  return g.constFloat([v], []);
}

export function mul(g: OnnxGraph, a: string, b: string): string {
  return g.op('Mul', [a, b]);
}

/** 1 where the condition tensor (bool) holds, 0 elsewhere, as float. */
export function maskOf(g: OnnxGraph, condition: string): string {
  return g.op('Cast', [condition], { to: 1 });
}

/**
 * Sums a gradient of broadcast shape `from` down to an operand's shape `to` (numpy rules:
 * leading axes the operand lacks, and axes where it has size 1).
 */
export function sumToShape(g: OnnxGraph, grad: string, from: number[], to: number[]): string {
  const lead = from.length - to.length;
  const inner: number[] = [];
  for (let i = 0; i < to.length; i++) if (to[i] === 1 && from[lead + i] !== 1) inner.push(lead + i);
  let out = reduceSum(g, grad, inner, true);
  if (lead > 0) out = reduceSum(g, out, Array.from({ length: lead }, (_, i) => i), false);
  return out;
}

/** Swaps the last two axes of a tensor of rank `rank`. */
export function transposeLast2(g: OnnxGraph, x: string, rank: number): string {
  const perm = Array.from({ length: rank }, (_, i) => i);
  [perm[rank - 2], perm[rank - 1]] = [perm[rank - 1], perm[rank - 2]];
  return g.op('Transpose', [x], { perm });
}

export function normAxis(axis: number, rank: number): number {
  return axis < 0 ? axis + rank : axis;
}
