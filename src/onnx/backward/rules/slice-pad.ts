/** Slice (step 1) and constant Pad are each other's adjoints: dy is padded back, or cropped. */
import { attrString } from '../../proto.js';
import { normAxis } from '../emit.js';
import { registerGradient } from '../registry.js';

registerGradient('Slice', (c) => {
  const g = c.graph;
  const xShape = c.shape(c.input(0));
  const rank = xShape.length;
  const starts = c.constant(1, 'starts');
  const ends = c.constant(2, 'ends');
  const axes = c.input(3) ? c.constant(3, 'axes') : starts.map((_, i) => i);
  const steps = c.input(4) ? c.constant(4, 'steps') : starts.map(() => 1);
  const pads = new Array<number>(2 * rank).fill(0);
  axes.forEach((a, i) => {
    const axis = normAxis(a, rank);
    const dim = xShape[axis];
    if (steps[i] !== 1) c.fail(`slicing with step ${steps[i]} is not supported (only step 1)`);
    const clamp = (v: number) => Math.min(dim, Math.max(0, v < 0 ? v + dim : v));
    const start = clamp(starts[i]);
    const end = Math.max(start, clamp(ends[i]));
    if (axis === 0 && (start !== 0 || end !== dim)) c.fail('slicing the batch axis is not supported');
    pads[axis] = start;
    pads[rank + axis] = dim - end;
  });
  return [g.op('Pad', [c.dy()!, g.constInt64(pads)], { mode: 'constant' })];
});

registerGradient('Pad', (c) => {
  const g = c.graph;
  const mode = attrString(c.node, 'mode', 'constant');
  if (mode !== 'constant') c.fail(`mode "${mode}" is not supported (only constant padding)`);
  const xShape = c.shape(c.input(0));
  const rank = xShape.length;
  const raw = c.constant(1, 'pads');
  const axes = c.input(3) ? c.constant(3, 'axes').map((a) => normAxis(a, rank)) : xShape.map((_, i) => i);
  const n = axes.length;
  const starts: number[] = [];
  const ends: number[] = [];
  const sliceAxes: number[] = [];
  axes.forEach((axis, i) => {
    const before = raw[i];
    const after = raw[n + i];
    if (before < 0 || after < 0) c.fail('negative pads (cropping) are not supported');
    if (before === 0 && after === 0) return;
    if (axis === 0) c.fail('padding the batch axis is not supported');
    starts.push(before);
    ends.push(before + xShape[axis]);
    sliceAxes.push(axis);
  });
  if (sliceAxes.length === 0) return [c.dy()];
  return [g.op('Slice', [c.dy()!, g.constInt64(starts), g.constInt64(ends), g.constInt64(sliceAxes)])];
});
