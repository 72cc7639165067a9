/**
 * Ops that only move values around: Reshape-like ops take dy back to the input's run-time
 * shape, Transpose applies the inverse permutation, Identity/Dropout (inference) pass dy on.
 * Their shape inputs are integer tensors, so shape subgraphs never receive gradients.
 */
import { attrInts } from '../../proto.js';
import { reshapeLike, sumToShape } from '../emit.js';
import { registerGradient } from '../registry.js';

registerGradient(['Reshape', 'Flatten', 'Squeeze', 'Unsqueeze'], (c) => [reshapeLike(c.graph, c.dy()!, c.input(0))]);

registerGradient(['Identity', 'Dropout'], (c) => [c.dy()]);

registerGradient('Cast', (c) => [c.graph.op('Cast', [c.dy()!], { to: 1 })]);

registerGradient('Transpose', (c) => {
  const rank = c.shape(c.input(0)).length;
  const perm = attrInts(c.node, 'perm') ?? Array.from({ length: rank }, (_, i) => rank - 1 - i);
  const inverse = new Array<number>(rank);
  perm.forEach((p, i) => (inverse[p] = i));
  return [c.graph.op('Transpose', [c.dy()!], { perm: inverse })];
});

registerGradient('Expand', (c) => [sumToShape(c.graph, c.dy()!, c.shape(c.output(0)), c.shape(c.input(0)))]);
