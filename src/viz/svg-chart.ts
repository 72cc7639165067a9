/**
 * Small, dependency-free SVG charts for reports: line charts (several series, axes, nice ticks,
 * legend) and heatmaps (labelled grid, value in each cell). Every function returns a complete
 * `<svg>` element as a string; all text passes through `escapeXml`.
 */

/** Escapes text for XML/HTML element content and double-quoted attributes. */
export function escapeXml(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (c) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": 'apos' }[c]};`,
  );
}

/** Distinguishable series colours (Tableau 10). */
export const PALETTE = [
  '#4e79a7',
  '#f28e2b',
  '#e15759',
  '#76b7b2',
  '#59a14f',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
  '#bab0ac',
];

// matplotlib's "Blues": white for 0, dark blue for 1.
const BLUES: [number, number, number][] = [
  [247, 251, 255],
  [222, 235, 247],
  [198, 219, 239],
  [158, 202, 225],
  [107, 174, 214],
  [66, 146, 198],
  [33, 113, 181],
  [8, 81, 156],
  [8, 48, 107],
];

/** Heat colour of `t` in [0, 1] (clamped; NaN counts as 0) as 8-bit RGB. */
export function heatRgb(t: number): [number, number, number] {
  const x = Number.isFinite(t) ? Math.min(1, Math.max(0, t)) : 0;
  const pos = x * (BLUES.length - 1);
  const i = Math.min(Math.floor(pos), BLUES.length - 2);
  const f = pos - i;
  const [a, b] = [BLUES[i], BLUES[i + 1]];
  return [0, 1, 2].map((k) => Math.round(a[k] + (b[k] - a[k]) * f)) as [number, number, number];
}

export function heatColor(t: number): string {
  return (
    '#' +
    heatRgb(t)
      .map((v) => v.toString(16).padStart(2, '0'))
      .join('')
  );
}

/** Round tick values (1, 2, 2.5 or 5 × 10^k steps) covering [min, max], about `target` of them. */
export function niceTicks(min: number, max: number, target = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [];
  if (min === max) return [min];
  if (min > max) [min, max] = [max, min];
  const raw = (max - min) / Math.max(1, target);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 2.5, 5, 10].find((m) => m * mag >= raw) ?? 10) * mag;
  const first = Math.ceil(min / step - 1e-9);
  const last = Math.floor(max / step + 1e-9);
  const ticks: number[] = [];
  // Multiplying (not accumulating) keeps 0.1·3 from drifting; toPrecision trims the rest.
  for (let i = first; i <= last; i++) ticks.push(Number((i * step).toPrecision(12)));
  return ticks;
}

/** Short tick label: integers as is, others with up to 4 significant digits. */
export function formatTick(v: number): string {
  if (Number.isInteger(v)) return String(v);
  const abs = Math.abs(v);
  if (abs !== 0 && (abs < 1e-3 || abs >= 1e5)) return v.toExponential(1);
  return String(Number(v.toPrecision(4)));
}

const FONT = 'font-family="system-ui, -apple-system, Segoe UI, sans-serif"';
/** Rough width of a label in px at `size`: SVG has no text metrics before rendering. */
const textWidth = (s: string, size = 12) => s.length * size * 0.6;
const fmt = (v: number) => Number(v.toFixed(2)).toString();

export interface Series {
  name: string;
  /** [x, y] pairs; a non-finite y breaks the line (e.g. an epoch without validation). */
  points: ReadonlyArray<readonly [number, number]>;
  color?: string;
  dashed?: boolean;
  /** Draw a dot at every point (useful when there are only a few). Default: when ≤ 30 points. */
  markers?: boolean;
}

export interface LineChartOptions {
  series: Series[];
  title?: string;
  xLabel?: string;
  yLabel?: string;
  width?: number;
  height?: number;
  /** Fixed axis ranges; by default they are fitted to the data and widened to round ticks. */
  xDomain?: [number, number];
  yDomain?: [number, number];
  /** Grey dashed lines drawn under the data, e.g. the ROC chance diagonal. */
  guides?: { from: [number, number]; to: [number, number] }[];
  /** Only integer x ticks (epochs). */
  integerX?: boolean;
}

