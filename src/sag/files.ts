/**
 * Writes a SAG to a folder: sag.svg, sag.json and summary.txt. Files are written to a hidden
 * staging folder first and moved into place only when all three exist, so a failure or a
 * cancellation leaves no partial output.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { NdArray } from '../core/ndarray.js';
import { encodePngFromUnit } from '../io/image.js';
import { renderSagSvg } from './render-svg.js';
import type { SagResult } from './types.js';

export const SAG_FILES = ['sag.svg', 'sag.json', 'summary.txt'] as const;

/** JSON-safe form of a result (everything already is; this fixes the field order for readers). */
export function sagJson(r: SagResult): Record<string, unknown> {
  const rest: Partial<SagResult> = { ...r };
  delete rest.summary;
  return { format: 'glassbox-sag/1', patchNumbering: 'row-major from 0 (P0 top-left)', ...rest };
}

/**
 * `display` is one image [H, W, C] (or [1, H, W, C]) with values in [0, 1], C = 1 or 3; without
 * it nodes are drawn as grey patches.
 */
export async function writeSag(outDir: string, r: SagResult, display?: NdArray): Promise<string[]> {
  let imagePng: Buffer | undefined;
  if (display) {
    const shape = display.shape.length === 4 ? display.shape.slice(1) : display.shape;
    if (shape[2] === 1 || shape[2] === 3)
      imagePng = await encodePngFromUnit({ data: toUnit(display.data), shape });
  }
  const files: Record<(typeof SAG_FILES)[number], string> = {
    'sag.svg': renderSagSvg(r, { imagePng }),
    'sag.json': JSON.stringify(sagJson(r), null, 2) + '\n',
    'summary.txt': r.summary,
  };
  fs.mkdirSync(outDir, { recursive: true });
  const staging = fs.mkdtempSync(path.join(outDir, '.staging-'));
  try {
    for (const name of SAG_FILES) fs.writeFileSync(path.join(staging, name), files[name]);
    return SAG_FILES.map((name) => {
      const target = path.join(outDir, name);
      fs.renameSync(path.join(staging, name), target);
      return target;
    });
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

/** Values already in [0, 1] are kept; anything else (a normalised array) is min–max scaled. */
function toUnit(data: Float32Array): Float32Array {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of data) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo >= 0 && hi <= 1) return data;
  const span = hi - lo || 1;
  return Float32Array.from(data, (v) => (v - lo) / span);
}
