/** Catalogue routes: methods, metrics, colour maps, models, health. */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { listMethods } from '../../methods/index.js';
import { listMetrics } from '../../metrics/index.js';
import { COLORMAPS } from '../../viz/colormap.js';
import { DEFAULT_METHODS, DEFAULT_METRICS } from '../../metrics/benchmark/runner.js';
import { evaluationDatasets } from '../tasks/evaluate.js';
import { parseRequest } from '../app.js';
import type { ServerContext } from '../tasks/context.js';

/** A zod schema as JSON Schema, for the page to render option fields from. */
export function optionSchema(schema: z.ZodTypeAny): unknown {
  try {
    return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
  } catch {
    return { type: 'object', properties: {} };
  }
}

const refQuery = z.strictObject({ ref: z.string().min(1).max(300) });

export function registerApiRoutes(app: FastifyInstance, server: ServerContext): void {
  app.get('/api/health', async () => {
    const m = process.memoryUsage();
    return { ok: true, queue: server.queue.stats(), cachedModels: server.models.cachedCount(), memory: { rss: m.rss, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers } };
  });

  app.get('/api/methods', async () =>
    listMethods().map((m) => ({
      name: m.name,
      title: m.title,
      family: m.family,
      reference: m.reference,
      needs: m.needs,
      kinds: m.kinds,
      signed: m.signed,
      options: optionSchema(m.options),
    })),
  );

  app.get('/api/metrics', async () => ({
    metrics: listMetrics().map((m) => ({
      name: m.name,
      title: m.title,
      family: m.family,
      reference: m.reference,
      direction: m.direction,
      kinds: m.kinds,
      needs: m.needs,
      options: optionSchema(m.options),
    })),
    defaults: { methods: DEFAULT_METHODS, metrics: DEFAULT_METRICS },
    datasets: evaluationDatasets(),
  }));

  app.get('/api/colormaps', async () => COLORMAPS);

  app.get('/api/models', async () => server.models.list());

  /** Loads the model (not for an example that is not trained yet) and describes it. */
  app.get('/api/models/info', async (request) => {
    const { ref } = parseRequest(refQuery, request.query, 'query');
    const resolved = server.models.resolve(ref);
    if (resolved.example && !server.models.list().find((m) => m.ref === ref)?.ready) {
      return { ref, ready: false, note: `${resolved.example.title} is trained on first use: ${resolved.example.description}` };
    }
    const lease = await server.models.acquire(ref);
    try {
      const m = lease.model;
      return { ref, ready: true, name: m.name, kind: m.kind, inputShape: m.inputShape, numClasses: m.numClasses, outputKind: m.outputKind, whiteBox: m.whiteBox, classNames: m.classNames, layers: m.layers() };
    } finally {
      lease.release();
    }
  });
}
