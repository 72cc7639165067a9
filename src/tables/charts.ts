/** SVG charts for table explanations: one row's bars per method, and the global importance. */
import { featureBarsSvg } from '../viz/attribution-plots.js';
import { escapeXml, PALETTE } from '../viz/svg-chart.js';
import {
  TABLE_METHOD_TITLES,
  type TableMethod,
  type TableMethodResult,
  type TableSummary,
} from './table-explain.js';

/** Bars of one row for every method, side by side (each panel is a `featureBarsSvg`). */
export function rowBarsSvg(
  featureNames: string[],
  results: TableMethodResult[],
  row: number,
  title: string,
  top = 10,
): string {
  const f = featureNames.length;
  const panelW = 440;
  const panels = results.map((r) =>
    featureBarsSvg(featureNames, r.attributions.slice(row * f, (row + 1) * f), {
      title: TABLE_METHOD_TITLES[r.method],
      top,
      width: panelW,
    }),
  );
  const heights = panels.map((p) => Number(/height="(\d+(?:\.\d+)?)"/.exec(p)?.[1] ?? 300));
  const height = Math.max(...heights) + 30;
  const width = panelW * panels.length;
  const body = panels.map((p, i) => p.replace('<svg ', `<svg x="${i * panelW}" y="30" `)).join('');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">` +
    `<rect width="${width}" height="${height}" fill="white"/>` +
    `<text x="8" y="20" font-family="sans-serif" font-size="14" font-weight="600">${escapeXml(title)}</text>${body}</svg>`
  );
}

/**
 * Global importance: mean |attribution| per feature, each method scaled to its own maximum,
 * grouped bars for the `top` features with the largest average scaled importance.
 */
export function importanceSvg(summary: TableSummary, top = 15): string {
  const methods = Object.keys(summary.importance) as TableMethod[];
  const f = summary.features.length;
  const avg = Array.from(
    { length: f },
    (_, j) => methods.reduce((s, m) => s + summary.importance[m].scaled[j], 0) / methods.length,
  );
  const order = Array.from({ length: f }, (_, j) => j)
    .sort((a, b) => avg[b] - avg[a])
    .slice(0, top);
  const labelW = 190;
  const barMax = 360;
  const bar = 7;
  const group = methods.length * bar + 8;
  const topPad = 50;
  const width = labelW + barMax + 80;
  const height = topPad + order.length * group + 12;
  const parts: string[] = [];
  methods.forEach((m, k) => {
    const x = labelW + k * 150;
    parts.push(
      `<rect x="${x}" y="30" width="10" height="10" fill="${PALETTE[k % PALETTE.length]}"/>`,
    );
    parts.push(
      `<text x="${x + 14}" y="39" font-family="sans-serif" font-size="11">${escapeXml(TABLE_METHOD_TITLES[m])}</text>`,
    );
  });
  order.forEach((j, r) => {
    const y = topPad + r * group;
    parts.push(
      `<text x="${labelW - 6}" y="${y + group / 2 + 2}" text-anchor="end" font-family="sans-serif" font-size="11">${escapeXml(summary.features[j])}</text>`,
    );
    methods.forEach((m, k) => {
      const w = summary.importance[m].scaled[j] * barMax;
      parts.push(
        `<rect x="${labelW}" y="${(y + k * bar).toFixed(1)}" width="${w.toFixed(1)}" height="${bar - 1}" fill="${PALETTE[k % PALETTE.length]}"/>`,
      );
    });
  });
  const title = `Mean |attribution| over ${summary.rows} test rows (each method scaled to its maximum)`;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">` +
    `<rect width="${width}" height="${height}" fill="white"/>` +
    `<text x="8" y="18" font-family="sans-serif" font-size="13" font-weight="600">${escapeXml(title)}</text>` +
    `<line x1="${labelW}" y1="${topPad - 4}" x2="${labelW}" y2="${height - 8}" stroke="#9ca3af"/>${parts.join('')}</svg>`
  );
}
