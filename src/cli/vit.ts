/**
 * `glassbox vit --run DIR`: what a Vision Transformer trained by Glassbox attends to — attention
 * maps per block and head, attention rollout, gradient-weighted rollout and Grad-CAM on the
 * tokens — for test images of the run's data set or for `--input`. See docs/vision.md.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { fail } from '../core/errors.js';
import { integerFlag, numberFlag } from './flags.js';
import type { NdArray } from '../core/ndarray.js';
import { batchItem } from '../core/ndarray.js';
import { TfjsModel } from '../models/tfjs-model.js';
import { prepareInput } from '../io/input.js';
import { writeNpy } from '../io/npy.js';
import { encodePngFromUnit } from '../io/image.js';
import { overlayPng } from '../viz/overlay.js';
import { gridSvg, svgToPng, type Tile } from '../viz/grid.js';
import { readRun, runDataset, splitRows } from '../vision/run-data.js';
import { HEAD_FUSIONS, type HeadFusion } from '../vision/vit-attention.js';
import { explainVit, peakInBox, upsampleGrid } from '../vision/vit-explain.js';

/** Where `glassbox train --config configs/mnist-vit-small.json` puts the built-in example. */
const BUILT_IN_RUN = 'runs/mnist-vit-small';

interface VitFlags {
  run: string;
  input?: string;
  examples: string;
  target?: string;
  headFusion: string;
  discardRatio: string;
  layer?: string;
  out?: string;
}

export function register(program: Command): void {
  program
    .command('vit')
    .description(
      'ViT attention: maps per block and head, attention rollout, gradient rollout, Grad-CAM on tokens',
    )
    .option(
      '--run <dir>',
      `training run of a ViT (default: the built-in example, ${BUILT_IN_RUN})`,
      BUILT_IN_RUN,
    )
    .option(
      '--input <file>',
      "image or .npy to explain (default: test images of the run's data set)",
    )
    .option('--examples <n>', 'test images to explain when no --input is given', '8')
    .option('--target <class>', 'class to explain (default: the predicted class)')
    .option('--head-fusion <how>', `rollout head fusion: ${HEAD_FUSIONS.join(', ')}`, 'mean')
    .option(
      '--discard-ratio <r>',
      'rollout: share of the weakest attention weights dropped per block, 0 ≤ r < 1',
      '0',
    )
    .option(
      '--layer <name>',
      'token layer for Grad-CAM (default: the last token layer that reaches the output)',
    )
    .option('--out <dir>', 'output folder (default: <run>/vit)')
    .action(async (flags: VitFlags) => {
      await runVit(flags);
    });
}

