/**
 * Appends the backward pass to a forward ONNX graph: reverse-mode differentiation of one score
 * tensor ([N], one value per example, so per-example gradients do not mix) with respect to the
 * wanted tensors, written as standard ONNX ops so ONNX Runtime runs forward and backward in
 * one session. Only nodes on a path from a wanted tensor to the score are differentiated; tensors
 * that are not floating point (shapes, indices, masks) carry no gradient, which is how
 * shape-only subgraphs (Shape → Gather → Concat → Reshape) are treated as constants.
 */
import { fail } from '../../core/errors.js';
import type { BackwardRule } from '../../models/model.js';
import { nodeLabel, type OnnxGraph } from '../graph.js';
import { isFloat, type TensorInfos } from '../shapes.js';
import { constantOfShape, shapeOf, zerosLike } from './emit.js';
import { gradientRule } from './registry.js';
import type { GradContext } from './types.js';
import './rules/index.js';

export interface BackwardSpec {
  /** A float tensor of shape [N]: the per-example score. */
  score: string;
  /** Tensors whose gradient is wanted. */
  wrt: string[];
  rule: BackwardRule;
  /** Shapes and types of the forward tensors (and of the score). */
  infos: TensorInfos;
}

/** Appends the gradient computation to `graph`; returns wanted tensor → gradient tensor. */
export function buildBackward(graph: OnnxGraph, spec: BackwardSpec): Map<string, string> {
  const { infos } = spec;
  const floatTensor = (t: string) => !!t && isFloat(infos.get(t));

  // Tensors reachable forward from the wanted ones, and backward from the score.
  const forward = new Set(spec.wrt);
  for (const n of graph.nodes) {
    if ((n.input ?? []).some((i) => forward.has(i))) for (const o of n.output ?? []) if (floatTensor(o)) forward.add(o);
  }
  const backward = new Set([spec.score]);
  for (let k = graph.nodes.length - 1; k >= 0; k--) {
    const n = graph.nodes[k];
    if ((n.output ?? []).some((o) => backward.has(o))) for (const i of n.input ?? []) if (floatTensor(i)) backward.add(i);
  }
  const active = (t: string) => !!t && forward.has(t) && backward.has(t);

  const pending = new Map<string, string[]>();
  const push = (t: string, g: string) => {
    const list = pending.get(t);
    if (list) list.push(g);
    else pending.set(t, [g]);
  };
  /** The total gradient of a tensor (summing contributions from all its consumers). */
  const total = (t: string): string | undefined => {
    const list = pending.get(t);
    if (!list || list.length === 0) return undefined;
    if (list.length > 1) pending.set(t, [graph.op('Sum', list)]);
    return pending.get(t)![0];
  };

  if (!active(spec.score)) {
    // The score does not depend on any wanted tensor: every gradient is zero.
    return new Map(spec.wrt.map((t) => [t, zerosLike(graph, t)]));
  }
  push(spec.score, constantOfShape(graph, shapeOf(graph, spec.score), 1));

  const forwardNodes = [...graph.nodes];
  for (let k = forwardNodes.length - 1; k >= 0; k--) {
    const node = forwardNodes[k];
    const outputs = node.output ?? [];
    if (!outputs.some(active)) continue;
    const inputs = node.input ?? [];
    if (!inputs.some(active)) continue;
    const dys = outputs.map((o) => (active(o) ? total(o) : undefined));
    if (dys.every((d) => d === undefined)) continue;
    const op = node.opType ?? '';
    const label = `op ${op} (node ${nodeLabel(node)})`;
    const domain = node.domain && node.domain !== 'ai.onnx' ? node.domain : '';
    const rule = domain ? undefined : gradientRule(op);
    if (!rule) fail(`${label}${domain ? ` from domain ${domain}` : ''} has no gradient rule in Glassbox yet`);
    const ctx: GradContext = {
      node,
      graph,
      opset: graph.opset,
      rule: spec.rule,
      input: (i) => inputs[i] ?? '',
      output: (i) => outputs[i] ?? '',
      shape: (t) => {
        const info = infos.get(t);
        if (!info) fail(`internal: no shape known for tensor ${t} of ${label}`);
        return info.shape;
      },
      dy: (i = 0) => dys[i],
      needs: (i) => active(inputs[i] ?? ''),
      constant: (i, what) => {
        const v = graph.constantValues(inputs[i] ?? '');
        if (!v) fail(`${label}: its ${what} must be a constant for Glassbox to differentiate it`);
        return v;
      },
      fail: (reason) => fail(`${label}: ${reason}`),
    };
    const grads = rule(ctx);
    inputs.forEach((name, i) => {
      if (!active(name)) return;
      const g = grads[i];
      if (g) push(name, g);
    });
  }

  return new Map(spec.wrt.map((t) => [t, total(t) ?? zerosLike(graph, t)]));
}
