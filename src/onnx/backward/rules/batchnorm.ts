/** BatchNormalization in inference mode is a per-channel affine map: dy·scale/√(var+ε). */
import { attrFloat, attrInt } from '../../proto.js';
import { mul, scalar } from '../emit.js';
import { registerGradient } from '../registry.js';

registerGradient('BatchNormalization', (c) => {
  if (attrInt(c.node, 'training_mode', 0) === 1 || (c.node.output?.filter(Boolean).length ?? 1) > 1) {
    c.fail('training-mode batch normalization is not supported; export the model in eval mode');
  }
  if ([1, 2, 3, 4].some((i) => c.needs(i))) c.fail('gradients through statistics computed from the input are not supported');
  const g = c.graph;
  const rank = c.shape(c.input(0)).length;
  const channels = c.shape(c.input(1))[0];
  const eps = attrFloat(c.node, 'epsilon', 1e-5);
  const factor = g.op('Div', [c.input(1), g.op('Sqrt', [g.op('Add', [c.input(4), scalar(g, eps)])])]);
  const perChannel = g.op('Reshape', [factor, g.constInt64([channels, ...Array(Math.max(0, rank - 2)).fill(1)])]);
  return [mul(g, c.dy()!, perChannel)];
});
