/**
 * The built-in detector example (`glassbox detect train` with its defaults) against issue 9's bar:
 * detector explanations peak inside their box in at least 80% of detections on the synthetic
 * set. Training (~60 s CPU) happens once: the detector is cached under
 * `.cache/fixtures/detector-<hash>/`, the hash covering the options and detector.ts itself.
 * `rm -rf .cache/fixtures` forces a new training. Measured rates: docs/vision.md.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { initTf, tf } from '../../src/runtime/tf.js';
import { minMaxNormalise, upsampleMap } from '../../src/methods/cam/base.js';
import { explain } from '../../src/methods/index.js';
import type { NdArray } from '../../src/core/ndarray.js';
import {
  detectorData,
  detectorTrainOptions,
  GridDetector,
  trainDetector,
} from '../../src/vision/detector.js';
import { explainDetections, type ExplainedDetection } from '../../src/vision/detector-explain.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const IMAGES = 30;
const REQUIRED = 0.8;

let detector: GridDetector;
let images: NdArray;
let results: ExplainedDetection[];

async function builtInDetector(): Promise<GridDetector> {
  const options = detectorTrainOptions.parse({});
  const source = fs.readFileSync(path.join(ROOT, 'src', 'vision', 'detector.ts'), 'utf8');
  const key = crypto
    .createHash('sha256')
    .update(JSON.stringify(options) + source)
    .digest('hex')
    .slice(0, 16);
  const dir = path.join(ROOT, '.cache', 'fixtures', `detector-${key}`);
  if (!fs.existsSync(path.join(dir, 'detector.json'))) {
    const staging = `${dir}.tmp-${process.pid}`;
    await (await trainDetector(options)).save(staging);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.renameSync(staging, dir);
  }
  return GridDetector.load(dir);
}

beforeAll(async () => {
  await initTf();
  detector = await builtInDetector();
  const ds = detectorData(detector.info.data);
  const per = ds.inputShape.reduce((a, b) => a * b, 1);
  images = { data: ds.test.x.slice(0, IMAGES * per), shape: [IMAGES, ...ds.inputShape] };
  results = await explainDetections(
    detector,
    images,
    { scoreThreshold: 0.3, masks: 1000, methods: ['d-rise', 'grad-cam', 'hirescam'] },
    ds.test.boxes!.slice(0, IMAGES * 4),
  );
}, 900_000);

describe('the built-in detector, trained', () => {
  it('finds the object: best box IoU ≥ 0.5 with the right class on at least 80% of test images', () => {
    const q = detector.info.test!;
    expect(q.hits / q.images).toBeGreaterThanOrEqual(0.8);
    expect(q.classAccuracy).toBeGreaterThanOrEqual(0.85);
  });

  it.each(['d-rise', 'grad-cam', 'hirescam'])(
    '%s peaks inside the detected box in at least 80% of detections',
    (method) => {
      expect(results.length).toBeGreaterThanOrEqual(IMAGES * 0.8);
      const inside = results.filter((r) => r.peakInBox[method]).length;
      expect(inside / results.length).toBeGreaterThanOrEqual(REQUIRED);
    },
  );

  it('Grad-CAM of a box score is the class logit map of its class, ReLU-ed, without the bias', async () => {
    // The 1×1 head makes ∂σ(c_k)/∂A nonzero at the box's cell only, and equal to σ'·W_k there:
    // Grad-CAM's weights are W_k up to a positive factor, its map ReLU(W_k · A) on every cell.
    const r = results[0];
    const per = images.data.length / images.shape[0];
    const x = {
      data: images.data.slice(r.image * per, (r.image + 1) * per),
      shape: [1, 32, 32, 3],
    };
    const [e] = await explain(detector.scoreModel(), x, 'grad-cam', {
      targets: [detector.scoreIndex(r.detection)],
      options: { layer: 'features' },
    });
    expect(e.score).toBeCloseTo(r.detection.score, 5); // this box's own score, nothing mixed in
    const { grid } = detector.info;
    const expected = tf.tidy(() => {
      const features = tf.model({
        inputs: detector.net.inputs,
        outputs: detector.net.getLayer('features').output as tf.SymbolicTensor,
      });
      const a = features.predict(tf.tensor(x.data, x.shape)) as tf.Tensor;
      const kernel = detector.net.getLayer('head').getWeights()[0]; // [1, 1, C, 4 + K]
      const w = tf.slice(kernel, [0, 0, 0, 4 + r.detection.label], [1, 1, -1, 1]);
      return tf
        .relu(tf.sum(tf.mul(a, tf.reshape(w, [1, 1, 1, -1])), -1))
        .dataSync() as Float32Array;
    });
    const want = minMaxNormalise(upsampleMap(expected, [grid, grid], [32, 32]));
    const got = minMaxNormalise(e.heatmap.data);
    for (let i = 0; i < want.length; i++) expect(got[i]).toBeCloseTo(want[i], 4);
  });
});
