/**
 * Words for how several methods' explanations of one input agree: Spearman rank correlation of
 * their evidence maps, pairwise, summarised as the mean, the closest pair and the odd one out.
 */
import type { Explanation } from '../methods/explanation.js';
import { averageRanks, pearson } from '../metrics/common/stats.js';
import { evidence } from './map-text.js';

export interface Agreement {
  text: string;
  /** Mean pairwise Spearman ρ (NaN with fewer than two comparable maps). */
  mean: number;
  /** Every compared pair with its ρ, highest first. */
  pairs: { a: string; b: string; rho: number }[];
}

/** "agree strongly", …, "disagree": how far the rankings of two maps go together. */
function agreeWords(rho: number): string {
  if (rho >= 0.7) return 'agree strongly';
  if (rho >= 0.4) return 'agree moderately';
  if (rho >= 0.15) return 'agree weakly';
  return rho > -0.15 ? 'barely agree' : 'disagree';
}

/** How the methods agree on one input; maps of a shape other than the first one's are left out. */
export function describeAgreement(explanations: Explanation[]): Agreement {
  const shape = explanations[0]?.heatmap.shape.join('×');
  const comparable = explanations.filter((e) => e.heatmap.shape.join('×') === shape);
  // Compare what each map counts as evidence (as the map's own words do). Spearman ρ is the
  // Pearson correlation of ranks; rank each map once, not once per pair.
  const ranks = comparable.map((e) => averageRanks(evidence(e)));
  const pairs: Agreement['pairs'] = [];
  for (let i = 0; i < ranks.length; i++)
    for (let j = i + 1; j < ranks.length; j++) {
      const rho = pearson(ranks[i], ranks[j]);
      // A constant map (e.g. all zero) has no ranking to agree with.
      if (Number.isFinite(rho)) pairs.push({ a: comparable[i].method, b: comparable[j].method, rho });
    }
  pairs.sort((x, y) => y.rho - x.rho);
  if (pairs.length === 0) return { text: '', mean: NaN, pairs };
  const mean = pairs.reduce((s, p) => s + p.rho, 0) / pairs.length;
  const rho = (v: number) => `ρ ${v.toFixed(2)}`;
  if (pairs.length === 1) {
    const [p] = pairs;
    return { text: `${p.a} and ${p.b} ${agreeWords(p.rho)} on where the evidence is (Spearman ${rho(p.rho)}).`, mean, pairs };
  }
  const methods = [...new Set(pairs.flatMap((p) => [p.a, p.b]))];
  const meanOf = (m: string) => {
    const mine = pairs.filter((p) => p.a === m || p.b === m);
    return mine.reduce((s, p) => s + p.rho, 0) / mine.length;
  };
  const byMean = methods.map((m) => ({ m, rho: meanOf(m) })).sort((x, y) => x.rho - y.rho);
  const best = pairs[0];
  const sentences = [
    `Across ${methods.length} methods the maps ${agreeWords(mean)} on where the evidence is (mean Spearman ${rho(mean)}).`,
    `${best.a} and ${best.b} agree most (${rho(best.rho)}).`,
  ];
  const odd = byMean[0];
  if (methods.length >= 3 && mean - odd.rho >= 0.15) sentences.push(`${odd.m} agrees least with the others (mean ${rho(odd.rho)}).`);
  return { text: sentences.join(' '), mean, pairs };
}
