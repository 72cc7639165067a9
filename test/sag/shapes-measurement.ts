/**
 * Measurement (run by hand, not part of `vitest`): do SAG roots lie on the deciding object?
 *
 *   npx tsx test/sag/shapes-measurement.ts train /tmp/shapes-sag [epochs=12]
 *   npx tsx test/sag/shapes-measurement.ts measure /tmp/shapes-sag/model [images=40] [heuristic]
 *   SAG_OPTIONS='{"baseline":"blur"}' npx tsx test/sag/shapes-measurement.ts measure …
 *
 * `train` fits a small CNN (conv 16 → pool → conv 32 → pool → conv 32 → global max pool → dense)
 * on the default shapes set (2000 train / 500 test, 4 classes, seed 0) with Adam; `measure` also
 * accepts a `glassbox train` run's model folder (its run.json gives the data set options).
 * `measure` regenerates the test split (same options and seed: the same images and object masks),
 * takes the first `images` correctly classified test images, computes a SAG for each with the
 * default settings, and counts how the roots' patches meet the object mask: a patch is "on the
 * object" when its pixel box holds at least one object pixel. Chance is the share of all patches
 * that are on the object.
 */
import fs from 'node:fs';
import path from 'node:path';
import { initTf, tf } from '../../src/runtime/tf.js';
import { loadAnyModel } from '../../src/models/load.js';
import { loadDataset } from '../../src/train/data/datasets.js';
import { saveLayersModel } from '../../src/io/tfjs-files.js';
import { argmaxRows } from '../../src/core/ndarray.js';
import { PatchGrid } from '../../src/sag/patches.js';
import { structuredAttentionGraph } from '../../src/sag/index.js';

const DEFAULT_DATA = { trainCount: 2000, testCount: 500, classes: 4 };

async function train(outDir: string, epochs: number): Promise<void> {
  const ds = await loadDataset('shapes', DEFAULT_DATA);
  const [h, w, c] = ds.inputShape;
  const k = ds.classNames.length;
  const m = tf.sequential();
  m.add(
    tf.layers.conv2d({
      inputShape: [h, w, c],
      filters: 16,
      kernelSize: 3,
      padding: 'same',
      activation: 'relu',
      name: 'conv1',
    }),
  );
  m.add(tf.layers.maxPooling2d({ poolSize: 2, name: 'pool1' }));
  m.add(
    tf.layers.conv2d({
      filters: 32,
      kernelSize: 3,
      padding: 'same',
      activation: 'relu',
      name: 'conv2',
    }),
  );
  m.add(tf.layers.maxPooling2d({ poolSize: 2, name: 'pool2' }));
  m.add(
    tf.layers.conv2d({
      filters: 32,
      kernelSize: 3,
      padding: 'same',
      activation: 'relu',
      name: 'conv3',
    }),
  );
  m.add(tf.layers.globalMaxPooling2d({ name: 'gmp' }));
  m.add(tf.layers.dense({ units: k, name: 'logits' }));
  m.compile({
    optimizer: tf.train.adam(0.003),
    loss: (yt: tf.Tensor, yp: tf.Tensor) => tf.losses.softmaxCrossEntropy(yt, yp),
    metrics: ['accuracy'],
  });
  const x = tf.tensor4d(ds.train.x, [ds.train.count, h, w, c]);
  const y = tf.oneHot(tf.tensor1d(ds.train.y, 'int32'), k);
  const xt = tf.tensor4d(ds.test.x, [ds.test.count, h, w, c]);
  const yt = tf.oneHot(tf.tensor1d(ds.test.y, 'int32'), k);
  for (let e = 0; e < epochs; e++) {
    const hist = await m.fit(x, y, { epochs: 1, batchSize: 32, shuffle: true, verbose: 0 });
    const acc = (await (m.evaluate(xt, yt) as tf.Scalar[])[1].data())[0];
    console.log(
      `epoch ${e + 1}: loss ${Number(hist.history.loss[0]).toFixed(4)}, test accuracy ${acc.toFixed(3)}`,
    );
  }
  await saveLayersModel(m, path.join(outDir, 'model'));
  fs.writeFileSync(
    path.join(outDir, 'run.json'),
    JSON.stringify(
      { config: { dataset: { name: 'shapes', options: DEFAULT_DATA } }, classNames: ds.classNames },
      null,
      2,
    ),
  );
}

