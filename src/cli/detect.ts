/**
 * `glassbox detect train|explain`: a small single-shot detector on the synthetic shapes set
 * (src/vision/detector.ts), and its detections explained one box at a time with D-RISE and with
 * Grad-CAM of the box score. See docs/vision.md.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { fail } from '../core/errors.js';
import { integerFlag, numberFlag, optionalIntegerFlag } from './flags.js';
import type { NdArray } from '../core/ndarray.js';
import { writeNpy } from '../io/npy.js';
import { overlayPng } from '../viz/overlay.js';
import { escapeXml } from '../viz/svg-chart.js';
import { svgToPng } from '../viz/grid.js';
import {
  DETECTOR_EPOCHS,
  detectorData,
  GridDetector,
  trainDetector,
  type DetectorTrainOptions,
} from '../vision/detector.js';
import {
  DETECTOR_METHODS,
  explainDetections,
  type DetectorMethod,
  type ExplainedDetection,
} from '../vision/detector-explain.js';

export function register(program: Command): void {
  const detect = program
    .command('detect')
    .description(
      'train a small single-shot detector on synthetic shapes, and explain its detections',
    );
  detect
    .command('train')
    .description('train the grid detector on generated shapes (boxes known)')
    .option('--out <dir>', 'output folder', 'runs/shapes-detector')
    .option('--epochs <n>', `passes over the training images (default ${DETECTOR_EPOCHS})`)
    .option('--train-count <n>', 'training images (default 2000)')
    .option('--test-count <n>', 'test images kept for explanation (default 200)')
    .option('--seed <n>', 'data and initialisation seed (default 42)')
    .action(
      async (flags: {
        out: string;
        epochs?: string;
        trainCount?: string;
        testCount?: string;
        seed?: string;
      }) => {
        const options: DetectorTrainOptions = {
          epochs: optionalIntegerFlag(flags.epochs, '--epochs', { min: 1 }),
          trainCount: optionalIntegerFlag(flags.trainCount, '--train-count', { min: 1 }),
          testCount: optionalIntegerFlag(flags.testCount, '--test-count', { min: 1 }),
          seed: optionalIntegerFlag(flags.seed, '--seed', { min: 0 }),
        };
        const log = (line: string) => process.stderr.write(`${line}\n`);
        const detector = await trainDetector(options, log);
        const out = path.resolve(flags.out);
        await detector.save(out);
        const q = detector.info.test!;
        process.stdout.write(
          `trained in ${detector.info.train!.seconds.toFixed(0)} s (${detector.info.train!.backend}); test: best box IoU ≥ 0.5 with the right class on ` +
            `${q.hits}/${q.images} images, mean IoU ${q.meanBestIoU.toFixed(2)}, class accuracy ${(100 * q.classAccuracy).toFixed(1)}% → ${out}\n`,
        );
      },
    );
  detect
    .command('explain')
    .description(
      'explain each detection on test images with D-RISE, and Grad-CAM and HiResCAM of its box score',
    )
    .requiredOption('--run <dir>', 'a detector folder written by `glassbox detect train`')
    .option('--examples <n>', 'test images to explain', '8')
    .option('--from <i>', 'first test image', '0')
    .option('--masks <n>', 'D-RISE masks per detection', '2000')
    .option('--grid-size <n>', 'D-RISE mask grid side', '4')
    .option(
      '--baseline <v>',
      'D-RISE value of masked-out pixels (mid-grey: black looks like a dark shape)',
      '0.5',
    )
    .option(
      '--score-threshold <s>',
      'explain detections whose box score σ(class logit) is at least this',
      '0.3',
    )
    .option('--layer <name>', "Grad-CAM layer (default: the detector's last backbone layer)")
    .option(
      '--methods <list>',
      `comma-separated subset of ${DETECTOR_METHODS.join(', ')} (hirescam: element-wise Grad-CAM)`,
      DETECTOR_METHODS.join(','),
    )
    .option('--seed <n>', 'D-RISE seed', '0')
    .option('--out <dir>', 'output folder (default: <run>/explain)')
    .action(async (flags: ExplainFlags) => {
      await runExplain(flags);
    });
}

interface ExplainFlags {
  run: string;
  examples: string;
  from: string;
  masks: string;
  gridSize: string;
  baseline: string;
  scoreThreshold: string;
  layer?: string;
  methods: string;
  seed: string;
  out?: string;
}

async function runExplain(flags: ExplainFlags): Promise<void> {
  const started = performance.now();
  const methods = flags.methods.split(',').map((m) => m.trim());
  for (const m of methods)
    if (!(DETECTOR_METHODS as readonly string[]).includes(m))
      fail(`--methods: unknown method "${m}"; choose from ${DETECTOR_METHODS.join(', ')}`);
  const count = integerFlag(flags.examples, '--examples', { min: 1 });
  const from = integerFlag(flags.from, '--from', { min: 0 });
  const masks = integerFlag(flags.masks, '--masks', { min: 1 });
  const gridSize = integerFlag(flags.gridSize, '--grid-size', { min: 1 });
  const baseline = numberFlag(flags.baseline, '--baseline', { min: 0, max: 1 });
  const scoreThreshold = numberFlag(flags.scoreThreshold, '--score-threshold', { min: 0, max: 1 });
  const seed = integerFlag(flags.seed, '--seed', { min: 0 });
  const detector = await GridDetector.load(flags.run);
  const ds = detectorData(detector.info.data);
  if (from + count > ds.test.count)
    fail(
      `--from ${from} --examples ${count} asks for test images beyond the ${ds.test.count} kept; lower them`,
    );
  const per = ds.inputShape.reduce((a, b) => a * b, 1);
  const images: NdArray = {
    data: ds.test.x.slice(from * per, (from + count) * per),
    shape: [count, ...ds.inputShape],
  };
  const truth = ds.test.boxes!.slice(from * 4, (from + count) * 4);
  const results = await explainDetections(
    detector,
    images,
    {
      masks,
      gridSize,
      baseline,
      scoreThreshold,
      camLayer: flags.layer,
      seed,
      methods: methods as DetectorMethod[],
    },
    truth,
  );
  const out = path.resolve(flags.out ?? path.join(flags.run, 'explain'));
  fs.mkdirSync(out, { recursive: true });
  const [h, w] = detector.inputShape;
  const names = detector.info.classNames;
  for (const [k, r] of results.entries()) {
    const image = {
      data: images.data.subarray(r.image * per, (r.image + 1) * per),
      shape: ds.inputShape,
    };
    fs.writeFileSync(
      path.join(out, `detection-${k}.png`),
      await detectionPicture(image, r, names, methods),
    );
    for (const [m, map] of Object.entries(r.maps))
      writeNpy(path.join(out, `detection-${k}-${m}.npy`), { data: map, shape: [h, w] });
  }
  const share = (m: string) =>
    results.filter((r) => r.peakInBox[m]).length / Math.max(1, results.length);
  const summary = {
    detector: flags.run,
    images: count,
    from,
    detections: results.length,
    seconds: (performance.now() - started) / 1000,
    options: { masks, gridSize, seed },
    peakInBoxShare: Object.fromEntries(methods.map((m) => [m, share(m)])),
    list: results.map((r) => ({
      image: from + r.image,
      box: r.detection.box,
      label: names[r.detection.label],
      score: r.detection.score,
      iouWithTruth: r.iouWithTruth,
      peakInBox: r.peakInBox,
      milliseconds: r.milliseconds,
    })),
  };
  fs.writeFileSync(path.join(out, 'detect.json'), JSON.stringify(summary, null, 2) + '\n');
  const lines = [
    `explained ${results.length} detections on ${count} test images in ${summary.seconds.toFixed(1)} s → ${out}`,
  ];
  for (const m of methods)
    lines.push(
      `  ${m}: peak inside the detected box for ${results.filter((r) => r.peakInBox[m]).length}/${results.length} (${(100 * share(m)).toFixed(0)}%)`,
    );
  process.stdout.write(lines.join('\n') + '\n');
}

/** Input, then each method's overlay, each with the detected box drawn on it. */
async function detectionPicture(
  image: NdArray,
  r: ExplainedDetection,
  names: string[],
  methods: string[],
): Promise<Buffer> {
  const [h, w] = image.shape;
  const size = 160;
  const scale = size / Math.max(h, w);
  const zero = { data: new Float32Array(h * w), shape: [h, w] };
  const pictures = [
    {
      title: `${names[r.detection.label]} ${r.detection.score.toFixed(2)}`,
      png: await overlayPng(image, zero, { opacity: 0, minSize: size }),
    },
  ];
  for (const m of methods) {
    pictures.push({
      title: `${m}${r.peakInBox[m] ? ' (peak in box)' : ' (peak outside)'}`,
      png: await overlayPng(image, { data: r.maps[m], shape: [h, w] }, { minSize: size }),
    });
  }
  const [x0, y0, x1, y1] = r.detection.box;
  const cell = size + 16;
  const parts = pictures.map((p, i) => {
    const x = i * cell + 8;
    return (
      `<text x="${x}" y="16" font-family="sans-serif" font-size="12">${escapeXml(p.title)}</text>` +
      `<image x="${x}" y="24" width="${size}" height="${size}" href="data:image/png;base64,${p.png.toString('base64')}"/>` +
      `<rect x="${(x + x0 * scale).toFixed(1)}" y="${(24 + y0 * scale).toFixed(1)}" width="${((x1 - x0) * scale).toFixed(1)}" height="${((y1 - y0) * scale).toFixed(1)}" fill="none" stroke="#ff2d2d" stroke-width="2"/>`
    );
  });
  const width = pictures.length * cell;
  const height = size + 32;
  return svgToPng(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}"><rect width="${width}" height="${height}" fill="white"/>${parts.join('')}</svg>`,
  );
}
