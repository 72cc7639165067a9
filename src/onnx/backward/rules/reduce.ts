/** ReduceSum/ReduceMean: dy is broadcast back over the reduced axes (÷ count for the mean). */
import { attrInt, attrInts } from '../../proto.js';
import { mul, normAxis, scalar, shapeOf, unsqueeze } from '../emit.js';
import { registerGradient } from '../registry.js';
import type { GradContext } from '../types.js';

/** Axes moved from attribute to input: ReduceSum at opset 13, the other reductions at 18. */
function reducedAxes(c: GradContext, inputFrom: number): number[] {
  const rank = c.shape(c.input(0)).length;
  let axes: number[] | undefined;
  if (c.opset >= inputFrom) axes = c.input(1) ? c.constant(1, 'axes') : undefined;
  else axes = attrInts(c.node, 'axes');
  if (!axes || axes.length === 0) {
    if (attrInt(c.node, 'noop_with_empty_axes', 0) === 1) return [];
    return Array.from({ length: rank }, (_, i) => i);
  }
  return [...new Set(axes.map((a) => normAxis(a, rank)))].sort((a, b) => a - b);
}

function reduceGradient(c: GradContext, inputFrom: number, mean: boolean): string {
  const g = c.graph;
  const x = c.input(0);
  const axes = reducedAxes(c, inputFrom);
  if (axes.length === 0) return c.dy()!;
  const keep = attrInt(c.node, 'keepdims', 1) === 1;
  const dy = keep ? c.dy()! : unsqueeze(g, c.dy()!, axes);
  const spread = g.op('Expand', [dy, shapeOf(g, x)]);
  if (!mean) return spread;
  if (axes.includes(0)) {
    // The count depends on the batch size: take it from the run-time sizes.
    const ratio = g.op('Div', [g.op('Cast', [g.op('Size', [c.output(0)])], { to: 1 }), g.op('Cast', [g.op('Size', [x])], { to: 1 })]);
    return mul(g, spread, ratio);
  }
  const count = axes.reduce((n, a) => n * c.shape(x)[a], 1);
  return mul(g, spread, scalar(g, 1 / count));
}

registerGradient('ReduceSum', (c) => [reduceGradient(c, 13, false)]);
registerGradient('ReduceMean', (c) => [reduceGradient(c, 18, true)]);
