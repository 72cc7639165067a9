/**
 * Feature importance for a table classifier by three methods that answer the same question in
 * different ways — LIME (a local surrogate on discretised features), KernelSHAP (Shapley values
 * of the background-expectation game) and Integrated Gradients (path integral from the
 * background mean) — per row and over a whole test set.
 *
 * All three explain the same number: the target class's logit (or the model's probability when
 * it outputs probabilities). KernelSHAP and IG share their reference: SHAP's "absent" features
 * take background values, IG's baseline is the background mean, so for a linear model both give
 * w_j (x_j − mean_j) exactly.
 */
import { z } from 'zod';
import type { NdArray } from '../core/ndarray.js';
import { fail } from '../core/errors.js';
import type { Model } from '../models/model.js';
import { explain } from '../methods/index.js';
import { spearman } from '../metrics/common/stats.js';

export const TABLE_METHODS = ['lime', 'kernel-shap', 'integrated-gradients'] as const;
export type TableMethod = (typeof TABLE_METHODS)[number];

export const TABLE_METHOD_TITLES: Record<TableMethod, string> = {
  lime: 'LIME',
  'kernel-shap': 'KernelSHAP',
  'integrated-gradients': 'Integrated Gradients',
};

export const tableExplainOptions = z.strictObject({
  seed: z.number().int().min(0).default(0),
  methods: z
    .array(z.enum(TABLE_METHODS))
    .min(1)
    .default([...TABLE_METHODS]),
  limeSamples: z.number().int().min(10).default(2000).describe('LIME perturbed samples per row'),
  shapSamples: z
    .number()
    .int()
    .min(4)
    .optional()
    .describe('KernelSHAP coalitions per row (default 2F + 512)'),
  shapBackground: z
    .number()
    .int()
    .positive()
    .default(50)
    .describe('background rows KernelSHAP averages over'),
  igSteps: z
    .number()
    .int()
    .positive()
    .default(64)
    .describe('Integrated Gradients quadrature points'),
  batchSize: z
    .number()
    .int()
    .positive()
    .default(4096)
    .describe('model evaluations per forward pass'),
});
export type TableExplainOptions = z.input<typeof tableExplainOptions>;

export interface TableMethodResult {
  method: TableMethod;
  /** [rows × features] */
  attributions: Float32Array;
  /** Per row: the method's extras (IG's `delta`, SHAP's `baseValue`, `fx`, LIME's `r2`, …). */
  extras: Record<string, number>[];
  targets: number[];
  milliseconds: number;
}

/** Column means of [B, F] rows. */
export function columnMeans(rows: NdArray): Float32Array {
  const [b, f] = rows.shape;
  const out = new Float32Array(f);
  for (let i = 0; i < b; i++) for (let j = 0; j < f; j++) out[j] += rows.data[i * f + j] / b;
  return out;
}

