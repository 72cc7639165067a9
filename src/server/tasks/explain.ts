/** The explain job: one input, several methods, everything the Explain page shows and downloads. */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { fail } from '../../core/errors.js';
import { argmaxRows, softmaxRows, type NdArray } from '../../core/ndarray.js';
import { explain, getMethod } from '../../methods/index.js';
import { encodeNpy } from '../../io/npy.js';
import { prepareInput } from '../../io/input.js';
import { signalAttributionSvg, featureBarsSvg } from '../../viz/attribution-plots.js';
import type { Model } from '../../models/model.js';
import type { JobContext } from '../jobs.js';
import { resolveInput } from '../inputs.js';
import { picturePng } from '../render.js';
import { describeAgreement, describeExplanation } from '../../describe/index.js';
import type { Explanation } from '../../methods/explanation.js';
import type { ServerContext } from './context.js';

export const explainRequest = z.strictObject({
  type: z.literal('explain'),
  model: z.string().max(300),
  input: z.string().max(300),
  methods: z.array(z.string().max(60)).min(1, 'pick at least one method').max(12, 'pick at most 12 methods at once'),
  /** Per method: its options (validated by the method's own schema). */
  options: z.record(z.string(), z.record(z.string(), z.unknown())).optional(),
  target: z.number().int().min(0).optional(),
  seed: z.number().int().min(0).max(2 ** 31 - 1).optional(),
  score: z.enum(['logit', 'probability']).optional(),
});
export type ExplainRequest = z.infer<typeof explainRequest>;

export interface ExplainMethodResult {
  index: number;
  method: string;
  title: string;
  milliseconds: number;
  target: number;
  targetName?: string;
  score: number;
  scoreKind: string;
  layer?: string;
  signed: boolean;
  options: Record<string, unknown>;
  extras: Record<string, number>;
  files: { attribution: string; heatmap: string; plot?: string };
  /** The map in words: where the evidence is and how concentrated. */
  text: string;
}

/** Checks what can be checked before queueing (names exist), so a typo fails at once with 400. */
export function checkExplainRequest(r: ExplainRequest): void {
  for (const m of r.methods) getMethod(m);
  if (new Set(r.methods).size !== r.methods.length) fail('a method is listed twice');
}

