/**
 * The graph of a SAG: from each root, children remove one patch each; a node is expanded while
 * it keeps `expandBar` (40% of the full-image probability by default); edges carry the drop in
 * probability. Sets reached from several roots or parents are one node.
 *
 * Which children: 'least-drop' (default) scores every single-patch removal and keeps the
 * `maxChildren` with the highest probability, the ones whose removal costs least; 'patch-order'
 * keeps the removals of the first `maxChildren` patches in row-major order, which is what the
 * reference code's `get_subconjuncts` does (and needs no extra forward passes).
 * Expansion goes level by level, every removal of the level scored in one batch, and stops
 * adding nodes at `maxNodes`: large roots (a poorly localised decision) would otherwise grow a
 * graph of thousands of nodes no one can read, each costing forward passes.
 */
import type { ScoreSets } from './scorer.js';
import type { ScoredSet } from './search.js';
import { setKey, withoutPatch } from './patches.js';

export const CHILD_ORDERS = ['least-drop', 'patch-order'] as const;
export type ChildOrder = (typeof CHILD_ORDERS)[number];

export interface SagNode {
  id: number;
  /** Sorted patch indices left visible. */
  patches: number[];
  probability: number;
  root: boolean;
  /** True when the node's children were computed (it kept enough probability and has > 1 patch). */
  expanded: boolean;
}

export interface SagEdge {
  from: number;
  to: number;
  removedPatch: number;
  /** Parent probability minus child probability. */
  drop: number;
}

export interface GraphSettings {
  expandBar: number;
  maxChildren: number;
  childOrder: ChildOrder;
  /** No node is added beyond this many (roots included); bounds the cost of large roots. */
  maxNodes: number;
}

export interface SagGraph {
  nodes: SagNode[];
  edges: SagEdge[];
  /** True when maxNodes stopped the growth (some node that qualified was left unexpanded). */
  truncated: boolean;
}

export async function buildGraph(
  score: ScoreSets,
  roots: readonly ScoredSet[],
  s: GraphSettings,
): Promise<SagGraph> {
  const nodes: SagNode[] = [];
  const edges: SagEdge[] = [];
  const byKey = new Map<string, SagNode>();
  const node = (patches: number[], probability: number, root: boolean): [SagNode, boolean] => {
    // Roots are always added, whatever maxNodes says.
    const k = setKey(patches);
    const existing = byKey.get(k);
    if (existing) return [existing, false];
    const n: SagNode = { id: nodes.length, patches, probability, root, expanded: false };
    nodes.push(n);
    byKey.set(k, n);
    return [n, true];
  };
  let frontier: SagNode[] = [];
  for (const r of roots) {
    const [n, created] = node([...r.patches], r.probability, true);
    if (created) frontier.push(n);
  }
  let truncated = false;
  while (frontier.length > 0) {
    const qualified = frontier.filter(
      (n) => !n.expanded && n.patches.length > 1 && n.probability >= s.expandBar,
    );
    // Each expansion likely adds a node: expand no more than the room left.
    const expand = qualified.slice(0, Math.max(0, s.maxNodes - nodes.length));
    if (expand.length < qualified.length) truncated = true;
    if (expand.length === 0) break;
    const removable = expand.map((n) =>
      s.childOrder === 'patch-order' ? n.patches.slice(0, s.maxChildren) : n.patches,
    );
    const sets = expand.flatMap((n, i) => removable[i].map((p) => withoutPatch(n.patches, p)));
    const probs = await score(sets);
    const next: SagNode[] = [];
    let offset = 0;
    expand.forEach((parent, i) => {
      const options = removable[i].map((p, j) => ({ p, probability: probs[offset + j] }));
      offset += options.length;
      // Highest probability first; ties by patch index (options are in ascending patch order).
      if (s.childOrder === 'least-drop')
        options.sort((a, b) => b.probability - a.probability || a.p - b.p);
      parent.expanded = true;
      for (const o of options.slice(0, s.maxChildren)) {
        const childPatches = withoutPatch(parent.patches, o.p);
        if (nodes.length >= s.maxNodes && !byKey.has(setKey(childPatches))) {
          truncated = true;
          continue;
        }
        const [child, created] = node(childPatches, o.probability, false);
        edges.push({
          from: parent.id,
          to: child.id,
          removedPatch: o.p,
          drop: parent.probability - child.probability,
        });
        if (created) next.push(child);
      }
    });
    frontier = next;
  }
  return { nodes, edges, truncated };
}