/** Explains `rows` [N, F] with each method; `background` [B, F] is typically training rows. */
export async function explainTable(
  model: Model,
  rows: NdArray,
  background: NdArray,
  options: TableExplainOptions & { targets?: number[] } = {},
): Promise<TableMethodResult[]> {
  if (model.kind !== 'table')
    fail(`model ${model.name} takes ${model.kind} inputs; table explanations need a table model`);
  const { targets, ...rest } = options;
  const o = tableExplainOptions.parse(rest);
  const f = model.inputShape[0];
  const out: TableMethodResult[] = [];
  const methodOptions: Record<TableMethod, Record<string, unknown>> = {
    lime: { background, samples: o.limeSamples, batchSize: o.batchSize },
    'kernel-shap': {
      background,
      maxBackground: o.shapBackground,
      samples: o.shapSamples ?? 2 * f + 512,
      batchSize: o.batchSize,
    },
    'integrated-gradients': {
      baseline: Array.from(columnMeans(background)),
      steps: o.igSteps,
      internalBatchSize: 1024,
    },
  };
  for (const method of o.methods) {
    if (method === 'integrated-gradients' && !model.whiteBox) continue;
    const started = performance.now();
    const es = await explain(model, rows, method, {
      targets,
      seed: o.seed,
      options: methodOptions[method],
    });
    const attributions = new Float32Array(rows.shape[0] * f);
    es.forEach((e, i) => attributions.set(e.attribution.data, i * f));
    out.push({
      method,
      attributions,
      extras: es.map((e) => e.extras),
      targets: es.map((e) => e.target),
      milliseconds: performance.now() - started,
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Global summary

// Rank statistics are the metrics' own (re-exported for the tables API and its tests).
export { averageRanks as ranks, spearman } from '../metrics/common/stats.js';

/** One row's attributions scaled by their largest |value| (so methods with different units compare). */
function scaledRow(a: Float32Array, i: number, f: number): Float64Array {
  const row = Float64Array.from(a.subarray(i * f, (i + 1) * f));
  const m = Math.max(1e-12, ...row.map(Math.abs));
  return row.map((v) => v / m);
}

/**
 * The k features of row i with the largest mean scaled |attribution| over the methods, and
 * whether every method gives each of them the same sign.
 */
export function topFeatureSigns(
  results: TableMethodResult[],
  i: number,
  f: number,
  k: number,
): { features: number[]; agree: boolean[] } {
  const scaled = results.map((r) => scaledRow(r.attributions, i, f));
  const strength = Array.from({ length: f }, (_, j) =>
    scaled.reduce((s, row) => s + Math.abs(row[j]), 0),
  );
  const features = Array.from({ length: f }, (_, j) => j)
    .sort((a, b) => strength[b] - strength[a])
    .slice(0, k);
  const agree = features.map((j) =>
    scaled.every((row) => Math.sign(row[j]) === Math.sign(scaled[0][j]) && row[j] !== 0),
  );
  return { features, agree };
}

export interface MethodPairAgreement {
  a: TableMethod;
  b: TableMethod;
  /** Mean over rows of Spearman(|attr_a|, |attr_b|). */
  meanRowSpearman: number;
  /** Spearman between the two global importance vectors (mean |attr| per feature). */
  globalSpearman: number;
  /** Share of (row, feature) pairs among each row's top features where the two signs agree. */
  topSignAgreement: number;
}

export interface TableSummary {
  rows: number;
  features: string[];
  /** Per method: mean |attribution| per feature over the rows, and the same scaled to max 1. */
  importance: Record<string, { meanAbs: number[]; scaled: number[]; milliseconds: number }>;
  pairs: MethodPairAgreement[];
  /** Share of each row's top-k features on which all methods agree in sign. */
  topSignAgreementAll: number;
  topK: number;
  /** Largest |Σ IG − (f(x) − f(baseline))| over rows (IG's completeness gap). */
  igMaxDelta?: number;
  /** The same gap relative to |f(x) − f(baseline)|, largest over rows. */
  igMaxRelativeDelta?: number;
  /** Largest |Σ φ − (f(x) − E[f(background)])| over rows. */
  shapMaxAdditivityError?: number;
  /** Mean weighted R² of LIME's local surrogates. */
  limeMeanR2?: number;
}

export function summariseTable(
  results: TableMethodResult[],
  featureNames: string[],
  topK = 5,
): TableSummary {
  if (results.length === 0) fail('no table explanations to summarise');
  const f = featureNames.length;
  const n = results[0].attributions.length / f;
  const importance: TableSummary['importance'] = {};
  const meanAbs = new Map<TableMethod, Float64Array>();
  for (const r of results) {
    const m = new Float64Array(f);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < f; j++) m[j] += Math.abs(r.attributions[i * f + j]) / n;
    meanAbs.set(r.method, m);
    const mx = Math.max(1e-12, ...m);
    importance[r.method] = {
      meanAbs: Array.from(m),
      scaled: Array.from(m, (v) => v / mx),
      milliseconds: r.milliseconds,
    };
  }
  const pairs: MethodPairAgreement[] = [];
  for (let p = 0; p < results.length; p++) {
    for (let q = p + 1; q < results.length; q++) {
      const [ra, rb] = [results[p], results[q]];
      let rowSum = 0;
      let rowCount = 0;
      let agree = 0;
      let total = 0;
      for (let i = 0; i < n; i++) {
        const a = ra.attributions.subarray(i * f, (i + 1) * f).map(Math.abs);
        const b = rb.attributions.subarray(i * f, (i + 1) * f).map(Math.abs);
        const s = spearman(a, b);
        if (!Number.isNaN(s)) {
          rowSum += s;
          rowCount++;
        }
        const { features } = topFeatureSigns([ra, rb], i, f, topK);
        for (const j of features) {
          total++;
          if (Math.sign(ra.attributions[i * f + j]) === Math.sign(rb.attributions[i * f + j]))
            agree++;
        }
      }
      pairs.push({
        a: ra.method,
        b: rb.method,
        meanRowSpearman: rowCount ? rowSum / rowCount : NaN,
        globalSpearman: spearman(meanAbs.get(ra.method)!, meanAbs.get(rb.method)!),
        topSignAgreement: total ? agree / total : NaN,
      });
    }
  }
  let agreeAll = 0;
  for (let i = 0; i < n; i++)
    agreeAll += topFeatureSigns(results, i, f, topK).agree.filter(Boolean).length;
  const summary: TableSummary = {
    rows: n,
    features: featureNames,
    importance,
    pairs,
    topSignAgreementAll: agreeAll / (n * Math.min(topK, f)),
    topK,
  };
  const extrasMax = (method: TableMethod, g: (e: Record<string, number>) => number) => {
    const r = results.find((x) => x.method === method);
    return r ? Math.max(...r.extras.map(g)) : undefined;
  };
  summary.igMaxDelta = extrasMax('integrated-gradients', (e) => e.delta);
  summary.igMaxRelativeDelta = extrasMax(
    'integrated-gradients',
    (e) => e.delta / Math.max(1e-12, Math.abs(e.scoreDifference)),
  );
  summary.shapMaxAdditivityError = extrasMax('kernel-shap', (e) =>
    Math.abs(e.sumOfValues - (e.fx - e.baseValue)),
  );
  const lime = results.find((x) => x.method === 'lime');
  if (lime) summary.limeMeanR2 = lime.extras.reduce((s, e) => s + e.r2, 0) / lime.extras.length;
  return summary;
}