export function lineChart(o: LineChartOptions): string {
  const width = o.width ?? 480;
  const height = o.height ?? 320;
  const finite = o.series.flatMap((s) =>
    s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y)),
  );
  const xs = finite.map((p) => p[0]);
  const ys = finite.map((p) => p[1]);
  const [x0, x1] = domain(o.xDomain, xs, o.integerX);
  const [y0, y1] = domain(o.yDomain, ys, false);
  let xTicks = niceTicks(x0, x1, Math.max(2, Math.floor(width / 80)));
  if (o.integerX) xTicks = xTicks.filter(Number.isInteger);
  const yTicks = niceTicks(y0, y1, Math.max(2, Math.floor(height / 50)));

  // Legend rows, wrapped to the chart width, sit between the title and the plot.
  const legendItems = o.series.map((s, i) => ({
    s,
    color: s.color ?? PALETTE[i % PALETTE.length],
  }));
  const rows: { s: Series; color: string; x: number }[][] = [];
  let cursor = Infinity;
  for (const item of legendItems) {
    const w = 26 + textWidth(item.s.name, 11) + 14;
    if (cursor + w > width - 16) {
      rows.push([]);
      cursor = 56;
    }
    rows[rows.length - 1].push({ ...item, x: cursor });
    cursor += w;
  }
  const top = (o.title ? 26 : 10) + rows.length * 16 + 6;
  const yTickWidth = Math.max(...yTicks.map((t) => textWidth(formatTick(t), 11)), 10);
  const left = 16 + yTickWidth + (o.yLabel ? 18 : 0);
  const bottom = 28 + (o.xLabel ? 18 : 0);
  const right = 16;
  const pw = Math.max(10, width - left - right);
  const ph = Math.max(10, height - top - bottom);
  const sx = (x: number) => left + ((x - x0) / (x1 - x0 || 1)) * pw;
  const sy = (y: number) => top + ph - ((y - y0) / (y1 - y0 || 1)) * ph;

  const out: string[] = [svgOpen(width, height, o.title)];
  if (o.title) out.push(text(width / 2, 18, o.title, 'middle', 14, 'font-weight="600"'));
  rows.forEach((row, r) => {
    const y = (o.title ? 26 : 10) + r * 16 + 8;
    for (const { s, color, x } of row) {
      out.push(
        `<line x1="${fmt(x)}" y1="${y}" x2="${fmt(x + 20)}" y2="${y}" stroke="${escapeXml(color)}" stroke-width="2"${s.dashed ? ' stroke-dasharray="5 3"' : ''}/>`,
        text(x + 26, y + 4, s.name, 'start', 11),
      );
    }
  });
  // Grid and ticks.
  out.push('<g stroke="#e5e5e5" stroke-width="1">');
  for (const t of yTicks)
    out.push(
      `<line x1="${fmt(left)}" y1="${fmt(sy(t))}" x2="${fmt(left + pw)}" y2="${fmt(sy(t))}"/>`,
    );
  for (const t of xTicks)
    out.push(
      `<line x1="${fmt(sx(t))}" y1="${fmt(top)}" x2="${fmt(sx(t))}" y2="${fmt(top + ph)}"/>`,
    );
  out.push('</g>');
  for (const t of yTicks)
    out.push(text(left - 6, sy(t) + 4, formatTick(t), 'end', 11, 'fill="#555"'));
  for (const t of xTicks)
    out.push(text(sx(t), top + ph + 16, formatTick(t), 'middle', 11, 'fill="#555"'));
  out.push(
    `<rect x="${fmt(left)}" y="${fmt(top)}" width="${fmt(pw)}" height="${fmt(ph)}" fill="none" stroke="#999"/>`,
  );
  if (o.xLabel) out.push(text(left + pw / 2, height - 8, o.xLabel, 'middle', 12));
  if (o.yLabel) {
    const cx = 14;
    const cy = top + ph / 2;
    out.push(text(cx, cy, o.yLabel, 'middle', 12, `transform="rotate(-90 ${fmt(cx)} ${fmt(cy)})"`));
  }
  // Data, clipped to the plot area so fixed domains cannot spill over the axes.
  // Ids must be unique within a page holding several charts, and stable across runs.
  const clip = `clip-${fnv1a(out.join('') + JSON.stringify(o.series.map((x) => x.points)))}`;
  out.push(
    `<defs><clipPath id="${clip}"><rect x="${fmt(left)}" y="${fmt(top)}" width="${fmt(pw)}" height="${fmt(ph)}"/></clipPath></defs>`,
    `<g clip-path="url(#${clip})" fill="none">`,
  );
  for (const g of o.guides ?? []) {
    out.push(
      `<line x1="${fmt(sx(g.from[0]))}" y1="${fmt(sy(g.from[1]))}" x2="${fmt(sx(g.to[0]))}" y2="${fmt(sy(g.to[1]))}" stroke="#aaa" stroke-dasharray="4 4"/>`,
    );
  }
  for (const { s, color } of legendItems) {
    const c = escapeXml(color);
    const segments: string[][] = [[]];
    for (const [x, y] of s.points) {
      if (Number.isFinite(x) && Number.isFinite(y))
        segments[segments.length - 1].push(`${fmt(sx(x))},${fmt(sy(y))}`);
      else if (segments[segments.length - 1].length > 0) segments.push([]);
    }
    for (const seg of segments.filter((g) => g.length > 0)) {
      if (seg.length > 1) {
        out.push(
          `<polyline points="${seg.join(' ')}" stroke="${c}" stroke-width="2"${s.dashed ? ' stroke-dasharray="5 3"' : ''}/>`,
        );
      }
      if (s.markers ?? s.points.length <= 30) {
        for (const p of seg) {
          const [cx, cy] = p.split(',');
          out.push(`<circle cx="${cx}" cy="${cy}" r="2.5" fill="${c}"/>`);
        }
      }
    }
  }
  out.push('</g></svg>');
  return out.join('\n');
}

