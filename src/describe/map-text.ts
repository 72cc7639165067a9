/**
 * Words for one explanation: where the evidence is (image regions, time-step ranges or table
 * features), how concentrated it is, and, for signed maps, where the counter-evidence is. The
 * numbers behind each sentence are returned too, so a test (or a UI) can check what the words say.
 */
import type { Explanation } from '../methods/explanation.js';
import type { InputKind } from '../models/model.js';

export interface MapFacts {
  /** Share of the evidence held by the top 10% of positions (0.1 for a uniform map, 1 for a spike). */
  topDecileShare: number;
  /** Share of the absolute attribution that is negative (0 for unsigned maps). */
  negativeShare: number;
  /** Where the evidence is, most first: region names, time-step ranges or feature names, with shares. */
  places: { name: string; share: number }[];
}

export interface MapText {
  text: string;
  facts: MapFacts;
}

export interface DescribeOptions {
  /** Column names of a table model. */
  featureNames?: string[];
  /** How many places to name at most. */
  maxPlaces?: number;
}

const REGION_ROWS = ['upper', 'middle', 'lower'];
const REGION_COLS = ['left', 'centre', 'right'];

/** "centre", "upper left", … for cell (r, c) of a 3×3 split. */
function regionName(r: number, c: number): string {
  if (r === 1 && c === 1) return 'centre';
  return `${REGION_ROWS[r]} ${REGION_COLS[c]}`;
}

const percent = (v: number) => `${Math.round(v * 100)}%`;

/** Evidence: the positive part of a signed map, the magnitude of an unsigned one. */
export function evidence(e: Explanation): Float64Array {
  return Float64Array.from(e.heatmap.data, (v) => (e.signed ? Math.max(0, v) : Math.abs(v)));
}

function counterEvidence(e: Explanation): Float64Array {
  return Float64Array.from(e.heatmap.data, (v) => (e.signed ? Math.max(0, -v) : 0));
}

const total = (a: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s;
};

/** Share of the mass held by the largest 10% of positions (at least one position). */
export function topDecileShare(mass: Float64Array): number {
  const sum = total(mass);
  if (sum <= 0) return 0;
  const sorted = Float64Array.from(mass).sort().reverse();
  const k = Math.max(1, Math.round(mass.length / 10));
  return total(sorted.subarray(0, k)) / sum;
}

function concentrationWords(share: number, unit: string): string {
  const how = share >= 0.6 ? 'highly concentrated' : share >= 0.3 ? 'fairly concentrated' : 'spread out';
  return `The map is ${how}: the top 10% of ${unit} hold ${percent(share)} of it.`;
}

/** Mass per cell of a 3×3 split of an [H, W] map, as shares, largest first. */
function imageRegions(mass: Float64Array, h: number, w: number): { name: string; share: number }[] {
  const cells = new Float64Array(9);
  for (let y = 0; y < h; y++) {
    const r = Math.min(2, Math.floor((3 * y) / h));
    for (let x = 0; x < w; x++) cells[r * 3 + Math.min(2, Math.floor((3 * x) / w))] += mass[y * w + x];
  }
  const sum = total(cells);
  return Array.from(cells, (m, i) => ({ name: regionName(Math.floor(i / 3), i % 3), share: sum > 0 ? m / sum : 0 }))
    .sort((a, b) => b.share - a.share);
}

/**
 * The largest time steps that together hold half the mass (ties included), merged into runs (gaps of one step bridged),
 * each run with its share of the whole; largest share first.
 */
function signalRuns(mass: Float64Array): { name: string; share: number }[] {
  const sum = total(mass);
  if (sum <= 0) return [];
  const order = Array.from(mass.keys()).sort((a, b) => mass[b] - mass[a]);
  // The value at which the largest steps reach half the mass; steps tied with it count too.
  let held = 0;
  let threshold = Infinity;
  for (const t of order) {
    if (held >= sum / 2) break;
    held += mass[t];
    threshold = mass[t];
  }
  const chosen = Uint8Array.from(mass, (m) => (m >= threshold && m > 0 ? 1 : 0));
  const runs: { start: number; end: number }[] = [];
  for (let t = 0; t < mass.length; t++) {
    if (!chosen[t]) continue;
    const last = runs.at(-1);
    if (last && t - last.end <= 2) last.end = t;
    else runs.push({ start: t, end: t });
  }
  return runs
    .map(({ start, end }) => ({
      name: start === end ? `step ${start}` : `steps ${start}–${end}`,
      share: total(mass.subarray(start, end + 1)) / sum,
    }))
    .sort((a, b) => b.share - a.share);
}

