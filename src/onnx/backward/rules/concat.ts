/** Concat's gradient slices dy back into pieces; Split's concatenates the pieces' gradients. */
import { attrInt } from '../../proto.js';
import { normAxis, zerosLike } from '../emit.js';
import { registerGradient } from '../registry.js';

registerGradient('Concat', (c) => {
  const g = c.graph;
  const rank = c.shape(c.output(0)).length;
  const axis = normAxis(attrInt(c.node, 'axis', 0), rank);
  if (axis === 0) c.fail('concatenation along the batch axis is not supported');
  let offset = 0;
  return (c.node.input ?? []).map((name, i) => {
    const size = c.shape(name)[axis];
    const start = offset;
    offset += size;
    if (!c.needs(i)) return undefined;
    return g.op('Slice', [c.dy()!, g.constInt64([start]), g.constInt64([start + size]), g.constInt64([axis])]);
  });
});

registerGradient('Split', (c) => {
  const g = c.graph;
  const rank = c.shape(c.input(0)).length;
  const axis = normAxis(attrInt(c.node, 'axis', 0), rank);
  const pieces = (c.node.output ?? []).map((name, i) => c.dy(i) ?? zerosLike(g, name));
  return [g.op('Concat', pieces, { axis })];
});
