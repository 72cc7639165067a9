/**
 * The benchmark's three outputs: <name>.json (everything, per-input scores included),
 * <name>.md (one table per data set) and <name>.html (sortable tables, mean deletion/insertion,
 * ROAD and randomisation curves as inline SVG, example maps per method).
 */
import fs from 'node:fs';
import path from 'node:path';
import { escapeXml, lineChart, PALETTE } from '../../viz/svg-chart.js';
import type { BenchmarkReport, EntryReport, MetricCell } from './types.js';

export interface ReportFiles {
  json: string;
  markdown: string;
  html: string;
}

export interface ReportContext {
  name: string;
  title: string;
  methodOptions: Record<string, Record<string, unknown>>;
  metricOptions: Record<string, Record<string, unknown>>;
}

const FAITHFULNESS = ['deletion', 'insertion', 'faithfulness-correlation', 'road'];

export async function writeReports(
  out: string,
  report: BenchmarkReport,
  ctx: ReportContext,
): Promise<ReportFiles> {
  const files = {
    json: path.join(out, `${ctx.name}.json`),
    markdown: path.join(out, `${ctx.name}.md`),
    html: path.join(out, `${ctx.name}.html`),
  };
  fs.writeFileSync(
    files.json,
    JSON.stringify(
      { ...report, methodOptions: ctx.methodOptions, metricOptions: ctx.metricOptions },
      null,
      1,
    ) + '\n',
  );
  fs.writeFileSync(files.markdown, renderMarkdown(report, ctx));
  fs.writeFileSync(files.html, renderHtml(report, ctx));
  return files;
}

/**
 * Rank of each method on each metric (1 = best, ties share their mean rank), and the mean rank
 * over the metrics in `among` that the method has a value for.
 */
export function meanRanks(
  entry: EntryReport,
  metrics: string[],
  direction: (m: string) => 'higher' | 'lower',
): Map<string, number> {
  const sums = new Map<string, { sum: number; n: number }>();
  for (const metric of metrics) {
    const vals = entry.methods
      .map((r) => ({ method: r.method, v: r.metrics[metric]?.mean }))
      .filter((x): x is { method: string; v: number } => x.v !== undefined && Number.isFinite(x.v));
    if (vals.length < 2) continue;
    const sign = direction(metric) === 'higher' ? -1 : 1;
    vals.sort((a, b) => sign * (a.v - b.v));
    let i = 0;
    while (i < vals.length) {
      let j = i;
      while (j + 1 < vals.length && vals[j + 1].v === vals[i].v) j++;
      const rank = (i + j) / 2 + 1;
      for (let k = i; k <= j; k++) {
        const s = sums.get(vals[k].method) ?? { sum: 0, n: 0 };
        s.sum += rank;
        s.n++;
        sums.set(vals[k].method, s);
      }
      i = j + 1;
    }
  }
  return new Map([...sums].map(([m, s]) => [m, s.sum / s.n]));
}

/** The best mean per metric column, for bold/highlighting. */
function bestOf(
  entry: EntryReport,
  metric: string,
  direction: 'higher' | 'lower',
): number | undefined {
  const vals = entry.methods
    .map((r) => r.metrics[metric]?.mean)
    .filter((v): v is number => v !== undefined && Number.isFinite(v));
  if (vals.length < 2) return undefined;
  return direction === 'higher' ? Math.max(...vals) : Math.min(...vals);
}

function fmt(v: number | undefined, digits = 3): string {
  if (v === undefined || !Number.isFinite(v)) return 'n/a';
  if (v !== 0 && Math.abs(v) < 10 ** -digits) return v.toExponential(1);
  return v.toFixed(digits);
}

/** One line on what an entry ran on: kind, shape, count, model and its accuracy. */
function entrySummary(entry: EntryReport): string {
  const accuracy =
    entry.accuracy !== undefined ? `, accuracy on these inputs ${(entry.accuracy * 100).toFixed(1)}%` : '';
  return `${entry.kind} [${entry.inputShape.join('×')}], ${entry.count} inputs, model: ${entry.modelSource}${accuracy}`;
}