async function measure(modelDir: string, wanted: number, heuristic?: string): Promise<void> {
  // Other SAG options as JSON, e.g. SAG_OPTIONS='{"baseline":"blur"}'.
  const extra = JSON.parse(process.env.SAG_OPTIONS ?? '{}');
  const runJson = [path.join(modelDir, 'run.json'), path.join(modelDir, '..', 'run.json')].find(
    (f) => fs.existsSync(f),
  );
  const dsConfig = runJson
    ? JSON.parse(fs.readFileSync(runJson, 'utf8')).config.dataset
    : { name: 'shapes', options: DEFAULT_DATA };
  const ds = await loadDataset(dsConfig.name, dsConfig.options ?? {});
  if (!ds.test.masks) throw new Error(`${dsConfig.name} has no object masks`);
  const model = await loadAnyModel(modelDir);
  const [h, w, c] = ds.inputShape;
  const per = h * w * c;
  const preds = argmaxRows(
    await model.predict({ data: ds.test.x, shape: [ds.test.count, h, w, c] }),
  );
  const accuracy = preds.filter((p, i) => p === ds.test.y[i]).length / ds.test.count;
  const grid = new PatchGrid(h, w, 7, 7);
  const n = {
    images: 0,
    roots: 0,
    touching: 0,
    inside: 0,
    patches: 0,
    patchesOn: 0,
    chanceOn: 0,
    chanceAll: 0,
    noRoot: 0,
    nearby: 0,
    shown: 0,
    shownTouching: 0,
    seconds: 0,
    passes: 0,
  };
  for (let i = 0; i < ds.test.count && n.images < wanted; i++) {
    if (preds[i] !== ds.test.y[i]) continue;
    n.images++;
    const mask = ds.test.masks.subarray(i * h * w, (i + 1) * h * w);
    const on = Array.from({ length: grid.count }, (_, p) => {
      const [top, left, bottom, right] = grid.box(p);
      for (let y = top; y < bottom; y++)
        for (let x = left; x < right; x++) if (mask[y * w + x]) return true;
      return false;
    });
    // Within one patch of the object: what align-corners upsampling reveals of a patch reaches
    // into its neighbours, so a neighbour of the object shows part of it.
    const near = on.map((_, p) => {
      const [r0, c0] = grid.position(p);
      for (let dr = -1; dr <= 1; dr++)
        for (let dc = -1; dc <= 1; dc++) {
          const r = r0 + dr;
          const c = c0 + dc;
          if (r >= 0 && r < grid.rows && c >= 0 && c < grid.cols && on[r * grid.cols + c])
            return true;
        }
      return false;
    });
    n.chanceOn += on.filter(Boolean).length;
    n.chanceAll += grid.count;
    const input = { data: ds.test.x.slice(i * per, (i + 1) * per), shape: [1, h, w, c] };
    const r = await structuredAttentionGraph(model, input, {
      ...extra,
      heuristic: heuristic || undefined,
      seed: i,
    });
    n.seconds += r.milliseconds / 1000;
    n.passes += r.forwardPasses + r.heuristic.passes;
    if (r.candidates.length === 0) n.noRoot++;
    for (const root of r.candidates) {
      const hits = root.patches.filter((p) => on[p]).length;
      n.roots++;
      n.patches += root.patches.length;
      n.patchesOn += hits;
      if (hits > 0) n.touching++;
      if (hits === root.patches.length) n.inside++;
      if (root.patches.some((p) => near[p])) n.nearby++;
    }
    for (const root of r.roots) {
      n.shown++;
      if (root.patches.some((p) => on[p])) n.shownTouching++;
    }
    const offObject = r.candidates
      .filter((x) => !x.patches.some((p) => on[p]))
      .map((x) => x.patches.join('&'));
    process.stderr.write(
      `test image ${i} (${ds.classNames[ds.test.y[i]]}): ${r.expression}; object on ${on
        .map((o, p) => (o ? p : -1))
        .filter((p) => p >= 0)
        .join(',')}${offObject.length ? `; OFF the object: ${offObject.join(' ')}` : ''}\n`,
    );
  }
  const pct = (a: number, b: number) => `${((100 * a) / Math.max(1, b)).toFixed(1)}%`;
  console.log(
    `model test accuracy ${accuracy.toFixed(3)}; ${n.images} correctly classified test images, ${n.noRoot} without a root`,
  );
  console.log(
    `all roots found: ${n.roots}; touching the object: ${pct(n.touching, n.roots)}; every patch on the object: ${pct(n.inside, n.roots)}; on or next to it: ${pct(n.nearby, n.roots)}`,
  );
  console.log(`shown roots: ${n.shown}; touching the object: ${pct(n.shownTouching, n.shown)}`);
  console.log(
    `root patches on the object: ${pct(n.patchesOn, n.patches)} (chance: ${pct(n.chanceOn, n.chanceAll)} of all patches)`,
  );
  console.log(
    `mean root size ${(n.patches / Math.max(1, n.roots)).toFixed(2)} patches; ${(n.passes / Math.max(1, n.images)).toFixed(0)} forward passes and ${(n.seconds / Math.max(1, n.images)).toFixed(2)} s per image`,
  );
  model.dispose();
}

async function main(): Promise<void> {
  const [mode, dir, arg, heuristic] = process.argv.slice(2);
  await initTf();
  if (mode === 'train' && dir) return train(dir, Number(arg ?? 12));
  if (mode === 'measure' && dir) return measure(dir, Number(arg ?? 40), heuristic);
  throw new Error(
    'usage: npx tsx test/sag/shapes-measurement.ts train OUT_DIR [epochs] | measure MODEL_DIR [images] [heuristic]',
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