function joinWords(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

function signedValue(v: number): string {
  return `${v >= 0 ? '+' : '−'}${Math.abs(v).toPrecision(2)}`;
}

function describeTable(e: Explanation, o: DescribeOptions, target: string): MapText {
  const v = e.heatmap.data;
  const name = (i: number) => o.featureNames?.[i] ?? `feature ${i}`;
  const magnitude = Float64Array.from(v, Math.abs);
  const absSum = total(magnitude);
  const order = Array.from(v.keys()).sort((a, b) => Math.abs(v[b]) - Math.abs(v[a]));
  const max = o.maxPlaces ?? 3;
  const facts: MapFacts = {
    topDecileShare: topDecileShare(magnitude),
    negativeShare: absSum > 0 ? total(Float64Array.from(v, (x) => Math.max(0, -x))) / absSum : 0,
    places: order.slice(0, max).map((i) => ({ name: name(i), share: absSum > 0 ? Math.abs(v[i]) / absSum : 0 })),
  };
  if (absSum === 0) return { text: `No feature gets any attribution for ${target}.`, facts };
  const pro = order.filter((i) => v[i] > 0).slice(0, max);
  const con = order.filter((i) => v[i] < 0).slice(0, e.signed ? Math.min(2, max) : 0);
  const item = (i: number) => `${name(i)} (${signedValue(v[i])})`;
  const sentences: string[] = [];
  if (pro.length) sentences.push(`The attribution for ${target} rests mostly on ${joinWords(pro.map(item))}.`);
  if (con.length) sentences.push(`${joinWords(con.map(item))} ${con.length === 1 ? 'speaks' : 'speak'} against it.`);
  const topShare = facts.places.reduce((s, p) => s + p.share, 0);
  sentences.push(`The top ${facts.places.length} of ${v.length} features carry ${percent(topShare)} of the absolute attribution.`);
  return { text: sentences.join(' '), facts };
}

/** A few sentences on one explanation of an input of `kind`; `facts` holds the numbers they state. */
export function describeExplanation(e: Explanation, kind: InputKind, o: DescribeOptions = {}): MapText {
  const target = `"${e.targetName ?? e.target}"`;
  if (kind === 'table') return describeTable(e, o, target);
  const shape = e.heatmap.shape;
  const mass = evidence(e);
  const counter = counterEvidence(e);
  const sum = total(mass);
  const negativeShare = sum + total(counter) > 0 ? total(counter) / (sum + total(counter)) : 0;
  const isImage = kind === 'image';
  const unit = isImage ? 'pixels' : 'time steps';
  const places = isImage ? imageRegions(mass, shape[0], shape[1]) : signalRuns(mass);
  const facts: MapFacts = { topDecileShare: topDecileShare(mass), negativeShare, places: [] };
  if (sum <= 0) {
    return { text: `The map gives no ${e.signed ? 'positive ' : ''}evidence for ${target} anywhere.`, facts };
  }
  // Name places until they hold 60% of the evidence (at most maxPlaces).
  const max = o.maxPlaces ?? 3;
  let held = 0;
  for (const p of places) {
    if (facts.places.length >= max || held >= 0.6) break;
    facts.places.push(p);
    held += p.share;
  }
  const where = joinWords(facts.places.map((p) => `${isImage ? 'the ' : ''}${p.name} (${percent(p.share)})`));
  const what = e.signed ? 'positive evidence' : 'attribution';
  const lead = held >= 0.5 ? `Most of the ${what} for ${target} lies in` : `The largest shares of the ${what} for ${target} are in`;
  const sentences = [`${lead} ${where}.`, concentrationWords(facts.topDecileShare, unit)];
  if (e.signed && negativeShare >= 0.05) {
    const counterPlaces = isImage ? imageRegions(counter, shape[0], shape[1]) : signalRuns(counter);
    const main = counterPlaces[0];
    sentences.push(
      `Counter-evidence makes up ${percent(negativeShare)} of the absolute attribution${main ? `, most of it in ${isImage ? 'the ' : ''}${main.name}` : ''}.`,
    );
  }
  return { text: sentences.join(' '), facts };
}