/** The metrics an entry has results for, and each method's mean rank over all and over faithfulness. */
function entryRanking(report: BenchmarkReport, entry: EntryReport, dir: (m: string) => 'higher' | 'lower') {
  const metrics = report.metrics
    .map((m) => m.name)
    .filter((m) => entry.methods.some((r) => r.metrics[m] && !r.metrics[m].skipped));
  const ranks = meanRanks(entry, metrics, dir);
  const franks = meanRanks(
    entry,
    metrics.filter((m) => FAITHFULNESS.includes(m)),
    dir,
  );
  return { metrics, ranks, franks };
}

function arrow(direction: 'higher' | 'lower'): string {
  return direction === 'higher' ? '↑' : '↓';
}

function optionsText(options: Record<string, Record<string, unknown>>): string[] {
  return Object.entries(options)
    .filter(([, o]) => Object.keys(o).length > 0)
    .map(
      ([name, o]) =>
        `${name}: ${Object.entries(o)
          .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
          .join(', ')}`,
    );
}

export function renderMarkdown(report: BenchmarkReport, ctx: ReportContext): string {
  const dir = (m: string) => report.metrics.find((x) => x.name === m)?.direction ?? 'higher';
  const lines: string[] = [`# ${ctx.title}`, ''];
  lines.push(
    `${report.createdAt.slice(0, 10)} · seed ${report.seed} · up to ${report.count} inputs per data set · ${Math.round(report.seconds)} s · Glassbox ${report.software.glassbox}, Node ${report.software.node}`,
    '',
    'Each cell is the mean over the inputs ± its standard error; ↑ higher is better, ↓ lower is better; **bold** is the best method in the column. ' +
      '"rank F" is the mean rank over the faithfulness metrics (deletion, insertion, faithfulness correlation, ROAD), "rank" over all metrics. ' +
      'Protocols: docs/metrics.md.',
    '',
  );
  const opts = optionsText(ctx.methodOptions);
  if (opts.length) lines.push(`Method options: ${opts.join('; ')}.`, '');
  const mopts = optionsText(ctx.metricOptions);
  if (mopts.length) lines.push(`Metric options: ${mopts.join('; ')}.`, '');
  for (const s of report.skippedEntries ?? [])
    lines.push(`Data set ${s.name} was skipped: ${s.reason}`, '');
  for (const entry of report.entries) {
    lines.push(`## ${entry.name}`, '');
    lines.push(entrySummary(entry), '');
    const { metrics, ranks, franks } = entryRanking(report, entry, dir);
    lines.push(
      `| method | ms/input | ${metrics.map((m) => `${m} ${arrow(dir(m))}`).join(' | ')} | rank F | rank |`,
    );
    lines.push(`|---|---:|${metrics.map(() => '---:').join('|')}|---:|---:|`);
    const notes = new Set<string>();
    const rows = [...entry.methods].sort(
      (a, b) => (ranks.get(a.method) ?? Infinity) - (ranks.get(b.method) ?? Infinity),
    );
    for (const row of rows) {
      if (row.skipped) {
        notes.add(`${row.method}: ${row.skipped}`);
        lines.push(`| ${row.method} | n/a | ${metrics.map(() => 'n/a').join(' | ')} | n/a | n/a |`);
        continue;
      }
      const cells = metrics.map((m) => {
        const c = row.metrics[m];
        if (!c || c.skipped || c.mean === undefined) {
          if (c?.skipped) notes.add(`${m}: ${c.skipped}`);
          return 'n/a';
        }
        const text = `${fmt(c.mean)}${c.sem !== undefined ? ` ± ${fmt(c.sem)}` : ''}`;
        return c.mean === bestOf(entry, m, dir(m)) ? `**${text}**` : text;
      });
      lines.push(
        `| ${row.method} | ${fmt(row.msPerInput, 1)} | ${cells.join(' | ')} | ${fmt(franks.get(row.method), 1)} | ${fmt(ranks.get(row.method), 1)} |`,
      );
    }
    lines.push('');
    const skippedMetrics = report.metrics.map((m) => m.name).filter((m) => !metrics.includes(m));
    for (const m of skippedMetrics) {
      const reason = entry.methods.map((r) => r.metrics[m]?.skipped).find(Boolean);
      if (reason) notes.add(`${m}: ${reason}`);
    }
    if (notes.size) {
      lines.push('Not computed:', '');
      for (const n of notes) lines.push(`- ${n}`);
      lines.push('');
    }
  }
  lines.push('## Metrics', '');
  for (const m of report.metrics)
    lines.push(`- **${m.name}** (${m.family}, ${arrow(m.direction)}): ${m.reference}`);
  lines.push('');
  return lines.join('\n');
}

