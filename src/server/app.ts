/**
 * The web app's HTTP server: a Fastify app with the JSON API under /api and the built front end
 * (web/dist) at /. Errors a user can fix come back as 4xx with one line `{ error }`; nothing a
 * request sends can stop the server. See docs/web.md for the routes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import multipart from '@fastify/multipart';
import fastifyStatic from '@fastify/static';
import { z } from 'zod';
import { fail, isGlassboxError } from '../core/errors.js';
import { formatIssues } from '../core/options.js';
import { JobQueue, QueueFullError } from './jobs.js';
import { ModelStore } from './models.js';
import { listSamples } from './inputs.js';
import { Storage } from './storage.js';
import type { ServerContext } from './tasks/context.js';
import { registerApiRoutes } from './routes/api.js';
import { registerJobRoutes } from './routes/jobs.js';
import { registerUploadRoutes } from './routes/uploads.js';
import { registerDataRoutes } from './routes/data.js';

export interface AppOptions {
  /** The data folder: runs are found in it, uploads and job outputs are written in it. */
  dataDir: string;
  /** Built front end; default web/dist of this package. */
  webDist?: string;
  /** Jobs running at once (default 1). */
  concurrency?: number;
  /** Jobs waiting at most (default 64). */
  maxQueued?: number;
  /** Largest input upload, bytes (default 10 MB). */
  maxInputBytes?: number;
  /** Largest model upload (all files together), bytes (default 200 MB). */
  maxModelBytes?: number;
  /** A job running longer is stopped (default 900 s). */
  maxJobSeconds?: number;
  /** Finished jobs remembered (default 200). */
  keepJobs?: number;
  /** Fastify's request log (default off). */
  logger?: boolean;
}

export const DEFAULT_WEB_DIST = fileURLToPath(new URL('../../web/dist', import.meta.url));

export interface GlassboxServer {
  app: FastifyInstance;
  context: ServerContext;
  limits: { maxInputBytes: number; maxModelBytes: number };
  close(): Promise<void>;
}

export async function buildApp(o: AppOptions): Promise<GlassboxServer> {
  const storage = new Storage(o.dataDir);
  removeOrphanJobFolders(storage.dir('jobs'));
  // One folder per server instance, so that two servers may share a data folder.
  const jobsDir = storage.dir('jobs', `${process.pid}-${storage.newId().slice(0, 6)}`);
  const queue = new JobQueue({
    concurrency: o.concurrency ?? 1,
    maxQueued: o.maxQueued ?? 64,
    maxSeconds: o.maxJobSeconds ?? 900,
    keepFinished: o.keepJobs ?? 200,
    jobsDir,
    redact: (m) => redactPaths(m, storage.root),
  });
  const context: ServerContext = { storage, models: new ModelStore(storage), queue };
  // Sample inputs exist before the first request names one.
  await listSamples(storage);
  const limits = { maxInputBytes: o.maxInputBytes ?? 10 * 1024 * 1024, maxModelBytes: o.maxModelBytes ?? 200 * 1024 * 1024 };

  const app = Fastify({
    logger: o.logger ?? false,
    bodyLimit: 1024 * 1024,
    // Job ids and paths are short; anything longer is a mistake or an attack.
    routerOptions: { maxParamLength: 200 },
    return503OnClosing: true,
    connectionTimeout: 0,
    requestTimeout: 120_000,
  });
  app.setErrorHandler((error, request, reply) => sendError(error, request, reply, storage.root));
  await app.register(multipart, {
    limits: { fileSize: limits.maxModelBytes, files: 64, fields: 16, fieldSize: 64 * 1024, parts: 80, headerPairs: 200 },
    throwFileSizeLimit: true,
  });

  registerApiRoutes(app, context);
  registerUploadRoutes(app, context, limits);
  registerJobRoutes(app, context);
  registerDataRoutes(app, context);

  const webDist = o.webDist ?? DEFAULT_WEB_DIST;
  const haveWeb = fs.existsSync(path.join(webDist, 'index.html'));
  if (haveWeb) {
    await app.register(fastifyStatic, { root: webDist, prefix: '/', index: ['index.html'], wildcard: false, cacheControl: false });
  }
  app.setNotFoundHandler((request, reply) => {
    if (request.url.startsWith('/api/') || request.method !== 'GET') {
      return reply.code(404).send({ error: `no such route: ${request.method} ${request.url.split('?')[0]}` });
    }
    if (!haveWeb) {
      return reply.code(503).type('text/plain').send('The web app is not built: run `bash scripts/setup-web.sh` (or `npx vite build --config web/vite.config.ts`).\n');
    }
    // Client-side routes (#/… or /explain) all get the app.
    return reply.type('text/html').send(fs.createReadStream(path.join(webDist, 'index.html')));
  });

  return {
    app,
    context,
    limits,
    async close() {
      await queue.close();
      await app.close();
      context.models.clear();
      fs.rmSync(jobsDir, { recursive: true, force: true });
    },
  };
}