function domain(
  fixed: [number, number] | undefined,
  values: number[],
  integer?: boolean,
): [number, number] {
  if (fixed) return fixed;
  if (values.length === 0) return [0, 1];
  let lo = Math.min(...values);
  let hi = Math.max(...values);
  if (lo === hi) {
    const pad = integer ? 1 : Math.abs(lo) * 0.1 || 1;
    lo -= pad;
    hi += pad;
  }
  const ticks = niceTicks(lo, hi, 5);
  const step = ticks.length > 1 ? ticks[1] - ticks[0] : 0;
  // Widen to the enclosing round ticks so the axes start and end on a labelled tick.
  return [
    ticks[0] > lo ? ticks[0] - step : ticks[0],
    ticks[ticks.length - 1] < hi ? ticks[ticks.length - 1] + step : ticks[ticks.length - 1],
  ];
}

export interface HeatmapOptions {
  /** values[row][col], shown as text in each cell when `format` allows. */
  values: number[][];
  rowLabels: string[];
  colLabels: string[];
  /** Colour intensity per cell in [0, 1]; default values divided by the largest value. */
  intensity?: number[][];
  title?: string;
  xLabel?: string;
  yLabel?: string;
  /** Cell edge in px; default fits about 480 px, between 14 and 48. */
  cellSize?: number;
  /** Cell text; default the value itself. Return '' for none. */
  format?: (value: number, row: number, col: number) => string;
}

