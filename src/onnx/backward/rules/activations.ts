/**
 * Element-wise activations. ReLU (and Clip with a lower bound of 0, i.e. ReLU6) is where the
 * backward rules differ: standard passes dy where the input was positive; guided backprop
 * (Springenberg et al. 2015) also drops negative dy; deconvnet (Zeiler & Fergus 2014) passes
 * relu(dy) regardless of the input.
 */
import type { OnnxGraph } from '../../graph.js';
import { maskOf, mul, scalar } from '../emit.js';
import { registerGradient } from '../registry.js';
import type { GradContext } from '../types.js';
import { attrFloat } from '../../proto.js';

/** dy through a ReLU-like unit; `mask()` builds its pass-through region as 0/1 floats. */
function reluLike(c: GradContext, mask: () => string): string {
  const g = c.graph;
  const dy = c.dy()!;
  if (c.rule === 'deconvnet') return g.op('Relu', [dy]);
  const masked = mul(g, dy, mask());
  return c.rule === 'guided' ? g.op('Relu', [masked]) : masked;
}

// sign(relu(x)) is exactly [x > 0] as floats: one op instead of Greater + Cast.
registerGradient('Relu', (c) => [reluLike(c, () => c.graph.op('Sign', [c.output(0)]))]);

function bound(c: GradContext, i: number): { tensor?: string; value?: number } {
  const name = c.input(i);
  if (!name) return {};
  const v = c.graph.constantValues(name);
  return { tensor: name, value: v && v.length === 1 ? v[0] : undefined };
}

registerGradient('Clip', (c) => {
  const g = c.graph;
  const x = c.input(0);
  const lo = bound(c, 1);
  const hi = bound(c, 2);
  if (!lo.tensor && !hi.tensor) return [c.dy()];
  const mask = () => {
    const conds: string[] = [];
    if (lo.tensor) conds.push(g.op('Greater', [x, lo.tensor]));
    if (hi.tensor) conds.push(g.op('Less', [x, hi.tensor]));
    return maskOf(g, conds.length === 2 ? g.op('And', conds) : conds[0]);
  };
  // A Clip with lower bound 0 is a ReLU (ReLU6 when the upper bound is 6): the ReLU rules apply.
  if (lo.value === 0) return [reluLike(c, mask)];
  return [mul(g, c.dy()!, mask())];
});

function positive(g: OnnxGraph, x: string): string {
  return g.op('Greater', [x, scalar(g, 0)]);
}

registerGradient('LeakyRelu', (c) => {
  const g = c.graph;
  const alpha = attrFloat(c.node, 'alpha', 0.01);
  const slope = g.op('Where', [positive(g, c.input(0)), scalar(g, 1), scalar(g, alpha)]);
  return [mul(g, c.dy()!, slope)];
});

registerGradient('PRelu', (c) => {
  const g = c.graph;
  if (c.needs(1)) c.fail('the gradient with respect to its slope is not supported');
  const slope = g.op('Where', [positive(g, c.input(0)), scalar(g, 1), c.input(1)]);
  return [mul(g, c.dy()!, slope)];
});

registerGradient('Sigmoid', (c) => {
  const g = c.graph;
  const y = c.output(0);
  return [mul(g, c.dy()!, mul(g, y, g.op('Sub', [scalar(g, 1), y])))];
});

registerGradient('Tanh', (c) => {
  const g = c.graph;
  const y = c.output(0);
  return [mul(g, c.dy()!, g.op('Sub', [scalar(g, 1), mul(g, y, y)]))];
});

registerGradient('HardSigmoid', (c) => {
  const g = c.graph;
  const alpha = attrFloat(c.node, 'alpha', 0.2);
  const beta = attrFloat(c.node, 'beta', 0.5);
  const z = g.op('Add', [mul(g, c.input(0), scalar(g, alpha)), scalar(g, beta)]);
  const inside = g.op('And', [g.op('Greater', [z, scalar(g, 0)]), g.op('Less', [z, scalar(g, 1)])]);
  return [mul(g, c.dy()!, mul(g, maskOf(g, inside), scalar(g, alpha)))];
});

// y = x·clip(x/6 + 1/2, 0, 1): slope 0 below -3, 1 above 3, x/3 + 1/2 between (as PyTorch).
registerGradient('HardSwish', (c) => {
  const g = c.graph;
  const x = c.input(0);
  const middle = g.op('Add', [mul(g, x, scalar(g, 1 / 3)), scalar(g, 0.5)]);
  const upper = g.op('Where', [g.op('Greater', [x, scalar(g, 3)]), scalar(g, 1), middle]);
  const slope = g.op('Where', [g.op('Less', [x, scalar(g, -3)]), scalar(g, 0), upper]);
  return [mul(g, c.dy()!, slope)];
});

registerGradient('Elu', (c) => {
  const g = c.graph;
  const alpha = attrFloat(c.node, 'alpha', 1);
  const slope = g.op('Where', [positive(g, c.input(0)), scalar(g, 1), g.op('Add', [c.output(0), scalar(g, alpha)])]);
  return [mul(g, c.dy()!, slope)];
});

registerGradient('Softplus', (c) => [mul(c.graph, c.dy()!, c.graph.op('Sigmoid', [c.input(0)]))]);

registerGradient('Exp', (c) => [mul(c.graph, c.dy()!, c.output(0))]);

registerGradient('Log', (c) => [c.graph.op('Div', [c.dy()!, c.input(0)])]);

registerGradient('Sqrt', (c) => [c.graph.op('Div', [c.dy()!, mul(c.graph, c.output(0), scalar(c.graph, 2))])]);

registerGradient('Neg', (c) => [c.graph.op('Neg', [c.dy()!])]);

registerGradient('Abs', (c) => [mul(c.graph, c.dy()!, c.graph.op('Sign', [c.input(0)]))]);

registerGradient('Erf', (c) => {
  const g = c.graph;
  const x = c.input(0);
  const bell = g.op('Exp', [g.op('Neg', [mul(g, x, x)])]);
  return [mul(g, c.dy()!, mul(g, bell, scalar(g, 2 / Math.sqrt(Math.PI))))];
});