const CURVE_CHARTS: Array<{ metric: string; curve: string; title: string }> = [
  { metric: 'deletion', curve: 'deletion', title: 'Deletion (lower area is better)' },
  { metric: 'insertion', curve: 'insertion', title: 'Insertion (higher area is better)' },
  { metric: 'road', curve: 'morf', title: 'ROAD MoRF (lower is better)' },
  { metric: 'road', curve: 'lerf', title: 'ROAD LeRF (higher is better)' },
  {
    metric: 'cascading-randomisation',
    curve: 'spearman',
    title: 'Cascading randomisation, Spearman (lower is better)',
  },
  {
    metric: 'independent-randomisation',
    curve: 'spearman',
    title: 'Independent randomisation, Spearman (lower is better)',
  },
];

function curveChart(
  entry: EntryReport,
  metric: string,
  curveName: string,
  title: string,
): string | undefined {
  const series = entry.methods
    .map((row, i) => {
      const c = row.metrics[metric]?.curves?.find((cv) => cv.name === curveName);
      return c
        ? {
            name: row.method,
            points: c.x.map((x, j) => [x, c.mean[j]] as const),
            color: PALETTE[i % PALETTE.length],
            dashed: i >= PALETTE.length,
          }
        : undefined;
    })
    .filter((s): s is NonNullable<typeof s> => s !== undefined);
  if (!series.length) return undefined;
  const first = entry.methods
    .map((r) => r.metrics[metric]?.curves?.find((cv) => cv.name === curveName))
    .find(Boolean)!;
  // Layer curves: say which layer each step is (the chart's x axis is numeric).
  const xLabel =
    first.xNames && first.xNames.length <= 8
      ? `${first.xLabel}: ${first.xNames.map((n, i) => `${i + 1} ${n}`).join(', ')}`
      : first.xLabel;
  return lineChart({
    series,
    title,
    xLabel,
    yLabel: first.yLabel,
    width: 520,
    height: 340,
    integerX: Boolean(first.xNames),
  });
}

function cellHtml(c: MetricCell | undefined, best: number | undefined): string {
  if (!c || c.skipped || c.mean === undefined) {
    return `<td data-v="" class="na"${c?.skipped ? ` title="${escapeXml(c.skipped)}"` : ''}>n/a</td>`;
  }
  const title = `${c.count} inputs${c.sem !== undefined ? `, ± ${fmt(c.sem, 4)} (s.e.)` : ''}${
    c.details
      ? `; ${Object.entries(c.details)
          .map(([k, v]) => `${k} ${fmt(v, 4)}`)
          .join(', ')}`
      : ''
  }`;
  return `<td data-v="${c.mean}"${c.mean === best ? ' class="best"' : ''} title="${escapeXml(title)}">${fmt(c.mean)}</td>`;
}

