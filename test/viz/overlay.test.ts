import { describe, expect, it } from 'vitest';
import { colour, lut } from '../../src/viz/colormap.js';
import { normaliseHeatmap, overlayPixels } from '../../src/viz/overlay.js';
import { featureBarsSvg, signalAttributionSvg } from '../../src/viz/attribution-plots.js';

describe('colour maps', () => {
  it('match matplotlib viridis and inferno at their ends and middle to within four 8-bit steps', () => {
    // matplotlib: viridis(0) = #440154, viridis(0.5) = #21918c, viridis(1) = #fde725; inferno(1) = #fcffa4.
    const hex = (h: string) => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16));
    const byte = (name: 'viridis' | 'inferno', t: number) => colour(name, t).map((v) => v * 255);
    for (const [name, t, h] of [['viridis', 0, '#440154'], ['viridis', 0.5, '#21918c'], ['viridis', 1, '#fde725'], ['inferno', 1, '#fcffa4'], ['inferno', 0, '#000004']] as const) {
      byte(name, t).forEach((v, k) => expect(Math.abs(v - hex(h)[k])).toBeLessThanOrEqual(4));
    }
    expect(lut('gray')[3 * 255]).toBe(255);
  });
});

describe('overlays', () => {
  it('normalise unsigned maps by their max and signed maps symmetrically', () => {
    expect(Array.from(normaliseHeatmap(Float32Array.from([0, 1, 4]), false))).toEqual([0, 0.25, 1]);
    expect(Array.from(normaliseHeatmap(Float32Array.from([-2, 0, 1]), true))).toEqual([0, 0.5, 0.75]);
    expect(Array.from(normaliseHeatmap(new Float32Array(3), true))).toEqual([0.5, 0.5, 0.5]);
  });

  it('alpha-blend the coloured map over the image', () => {
    const image = { data: Float32Array.from([0.2, 1]), shape: [1, 2, 1] };
    const heat = { data: Float32Array.from([0, 3]), shape: [1, 2] };
    const px = overlayPixels(image, heat, { opacity: 0.25, colormap: 'viridis' });
    const expected = [0, 1].flatMap((p) => colour('viridis', p).map((c) => Math.round(255 * (0.75 * image.data[p] + 0.25 * c))));
    expect(Array.from(px)).toEqual(expected);
  });
});

describe('signal and table plots', () => {
  it('colour the strip under a signal by its attribution', () => {
    const svg = signalAttributionSvg(Float32Array.from([0, 1, 0, -1]), Float32Array.from([0, 0, 0, 2]));
    const fills = [...svg.matchAll(/<rect x="[^"]+" y="[^"]+" width="[^"]+" height="18" fill="([^"]+)"/g)].map((m) => m[1]);
    const css = (t: number) => `rgb(${colour('viridis', t).map((v) => Math.round(v * 255)).join(',')})`;
    expect(fills).toEqual([css(0), css(0), css(0), css(1)]);
  });

  it('orders bars by |value| with sign-coloured bars', () => {
    const svg = featureBarsSvg(['a', 'b', 'c'], Float32Array.from([0.1, -3, 2]), { top: 2 });
    const labels = [...svg.matchAll(/text-anchor="end" font-family="sans-serif" font-size="12">([^<]+)</g)].map((m) => m[1]);
    expect(labels).toEqual(['b', 'c']);
    expect(svg).toContain('fill="#1f77b4"');
    expect(svg).toContain('fill="#d62728"');
  });

  it('keeps the value label of a full-length negative bar clear of the feature name', () => {
    const svg = featureBarsSvg(['a long feature name', 'b'], Float32Array.from([-3, 1]));
    const nameEnd = Number(/<text x="([\d.]+)" y="[\d.]+" text-anchor="end" font-family="sans-serif" font-size="12">a long/.exec(svg)![1]);
    const valueX = Number(/<text x="([\d.]+)" y="[\d.]+" text-anchor="end" font-family="sans-serif" font-size="11"[^>]*>-3.00</.exec(svg)![1]);
    // The value label ends at valueX and is at most ~6 px per character wide ("-3.00").
    expect(valueX - 5 * 6.5).toBeGreaterThan(nameEnd);
  });
});
