/**
 * Softmax: dx = y·(dy − Σ dy·y); LogSoftmax: dx = dy − softmax(x)·Σ dy. Before opset 13 both
 * flatten the input to 2-D at `axis`, so the sum runs over every axis from `axis` on.
 */
import { attrInt } from '../../proto.js';
import { mul, normAxis, reduceSum } from '../emit.js';
import { registerGradient } from '../registry.js';
import type { GradContext } from '../types.js';

function softmaxAxes(c: GradContext): number[] {
  const rank = c.shape(c.input(0)).length;
  const axis = normAxis(attrInt(c.node, 'axis', c.opset >= 13 ? -1 : 1), rank);
  if (c.opset >= 13) return [axis];
  return Array.from({ length: rank - axis }, (_, i) => axis + i);
}

registerGradient('Softmax', (c) => {
  const g = c.graph;
  const y = c.output(0);
  const dy = c.dy()!;
  const dot = reduceSum(g, mul(g, dy, y), softmaxAxes(c), true);
  return [mul(g, y, g.op('Sub', [dy, dot]))];
});

registerGradient('LogSoftmax', (c) => {
  const g = c.graph;
  const dy = c.dy()!;
  const total = reduceSum(g, dy, softmaxAxes(c), true);
  return [g.op('Sub', [dy, mul(g, g.op('Exp', [c.output(0)]), total)])];
});