export function renderHtml(report: BenchmarkReport, ctx: ReportContext): string {
  const dir = (m: string) => report.metrics.find((x) => x.name === m)?.direction ?? 'higher';
  const parts: string[] = [];
  parts.push(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeXml(ctx.title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;margin:2em auto;max-width:1400px;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:1em 0;font-size:13px}
th,td{border:1px solid #ddd;padding:4px 8px;text-align:right}
th{background:#f4f4f4;cursor:pointer;user-select:none;position:sticky;top:0}
th:first-child,td:first-child{text-align:left}
td.best{font-weight:700;background:#e8f4ea}
td.na{color:#aaa}
th[data-dir=asc]::after{content:" ▲"}th[data-dir=desc]::after{content:" ▼"}
.charts{display:flex;flex-wrap:wrap;gap:12px}
.maps td{text-align:center;vertical-align:top;font-size:11px}
.maps img{display:block;width:96px;image-rendering:pixelated}
.note{color:#666;font-size:13px}
</style></head><body>`);
  parts.push(`<h1>${escapeXml(ctx.title)}</h1>`);
  parts.push(
    `<p class="note">${escapeXml(report.createdAt)} · seed ${report.seed} · up to ${report.count} inputs per data set · ${Math.round(report.seconds)} s. ` +
      'Cells are means over the inputs (hover for the standard error and details); ↑ higher is better, ↓ lower is better; green is the best in its column. Click a header to sort.</p>',
  );
  const opts = optionsText(ctx.methodOptions);
  if (opts.length) parts.push(`<p class="note">Method options: ${escapeXml(opts.join('; '))}</p>`);
  for (const s of report.skippedEntries ?? []) {
    parts.push(
      `<p class="note">Data set ${escapeXml(s.name)} was skipped: ${escapeXml(s.reason)}</p>`,
    );
  }
  for (const entry of report.entries) {
    parts.push(`<h2>${escapeXml(entry.name)}</h2>`);
    parts.push(`<p class="note">${escapeXml(entrySummary(entry))}</p>`);
    const { metrics, ranks, franks } = entryRanking(report, entry, dir);
    parts.push('<table class="sortable"><thead><tr><th>method</th><th>ms/input</th>');
    for (const m of metrics) {
      const info = report.metrics.find((x) => x.name === m)!;
      parts.push(
        `<th title="${escapeXml(info.reference)}">${escapeXml(m)} ${arrow(info.direction)}</th>`,
      );
    }
    parts.push(
      '<th title="mean rank over deletion, insertion, faithfulness correlation and ROAD">rank F</th><th title="mean rank over all metrics">rank</th></tr></thead><tbody>',
    );
    for (const row of entry.methods) {
      parts.push(
        `<tr><td data-v="${escapeXml(row.method)}" title="${escapeXml(row.skipped ?? row.title)}">${escapeXml(row.method)}</td>`,
      );
      parts.push(
        row.msPerInput !== undefined
          ? `<td data-v="${row.msPerInput}">${fmt(row.msPerInput, 1)}</td>`
          : '<td data-v="" class="na">n/a</td>',
      );
      for (const m of metrics) parts.push(cellHtml(row.metrics[m], bestOf(entry, m, dir(m))));
      for (const r of [franks.get(row.method), ranks.get(row.method)])
        parts.push(
          r !== undefined
            ? `<td data-v="${r}">${fmt(r, 1)}</td>`
            : '<td data-v="" class="na">n/a</td>',
        );
      parts.push('</tr>');
    }
    parts.push('</tbody></table>');
    const charts = CURVE_CHARTS.map((c) => curveChart(entry, c.metric, c.curve, c.title)).filter(
      Boolean,
    );
    if (charts.length) parts.push(`<div class="charts">${charts.join('\n')}</div>`);
    const withExamples = entry.methods.filter((r) => r.examples?.length);
    if (withExamples.length && entry.exampleInputs?.length) {
      parts.push('<h3>Example maps</h3><table class="maps"><tr><td>input</td>');
      for (const r of withExamples) parts.push(`<td>${escapeXml(r.method)}</td>`);
      parts.push('</tr>');
      entry.exampleInputs.forEach((input, i) => {
        parts.push(`<tr><td><img src="${escapeXml(input)}" alt="input ${i}"></td>`);
        for (const r of withExamples) {
          const f = r.examples![i];
          parts.push(
            f
              ? `<td><img src="${escapeXml(f)}" alt="${escapeXml(`${r.method} ${i}`)}"></td>`
              : '<td></td>',
          );
        }
        parts.push('</tr>');
      });
      parts.push('</table>');
    }
  }
  parts.push('<h2>Metrics</h2><ul>');
  for (const m of report.metrics)
    parts.push(
      `<li><b>${escapeXml(m.name)}</b> (${escapeXml(m.family)}, ${arrow(m.direction)}): ${escapeXml(m.reference)}</li>`,
    );
  parts.push('</ul>');
  parts.push(`<script>
for (const table of document.querySelectorAll('table.sortable')) {
  table.querySelectorAll('th').forEach((th, col) => th.addEventListener('click', () => {
    const dir = th.dataset.dir === 'asc' ? 'desc' : 'asc';
    table.querySelectorAll('th').forEach((h) => delete h.dataset.dir);
    th.dataset.dir = dir;
    const body = table.tBodies[0];
    const key = (r) => r.cells[col].dataset.v;
    const rows = [...body.rows].sort((a, b) => {
      const x = key(a), y = key(b);
      if (x === '' || y === '') return (x === '') - (y === '');
      const nx = Number(x), ny = Number(y);
      const c = Number.isNaN(nx) || Number.isNaN(ny) ? x.localeCompare(y) : nx - ny;
      return dir === 'asc' ? c : -c;
    });
    for (const r of rows) body.appendChild(r);
  }));
}
</script></body></html>
`);
  return parts.join('\n');
}
