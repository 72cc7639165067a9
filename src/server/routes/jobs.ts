/**
 * Jobs: submit (202 with the queue position), read, cancel, follow live (server-sent events), and
 * fetch outputs: files by name, heatmaps coloured with any colour map, overlays for download.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { fail } from '../../core/errors.js';
import { decodeNpy } from '../../io/npy.js';
import { COLORMAPS, type ColormapName } from '../../viz/colormap.js';
import { overlayPng } from '../../viz/overlay.js';
import { parseRequest } from '../app.js';
import type { JobEvent } from '../jobs.js';
import { heatmapPng } from '../render.js';
import type { ServerContext } from '../tasks/context.js';
import { checkJobRequest, jobRequest, jobTitle, runJob } from '../tasks/index.js';
import { resolveInput } from '../inputs.js';

const idParams = z.strictObject({ id: z.string().regex(/^[a-z0-9-]{1,64}$/, 'not a job id') });
const fileParams = idParams.extend({ file: z.string().regex(/^[a-z0-9][a-z0-9.-]{0,80}\.(png|npy|svg|json|txt|md|html)$/, 'not a job file name') });
const indexParams = idParams.extend({ index: z.coerce.number().int().min(0).max(63) });
const renderQuery = z.strictObject({
  colormap: z.enum(COLORMAPS as [ColormapName, ...ColormapName[]]).optional(),
  opacity: z.coerce.number().min(0).max(1).default(0.5),
});

const TYPES: Record<string, string> = {
  png: 'image/png',
  npy: 'application/octet-stream',
  svg: 'image/svg+xml',
  json: 'application/json',
  txt: 'text/plain; charset=utf-8',
  md: 'text/markdown; charset=utf-8',
  html: 'text/html; charset=utf-8',
};

export function registerJobRoutes(app: FastifyInstance, server: ServerContext): void {
  const { queue } = server;

  app.post('/api/jobs', async (request, reply) => {
    if (typeof request.body !== 'object' || request.body === null || Array.isArray(request.body)) fail('send a JSON object describing the job');
    const r = parseRequest(jobRequest, request.body, 'job');
    checkJobRequest(server, r);
    if ('input' in r && r.input) resolveInput(server.storage, r.input);
    const view = queue.submit(r.type, jobTitle(r), (ctx) => runJob(server, r, ctx));
    return reply.code(202).send(view);
  });

  app.get('/api/jobs', async () => queue.list().map(({ result: _r, ...rest }) => rest));

  app.get('/api/jobs/:id', async (request, reply) => {
    const { id } = parseRequest(idParams, request.params, 'job');
    const job = queue.get(id);
    if (!job) return reply.code(404).send({ error: `no job ${id} (finished jobs are forgotten after a while)` });
    return job;
  });

  app.delete('/api/jobs/:id', async (request, reply) => {
    const { id } = parseRequest(idParams, request.params, 'job');
    const job = queue.cancel(id);
    if (!job) return reply.code(404).send({ error: `no job ${id}` });
    return job;
  });

  /** Server-sent events: `status` (queue position), `progress`, `log`, and a final `end`. */
  app.get('/api/jobs/:id/events', async (request, reply) => {
    const { id } = parseRequest(idParams, request.params, 'job');
    const job = queue.get(id);
    if (!job) return reply.code(404).send({ error: `no job ${id}` });
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    const send = (e: JobEvent) => res.write(`event: ${e.event}\ndata: ${JSON.stringify(e.data)}\n\n`);
    const finished = job.status === 'done' || job.status === 'failed' || job.status === 'cancelled';
    if (finished) {
      send({ event: 'end', data: job });
      res.end();
      return;
    }
    send({ event: 'status', data: job });
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
    let unsubscribe = () => {};
    const stop = () => {
      clearInterval(heartbeat);
      unsubscribe();
    };
    unsubscribe = queue.subscribe(id, (e) => {
      send(e);
      if (e.event === 'end') {
        stop();
        res.end();
      }
    });
    request.raw.on('close', stop);
  });

  app.get('/api/jobs/:id/files/:file', async (request, reply) => {
    const { id, file } = parseRequest(fileParams, request.params, 'file');
    const full = jobFile(server, id, file);
    const ext = path.extname(file).slice(1);
    reply.header('content-type', TYPES[ext]);
    if (ext === 'html' || ext === 'svg') reply.header('content-security-policy', 'sandbox');
    if (ext === 'npy' || ext === 'png') reply.header('content-disposition', `inline; filename="${file}"`);
    return reply.send(fs.createReadStream(full));
  });

  /** A method's heatmap alone, coloured: the page lays it over the input with CSS opacity. */
  app.get('/api/jobs/:id/heatmap/:index', async (request, reply) => {
    const { id, index } = parseRequest(indexParams, request.params, 'heatmap');
    const q = parseRequest(renderQuery, request.query, 'query');
    const m = methodOf(server, id, index);
    const heatmap = decodeNpy(fs.readFileSync(jobFile(server, id, m.files.heatmap)));
    if (heatmap.shape.length !== 2) fail('this heatmap is not an image; see the plot instead');
    return reply.type('image/png').send(await heatmapPng(heatmap, m.signed, q.colormap ?? (m.signed ? 'bwr' : 'viridis')));
  });

  /** The overlay PNG as `glassbox explain` writes it, with the page's colour map and opacity. */
  app.get('/api/jobs/:id/overlay/:index', async (request, reply) => {
    const { id, index } = parseRequest(indexParams, request.params, 'overlay');
    const q = parseRequest(renderQuery, request.query, 'query');
    const m = methodOf(server, id, index);
    const heatmap = decodeNpy(fs.readFileSync(jobFile(server, id, m.files.heatmap)));
    const input = decodeNpy(fs.readFileSync(jobFile(server, id, 'input.npy')));
    const png = await overlayPng(input, heatmap, { signed: m.signed, opacity: q.opacity, colormap: q.colormap });
    return reply.type('image/png').header('content-disposition', `attachment; filename="${m.method}-overlay.png"`).send(png);
  });
}

function jobFile(server: ServerContext, id: string, file: string): string {
  const dir = server.queue.dirOf(id);
  if (!dir) fail(`no job ${id} (finished jobs are forgotten after a while)`);
  const full = path.join(dir, file);
  if (path.dirname(full) !== dir || !fs.existsSync(full)) fail(`job ${id} has no file ${file}`);
  return full;
}

interface MethodInfo {
  method: string;
  signed: boolean;
  files: { heatmap: string };
}

function methodOf(server: ServerContext, id: string, index: number): MethodInfo {
  const job = server.queue.get(id);
  if (!job) fail(`no job ${id}`);
  if (job.status !== 'done' || job.type !== 'explain') fail(`job ${id} is not a finished explanation`);
  const m = (job.result as { methods: MethodInfo[] }).methods[index];
  if (!m) fail(`job ${id} has no method number ${index}`);
  return m;
}
