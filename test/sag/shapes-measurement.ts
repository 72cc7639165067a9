/**
 * Measurement (run by hand, not part of `vitest`): do SAG roots lie on the deciding object?
 *
 *   glassbox train --config configs/shapes-cnn.json --out runs/shapes-cnn
 *   npx tsx test/sag/shapes-measurement.ts runs/shapes-cnn [images=40] [heuristic=rise]
 *
 * Regenerates the run's shapes test split (same options and seed, so the same images and
 * object masks), takes the first `images` correctly classified test images, computes a SAG for
 * each with the default settings, and counts how the roots' patches meet the object mask: a
 * patch is "on the object" when its pixel box contains at least one object pixel. The chance
 * level is the share of all patches that are on the object.
 */
import fs from 'node:fs';
import path from 'node:path';
import { initTf } from '../../src/runtime/tf.js';
import { loadAnyModel } from '../../src/models/load.js';
import { loadDataset } from '../../src/train/data/datasets.js';
import { argmaxRows } from '../../src/core/ndarray.js';
import { PatchGrid } from '../../src/sag/patches.js';
import { structuredAttentionGraph } from '../../src/sag/index.js';

async function main(): Promise<void> {
  const [runDir, imagesArg, heuristic] = process.argv.slice(2);
  if (!runDir) throw new Error('usage: npx tsx test/sag/shapes-measurement.ts RUN_DIR [images] [heuristic]');
  const wanted = Number(imagesArg ?? 40);
  await initTf();
  const runJson = JSON.parse(fs.readFileSync(path.join(runDir, 'run.json'), 'utf8'));
  const dsConfig = runJson.config.dataset;
  // Exactly what training loaded (the generator is seeded by the dataset options).
  const ds = await loadDataset(dsConfig.name, dsConfig.options ?? {});
  if (!ds.test.masks) throw new Error(`${dsConfig.name} has no object masks`);
  const model = await loadAnyModel(path.join(runDir, 'model'));
  const [h, w, c] = ds.inputShape;
  const per = h * w * c;
  const preds = argmaxRows(await model.predict({ data: ds.test.x, shape: [ds.test.count, h, w, c] }));
  const grid = new PatchGrid(h, w, 7, 7);
  let images = 0;
  let roots = 0;
  let rootsTouching = 0;
  let rootsInside = 0;
  let rootPatches = 0;
  let rootPatchesOn = 0;
  let chanceOn = 0;
  let chanceAll = 0;
  let noRoot = 0;
  let seconds = 0;
  for (let i = 0; i < ds.test.count && images < wanted; i++) {
    if (preds[i] !== ds.test.y[i]) continue;
    images++;
    const mask = ds.test.masks.subarray(i * h * w, (i + 1) * h * w);
    const on = Array.from({ length: grid.count }, (_, p) => {
      const [top, left, bottom, right] = grid.box(p);
      for (let y = top; y < bottom; y++) for (let x = left; x < right; x++) if (mask[y * w + x]) return true;
      return false;
    });
    chanceOn += on.filter(Boolean).length;
    chanceAll += grid.count;
    const input = { data: ds.test.x.slice(i * per, (i + 1) * per), shape: [1, h, w, c] };
    const r = await structuredAttentionGraph(model, input, { heuristic: heuristic || undefined, seed: i });
    seconds += r.milliseconds / 1000;
    if (r.candidates.length === 0) noRoot++;
    // All minimal roots found, not only the shown ones.
    for (const root of r.candidates) {
      roots++;
      const hits = root.patches.filter((p) => on[p]).length;
      rootPatches += root.patches.length;
      rootPatchesOn += hits;
      if (hits > 0) rootsTouching++;
      if (hits === root.patches.length) rootsInside++;
    }
    process.stderr.write(`image ${i} (${ds.classNames[ds.test.y[i]]}): ${r.expression}; object patches ${on.map((o, p) => (o ? p : -1)).filter((p) => p >= 0).join(',')}\n`);
  }
  const pct = (a: number, b: number) => `${((100 * a) / Math.max(1, b)).toFixed(1)}%`;
  console.log(`images: ${images} correctly classified test images (${noRoot} without any root)`);
  console.log(`roots: ${roots}; touching the object: ${pct(rootsTouching, roots)}; every patch on the object: ${pct(rootsInside, roots)}`);
  console.log(`root patches on the object: ${pct(rootPatchesOn, rootPatches)} (chance: ${pct(chanceOn, chanceAll)} of all patches)`);
  console.log(`mean root size: ${(rootPatches / Math.max(1, roots)).toFixed(2)} patches; ${(seconds / Math.max(1, images)).toFixed(2)} s per image`);
  model.dispose();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
