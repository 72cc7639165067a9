/** The job types the API accepts: one request schema and one runner each, keyed by `type`. */
import { z } from 'zod';
import type { JobContext } from '../jobs.js';
import type { ServerContext } from './context.js';
import { checkExplainRequest, explainRequest, runExplain } from './explain.js';
import { runSag, sagRequest } from './sag.js';
import { layersRequest, runLayers } from './layers.js';
import { checkEvaluateRequest, evaluateRequest, runEvaluate } from './evaluate.js';

export const jobRequest = z.discriminatedUnion('type', [explainRequest, sagRequest, layersRequest, evaluateRequest]);
export type JobRequest = z.infer<typeof jobRequest>;

export function jobTitle(r: JobRequest): string {
  switch (r.type) {
    case 'explain':
      return `explain with ${r.methods.join(', ')}`;
    case 'sag':
      return 'structured attention graph';
    case 'layers':
      return `${r.mode}${r.layer ? ` of ${r.layer}` : ''}`;
    case 'evaluate':
      return `evaluate ${r.methods.join(', ')} with ${r.metrics.join(', ')} on ${r.data}`;
  }
}

/** Fails (400) on what can be known before queueing: unknown names, an input that does not exist. */
export function checkJobRequest(server: ServerContext, r: JobRequest): void {
  server.models.resolve(r.model);
  if (r.type === 'explain') checkExplainRequest(r);
  if (r.type === 'evaluate') checkEvaluateRequest(r);
}

export function runJob(server: ServerContext, r: JobRequest, job: JobContext): Promise<unknown> {
  switch (r.type) {
    case 'explain':
      return runExplain(server, r, job);
    case 'sag':
      return runSag(server, r, job);
    case 'layers':
      return runLayers(server, r, job);
    case 'evaluate':
      return runEvaluate(server, r, job);
  }
}
