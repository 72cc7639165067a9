/**
 * Binary arithmetic with numpy broadcasting: each operand's gradient is summed back over the
 * axes it was broadcast along (emit.sumToShape).
 */
import { mul, scalar, sumToShape } from '../emit.js';
import { registerGradient } from '../registry.js';
import type { GradContext } from '../types.js';

/** Brings a gradient of the output's shape back to input i's shape. */
function toInput(c: GradContext, i: number, grad: string): string {
  return sumToShape(c.graph, grad, c.shape(c.output(0)), c.shape(c.input(i)));
}

registerGradient(['Add', 'Sum'], (c) => (c.node.input ?? []).map((_, i) => (c.needs(i) ? toInput(c, i, c.dy()!) : undefined)));

registerGradient('Mean', (c) => {
  const n = c.node.input?.length ?? 1;
  const dy = mul(c.graph, c.dy()!, scalar(c.graph, 1 / n));
  return (c.node.input ?? []).map((_, i) => (c.needs(i) ? toInput(c, i, dy) : undefined));
});

registerGradient('Sub', (c) => [
  c.needs(0) ? toInput(c, 0, c.dy()!) : undefined,
  c.needs(1) ? toInput(c, 1, c.graph.op('Neg', [c.dy()!])) : undefined,
]);

registerGradient('Mul', (c) => {
  const g = c.graph;
  return [
    c.needs(0) ? toInput(c, 0, mul(g, c.dy()!, c.input(1))) : undefined,
    c.needs(1) ? toInput(c, 1, mul(g, c.dy()!, c.input(0))) : undefined,
  ];
});

registerGradient('Div', (c) => {
  const g = c.graph;
  const b = c.input(1);
  return [
    c.needs(0) ? toInput(c, 0, g.op('Div', [c.dy()!, b])) : undefined,
    // d(a/b)/db = -(a/b)/b
    c.needs(1) ? toInput(c, 1, g.op('Neg', [mul(g, c.dy()!, g.op('Div', [c.output(0), b]))])) : undefined,
  ];
});

registerGradient('Pow', (c) => {
  const g = c.graph;
  if (c.needs(1)) c.fail('the gradient with respect to the exponent is not supported');
  const p = c.constant(1, 'exponent');
  if (p.length !== 1) c.fail('only a scalar exponent is supported');
  const slope = mul(g, scalar(g, p[0]), g.op('Pow', [c.input(0), scalar(g, p[0] - 1)]));
  return [toInput(c, 0, mul(g, c.dy()!, slope))];
});

registerGradient('Where', (c) => {
  const g = c.graph;
  const cond = c.input(0);
  const zero = scalar(g, 0);
  return [
    undefined,
    c.needs(1) ? toInput(c, 1, g.op('Where', [cond, c.dy()!, zero])) : undefined,
    c.needs(2) ? toInput(c, 2, g.op('Where', [cond, zero, c.dy()!])) : undefined,
  ];
});
