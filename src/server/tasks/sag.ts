/** The SAG job: a structured attention graph of one image, drawn by src/sag and shown zoomable. */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { prepareInput } from '../../io/input.js';
import type { JobContext } from '../jobs.js';
import { resolveInput } from '../inputs.js';
import { picturePng, toUnit } from '../render.js';
import type { ServerContext } from './context.js';

export const sagRequest = z.strictObject({
  type: z.literal('sag'),
  model: z.string().max(300),
  input: z.string().max(300),
  /** SAG options (validated by src/sag's own schema); bounded here so one request stays affordable. */
  options: z
    .object({
      grid: z.number().int().min(2).max(10).optional(),
      beam: z.number().int().min(1).max(10).optional(),
      maxRootSize: z.number().int().min(1).max(30).optional(),
      maxRoots: z.number().int().min(1).max(30).optional(),
      show: z.number().int().min(1).max(6).optional(),
    })
    .catchall(z.unknown())
    .optional(),
  target: z.number().int().min(0).optional(),
});
export type SagRequest = z.infer<typeof sagRequest>;

export async function runSag(server: ServerContext, r: SagRequest, job: JobContext): Promise<unknown> {
  const sag = await import('../../sag/index.js');
  const file = resolveInput(server.storage, r.input);
  job.progress(0, 1, 'loading the model');
  const lease = await server.models.acquire(r.model, { signal: job.signal, progress: job.progress });
  try {
    const model = lease.model;
    const prepared = await prepareInput(file, model);
    const per = prepared.batch.data.length / prepared.batch.shape[0];
    const image = { data: prepared.batch.data.slice(0, per), shape: [1, ...prepared.batch.shape.slice(1)] };
    const result = await sag.structuredAttentionGraph(model, image, {
      ...(r.options ?? {}),
      ...(r.target !== undefined ? { target: r.target } : {}),
      signal: job.signal,
      onProgress: (done, total, stage) => job.progress(done, total, `SAG: ${stage}`),
    } as Parameters<typeof sag.structuredAttentionGraph>[2]);
    const display = prepared.display ? { data: toUnit(prepared.display.data.slice(0, per)), shape: prepared.display.shape.slice(1) } : undefined;
    const written = await sag.writeSag(job.dir, result, display);
    if (display) fs.writeFileSync(path.join(job.dir, 'input.png'), await picturePng(display));
    return {
      model: { ref: r.model, name: model.name },
      files: { svg: 'sag.svg', json: 'sag.json', summary: 'summary.txt', ...(display ? { input: 'input.png' } : {}) },
      written: written.map((w) => path.basename(w)),
      target: result.target,
      targetName: result.targetName,
      predicted: result.predicted,
      fullProbability: result.fullProbability,
      grid: result.grid,
      roots: result.roots,
      nodes: result.nodes,
      edges: result.edges,
      expression: result.expression,
      summary: result.summary,
      forwardPasses: result.forwardPasses,
      milliseconds: result.milliseconds,
    };
  } finally {
    lease.release();
  }
}
