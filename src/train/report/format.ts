/** Number formatting and confusion-matrix helpers shared by the Markdown and HTML reports. */

/** Four decimals, or an em dash for an undefined value. */
export function fmt4(v: number | null | undefined): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '—' : v.toFixed(4);
}

export function fmtPercent(v: number): string {
  return `${(v * 100).toFixed(2)} %`;
}

/** Loss/lr-style numbers: 4 significant digits, exponent for very small ones. */
export function fmtNumber(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  if (v !== 0 && Math.abs(v) < 1e-3) return v.toExponential(2);
  return String(Number(v.toPrecision(4)));
}

/** Each cell as a share of its row (the true class), so rare classes are as visible as common. */
export function rowFractions(confusion: number[][]): number[][] {
  return confusion.map((row) => {
    const total = row.reduce((a, b) => a + b, 0);
    return row.map((v) => (total > 0 ? v / total : 0));
  });
}

/** Off-diagonal cells, largest first: which classes are mistaken for which. */
export function topConfusions(
  confusion: number[][],
  limit = 5,
): { true: number; pred: number; count: number }[] {
  const cells: { true: number; pred: number; count: number }[] = [];
  confusion.forEach((row, t) =>
    row.forEach((count, p) => {
      if (t !== p && count > 0) cells.push({ true: t, pred: p, count });
    }),
  );
  return cells
    .sort((a, b) => b.count - a.count || a.true - b.true || a.pred - b.pred)
    .slice(0, limit);
}

/** JSON with non-finite numbers (the +∞ first curve threshold) written as null. */
export function toJson(value: unknown): string {
  return JSON.stringify(
    value,
    (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v),
    2,
  );
}
