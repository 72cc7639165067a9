/** The table of attribution methods, keyed by name. */
import { fail } from '../core/errors.js';
import type { MethodSpec } from './method.js';

const methods = new Map<string, MethodSpec>();

export function registerMethod(spec: MethodSpec<any>): void {
  if (methods.has(spec.name)) throw new Error(`method ${spec.name} registered twice`);
  methods.set(spec.name, spec);
}

export function getMethod(name: string): MethodSpec {
  const m = methods.get(name);
  if (!m) fail(`unknown method "${name}"; available: ${[...methods.keys()].join(', ')} (see \`glassbox methods\`)`);
  return m;
}

export function listMethods(): MethodSpec[] {
  return [...methods.values()];
}
