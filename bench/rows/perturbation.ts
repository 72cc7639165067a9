/**
 * Bench rows for the perturbation methods of issue 6, on ResNet-18 at 224×224: occlusion (patch
 * 16, stride 8: 27 × 27 = 729 windows) and KernelSHAP (7×7 grid of 32-pixel cells, 2000
 * coalitions, the blurred input for absent cells). PyTorch runs the same forward passes
 * (bench/torch/perturbation.py; for KernelSHAP it reproduces Glassbox's seeded coalitions draw for
 * draw) and leaves its map in bench/.cache; after its first run each row notes how far Glassbox's
 * map is from it. Both explain the target's logit.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readNpy } from '../../src/io/npy.js';
import { needMethod } from '../glassbox.js';
import type { BenchRow, RowContext } from '../rows.js';

export const OCCLUSION = { patch: 16, stride: 8, baseline: 0, batchSize: 64 };
export const KERNEL_SHAP = { segmentation: 'grid', segments: 49, samples: 2000, baseline: 'blur', batchSize: 64 };

const CACHE = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '.cache');

/** A row timing `explain(model, x, method, { options })`, with an agreement note after run one. */
function perturbationRow(id: string, title: string, images: number, options: Record<string, unknown>): BenchRow {
  return {
    id,
    title,
    forwardOnly: true,
    images,
    // Both sides' warm-up is one whole run (Glassbox's first run also builds its ORT session).
    timing: { warmup: 1, repeats: 3, budgetSeconds: 60, min: 1 },
    torch: id,
    models: ['resnet18'],
    async glassbox(ctx) {
      const { model, explain } = needMethod(ctx.side, id);
      let compared = false;
      return async () => {
        const [e] = (await explain(model, ctx.nhwc, id, { targets: [ctx.target], seed: 0, score: 'logit', options })) as { attribution: { data: Float32Array } }[];
        if (!compared) {
          compared = true;
          agreementNote(ctx, id, title, e.attribution.data);
        }
        return e;
      };
    },
  };
}

/** max |Glassbox − PyTorch| / max |PyTorch| over the map (channel 0 of Glassbox's NHWC attribution). */
function agreementNote(ctx: RowContext, id: string, title: string, attribution: Float32Array): void {
  const file = path.join(CACHE, `${ctx.side.model?.name ?? 'resnet18'}.${id}.torch.npy`);
  if (!fs.existsSync(file)) {
    ctx.note(`${title}: no PyTorch map to compare with (${path.basename(file)} missing)`);
    return;
  }
  const torch = readNpy(file).data;
  const channels = attribution.length / torch.length;
  let maxDiff = 0;
  let maxRef = 0;
  for (let p = 0; p < torch.length; p++) {
    maxDiff = Math.max(maxDiff, Math.abs(attribution[p * channels] - torch[p]));
    maxRef = Math.max(maxRef, Math.abs(torch[p]));
  }
  ctx.note(`${title}: Glassbox vs PyTorch map, max |Δ| ${maxDiff.toExponential(2)}, max |Δ| / max |PyTorch| ${(maxDiff / maxRef).toExponential(2)}`);
}

export const OCCLUSION_ROW = perturbationRow('occlusion', `occlusion, patch ${OCCLUSION.patch}, stride ${OCCLUSION.stride}`, 730, OCCLUSION);
export const KERNEL_SHAP_ROW = perturbationRow('kernel-shap', `KernelSHAP, ${KERNEL_SHAP.samples} coalitions of 7×7 cells`, KERNEL_SHAP.samples + 2, KERNEL_SHAP);
export const PERTURBATION_ROWS = [OCCLUSION_ROW, KERNEL_SHAP_ROW];
