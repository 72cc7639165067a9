/** What a gradient rule sees and returns. One rule per op type, registered in registry.ts. */
import type { BackwardRule } from '../../models/model.js';
import type { OnnxGraph } from '../graph.js';
import type { NodeProto } from '../proto.js';

export interface GradContext {
  readonly node: NodeProto;
  /** The graph being extended: rules append their nodes to it. */
  readonly graph: OnnxGraph;
  readonly opset: number;
  readonly rule: BackwardRule;
  /** Name of input i ('' when an optional input is absent). */
  input(i: number): string;
  output(i: number): string;
  /** Shape of a tensor as seen on the dummy run (batch dimension included). */
  shape(tensor: string): number[];
  /** Gradient flowing into output i, or undefined when output i does not reach the score. */
  dy(i?: number): string | undefined;
  /** Whether input i lies on a path from a wanted tensor to the score. */
  needs(i: number): boolean;
  /** Values of input i when fixed at build time (initializer or Constant); fails otherwise. */
  constant(i: number, what: string): number[];
  /** Throws a GlassboxError naming the op and the node. */
  fail(reason: string): never;
}

/** Returns the gradient tensor for each input (undefined: none or not needed). */
export type GradientRule = (ctx: GradContext) => (string | undefined)[];