/** Job folders of servers that are no longer running: their jobs are gone with them. */
function removeOrphanJobFolders(dir: string): void {
  for (const d of fs.readdirSync(dir)) {
    const pid = Number(d.split('-')[0]);
    let alive = false;
    try {
      alive = Number.isInteger(pid) && pid > 0 && process.kill(pid, 0);
    } catch {
      alive = false;
    }
    if (!alive) fs.rmSync(path.join(dir, d), { recursive: true, force: true });
  }
}

/** One line, the right status, never a stack trace. */
function sendError(error: unknown, request: FastifyRequest, reply: FastifyReply, root: string): FastifyReply {
  const e = error as Error & { statusCode?: number; code?: string; validation?: unknown };
  if (isGlassboxError(e)) return reply.code(400).send({ error: redactPaths(e.message, root) });
  if (e instanceof z.ZodError) return reply.code(400).send({ error: formatIssues(e) });
  if (e instanceof QueueFullError) return reply.code(503).header('retry-after', '5').send({ error: e.message });
  switch (e.code) {
    case 'FST_REQ_FILE_TOO_LARGE':
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return reply.code(413).send({ error: (e as { glassboxMessage?: string }).glassboxMessage ?? 'the upload is larger than the size limit' });
    case 'FST_FILES_LIMIT':
    case 'FST_PARTS_LIMIT':
    case 'FST_FIELDS_LIMIT':
      return reply.code(413).send({ error: 'too many files or fields in one upload' });
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return reply.code(400).send({ error: 'the request body is not valid JSON' });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return reply.code(415).send({ error: `content type ${request.headers['content-type'] ?? '(none)'} is not accepted here` });
    case 'FST_INVALID_MULTIPART_CONTENT_TYPE':
      return reply.code(415).send({ error: 'uploads are sent as multipart/form-data' });
  }
  const status = e.statusCode && e.statusCode >= 400 && e.statusCode < 500 ? e.statusCode : 500;
  if (status < 500) return reply.code(status).send({ error: oneLine(e.message) });
  request.log.error(e);
  process.stderr.write(`glassbox serve: internal error on ${request.method} ${request.url}: ${e.stack ?? e}\n`);
  return reply.code(500).send({ error: `internal error: ${oneLine(e.message ?? String(e))}` });
}

/** Messages name files relative to the data folder, never by the server's absolute paths. */
export function redactPaths(message: string, root: string): string {
  const uploads = `${root}${path.sep}.glassbox-web${path.sep}uploads${path.sep}`;
  return message
    .split(uploads)
    .join('upload ')
    .split(`${root}${path.sep}`)
    .join('')
    .split(root)
    .join('(data folder)');
}

export function oneLine(text: string): string {
  return String(text).split('\n')[0].slice(0, 500);
}

/** Parses a request part with a zod schema, failing with one line naming each bad field. */
export function parseRequest<S extends z.ZodTypeAny>(schema: S, value: unknown, what = 'request'): z.infer<S> {
  const r = schema.safeParse(value ?? {});
  if (!r.success) fail(`${what}: ${formatIssues(r.error)}`);
  return r.data;
}
