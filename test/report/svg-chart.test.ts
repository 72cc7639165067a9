import { describe, expect, it } from 'vitest';
import {
  escapeXml,
  heatColor,
  heatmapChart,
  heatRgb,
  lineChart,
  niceTicks,
} from '../../src/viz/svg-chart.js';
import { checkXml } from './xml-check.js';

describe('svg chart helpers', () => {
  it('escapes XML text', () => {
    expect(escapeXml(`a<b & "c" 'd'>`)).toBe('a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;');
  });

  it('picks round ticks', () => {
    expect(niceTicks(0, 1, 5)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(0.13, 0.87, 4)).toEqual([0.2, 0.4, 0.6, 0.8]); // step 0.2 ≥ 0.74/4
    expect(niceTicks(1, 10, 9)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(niceTicks(-30, 45, 3)).toEqual([-25, 0, 25]); // 75/3 = 25 = 2.5·10
    expect(niceTicks(2, 2)).toEqual([2]);
  });

  it('maps the heat ramp ends and middle to the Blues stops', () => {
    expect(heatRgb(0)).toEqual([247, 251, 255]);
    expect(heatRgb(0.5)).toEqual([107, 174, 214]);
    expect(heatRgb(1)).toEqual([8, 48, 107]);
    expect(heatRgb(2)).toEqual([8, 48, 107]);
    expect(heatColor(1)).toBe('#08306b');
    // 1/16 is halfway between the first two stops.
    expect(heatRgb(1 / 16)).toEqual([235, 243, 251]);
  });

  it('draws a well-formed line chart with linear scales, gaps and an escaped legend', () => {
    const svg = lineChart({
      title: 'Loss <train>',
      xLabel: 'epoch',
      yLabel: 'loss',
      series: [
        {
          name: 'a<b & "c"',
          points: [
            [1, 1],
            [2, 0.5],
            [4, 0.25],
          ],
        },
        {
          name: 'val',
          points: [
            [1, 2],
            [2, NaN],
            [3, 1],
            [4, 0.5],
          ],
        },
      ],
    });
    const names = checkXml(svg);
    expect(names[0]).toBe('svg');
    expect(svg).toContain('a&lt;b &amp; &quot;c&quot;');
    expect(svg).toContain('Loss &lt;train&gt;');
    const lines = [...svg.matchAll(/<polyline points="([^"]+)"/g)].map((m) =>
      m[1].split(' ').map((p) => p.split(',').map(Number)),
    );
    expect(lines).toHaveLength(2); // series 2 is split by NaN: one single point, one line of 2
    const [a] = lines;
    // Linear mapping: pixel distances keep the data ratios (x 1→2→4, y 1→0.5→0.25).
    expect((a[2][0] - a[0][0]) / (a[1][0] - a[0][0])).toBeCloseTo(3, 1);
    expect((a[2][1] - a[0][1]) / (a[1][1] - a[0][1])).toBeCloseTo(1.5, 1);
    expect(a[1][1]).toBeGreaterThan(a[0][1]); // smaller y is lower on screen
  });

  it('draws a heatmap with one coloured cell per value', () => {
    const svg = heatmapChart({
      values: [
        [5, 0],
        [1, 4],
      ],
      intensity: [
        [1, 0],
        [0.2, 0.8],
      ],
      rowLabels: ['cat', 'dog & co'],
      colLabels: ['cat', 'dog & co'],
    });
    checkXml(svg);
    const fills = [
      ...svg.matchAll(/<rect x="[^"]+" y="[^"]+" width="\d+" height="\d+" fill="(#[0-9a-f]{6})"/g),
    ].map((m) => m[1]);
    expect(fills).toEqual([1, 0, 0.2, 0.8].map(heatColor));
    expect(svg).toContain('dog &amp; co');
    expect(svg).toMatch(/>5<\/text>/);
    expect(svg).toMatch(/>4<\/text>/);
  });
});
