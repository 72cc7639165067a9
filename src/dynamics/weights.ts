/**
 * Weight-trajectory signals, per layer and for the whole network, from consecutive snapshots
 * W_0 (initial), W_1, W_2, … (one per epoch):
 *   norm        ‖W_t‖
 *   relChange   ‖W_t − W_{t−1}‖ / ‖W_{t−1}‖                   how far an epoch moves the layer
 *   cosine      cos(ΔW_t, ΔW_{t−1}), ΔW_t = W_t − W_{t−1}       do consecutive epochs push the same way
 *   normGrowth  (‖W_t‖ − ‖W_{t−1}‖) / ‖W_{t−1}‖                 does the epoch inflate the layer
 *   radial      cos(ΔW_t, W_{t−1})                              is the update a rescaling of the layer
 *   angle       ∠(W_{t−1}, W_t) in radians                      how far the direction turns (a rescaling: 0)
 * A layer's W is all its weight tensors (kernel and bias) as one vector. Snapshots are fed one at
 * a time, so memory stays at two snapshots whatever the number of epochs.
 */
import type { NamedWeight } from './checkpoints.js';

export interface LayerSignals {
  /** Layer name, or `network` for all weights together. */
  layer: string;
  parameters: number;
  /** Signal values per snapshot, aligned with the epochs given; null where undefined (first one or two snapshots). */
  norm: number[];
  relChange: Array<number | null>;
  cosine: Array<number | null>;
  normGrowth: Array<number | null>;
  radial: Array<number | null>;
  angle: Array<number | null>;
}

export interface WeightSignals {
  epochs: number[];
  /** Per layer that has weights, in model order, then `network` last. */
  layers: LayerSignals[];
}

export const NETWORK = 'network';

interface GroupState {
  signals: LayerSignals;
  /** Indices into the snapshot's weight list. */
  members: number[];
  prev?: Float64Array;
  prevDelta?: Float64Array;
}

/** Accumulates the signals one snapshot at a time. */
export class WeightTrajectory {
  private readonly epochs: number[] = [];
  private groups: GroupState[] | undefined;
  private names: string[] = [];

  add(epoch: number, weights: NamedWeight[]): void {
    if (this.epochs.length > 0 && epoch <= this.epochs[this.epochs.length - 1]) {
      throw new RangeError(`snapshots must come in increasing epoch order (got ${epoch} after ${this.epochs.at(-1)})`);
    }
    if (!this.groups) this.groups = this.makeGroups(weights);
    else this.checkSame(epoch, weights);
    this.epochs.push(epoch);
    for (const g of this.groups) {
      const w = flatten(weights, g.members);
      const s = g.signals;
      const norm = Math.sqrt(dot(w, w));
      s.norm.push(norm);
      if (!g.prev) {
        s.relChange.push(null);
        s.normGrowth.push(null);
        s.radial.push(null);
        s.angle.push(null);
        s.cosine.push(null);
      } else {
        const delta = new Float64Array(w.length);
        for (let i = 0; i < w.length; i++) delta[i] = w[i] - g.prev[i];
        const prevNorm = Math.sqrt(dot(g.prev, g.prev));
        const dNorm = Math.sqrt(dot(delta, delta));
        s.relChange.push(prevNorm > 0 ? dNorm / prevNorm : null);
        s.normGrowth.push(prevNorm > 0 ? (norm - prevNorm) / prevNorm : null);
        s.radial.push(cosine(delta, g.prev));
        s.angle.push(angle(g.prev, w));
        s.cosine.push(g.prevDelta ? cosine(delta, g.prevDelta) : null);
        g.prevDelta = delta;
      }
      g.prev = w;
    }
  }

  result(): WeightSignals {
    return { epochs: [...this.epochs], layers: (this.groups ?? []).map((g) => g.signals) };
  }

  private makeGroups(weights: NamedWeight[]): GroupState[] {
    this.names = weights.map((w) => `${w.name}:${w.shape.join('x')}`);
    const order: string[] = [];
    const members = new Map<string, number[]>();
    weights.forEach((w, i) => {
      if (!members.has(w.layer)) {
        members.set(w.layer, []);
        order.push(w.layer);
      }
      members.get(w.layer)!.push(i);
    });
    const group = (layer: string, idx: number[]): GroupState => ({
      members: idx,
      signals: {
        layer,
        parameters: idx.reduce((n, i) => n + weights[i].values.length, 0),
        norm: [],
        relChange: [],
        cosine: [],
        normGrowth: [],
        radial: [],
        angle: [],
      },
    });
    return [...order.map((l) => group(l, members.get(l)!)), group(NETWORK, weights.map((_, i) => i))];
  }

  private checkSame(epoch: number, weights: NamedWeight[]): void {
    const names = weights.map((w) => `${w.name}:${w.shape.join('x')}`);
    if (names.join() !== this.names.join()) {
      throw new RangeError(`the weights of epoch ${epoch} differ in names or shapes from the first snapshot's`);
    }
  }
}

/** Signals of a whole trajectory held in memory (tests, small runs). */
export function weightSignals(snapshots: Array<{ epoch: number; weights: NamedWeight[] }>): WeightSignals {
  const t = new WeightTrajectory();
  for (const s of snapshots) t.add(s.epoch, s.weights);
  return t.result();
}

function flatten(weights: NamedWeight[], members: number[]): Float64Array {
  const n = members.reduce((k, i) => k + weights[i].values.length, 0);
  const out = new Float64Array(n);
  let at = 0;
  for (const i of members) {
    out.set(weights[i].values, at);
    at += weights[i].values.length;
  }
  return out;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** Cosine similarity; null when either vector is zero. */
function cosine(a: Float64Array, b: Float64Array): number | null {
  const na = dot(a, a);
  const nb = dot(b, b);
  if (na === 0 || nb === 0) return null;
  return dot(a, b) / Math.sqrt(na * nb);
}

/** Angle between two vectors as 2·atan2(‖â − b̂‖, ‖â + b̂‖), exact for tiny angles where acos is not; null when either is zero. */
function angle(a: Float64Array, b: Float64Array): number | null {
  const na = Math.sqrt(dot(a, a));
  const nb = Math.sqrt(dot(b, b));
  if (na === 0 || nb === 0) return null;
  let diff = 0;
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const p = a[i] / na;
    const q = b[i] / nb;
    diff += (p - q) ** 2;
    sum += (p + q) ** 2;
  }
  return 2 * Math.atan2(Math.sqrt(diff), Math.sqrt(sum));
}
