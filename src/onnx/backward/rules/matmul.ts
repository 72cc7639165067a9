/**
 * Gemm and MatMul: dA = dY·Bᵀ, dB = Aᵀ·dY (with Gemm's transposes and alpha/beta; MatMul's
 * broadcast batch axes summed back).
 */
import { attrFloat, attrInt } from '../../proto.js';
import { mul, scalar, sumToShape, transposeLast2 } from '../emit.js';
import { registerGradient } from '../registry.js';

registerGradient('Gemm', (c) => {
  const g = c.graph;
  const alpha = attrFloat(c.node, 'alpha', 1);
  const beta = attrFloat(c.node, 'beta', 1);
  const transA = attrInt(c.node, 'transA', 0);
  const transB = attrInt(c.node, 'transB', 0);
  const dy = c.dy()!;
  const a = c.input(0);
  const b = c.input(1);
  let da: string | undefined;
  let db: string | undefined;
  let dc: string | undefined;
  // With A' = op(A), B' = op(B): dA' = α·dY·B'ᵀ and dB' = α·A'ᵀ·dY.
  if (c.needs(0)) {
    da = transA
      ? g.op('Gemm', [b, dy], { alpha: { float: alpha }, transA: transB, transB: 1 })
      : g.op('Gemm', [dy, b], { alpha: { float: alpha }, transB: transB ? 0 : 1 });
  }
  if (c.needs(1)) {
    db = transB
      ? g.op('Gemm', [dy, a], { alpha: { float: alpha }, transA: 1, transB: transA })
      : g.op('Gemm', [a, dy], { alpha: { float: alpha }, transA: transA ? 0 : 1 });
  }
  if (c.needs(2)) {
    const scaled = beta === 1 ? dy : mul(g, dy, scalar(g, beta));
    dc = sumToShape(g, scaled, c.shape(c.output(0)), c.shape(c.input(2)));
  }
  return [da, db, dc];
});

registerGradient('MatMul', (c) => {
  const g = c.graph;
  const a = c.input(0);
  const b = c.input(1);
  const ra = c.shape(a).length;
  const rb = c.shape(b).length;
  if (ra < 2 || rb < 2) c.fail('MatMul with a 1-D operand is not supported');
  const dy = c.dy()!;
  const yShape = c.shape(c.output(0));
  return [
    c.needs(0) ? sumToShape(g, g.op('MatMul', [dy, transposeLast2(g, b, rb)]), [...yShape.slice(0, -1), c.shape(a).at(-1)!], c.shape(a)) : undefined,
    c.needs(1) ? sumToShape(g, g.op('MatMul', [transposeLast2(g, a, ra), dy]), [...yShape.slice(0, -2), ...c.shape(b).slice(-2)], c.shape(b)) : undefined,
  ];
});