export async function runExplain(server: ServerContext, r: ExplainRequest, job: JobContext): Promise<unknown> {
  const file = resolveInput(server.storage, r.input);
  job.progress(0, 1, 'loading the model');
  const lease = await server.models.acquire(r.model, { signal: job.signal, progress: job.progress });
  try {
    const model = lease.model;
    const prepared = await prepareInput(file, model);
    if (prepared.batch.shape[0] !== 1) job.log(`the input holds ${prepared.batch.shape[0]} examples; explaining the first`);
    const batch = first(prepared.batch);
    const display = prepared.display ? first(prepared.display) : undefined;
    const prediction = await predictionOf(model, batch);
    if (r.target !== undefined && r.target >= model.numClasses) fail(`target ${r.target} is out of range: model ${model.name} has ${model.numClasses} classes (0–${model.numClasses - 1})`);

    const files: Record<string, string> = {};
    if (display && model.kind === 'image') {
      fs.writeFileSync(path.join(job.dir, 'input.png'), await picturePng({ data: display.data, shape: display.shape.slice(1) }));
      fs.writeFileSync(path.join(job.dir, 'input.npy'), encodeNpy({ data: display.data, shape: display.shape.slice(1) }));
      files.input = 'input.png';
    }
    const methods: ExplainMethodResult[] = [];
    const explanations: Explanation[] = [];
    for (const [index, name] of r.methods.entries()) {
      const spec = getMethod(name);
      const stage = `${name} (${index + 1} of ${r.methods.length})`;
      job.progress(0, 1, stage);
      const [e] = await explain(model, batch, name, {
        targets: r.target === undefined ? undefined : [r.target],
        seed: r.seed ?? 0,
        options: r.options?.[name],
        score: r.score,
        signal: job.signal,
        onProgress: (done, total) => job.progress(done, total, stage),
        log: job.log,
      });
      const out: ExplainMethodResult['files'] = { attribution: `${index}-attribution.npy`, heatmap: `${index}-heatmap.npy` };
      fs.writeFileSync(path.join(job.dir, out.attribution), encodeNpy(e.attribution));
      fs.writeFileSync(path.join(job.dir, out.heatmap), encodeNpy(e.heatmap));
      if (model.kind === 'signal') {
        out.plot = `${index}-plot.svg`;
        fs.writeFileSync(path.join(job.dir, out.plot), signalAttributionSvg(channelMean(batch), e.heatmap.data, { title: spec.title, signed: e.signed }));
      } else if (model.kind === 'table') {
        out.plot = `${index}-plot.svg`;
        const names = featureNames(e.heatmap.data.length);
        fs.writeFileSync(path.join(job.dir, out.plot), featureBarsSvg(names, e.heatmap.data, { title: spec.title }));
      }
      methods.push({
        index,
        method: e.method,
        title: spec.title,
        milliseconds: e.milliseconds,
        target: e.target,
        targetName: e.targetName,
        score: e.score,
        scoreKind: e.scoreKind,
        layer: e.layer,
        signed: e.signed,
        options: e.options,
        extras: e.extras,
        files: out,
        text: describeExplanation(e, model.kind, { featureNames: model.kind === 'table' ? featureNames(e.heatmap.data.length) : undefined }).text,
      });
      explanations.push(e);
    }
    const agreement = describeAgreement(explanations).text;
    return {
      model: { ref: r.model, name: model.name, kind: model.kind, inputShape: model.inputShape, numClasses: model.numClasses, outputKind: model.outputKind },
      prediction,
      files,
      methods,
      agreement,
      summary: summaryText(model, prediction, methods, agreement),
    };
  } finally {
    lease.release();
  }
}

function first(a: NdArray): NdArray {
  const per = a.data.length / a.shape[0];
  return { data: a.data.slice(0, per), shape: [1, ...a.shape.slice(1)] };
}

function channelMean(batch: NdArray): Float32Array {
  const c = batch.shape[batch.shape.length - 1];
  const n = batch.data.length / c;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let k = 0; k < c; k++) s += batch.data[i * c + k];
    out[i] = s / c;
  }
  return out;
}

export interface Prediction {
  predicted: number;
  className?: string;
  /** Classes by probability, highest first (at most 5). */
  top: Array<{ index: number; name?: string; probability: number }>;
}

export async function predictionOf(model: Model, batch: NdArray): Promise<Prediction> {
  const raw = await model.predict(batch);
  const probs = model.outputKind === 'logits' ? softmaxRows(raw) : raw;
  const predicted = argmaxRows(raw)[0];
  const order = Array.from({ length: model.numClasses }, (_, i) => i).sort((a, b) => probs.data[b] - probs.data[a]);
  return {
    predicted,
    className: model.classNames?.[predicted],
    top: order.slice(0, 5).map((index) => ({ index, name: model.classNames?.[index], probability: probs.data[index] })),
  };
}

const featureNames = (n: number) => Array.from({ length: n }, (_, i) => `feature ${i}`);

function summaryText(model: Model, p: Prediction, methods: ExplainMethodResult[], agreement: string): string {
  const cls = (i: number, name?: string) => (name && name !== String(i) ? `${i} (${name})` : String(i));
  const lines = [`${model.name} predicts class ${cls(p.predicted, p.className)} with probability ${p.top[0].probability.toFixed(3)}.`];
  for (const m of methods) {
    const extras = Object.entries(m.extras).map(([k, v]) => `, ${k} ${Number(v.toPrecision(4))}`).join('');
    lines.push(`${m.method}: target ${cls(m.target, m.targetName)}, ${m.scoreKind} ${m.score.toFixed(4)}${m.layer ? `, layer ${m.layer}` : ''}${extras}, ${m.milliseconds.toFixed(1)} ms`);
    lines.push(`  ${m.text}`);
  }
  if (agreement) lines.push(agreement);
  return lines.join('\n');
}
