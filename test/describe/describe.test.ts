/** Explanations in words: the sentences state what the map holds, checked on maps built by hand. */
import { describe, expect, it } from 'vitest';
import { describeAgreement, describeExplanation, topDecileShare } from '../../src/describe/index.js';
import type { Explanation } from '../../src/methods/explanation.js';

function explanation(heatmap: number[], shape: number[], o: Partial<Explanation> = {}): Explanation {
  const data = Float32Array.from(heatmap);
  return {
    method: 'm',
    options: {},
    target: 3,
    score: 1,
    scoreKind: 'logit',
    predicted: 3,
    milliseconds: 1,
    signed: false,
    attribution: { data, shape },
    heatmap: { data, shape },
    extras: {},
    ...o,
  };
}

/** An h×w map that is `value` inside rows [r0, r1) × columns [c0, c1) and 0 elsewhere. */
function block(h: number, w: number, r0: number, r1: number, c0: number, c1: number, value = 1): number[] {
  return Array.from({ length: h * w }, (_, i) => {
    const y = Math.floor(i / w);
    const x = i % w;
    return y >= r0 && y < r1 && x >= c0 && x < c1 ? value : 0;
  });
}

describe('one image map in words', () => {
  it('names the region that holds the evidence and its share', () => {
    const e = explanation(block(9, 9, 0, 3, 0, 3), [9, 9], { targetName: 'seven' });
    const { text, facts } = describeExplanation(e, 'image');
    expect(facts.places).toEqual([{ name: 'upper left', share: 1 }]);
    expect(text).toContain('Most of the attribution for "seven" lies in the upper left (100%).');
    // 9 of 81 pixels hold everything: the top 10% (8 pixels) hold 8/9 of it.
    expect(facts.topDecileShare).toBeCloseTo(8 / 9, 12);
    expect(text).toContain('highly concentrated');
  });

  it('splits the evidence over regions until 60% is named', () => {
    // Centre cell 3×3 of 2s (18), lower right 3×3 of 1s (9), rest 0: shares 2/3 and 1/3.
    const map = block(9, 9, 3, 6, 3, 6, 2).map((v, i) => v + block(9, 9, 6, 9, 6, 9, 1)[i]);
    const { facts, text } = describeExplanation(explanation(map, [9, 9]), 'image');
    expect(facts.places.map((p) => p.name)).toEqual(['centre']);
    expect(facts.places[0].share).toBeCloseTo(2 / 3, 12);
    expect(text).toContain('the centre (67%)');
  });

  it('calls a uniform map spread out, and a signed map reports its counter-evidence', () => {
    const uniform = describeExplanation(explanation(new Array(100).fill(1), [10, 10]), 'image');
    expect(uniform.facts.topDecileShare).toBeCloseTo(0.1, 12);
    expect(uniform.text).toContain('spread out');
    const signed = block(9, 9, 0, 3, 0, 9, 1).map((v, i) => v - block(9, 9, 6, 9, 0, 9, 0.5)[i]);
    const s = describeExplanation(explanation(signed, [9, 9], { signed: true }), 'image');
    // Positive 27 × 1, negative 27 × 0.5: a third of the absolute mass is negative, in the lower rows.
    expect(s.facts.negativeShare).toBeCloseTo(1 / 3, 12);
    expect(s.text).toMatch(/Counter-evidence makes up 33% of the absolute attribution, most of it in the lower/);
    expect(s.text).toContain('positive evidence');
  });

  it('says so when there is no evidence at all', () => {
    const e = explanation(new Array(16).fill(-1), [4, 4], { signed: true });
    expect(describeExplanation(e, 'image').text).toBe('The map gives no positive evidence for "3" anywhere.');
  });
});

describe('one signal map in words', () => {
  it('gives the time-step ranges that hold half the evidence', () => {
    const map = new Array(40).fill(0);
    for (let t = 10; t <= 14; t++) map[t] = 3; // 15
    for (let t = 30; t <= 31; t++) map[t] = 2; // 4
    map[0] = 1;
    const { facts, text } = describeExplanation(explanation(map, [40]), 'signal');
    expect(facts.places).toEqual([{ name: 'steps 10–14', share: 15 / 20 }]);
    expect(text).toContain('lies in steps 10–14 (75%)');
    expect(text).toContain('top 10% of time steps');
  });
});

describe('one table row in words', () => {
  it('lists the supporting and opposing features with their values', () => {
    const e = explanation([0.3, -0.2, 0.05, 0.45], [4], { signed: true, targetName: 'benign' });
    const { text, facts } = describeExplanation(e, 'table', { featureNames: ['radius', 'texture', 'area', 'smoothness'] });
    expect(facts.places.map((p) => p.name)).toEqual(['smoothness', 'radius', 'texture']);
    expect(text).toContain('rests mostly on smoothness (+0.45), radius (+0.30) and area (+0.050)');
    expect(text).toContain('texture (−0.20) speaks against it');
    expect(text).toContain('The top 3 of 4 features carry 95% of the absolute attribution.');
  });
});

describe('agreement between methods', () => {
  it('is perfect for maps with the same ranking and names the odd one out', () => {
    const base = Array.from({ length: 25 }, (_, i) => i);
    const a = explanation(base, [5, 5], { method: 'a' });
    const b = explanation(base.map((v) => 2 * v + 1), [5, 5], { method: 'b' });
    const c = explanation(base.map((v) => 24 - v), [5, 5], { method: 'c' });
    const two = describeAgreement([a, b]);
    expect(two.mean).toBeCloseTo(1, 12);
    expect(two.text).toBe('a and b agree strongly on where the evidence is (Spearman ρ 1.00).');
    const three = describeAgreement([a, b, c]);
    // ρ(a,b) = 1, ρ(a,c) = ρ(b,c) = −1.
    expect(three.mean).toBeCloseTo(-1 / 3, 12);
    expect(three.text).toContain('a and b agree most (ρ 1.00)');
    expect(three.text).toContain('c agrees least with the others (mean ρ -1.00)');
  });

  it('leaves out maps of another shape and constant maps', () => {
    const a = explanation([1, 2, 3, 4], [2, 2], { method: 'a' });
    const flat = explanation([1, 1, 1, 1], [2, 2], { method: 'flat' });
    const other = explanation([1, 2, 3], [3], { method: 'other' });
    expect(describeAgreement([a, flat, other]).pairs).toEqual([]);
  });
});

describe('top-decile share', () => {
  it('matches a hand computation', () => {
    expect(topDecileShare(Float64Array.from([5, 1, 1, 1, 1, 1, 1, 1, 1, 1]))).toBeCloseTo(5 / 14, 12);
    expect(topDecileShare(new Float64Array(4))).toBe(0);
  });
});
