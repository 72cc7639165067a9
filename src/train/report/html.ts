/** report.html: one self-contained page (inline CSS, inline SVG charts, images as data URIs). */
import {
  escapeXml as esc,
  heatmapChart,
  lineChart,
  PALETTE,
  type Series,
} from '../../viz/svg-chart.js';
import { fmt4, fmtNumber, fmtPercent, rowFractions, toJson, topConfusions } from './format.js';
import type { ReportInput } from './types.js';

const CSS = `
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto; max-width: 1100px; padding: 0 1rem; color: #222; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.2rem; margin-top: 2rem; border-bottom: 1px solid #ddd; padding-bottom: .2rem; }
.headline { display: flex; flex-wrap: wrap; gap: 1rem; }
.headline div { background: #f4f6fa; border-radius: 6px; padding: .6rem 1rem; }
.headline b { display: block; font-size: 1.4rem; }
.charts { display: flex; flex-wrap: wrap; gap: 1rem; align-items: flex-start; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; margin: .5rem 0; }
th, td { padding: .25rem .6rem; border-bottom: 1px solid #eee; text-align: right; }
th:first-child, td:first-child { text-align: left; }
tr.avg td { font-weight: 600; background: #fafafa; }
.grid { display: flex; flex-wrap: wrap; gap: .6rem; }
figure { margin: 0; text-align: center; font-size: .75rem; width: 110px; }
figure img { width: 96px; height: auto; image-rendering: pixelated; border: 1px solid #ccc; }
pre { background: #f6f8fa; padding: .8rem; overflow: auto; font-size: .8rem; }
`;

function table(header: string[], rows: { cells: string[]; cls?: string }[]): string {
  const th = header.map((h) => `<th>${esc(h)}</th>`).join('');
  const trs = rows
    .map(
      (r) =>
        `<tr${r.cls ? ` class="${r.cls}"` : ''}>${r.cells.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`,
    )
    .join('\n');
  return `<table><thead><tr>${th}</tr></thead><tbody>\n${trs}\n</tbody></table>`;
}

/**
 * @param imageUris one `data:image/png;base64,…` URI per misclassified example, same order.
 */