async function runVit(flags: VitFlags): Promise<void> {
  const started = performance.now();
  if (flags.run === BUILT_IN_RUN && !fs.existsSync(path.join(BUILT_IN_RUN, 'run.json')))
    fail(
      `no ViT run at ${BUILT_IN_RUN}: train the built-in example first (about a minute) with \`glassbox train --config configs/mnist-vit-small.json --out ${BUILT_IN_RUN}\`, or pass --run DIR`,
    );
  const run = readRun(flags.run);
  if (run.config.model.architecture !== 'vit')
    fail(
      `run ${run.name} trained a ${run.config.model.architecture}; glassbox vit needs a ViT run (architecture "vit")`,
    );
  if (!(HEAD_FUSIONS as readonly string[]).includes(flags.headFusion))
    fail(`--head-fusion: choose ${HEAD_FUSIONS.join(', ')}, got "${flags.headFusion}"`);
  const discardRatio = numberFlag(flags.discardRatio, '--discard-ratio', { min: 0, below: 1 });
  const model = await TfjsModel.load(run.modelDir, { name: run.name, classNames: run.classNames });
  let input: NdArray;
  let boxes: Float32Array | undefined;
  let truth: Int32Array | undefined;
  if (flags.input) {
    input = (await prepareInput(flags.input, model)).batch;
  } else {
    const count = integerFlag(flags.examples, '--examples', { min: 1 });
    const ds = await runDataset(run);
    input = splitRows(ds.test.x, ds.inputShape, 0, count);
    boxes = ds.test.boxes?.slice(0, input.shape[0] * 4);
    truth = ds.test.y.slice(0, input.shape[0]);
  }
  const n = input.shape[0];
  let targets: number[] | undefined;
  if (flags.target !== undefined) {
    const t = integerFlag(flags.target, '--target', { min: 0, max: model.numClasses - 1 });
    targets = Array.from({ length: n }, () => t);
  }
  const result = await explainVit(model, input, {
    targets,
    camLayer: flags.layer,
    rollout: { headFusion: flags.headFusion as HeadFusion, discardRatio },
  });
  const { structure } = result;
  const [h, w] = model.inputShape;
  const out = path.resolve(flags.out ?? path.join(run.dir, 'vit'));
  fs.mkdirSync(out, { recursive: true });
  const names = model.classNames ?? [];
  const perExample = [];
  const hits = { rollout: 0, gradRollout: 0, gradCam: 0 };
  for (let i = 0; i < n; i++) {
    const m = result.maps[i];
    const image = batchItem(input, i);
    image.shape = image.shape.slice(1);
    const up = (g: Float32Array) => upsampleGrid(g, structure.grid, [h, w]);
    // Attention maps sit on a positive floor (rows are distributions): shown from their minimum.
    const lifted = (g: Float32Array) => {
      const lo = Math.min(...g);
      return up(g.map((v) => v - lo));
    };
    const tile = async (title: string, map: Float32Array, subtitle?: string): Promise<Tile> => ({
      title,
      subtitle,
      png: await overlayPng(image, { data: map, shape: [h, w] }, { minSize: 128 }),
      width: 128 * Math.max(1, w / h),
      height: 128,
    });
    const tiles: Tile[] = [
      {
        title: 'input',
        subtitle: names[m.target] ?? `class ${m.target}`,
        png: await scaled(image),
        width: 128,
        height: 128,
      },
    ];
    for (const [b, heads] of m.heads.entries()) {
      for (const [k, g] of heads.entries())
        tiles.push(await tile(`block ${b + 1} head ${k + 1}`, lifted(g), 'class token → patches'));
    }
    const maps = { rollout: up(m.rollout), gradRollout: up(m.gradRollout), gradCam: m.gradCam };
    tiles.push(
      await tile('rollout', lifted(m.rollout), `${flags.headFusion}, discard ${discardRatio}`),
    );
    tiles.push(await tile('gradient rollout', lifted(m.gradRollout), 'Chefer et al. 2021'));
    tiles.push(await tile('Grad-CAM', maps.gradCam, m.camLayer));
    fs.writeFileSync(
      path.join(out, `example-${i}.png`),
      await svgToPng(gridSvg(tiles, Math.max(structure.heads, 4))),
    );
    const dir = path.join(out, `example-${i}`);
    fs.mkdirSync(dir, { recursive: true });
    const { blocks, heads, tokens } = m.attention;
    const att = new Float32Array(blocks.length * heads * tokens * tokens);
    blocks.forEach((b, l) => att.set(b, l * b.length));
    writeNpy(path.join(dir, 'attention.npy'), {
      data: att,
      shape: [blocks.length, heads, tokens, tokens],
    });
    writeNpy(path.join(dir, 'rollout-matrix.npy'), {
      data: Float32Array.from(m.rolloutMatrix),
      shape: [tokens, tokens],
    });
    for (const [k, v] of Object.entries(maps))
      writeNpy(path.join(dir, `${k}.npy`), { data: v, shape: [h, w] });
    const entry: Record<string, unknown> = {
      index: i,
      target: m.target,
      targetName: names[m.target],
      score: m.score,
      rolloutRowError: m.rolloutRowError,
      camLayer: m.camLayer,
    };
    if (truth) entry.trueClass = truth[i];
    if (boxes) {
      const box = boxes.subarray(i * 4, i * 4 + 4);
      const inside = Object.fromEntries(
        Object.entries(maps).map(([k, v]) => [k, peakInBox(v, w, box)]),
      ) as Record<keyof typeof hits, boolean>;
      for (const k of Object.keys(hits) as Array<keyof typeof hits>) if (inside[k]) hits[k]++;
      entry.box = Array.from(box);
      entry.peakInBox = inside;
    }
    perExample.push(entry);
  }
  const seconds = (performance.now() - started) / 1000;
  const summary = {
    run: run.name,
    seconds,
    grid: structure.grid,
    tokens: structure.tokens,
    classToken: structure.prefix > 0,
    heads: structure.heads,
    blocks: structure.attention.length,
    rollout: { headFusion: flags.headFusion, discardRatio },
    ...(boxes
      ? { peakInBoxShare: Object.fromEntries(Object.entries(hits).map(([k, v]) => [k, v / n])) }
      : {}),
    examples: perExample,
  };
  fs.writeFileSync(path.join(out, 'vit.json'), JSON.stringify(summary, null, 2) + '\n');
  const lines = [
    `explained ${n} image(s) with ${structure.attention.length} blocks × ${structure.heads} heads on a ${structure.grid.join('×')} patch grid in ${seconds.toFixed(1)} s → ${out}`,
  ];
  lines.push(
    `  rollout rows sum to 1 (largest error ${Math.max(...result.maps.map((m) => m.rolloutRowError)).toExponential(1)})`,
  );
  if (boxes)
    lines.push(
      `  peak inside the object's box: rollout ${hits.rollout}/${n}, gradient rollout ${hits.gradRollout}/${n}, Grad-CAM ${hits.gradCam}/${n}`,
    );
  process.stdout.write(lines.join('\n') + '\n');
}

/** The input image as a PNG, nearest-upscaled to 128 px. */
async function scaled(image: NdArray): Promise<Buffer> {
  const [h, w] = image.shape;
  const zero = new Float32Array(h * w);
  return image.shape[2] === 1 || image.shape[2] === 3
    ? overlayPng(image, { data: zero, shape: [h, w] }, { opacity: 0, minSize: 128 })
    : encodePngFromUnit(image);
}
