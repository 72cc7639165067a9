/**
 * What lets a long benchmark resume: every (data set, method) explanation batch and every
 * (data set, method, metric) result is written under <out>/cache/ as soon as it is computed,
 * with a key hashed from everything it depends on (model, inputs, seed, options). A later run
 * with the same key reads it back instead of computing it; a different key recomputes.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Explanation } from '../../methods/explanation.js';
import { readNpy, writeNpy } from '../../io/npy.js';

export function fingerprint(value: unknown): string {
  return crypto.createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 16);
}

export function hashFloats(a: Float32Array): string {
  return crypto
    .createHash('sha256')
    .update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength))
    .digest('hex')
    .slice(0, 16);
}

/** File-name-safe version of a name ("grad-cam++" → "grad-cam__"). */
export function safeName(name: string): string {
  return name.replace(/[^\w.-]/g, '_');
}

type StoredExplanation = Omit<Explanation, 'attribution' | 'heatmap'> & {
  attributionShape: number[];
  heatmapShape: number[];
};

export class ResultCache {
  constructor(readonly root: string) {}

  readJson<T>(rel: string, key: string): T | undefined {
    const file = path.join(this.root, rel);
    if (!fs.existsSync(file)) return undefined;
    try {
      const stored = JSON.parse(fs.readFileSync(file, 'utf8')) as { key: string; value: T };
      return stored.key === key ? stored.value : undefined;
    } catch {
      return undefined; // a half-written or foreign file: recompute
    }
  }

  writeJson(rel: string, key: string, value: unknown): void {
    writeAtomic(path.join(this.root, rel), JSON.stringify({ key, value }));
  }

  readExplanations(rel: string, key: string): Explanation[] | undefined {
    const meta = this.readJson<StoredExplanation[]>(path.join(rel, 'explanations.json'), key);
    if (!meta) return undefined;
    const dir = path.join(this.root, rel);
    try {
      const attributions = readNpy(path.join(dir, 'attributions.npy'));
      const heatmaps = readNpy(path.join(dir, 'heatmaps.npy'));
      const aSize = attributions.data.length / meta.length;
      const hSize = heatmaps.data.length / meta.length;
      return meta.map(({ attributionShape, heatmapShape, ...rest }, i) => ({
        ...rest,
        attribution: {
          data: attributions.data.slice(i * aSize, (i + 1) * aSize),
          shape: attributionShape,
        },
        heatmap: { data: heatmaps.data.slice(i * hSize, (i + 1) * hSize), shape: heatmapShape },
      }));
    } catch {
      return undefined;
    }
  }

  writeExplanations(rel: string, key: string, explanations: Explanation[]): void {
    const dir = path.join(this.root, rel);
    fs.mkdirSync(dir, { recursive: true });
    const n = explanations.length;
    const aSize = explanations[0].attribution.data.length;
    const hSize = explanations[0].heatmap.data.length;
    const attributions = new Float32Array(n * aSize);
    const heatmaps = new Float32Array(n * hSize);
    explanations.forEach((e, i) => {
      attributions.set(e.attribution.data, i * aSize);
      heatmaps.set(e.heatmap.data, i * hSize);
    });
    writeNpy(path.join(dir, 'attributions.npy'), {
      data: attributions,
      shape: [n, ...explanations[0].attribution.shape],
    });
    writeNpy(path.join(dir, 'heatmaps.npy'), {
      data: heatmaps,
      shape: [n, ...explanations[0].heatmap.shape],
    });
    // The JSON goes last: it is what marks the entry complete.
    const meta: StoredExplanation[] = explanations.map(({ attribution, heatmap, ...rest }) => ({
      ...rest,
      attributionShape: attribution.shape,
      heatmapShape: heatmap.shape,
    }));
    this.writeJson(path.join(rel, 'explanations.json'), key, meta);
  }
}

function writeAtomic(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}