export function renderReportHtml(input: ReportInput, imageUris: string[] = []): string {
  const m = input.metrics;
  const names = m.classNames;
  const h = input.history;
  const parts: string[] = [];
  const title = `Training report: ${input.runName}`;
  parts.push(
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${esc(title)}</title><style>${CSS}</style></head><body>`,
    `<h1>${esc(title)}</h1>`,
    '<div class="headline">',
    `<div>Accuracy<b>${fmtPercent(m.accuracy)}</b>${fmt4(m.accuracy)} on ${m.count} examples</div>`,
    `<div>Macro F1<b>${fmt4(m.macro.f1)}</b>weighted ${fmt4(m.weighted.f1)}</div>`,
    `<div>Macro ROC AUC<b>${fmt4(m.macroAuc)}</b>one-vs-rest</div>`,
    `<div>Macro AP<b>${fmt4(m.macroAveragePrecision)}</b>average precision</div>`,
    '</div>',
  );

  if (h.length > 0) {
    const curve = (key: 'loss' | 'acc' | 'valLoss' | 'valAcc' | 'lr') =>
      h.map((r) => [r.epoch, r[key] ?? NaN] as const);
    const hasVal = (key: 'valLoss' | 'valAcc') => h.some((r) => r[key] !== undefined);
    const pair = (train: 'loss' | 'acc', val: 'valLoss' | 'valAcc'): Series[] => [
      { name: 'train', points: curve(train), color: PALETTE[0] },
      ...(hasVal(val) ? [{ name: 'validation', points: curve(val), color: PALETTE[1] }] : []),
    ];
    const charts = [
      lineChart({
        title: 'Loss',
        xLabel: 'epoch',
        yLabel: 'loss',
        series: pair('loss', 'valLoss'),
        integerX: true,
      }),
      lineChart({
        title: 'Accuracy',
        xLabel: 'epoch',
        yLabel: 'accuracy',
        series: pair('acc', 'valAcc'),
        integerX: true,
      }),
    ];
    const lrs = h.map((r) => r.lr).filter((v): v is number => v !== undefined);
    if (lrs.length > 0 && lrs.some((v) => v !== lrs[0])) {
      charts.push(
        lineChart({
          title: 'Learning rate',
          xLabel: 'epoch',
          yLabel: 'lr',
          series: [{ name: 'lr', points: curve('lr'), color: PALETTE[4] }],
          integerX: true,
        }),
      );
    }
    parts.push('<h2>Learning curves</h2>', `<div class="charts">${charts.join('\n')}</div>`);
  }

  parts.push(
    '<h2>Per-class metrics</h2>',
    table(
      ['class', 'precision', 'recall', 'F1', 'support', 'ROC AUC', 'AP'],
      [
        ...m.perClass.map((c) => ({
          cells: [
            c.name,
            fmt4(c.precision),
            fmt4(c.recall),
            fmt4(c.f1),
            String(c.support),
            fmt4(c.auc),
            fmt4(c.averagePrecision),
          ],
        })),
        {
          cls: 'avg',
          cells: [
            'macro avg',
            fmt4(m.macro.precision),
            fmt4(m.macro.recall),
            fmt4(m.macro.f1),
            String(m.macro.support),
            fmt4(m.macroAuc),
            fmt4(m.macroAveragePrecision),
          ],
        },
        {
          cls: 'avg',
          cells: [
            'weighted avg',
            fmt4(m.weighted.precision),
            fmt4(m.weighted.recall),
            fmt4(m.weighted.f1),
            String(m.weighted.support),
            '—',
            '—',
          ],
        },
      ],
    ),
  );

  const top = topConfusions(m.confusion);
  parts.push(
    '<h2>Confusion matrix</h2>',
    '<p>Rows are true classes, columns predicted classes; each cell shows its count and is coloured by its share of the row.</p>',
    heatmapChart({
      values: m.confusion,
      intensity: rowFractions(m.confusion),
      rowLabels: names,
      colLabels: names,
      xLabel: 'predicted',
      yLabel: 'true',
    }),
    top.length > 0
      ? `<p>Most frequent confusions: ${top.map((c) => `${esc(names[c.true])} → ${esc(names[c.pred])} (${c.count})`).join(', ')}.</p>`
      : '',
  );

  const curveSeries = (pick: (c: number) => { x: number[]; y: number[] }): Series[] =>
    names.flatMap((name, c) => {
      const { x, y } = pick(c);
      return x.length > 0
        ? [
            {
              name,
              points: x.map((v, i) => [v, y[i]] as const),
              markers: false,
              color: PALETTE[c % PALETTE.length],
            },
          ]
        : [];
    });
  parts.push(
    '<h2>ROC and precision–recall curves (one class against the rest)</h2>',
    '<div class="charts">',
    lineChart({
      title: 'ROC',
      xLabel: 'false positive rate',
      yLabel: 'true positive rate',
      xDomain: [0, 1],
      yDomain: [0, 1],
      guides: [{ from: [0, 0], to: [1, 1] }],
      series: curveSeries((c) => ({ x: m.roc[c].fpr, y: m.roc[c].tpr })),
    }),
    lineChart({
      title: 'Precision–recall',
      xLabel: 'recall',
      yLabel: 'precision',
      xDomain: [0, 1],
      yDomain: [0, 1],
      series: curveSeries((c) => ({ x: m.pr[c].recall, y: m.pr[c].precision })),
    }),
    '</div>',
  );

  const mis = input.misclassified ?? [];
  if (mis.length > 0) {
    parts.push(`<h2>Misclassified examples (${mis.length})</h2>`, '<div class="grid">');
    mis.forEach((e, i) => {
      const caption = `true: ${names[e.true]} · predicted: ${names[e.pred]} (${e.prob.toFixed(3)})`;
      parts.push(
        `<figure><img src="${imageUris[i] ?? ''}" alt="${esc(caption)}"><figcaption>${esc(caption)}</figcaption></figure>`,
      );
    });
    parts.push('</div>');
  }

  if (h.length > 0) {
    parts.push(
      '<h2>Training history</h2>',
      table(
        ['epoch', 'loss', 'acc', 'val loss', 'val acc', 'lr', 'seconds'],
        h.map((r) => ({
          cells: [
            String(r.epoch),
            fmtNumber(r.loss),
            fmt4(r.acc),
            fmtNumber(r.valLoss),
            fmt4(r.valAcc),
            fmtNumber(r.lr),
            r.seconds === undefined ? '—' : r.seconds.toFixed(1),
          ],
        })),
      ),
    );
  }
  if (input.config !== undefined) {
    parts.push('<h2>Configuration</h2>', `<pre>${esc(toJson(input.config))}</pre>`);
  }
  parts.push('</body></html>', '');
  return parts.join('\n');
}
