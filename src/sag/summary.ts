/** The text face of a SAG: the roots as a disjunction of patch conjunctions, and a short report. */
import { formatSet } from './patches.js';
import type { SagResult } from './types.js';

/** "P11 & P30 or P10 & P30 or P4": the shown roots, each a conjunction of patches. */
export function rootExpression(roots: readonly { patches: readonly number[] }[]): string {
  return roots.length === 0
    ? '(no root found)'
    : roots.map((r) => formatSet(r.patches)).join(' or ');
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

export function summarise(r: Omit<SagResult, 'summary'>): string {
  const { rows, cols } = r.grid;
  const s = r.settings;
  const name = r.targetName ? ` (${r.targetName})` : '';
  const lines = [
    `Structured attention graph for class ${r.target}${name}: full-image probability ${r.fullProbability.toFixed(4)}.`,
    `Roots: ${r.expression}`,
    '',
    `Patches are numbered row-major from 0 on the ${rows}×${cols} grid: P0 is the top-left patch, P${cols - 1} the top-right, P${rows * cols - 1} the bottom-right (the reference code's convention).`,
    `A root is a minimal set of patches that, shown alone (everything else ${describeBaseline(s.baseline)}), keeps at least ${pct(s.threshold)} of the full-image probability.`,
    '',
  ];
  if (r.roots.length === 0) {
    lines.push(
      r.emptyProbability >= s.threshold * r.fullProbability
        ? `The fully masked image already keeps ${pct(r.emptyProbability / r.fullProbability)} of the probability: there is nothing to explain with this baseline.`
        : `No patch set of up to ${s.maxRootSize} patches reached the threshold; try a larger beam, more successors or a lower threshold.`,
    );
  }
  for (const root of r.roots) {
    lines.push(
      `  ${formatSet(root.patches)}: probability ${root.probability.toFixed(4)} (${pct(root.relative)} of full)`,
    );
  }
  lines.push(
    '',
    `Candidates: ${r.candidates.length} minimal roots found (at most ${s.maxRoots}); ${r.diverse.length} pairwise overlap at most ${s.maxOverlap} patch${s.maxOverlap === 1 ? '' : 'es'}; ${r.roots.length} shown.`,
  );
  for (const c of r.candidates) {
    const mark = r.diverse.some((d) => d.patches.join() === c.patches.join()) ? '*' : ' ';
    lines.push(`  ${mark} ${formatSet(c.patches)}: ${c.probability.toFixed(4)} (step ${c.step})`);
  }
  lines.push(
    '',
    `Graph: ${r.nodes.length} nodes, ${r.edges.length} edges; children remove one patch (at most ${s.maxChildren}, ${s.childOrder}), nodes expanded while they keep ${pct(s.childThreshold)} of the full-image probability${r.truncated ? `; stopped at ${s.maxNodes} nodes (raise maxNodes to see more)` : ''}.`,
    `Heuristic: ${r.heuristic.method} (${r.heuristic.passes} passes, ${(r.heuristic.milliseconds / 1000).toFixed(2)} s); beam ${s.beam}, successors ${s.successors}, upsampling ${s.upsample}.`,
    `Search and graph: ${r.forwardPasses} forward passes in ${r.predictCalls} batches; total ${(r.milliseconds / 1000).toFixed(2)} s.`,
  );
  return lines.join('\n') + '\n';
}

function describeBaseline(b: string | number): string {
  if (b === 'black') return 'black (0)';
  if (b === 'blur') return 'blurred';
  if (b === 'mean') return "the image's mean colour";
  return `set to ${b}`;
}
