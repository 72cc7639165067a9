/** The layers job: feature maps of a layer for one input, or its filters by activation maximisation. */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { fail } from '../../core/errors.js';
import { featureMaps, featureMapGrid, visualizeFilters } from '../../methods/index.js';
import { prepareInput } from '../../io/input.js';
import type { JobContext } from '../jobs.js';
import { resolveInput } from '../inputs.js';
import { picturePng } from '../render.js';
import type { ServerContext } from './context.js';

export const layersRequest = z.strictObject({
  type: z.literal('layers'),
  model: z.string().max(300),
  mode: z.enum(['feature-maps', 'filters']),
  layer: z.string().max(200).optional(),
  /** Feature maps need an input; filter visualisation starts from noise. */
  input: z.string().max(300).optional(),
  maxChannels: z.number().int().min(1).max(64).default(16),
  steps: z.number().int().min(0).max(512).default(64),
  seed: z.number().int().min(0).default(0),
});
export type LayersRequest = z.infer<typeof layersRequest>;

export async function runLayers(server: ServerContext, r: LayersRequest, job: JobContext): Promise<unknown> {
  job.progress(0, 1, 'loading the model');
  const lease = await server.models.acquire(r.model, { signal: job.signal, progress: job.progress });
  try {
    const model = lease.model;
    if (r.mode === 'feature-maps') {
      if (!r.input) fail('feature maps need an input: pick or upload one');
      const prepared = await prepareInput(resolveInput(server.storage, r.input), model);
      const per = prepared.batch.data.length / prepared.batch.shape[0];
      const batch = { data: prepared.batch.data.slice(0, per), shape: [1, ...prepared.batch.shape.slice(1)] };
      job.progress(0, 1, 'feature maps');
      const f = await featureMaps(model, batch, r.layer, job.log);
      const shown = Math.min(f.channels, r.maxChannels);
      const positions = f.grid.reduce((a, b) => a * b, 1);
      const limited = { ...f, channels: shown, maps: { data: f.maps.data.slice(0, shown * positions), shape: [1, shown, ...f.grid] } };
      const grid = featureMapGrid(limited, 0);
      fs.writeFileSync(path.join(job.dir, 'feature-maps.png'), await picturePng(grid, 480));
      const sumShape = f.grid.length === 2 ? [...f.grid, 1] : [1, ...f.grid, 1];
      fs.writeFileSync(path.join(job.dir, 'channel-sum.png'), await picturePng({ data: f.sum.data, shape: sumShape }));
      return { mode: r.mode, layer: f.layer, grid: f.grid, channels: f.channels, shown, files: { picture: 'feature-maps.png', sum: 'channel-sum.png' } };
    }
    const layer = r.layer ?? fail('filter visualisation needs a layer: pick one');
    const channelCount = model.layers().find((l) => l.name === layer)?.outputShape.at(-1) ?? r.maxChannels;
    const channels = Array.from({ length: Math.min(channelCount, r.maxChannels) }, (_, i) => i);
    job.progress(0, r.steps, 'filter visualisation');
    const v = await visualizeFilters(model, { layer, channels, steps: r.steps, seed: r.seed });
    fs.writeFileSync(path.join(job.dir, 'filters.png'), await picturePng(v.grid, 480));
    return {
      mode: r.mode,
      layer: v.layer,
      channels: v.channels,
      initial: Array.from(v.initial),
      final: Array.from(v.final),
      files: { picture: 'filters.png' },
    };
  } finally {
    lease.release();
  }
}
