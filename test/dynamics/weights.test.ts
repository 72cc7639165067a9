/** Weight-trajectory signals against hand-built trajectories whose geometry is known exactly. */
import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/core/random.js';
import type { NamedWeight } from '../../src/dynamics/checkpoints.js';
import { weightSignals } from '../../src/dynamics/weights.js';

const w = (name: string, values: number[]): NamedWeight => ({ name, layer: name.split('/')[0], shape: [values.length], values: Float32Array.from(values) });

describe('weight signals', () => {
  it('measure a pure rescaling as growth along the weights and a pure rotation as none', () => {
    // Layer a: scaled by 1.1 then by 1.1 again. Layer b: rotated by 90° then by 90° again.
    const s = weightSignals([
      { epoch: 0, weights: [w('a/kernel', [3, 4]), w('b/kernel', [1, 0])] },
      { epoch: 1, weights: [w('a/kernel', [3.3, 4.4]), w('b/kernel', [0, 1])] },
      { epoch: 2, weights: [w('a/kernel', [3.63, 4.84]), w('b/kernel', [-1, 0])] },
    ]);
    const [a, b, net] = s.layers;
    expect(s.layers.map((l) => l.layer)).toEqual(['a', 'b', 'network']);
    expect(a.norm[0]).toBeCloseTo(5, 6);
    expect(a.relChange[1]).toBeCloseTo(0.1, 6);
    expect(a.normGrowth[1]).toBeCloseTo(0.1, 6);
    expect(a.radial[1]).toBeCloseTo(1, 6);
    expect(a.angle[1]).toBeCloseTo(0, 6); // a rescaling does not turn the direction (float32: 1e-8)
    expect(b.angle[1]).toBeCloseTo(Math.PI / 2, 6);
    expect(a.cosine[1]).toBeNull();
    expect(a.cosine[2]).toBeCloseTo(1, 6); // same direction twice
    expect(b.relChange[1]).toBeCloseTo(Math.SQRT2, 6); // |(0,1) − (1,0)| / 1
    expect(b.normGrowth[1]).toBeCloseTo(0, 6);
    expect(b.radial[1]).toBeCloseTo(-Math.SQRT1_2, 6); // Δ = (−1, 1) against W = (1, 0)
    expect(b.cosine[2]).toBeCloseTo(0, 6); // Δ1 = (−1, 1), Δ2 = (−1, −1): orthogonal
    // The network is all weights as one vector: [3, 4, 1, 0] → [3.3, 4.4, 0, 1].
    const d = [0.3, 0.4, -1, 1];
    expect(net.relChange[1]).toBeCloseTo(Math.hypot(...d) / Math.hypot(3, 4, 1, 0), 6);
    expect(net.parameters).toBe(4);
  });

  it('agree with a direct computation on random multi-tensor layers', () => {
    const rng = createRng('weights-test');
    const shapes = [['l1/kernel', 6], ['l1/bias', 3], ['l2/kernel', 4]] as const;
    const snaps = Array.from({ length: 4 }, (_, e) => ({
      epoch: e,
      weights: shapes.map(([n, k]) => w(n, Array.from({ length: k }, () => rng.normal()))),
    }));
    const s = weightSignals(snaps);
    const vec = (e: number, layer: string) => snaps[e].weights.filter((x) => x.layer === layer).flatMap((x) => Array.from(x.values));
    const norm = (v: number[]) => Math.sqrt(v.reduce((t, x) => t + x * x, 0));
    const sub = (p: number[], q: number[]) => p.map((x, i) => x - q[i]);
    const cos = (p: number[], q: number[]) => p.reduce((t, x, i) => t + x * q[i], 0) / (norm(p) * norm(q));
    for (const layer of ['l1', 'l2']) {
      const sig = s.layers.find((l) => l.layer === layer)!;
      for (let e = 1; e < 4; e++) {
        const d = sub(vec(e, layer), vec(e - 1, layer));
        expect(sig.relChange[e]).toBeCloseTo(norm(d) / norm(vec(e - 1, layer)), 5);
        expect(sig.normGrowth[e]).toBeCloseTo((norm(vec(e, layer)) - norm(vec(e - 1, layer))) / norm(vec(e - 1, layer)), 5);
        expect(sig.radial[e]).toBeCloseTo(cos(d, vec(e - 1, layer)), 5);
        expect(sig.angle[e]).toBeCloseTo(Math.acos(cos(vec(e, layer), vec(e - 1, layer))), 5);
        if (e >= 2) expect(sig.cosine[e]).toBeCloseTo(cos(d, sub(vec(e - 1, layer), vec(e - 2, layer))), 5);
      }
    }
  });

  it('refuses snapshots whose weights change names or shapes, or come out of order', () => {
    expect(() => weightSignals([{ epoch: 1, weights: [w('a/k', [1])] }, { epoch: 2, weights: [w('a/k', [1, 2])] }])).toThrow(/differ/);
    expect(() => weightSignals([{ epoch: 2, weights: [w('a/k', [1])] }, { epoch: 1, weights: [w('a/k', [1])] }])).toThrow(/increasing/);
  });
});