export function heatmapChart(o: HeatmapOptions): string {
  const nr = o.rowLabels.length;
  const nc = o.colLabels.length;
  const cell = o.cellSize ?? Math.max(14, Math.min(48, Math.floor(480 / Math.max(nr, nc, 1))));
  const max = Math.max(0, ...o.values.flat().filter(Number.isFinite));
  const intensity = o.intensity ?? o.values.map((r) => r.map((v) => (max > 0 ? v / max : 0)));
  const format = o.format ?? ((v: number) => formatTick(v));
  const labelSize = Math.min(12, Math.max(9, cell * 0.5));
  const rowLabelW = Math.max(0, ...o.rowLabels.map((l) => textWidth(l, labelSize)));
  const colLabelH = Math.max(0, ...o.colLabels.map((l) => textWidth(l, labelSize))) * 0.72 + 8;
  const top = (o.title ? 28 : 8) + (o.xLabel ? 18 : 0) + colLabelH;
  const left = 8 + (o.yLabel ? 20 : 0) + rowLabelW + 6;
  const width = Math.ceil(left + nc * cell + 16 + colLabelH * 0.72);
  const height = Math.ceil(top + nr * cell + 12);

  const out: string[] = [svgOpen(width, height, o.title)];
  if (o.title) out.push(text(width / 2, 18, o.title, 'middle', 14, 'font-weight="600"'));
  if (o.xLabel)
    out.push(text(left + (nc * cell) / 2, (o.title ? 28 : 8) + 12, o.xLabel, 'middle', 12));
  if (o.yLabel) {
    const cx = 8 + 12;
    const cy = top + (nr * cell) / 2;
    out.push(text(cx, cy, o.yLabel, 'middle', 12, `transform="rotate(-90 ${fmt(cx)} ${fmt(cy)})"`));
  }
  for (let c = 0; c < nc; c++) {
    const x = left + c * cell + cell / 2;
    const y = top - 6;
    out.push(
      text(x, y, o.colLabels[c], 'start', labelSize, `transform="rotate(-45 ${fmt(x)} ${fmt(y)})"`),
    );
  }
  for (let r = 0; r < nr; r++) {
    out.push(
      text(
        left - 6,
        top + r * cell + cell / 2 + labelSize * 0.35,
        o.rowLabels[r],
        'end',
        labelSize,
      ),
    );
    for (let c = 0; c < nc; c++) {
      const v = o.values[r]?.[c] ?? NaN;
      const t = intensity[r]?.[c] ?? 0;
      const [cr, cg, cb] = heatRgb(t);
      const x = left + c * cell;
      const y = top + r * cell;
      out.push(
        `<rect x="${fmt(x)}" y="${fmt(y)}" width="${cell}" height="${cell}" fill="${heatColor(t)}" stroke="#fff" stroke-width="1"><title>${escapeXml(`${o.rowLabels[r]} → ${o.colLabels[c]}: ${format(v, r, c) || formatTick(v)}`)}</title></rect>`,
      );
      const label = cell >= 18 ? format(v, r, c) : '';
      if (label) {
        const dark = 0.299 * cr + 0.587 * cg + 0.114 * cb < 140;
        const size = Math.min(12, cell * 0.32);
        out.push(
          text(
            x + cell / 2,
            y + cell / 2 + size * 0.35,
            label,
            'middle',
            size,
            `fill="${dark ? '#fff' : '#222'}"`,
          ),
        );
      }
    }
  }
  out.push('</svg>');
  return out.join('\n');
}

function fnv1a(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(36);
}

function svgOpen(width: number, height: number, title?: string): string {
  const w = Math.ceil(width);
  const h = Math.ceil(height);
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" role="img"${title ? ` aria-label="${escapeXml(title)}"` : ''} ${FONT}>` +
    (title ? `<title>${escapeXml(title)}</title>` : '') +
    `<rect width="${w}" height="${h}" fill="#fff"/>`
  );
}

function text(
  x: number,
  y: number,
  s: string,
  anchor: 'start' | 'middle' | 'end',
  size: number,
  extra = '',
): string {
  return `<text x="${fmt(x)}" y="${fmt(y)}" text-anchor="${anchor}" font-size="${fmt(size)}"${extra ? ' ' + extra : ''}>${escapeXml(s)}</text>`;
}
