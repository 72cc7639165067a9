/** Talking to the Glassbox server: JSON calls, uploads, and jobs followed over server-sent events. */

export class ApiError extends Error {}

export type JobStatus = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';

export interface JobView<R = unknown> {
  id: string;
  type: string;
  title: string;
  status: JobStatus;
  position?: number;
  statusText: string;
  progress?: { done: number; total: number; stage?: string };
  result?: R;
  error?: string;
  seconds?: number;
}

export interface ModelEntry {
  ref: string;
  source: 'run' | 'example' | 'upload';
  name: string;
  description?: string;
  ready: boolean;
  accuracy?: number;
  dataset?: string;
}

export interface LayerInfo {
  name: string;
  type: string;
  outputShape: number[];
  spatial: boolean;
}

export interface ModelInfo {
  ref: string;
  ready: boolean;
  note?: string;
  name?: string;
  kind?: 'image' | 'signal' | 'table';
  inputShape?: number[];
  numClasses?: number;
  whiteBox?: boolean;
  classNames?: string[];
  layers?: LayerInfo[];
}

export interface InputEntry {
  ref: string;
  name: string;
  type: string;
  width?: number;
  height?: number;
  shape?: number[];
}

export interface JsonSchema {
  type?: string;
  properties?: Record<string, JsonSchema>;
  enum?: unknown[];
  default?: unknown;
  description?: string;
  minimum?: number;
  maximum?: number;
  anyOf?: JsonSchema[];
}

export interface MethodInfo {
  name: string;
  title: string;
  family: string;
  reference: string;
  needs: 'predict' | 'gradients';
  kinds: string[];
  signed: boolean;
  options: JsonSchema;
}

async function parse<T>(r: Response): Promise<T> {
  const text = await r.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (!r.ok) {
    const message = (body as { error?: string } | undefined)?.error ?? (r.status === 413 ? 'the upload is too large' : `${r.status} ${r.statusText}: ${text.slice(0, 200)}`);
    throw new ApiError(message);
  }
  return body as T;
}

async function call(url: string, init?: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch {
    throw new ApiError('the Glassbox server cannot be reached: is `glassbox serve` still running?');
  }
}

export async function getJson<T>(url: string): Promise<T> {
  return parse<T>(await call(url));
}

export async function postJson<T>(url: string, body: unknown): Promise<T> {
  return parse<T>(await call(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }));
}

export async function uploadFiles<T>(url: string, files: File[], field = 'file'): Promise<T> {
  const form = new FormData();
  for (const f of files) form.append(field, f, f.name);
  return parse<T>(await call(url, { method: 'POST', body: form }));
}

export async function cancelJob(id: string): Promise<void> {
  await parse(await call(`/api/jobs/${id}`, { method: 'DELETE' }));
}

/**
 * Submits a job and follows it until it ends: `onUpdate` sees every status (queue position) and
 * progress event. Resolves with the final view (done, failed or cancelled).
 */
export async function runJob<R>(request: unknown, onUpdate: (v: JobView<R>) => void): Promise<JobView<R>> {
  const first = await postJson<JobView<R>>('/api/jobs', request);
  onUpdate(first);
  return new Promise((resolve) => {
    const source = new EventSource(`/api/jobs/${first.id}/events`);
    const handle = (e: MessageEvent) => {
      const v = JSON.parse(e.data) as JobView<R>;
      onUpdate(v);
      if (e.type === 'end') {
        source.close();
        resolve(v);
      }
    };
    source.addEventListener('status', handle);
    source.addEventListener('progress', handle);
    source.addEventListener('end', handle);
    source.onerror = () => {
      // The stream broke (server restarted or the job vanished): ask once for the job's state.
      source.close();
      getJson<JobView<R>>(`/api/jobs/${first.id}`)
        .then((v) => {
          if (v.status === 'done' || v.status === 'failed' || v.status === 'cancelled') resolve(v);
          else resolve({ ...v, status: 'failed', error: 'lost contact with the job; reload the page to see it' });
        })
        .catch((err: Error) => resolve({ ...first, status: 'failed', error: err.message }));
    };
  });
}
