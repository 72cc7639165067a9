/** The table of explanation metrics, keyed by name. */
import { fail } from '../core/errors.js';
import type { MetricSpec } from './metric.js';

const metrics = new Map<string, MetricSpec>();

export function registerMetric(spec: MetricSpec<any>): void {
  if (metrics.has(spec.name)) throw new Error(`metric ${spec.name} registered twice`);
  metrics.set(spec.name, spec);
}

export function getMetric(name: string): MetricSpec {
  const m = metrics.get(name);
  if (!m) fail(`unknown metric "${name}"; available: ${[...metrics.keys()].join(', ')}`);
  return m;
}

export function listMetrics(): MetricSpec[] {
  return [...metrics.values()];
}
