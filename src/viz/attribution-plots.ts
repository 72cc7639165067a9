/**
 * Pictures of attributions for inputs that are not images: a 1-D signal drawn as a line whose
 * points are coloured by their attribution (with a colour strip underneath), and a table row as
 * horizontal feature-importance bars.
 */
import { colour } from './colormap.js';
import { normaliseHeatmap } from './overlay.js';
import { escapeXml } from './svg-chart.js';

const css = (rgb: [number, number, number]) => `rgb(${rgb.map((v) => Math.round(v * 255)).join(',')})`;

export interface SignalPlotOptions {
  title?: string;
  signed?: boolean;
  width?: number;
  height?: number;
}

/** `signal` and `attribution` have one value per time step. */
export function signalAttributionSvg(signal: Float32Array, attribution: Float32Array, o: SignalPlotOptions = {}): string {
  const width = o.width ?? 480;
  const height = o.height ?? 200;
  const signed = o.signed ?? false;
  const map = signed ? 'bwr' : 'viridis';
  const pad = { left: 12, right: 12, top: o.title ? 26 : 10, strip: 18, bottom: 8 };
  const plotH = height - pad.top - pad.strip - pad.bottom - 6;
  const n = signal.length;
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of signal) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  const span = hi - lo || 1;
  const x = (i: number) => pad.left + (n === 1 ? 0 : (i / (n - 1)) * (width - pad.left - pad.right));
  const y = (v: number) => pad.top + plotH - ((v - lo) / span) * plotH;
  const t = normaliseHeatmap(attribution, signed);
  const segments: string[] = [];
  for (let i = 0; i + 1 < n; i++) {
    const c = css(colour(map, (t[i] + t[i + 1]) / 2));
    segments.push(`<line x1="${x(i).toFixed(1)}" y1="${y(signal[i]).toFixed(1)}" x2="${x(i + 1).toFixed(1)}" y2="${y(signal[i + 1]).toFixed(1)}" stroke="${c}" stroke-width="3" stroke-linecap="round"/>`);
  }
  const cellW = (width - pad.left - pad.right) / n;
  const stripY = pad.top + plotH + 6;
  const strip = Array.from(t, (v, i) => `<rect x="${(pad.left + i * cellW).toFixed(1)}" y="${stripY}" width="${(cellW + 0.5).toFixed(1)}" height="${pad.strip}" fill="${css(colour(map, v))}"/>`);
  const title = o.title ? `<text x="${pad.left}" y="17" font-family="sans-serif" font-size="13">${escapeXml(o.title)}</text>` : '';
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}"><rect width="${width}" height="${height}" fill="white"/>${title}<g>${segments.join('')}</g><g>${strip.join('')}</g></svg>`;
}

export interface BarsOptions {
  title?: string;
  /** Show the k features with the largest |value|. */
  top?: number;
  width?: number;
}

/** Horizontal bars, positive to the right in red, negative to the left in blue. */
export function featureBarsSvg(names: string[], values: Float32Array, o: BarsOptions = {}): string {
  const order = Array.from(values.keys()).sort((a, b) => Math.abs(values[b]) - Math.abs(values[a])).slice(0, o.top ?? 15);
  const width = o.width ?? 520;
  const row = 20;
  const top = o.title ? 28 : 8;
  const height = top + order.length * row + 8;
  const labelW = 170;
  // Room for a value label on either side, so a full-length negative bar's label stays clear of the name.
  const valueW = 56;
  const half = (width - labelW - 2 * valueW) / 2;
  const mid = labelW + valueW + half;
  const max = Math.max(1e-12, ...order.map((i) => Math.abs(values[i])));
  const bars = order.map((i, r) => {
    const v = values[i];
    const w = (Math.abs(v) / max) * half;
    const yy = top + r * row;
    const fill = v >= 0 ? '#d62728' : '#1f77b4';
    return `<text x="${labelW - 6}" y="${yy + 14}" text-anchor="end" font-family="sans-serif" font-size="12">${escapeXml(names[i] ?? `f${i}`)}</text>` +
      `<rect x="${(v >= 0 ? mid : mid - w).toFixed(1)}" y="${yy + 3}" width="${w.toFixed(1)}" height="${row - 6}" fill="${fill}"/>` +
      `<text x="${(v >= 0 ? mid + w + 4 : mid - w - 4).toFixed(1)}" y="${yy + 14}" text-anchor="${v >= 0 ? 'start' : 'end'}" font-family="sans-serif" font-size="11" fill="#374151">${v.toPrecision(3)}</text>`;
  });
  const title = o.title ? `<text x="8" y="18" font-family="sans-serif" font-size="13">${escapeXml(o.title)}</text>` : '';
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}"><rect width="${width}" height="${height}" fill="white"/>${title}<line x1="${mid}" y1="${top}" x2="${mid}" y2="${height - 8}" stroke="#9ca3af"/>${bars.join('')}</svg>`;
}
