/** report.md: the numbers as GitHub-flavoured Markdown tables. */
import { fmt4, fmtNumber, fmtPercent, toJson, topConfusions } from './format.js';
import type { ReportInput } from './types.js';

/** Escapes a table cell: pipes would end the cell, newlines the row. */
function cell(s: string): string {
  return s
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/[\r\n]+/g, ' ');
}

function table(header: string[], rows: string[][], align: ('l' | 'r')[]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [
    line(header.map(cell)),
    line(align.map((a) => (a === 'r' ? '---:' : '---'))),
    ...rows.map((r) => line(r.map(cell))),
  ].join('\n');
}

export function renderReportMarkdown(
  input: ReportInput,
  files = { confusionPng: 'confusion.png' },
): string {
  const m = input.metrics;
  const names = m.classNames;
  const out: string[] = [];
  out.push(`# Training report: ${input.runName.replace(/[\r\n]+/g, ' ')}`, '');
  out.push(
    `- Test examples: ${m.count}`,
    `- Accuracy: ${fmt4(m.accuracy)} (${fmtPercent(m.accuracy)})`,
    `- Macro F1: ${fmt4(m.macro.f1)}, weighted F1: ${fmt4(m.weighted.f1)}`,
    `- Macro ROC AUC (one-vs-rest): ${fmt4(m.macroAuc)}, macro average precision: ${fmt4(m.macroAveragePrecision)}`,
    '',
  );

  out.push('## Per-class metrics', '');
  const rows = m.perClass.map((c) => [
    c.name,
    fmt4(c.precision),
    fmt4(c.recall),
    fmt4(c.f1),
    String(c.support),
    fmt4(c.auc),
    fmt4(c.averagePrecision),
  ]);
  for (const [label, a, auc, ap] of [
    ['**macro avg**', m.macro, m.macroAuc, m.macroAveragePrecision],
    ['**weighted avg**', m.weighted, null, null],
  ] as const) {
    rows.push([
      label,
      fmt4(a.precision),
      fmt4(a.recall),
      fmt4(a.f1),
      String(a.support),
      fmt4(auc),
      fmt4(ap),
    ]);
  }
  out.push(
    table(['class', 'precision', 'recall', 'F1', 'support', 'ROC AUC', 'AP'], rows, [
      'l',
      'r',
      'r',
      'r',
      'r',
      'r',
      'r',
    ]),
    '',
  );

  out.push('## Confusion matrix', '', 'Rows are true classes, columns predicted classes.', '');
  out.push(
    table(
      ['true \\ predicted', ...names],
      m.confusion.map((row, t) => [names[t], ...row.map(String)]),
      ['l', ...names.map(() => 'r' as const)],
    ),
    '',
    `![Confusion matrix, coloured by share of each true class](${files.confusionPng})`,
    '',
  );
  const top = topConfusions(m.confusion);
  if (top.length > 0) {
    out.push('Most frequent confusions:', '');
    for (const c of top) out.push(`- ${names[c.true]} → ${names[c.pred]}: ${c.count}`);
    out.push('');
  }

  if (input.history.length > 0) {
    out.push('## Training history', '');
    out.push(
      table(
        ['epoch', 'loss', 'acc', 'val loss', 'val acc', 'lr', 'seconds'],
        input.history.map((h) => [
          String(h.epoch),
          fmtNumber(h.loss),
          fmt4(h.acc),
          fmtNumber(h.valLoss),
          fmt4(h.valAcc),
          fmtNumber(h.lr),
          h.seconds === undefined ? '—' : h.seconds.toFixed(1),
        ]),
        ['r', 'r', 'r', 'r', 'r', 'r', 'r'],
      ),
      '',
    );
  }

  if (input.config !== undefined) {
    out.push('## Configuration', '', '```json', toJson(input.config), '```', '');
  }
  out.push(
    'Charts (learning curves, ROC and precision–recall curves, misclassified examples) are in report.html.',
    '',
  );
  return out.join('\n');
}
