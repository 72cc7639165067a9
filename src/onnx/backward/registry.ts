/** The table of gradient rules, keyed by ONNX op type (default domain). */
import type { GradientRule } from './types.js';

const rules = new Map<string, GradientRule>();

export function registerGradient(ops: string | string[], rule: GradientRule): void {
  for (const op of Array.isArray(ops) ? ops : [ops]) {
    if (rules.has(op)) throw new Error(`gradient rule for ${op} registered twice`);
    rules.set(op, rule);
  }
}

export function gradientRule(op: string): GradientRule | undefined {
  return rules.get(op);
}

export function gradientOps(): string[] {
  return [...rules.keys()].sort();
}
