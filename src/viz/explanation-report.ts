/**
 * A self-contained HTML page: one row per input, one column per method, each cell the heatmap
 * overlay with the target, score and time (the map in words on hover), and under each row a line
 * in words. Images are inlined as data URIs.
 */
import { escapeXml } from './svg-chart.js';

export interface ReportCell {
  png: Buffer;
  caption: string;
  /** The map in words, shown when the pointer rests on the cell. */
  words?: string;
}

export interface ReportRow {
  title: string;
  input: Buffer;
  cells: Map<string, ReportCell>;
  /** A line under the row, e.g. how the methods agree. */
  words?: string;
}

export interface ExplanationReport {
  title: string;
  intro: string[];
  methods: { name: string; title: string; reference: string; milliseconds: number; error?: string }[];
  rows: ReportRow[];
  /** Cells are line plots (signals), drawn at their own aspect ratio rather than as square pixels. */
  plots?: boolean;
}

const uri = (png: Buffer) => `data:image/png;base64,${png.toString('base64')}`;

export function renderExplanationReport(r: ExplanationReport): string {
  const head = r.methods
    .map((m) => `<th title="${escapeXml(m.reference)}">${escapeXml(m.title)}<br><small>${m.error ? 'failed' : `${m.milliseconds.toFixed(1)} ms/input`}</small></th>`)
    .join('');
  const rows = r.rows
    .map((row) => {
      const cells = r.methods
        .map((m) => {
          const c = row.cells.get(m.name);
          if (!c) return `<td class="err">${escapeXml(m.error ?? 'n/a')}</td>`;
          const words = c.words ? ` title="${escapeXml(c.words)}"` : '';
          return `<td${words}><img${r.plots ? ' class="plot"' : ''} src="${uri(c.png)}" alt="${escapeXml(m.name)}"><div>${escapeXml(c.caption)}</div></td>`;
        })
        .join('');
      const words = row.words ? `<tr><td class="words" colspan="${r.methods.length + 1}">${escapeXml(row.words)}</td></tr>` : '';
      return `<tr><th><img${r.plots ? ' class="plot"' : ''} src="${uri(row.input)}" alt="input"><div>${escapeXml(row.title)}</div></th>${cells}</tr>${words}`;
    })
    .join('\n');
  const methodList = r.methods
    .map((m) => `<li><b>${escapeXml(m.name)}</b>: ${escapeXml(m.reference)}${m.error ? ` — <span class="err">failed: ${escapeXml(m.error)}</span>` : ''}</li>`)
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeXml(r.title)}</title>
<style>
body{font-family:system-ui,sans-serif;margin:24px;color:#1f2937}
table{border-collapse:collapse}td,th{padding:6px;text-align:center;vertical-align:top;font-size:12px}
th{font-weight:600}img{width:112px;height:112px;image-rendering:pixelated;display:block;margin:auto}img.plot{width:240px;height:auto;image-rendering:auto}
.err{color:#b91c1c}td.words{text-align:left;font-size:13px;padding-bottom:14px}small{font-weight:400;color:#6b7280}
</style></head><body>
<h1>${escapeXml(r.title)}</h1>
${r.intro.map((p) => `<p>${escapeXml(p)}</p>`).join('\n')}
<table><thead><tr><th>input</th>${head}</tr></thead><tbody>
${rows}
</tbody></table>
<h2>Methods</h2><ul>${methodList}</ul>
</body></html>
`;
}
