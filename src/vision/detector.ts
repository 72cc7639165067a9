/**
 * A small single-shot detector (one box per grid cell, scored per class as in RetinaNet or
 * CenterNet) for the synthetic shapes set, whose boxes are known. The network maps an image
 * [S, S, C] through strided convolutions (no max pooling) to a grid [G, G, 4 + K]: per cell a box
 * (centre offset in the cell and size relative to the image, both through a sigmoid) and K class
 * logits. An object belongs to the cell holding its box centre.
 *
 * Box scores are σ(c_k) per cell and class, trained at every cell (positive at the object's cell
 * for its class, negative everywhere else). A YOLO-v1 head (objectness × softmax, class logits
 * trained at the object's cell only) was tried first: its class logits elsewhere are untrained,
 * so Grad-CAM of a box score matched an arbitrary class template across the background (peak in
 * the box for 60% of detections; see docs/vision.md).
 *
 * Decoding gives every cell's box with its class scores; boxes scoring max_k σ(c_k) ≥
 * `scoreThreshold` survive, then class-wise non-maximum suppression. The detector serves
 * explanations two ways:
 *   - `detectorModel(...)`, the interface D-RISE reads (`detect`), and
 *   - a white-box classifier view whose outputs are the box scores σ(c_k) of every cell and
 *     class, so Grad-CAM explains one detection's score through the ordinary CAM pipeline.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { tf, initTf } from '../runtime/tf.js';
import { fail } from '../core/errors.js';
import { createRng } from '../core/random.js';
import type { NdArray } from '../core/ndarray.js';
import { loadLayersModel, saveLayersModel } from '../io/tfjs-files.js';
import { TfjsModel } from '../models/tfjs-model.js';
import {
  detectorModel,
  type Box,
  type Detection,
  type DetectorModel,
} from '../methods/detection/detector.js';
import { iou } from '../methods/detection/operator.js';
import { generateShapes, SHAPE_CLASSES } from '../train/data/shapes.js';
import type { Split } from '../train/data/dataset.js';
import { createOptimizer } from '../train/optimizers.js';

type T = tf.Tensor;

/** Defaults of the built-in example (`glassbox detect train`), chosen to train in about a minute. */
export const DETECTOR_EPOCHS = 10;

export const detectorTrainOptions = z.strictObject({
  seed: z.number().int().min(0).default(42).describe('data, initialisation and shuffling seed'),
  size: z
    .number()
    .int()
    .min(16)
    .max(128)
    .default(32)
    .describe('image side in pixels (a multiple of 4)'),
  classes: z.number().int().min(2).max(SHAPE_CLASSES.length).default(4).describe('shape classes'),
  trainCount: z.number().int().positive().default(2000).describe('training images'),
  testCount: z.number().int().positive().default(200).describe('test images'),
  epochs: z
    .number()
    .int()
    .positive()
    .default(DETECTOR_EPOCHS)
    .describe('passes over the training images'),
  batchSize: z.number().int().positive().default(32),
  learningRate: z.number().positive().default(0.003),
  filters: z.number().int().positive().default(16).describe('width of the backbone'),
});
export type DetectorTrainOptions = z.input<typeof detectorTrainOptions>;

export interface DetectorInfo {
  kind: 'glassbox-grid-detector';
  /** How the head scores boxes: σ(c_k) per class, trained at every cell. */
  scores: typeof SCORE_KIND;
  size: number;
  channels: number;
  /** Cells per side. */
  grid: number;
  classNames: string[];
  /** The layer Grad-CAM reads by default (last backbone convolution, on the cell grid). */
  camLayer: string;
  /** How the data set was generated (so `detect explain` can regenerate its test images). */
  data: { seed: number; classes: number; size: number; testCount: number };
  train?: { epochs: number; seconds: number; finalLoss: number; backend: string };
  test?: DetectionQuality;
}

const SCORE_KIND = 'per-class-sigmoid';

export interface DetectionQuality {
  images: number;
  /** Images whose best detection has IoU ≥ 0.5 with the true box and the true class. */
  hits: number;
  meanBestIoU: number;
  classAccuracy: number;
}

export interface GridDetection extends Detection {
  /** Grid cell (row-major) that produced the box. */
  cell: number;
  /** Most probable class. */
  label: number;
  /** σ(c_label), the box score; `objectness` is the same number, `classProbs` the scores over it. */
  score: number;
}

export interface DecodeOptions {
  /** Keep boxes with max_k σ(c_k) at least this (default 0.5). */
  scoreThreshold?: number;
  /** Class-wise non-maximum suppression IoU (default 0.45; 1 turns it off). */
  iouThreshold?: number;
}

/** Classifier prior π of the class logits at initialisation (RetinaNet): few cells hold an object. */
const PRIOR = 0.01;

/** Builds the network: two stride-2 convs down to the cell grid, two convs on it, a 1×1 head (receptive field 23 px). */
export function buildDetectorNet(
  size: number,
  channels: number,
  classes: number,
  filters: number,
  seed: number,
): tf.LayersModel {
  if (size % 4 !== 0) fail(`detector image size ${size} must be a multiple of 4`);
  const rng = createRng(`detector:${seed}`);
  const init = () => tf.initializers.heNormal({ seed: rng.uint32() });
  const conv = (
    f: number,
    k: number,
    s: number,
    name: string,
    activation: 'relu' | 'linear' = 'relu',
  ) =>
    tf.layers.conv2d({
      filters: f,
      kernelSize: k,
      strides: s,
      padding: 'same',
      activation,
      kernelInitializer: init(),
      name,
    });
  const x = tf.input({ shape: [size, size, channels], name: 'input' });
  // Inputs in [0, 1] centred to [-1, 1]: zero padding then means mid-grey, not black, which
  // keeps the image border from looking like an edge to every filter.
  const centred = tf.layers
    .rescaling({ scale: 2, offset: -1, name: 'centre' })
    .apply(x) as tf.SymbolicTensor;
  let t = conv(filters, 3, 2, 'conv1').apply(centred) as tf.SymbolicTensor;
  t = conv(filters * 2, 3, 2, 'conv2').apply(t) as tf.SymbolicTensor;
  t = conv(filters * 4, 3, 1, 'conv3').apply(t) as tf.SymbolicTensor;
  t = conv(filters * 4, 3, 1, 'features').apply(t) as tf.SymbolicTensor;
  // Class biases start at logit(π) so that the many empty cells do not dominate the first steps.
  const bias = new Float32Array(4 + classes).fill(Math.log(PRIOR / (1 - PRIOR)), 4);
  bias.fill(0, 0, 4);
  const head = tf.layers.conv2d({
    filters: 4 + classes,
    kernelSize: 1,
    padding: 'same',
    kernelInitializer: tf.initializers.glorotUniform({ seed: rng.uint32() }),
    name: 'head',
  });
  const out = head.apply(t) as tf.SymbolicTensor;
  const biasTensor = tf.tensor1d(bias);
  head.setWeights([head.getWeights()[0], biasTensor]);
  biasTensor.dispose();
  return tf.model({ inputs: x, outputs: out, name: 'grid_detector' });
}

/** Per cell and class: the box score σ(c_k), flattened to [N, cells·K]. */
export class BoxScores extends tf.layers.Layer {
  static className = 'GlassboxBoxScores';
  constructor(private readonly classes: number) {
    super({ name: 'box_scores' });
  }
  override computeOutputShape(s: tf.Shape | tf.Shape[]): tf.Shape {
    const [n, h, w] = (Array.isArray(s[0]) ? s[0] : s) as tf.Shape;
    return [n, (h as number) * (w as number) * this.classes];
  }
  override call(inputs: T | T[]): T {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      const [n, h, w, c] = x.shape;
      return tf.reshape(tf.sigmoid(tf.slice(x, [0, 0, 0, 4], [n, h, w, c - 4])), [
        n,
        h * w * (c - 4),
      ]);
    });
  }
}

export class GridDetector {
  private scoreModelCache?: TfjsModel;

  constructor(
    readonly net: tf.LayersModel,
    readonly info: DetectorInfo,
  ) {}

  get numClasses(): number {
    return this.info.classNames.length;
  }

  get inputShape(): number[] {
    return [this.info.size, this.info.size, this.info.channels];
  }

  /** Raw head outputs [N, G, G, 4 + K]. */
  private head(input: NdArray): Float32Array {
    return tf
      .tidy(() => this.net.predict(tf.tensor(input.data, input.shape)) as T)
      .dataSync() as Float32Array;
  }

  /** Every cell's box, before thresholds (what D-RISE may also use as proposals). */
  proposals(input: NdArray): GridDetection[][] {
    const n = input.shape[0];
    const { grid: g, size } = this.info;
    const k = this.numClasses;
    const depth = 4 + k;
    const cellSize = size / g;
    const out: GridDetection[][] = [];
    const sig = (v: number) => 1 / (1 + Math.exp(-v));
    // Predict in chunks so big perturbation batches do not hold one huge tensor.
    const chunk = 256;
    for (let from = 0; from < n; from += chunk) {
      const m = Math.min(chunk, n - from);
      const per = input.data.length / n;
      const raw = this.head({
        data: input.data.subarray(from * per, (from + m) * per),
        shape: [m, ...input.shape.slice(1)],
      });
      for (let i = 0; i < m; i++) {
        const dets: GridDetection[] = [];
        for (let cell = 0; cell < g * g; cell++) {
          const base = (i * g * g + cell) * depth;
          const row = Math.floor(cell / g);
          const col = cell % g;
          const cx = (col + sig(raw[base])) * cellSize;
          const cy = (row + sig(raw[base + 1])) * cellSize;
          const w = sig(raw[base + 2]) * size;
          const h = sig(raw[base + 3]) * size;
          const box: Box = [
            Math.max(0, cx - w / 2),
            Math.max(0, cy - h / 2),
            Math.min(size, cx + w / 2),
            Math.min(size, cy + h / 2),
          ];
          const scores = Float32Array.from({ length: k }, (_, c) => sig(raw[base + 4 + c]));
          let label = 0;
          for (let c = 1; c < k; c++) if (scores[c] > scores[label]) label = c;
          const score = scores[label];
          // D-RISE reads objectness × class vector: the best score times the scores relative to
          // it, so objectness·classProbs[k] is σ(c_k) and the cosine sees the class profile.
          dets.push({
            box,
            objectness: score,
            classProbs: scores.map((v) => (score > 0 ? v / score : 0)),
            cell,
            label,
            score,
          });
        }
        out.push(dets);
      }
    }
    return out;
  }

  /** Decoded detections per image: thresholded, class-wise NMS, best first. */
  detect(input: NdArray, options: DecodeOptions = {}): GridDetection[][] {
    const threshold = options.scoreThreshold ?? 0.5;
    const iouMax = options.iouThreshold ?? 0.45;
    return this.proposals(input).map((dets) =>
      nms(
        dets.filter((d) => d.score >= threshold),
        iouMax,
      ),
    );
  }

  /** The interface D-RISE reads. Proposals below `scoreThreshold` are dropped (default 0: all cells). */
  asDetectorModel(options: DecodeOptions = { scoreThreshold: 0, iouThreshold: 1 }): DetectorModel {
    return detectorModel({
      name: 'grid-detector',
      inputShape: this.inputShape,
      numClasses: this.numClasses,
      classNames: this.info.classNames,
      detect: async (input) => this.detect(input, options),
    });
  }

  /**
   * White-box view whose "classes" are the box scores σ(c_k) of every (cell, class), so
   * Grad-CAM of output `scoreIndex(d)` explains detection d's score.
   */
  scoreModel(): TfjsModel {
    if (!this.scoreModelCache) {
      const scores = new BoxScores(this.numClasses).apply(this.net.outputs[0]) as tf.SymbolicTensor;
      const model = tf.model({
        inputs: this.net.inputs,
        outputs: scores,
        name: 'grid_detector_scores',
      });
      // Declared 'logits' so that the explained score is the output itself: for 'probabilities'
      // from a graph without a final softmax layer, TfjsModel explains softmax(outputs)_j, which
      // mixes every cell's score into the gradient instead of this box's own score.
      this.scoreModelCache = new TfjsModel(model, {
        name: 'grid-detector box scores',
        outputKind: 'logits',
      });
    }
    return this.scoreModelCache;
  }

  scoreIndex(d: GridDetection): number {
    return d.cell * this.numClasses + d.label;
  }

  async save(dir: string): Promise<void> {
    await saveLayersModel(this.net, path.join(dir, 'model'));
    fs.writeFileSync(path.join(dir, 'detector.json'), JSON.stringify(this.info, null, 2) + '\n');
  }

  static async load(dir: string): Promise<GridDetector> {
    const infoFile = path.join(dir, 'detector.json');
    if (!fs.existsSync(infoFile))
      fail(`${dir} holds no detector.json: train one with \`glassbox detect train --out ${dir}\``);
    await initTf();
    const info = JSON.parse(fs.readFileSync(infoFile, 'utf8')) as DetectorInfo;
    if (info.kind !== 'glassbox-grid-detector')
      fail(`${infoFile} does not describe a Glassbox grid detector`);
    if (info.scores !== SCORE_KIND)
      fail(
        `${infoFile} is a detector with the older objectness × softmax head: retrain it with \`glassbox detect train --out ${dir}\``,
      );
    const net = await loadLayersModel(path.join(dir, 'model'));
    return new GridDetector(net, info);
  }
}

/** Greedy class-wise non-maximum suppression, highest score first. */
export function nms(dets: GridDetection[], iouThreshold: number): GridDetection[] {
  const sorted = [...dets].sort((a, b) => b.score - a.score);
  const kept: GridDetection[] = [];
  for (const d of sorted) {
    if (kept.every((k) => k.label !== d.label || iou(k.box, d.box) <= iouThreshold)) kept.push(d);
  }
  return kept;
}

/** Training targets: per image the cell of the box centre, its offsets and relative size. */
export function encodeTargets(
  boxes: Float32Array,
  count: number,
  size: number,
  grid: number,
): { cell: Int32Array; box: Float32Array } {
  const cellSize = size / grid;
  const cell = new Int32Array(count);
  const box = new Float32Array(count * 4);
  for (let i = 0; i < count; i++) {
    const [x0, y0, x1, y1] = boxes.subarray(i * 4, i * 4 + 4);
    const cx = (x0 + x1) / 2;
    const cy = (y0 + y1) / 2;
    const col = Math.min(grid - 1, Math.floor(cx / cellSize));
    const row = Math.min(grid - 1, Math.floor(cy / cellSize));
    cell[i] = row * grid + col;
    box.set([cx / cellSize - col, cy / cellSize - row, (x1 - x0) / size, (y1 - y0) / size], i * 4);
  }
  return { cell, box };
}

/**
 * Loss, mean over the batch: per cell and class the binary cross-entropy of σ(c_k) (target 1 at
 * the object's cell for its class, 0 everywhere else), plus 5 × the squared error of the sigmoid
 * box terms at the object's cell.
 */
function detectionLoss(head: T, cellMask: T, boxTarget: T, classOneHot: T): T {
  return tf.tidy(() => {
    const [n, g, , depth] = head.shape;
    const k = depth - 4;
    const flat = tf.reshape(head, [n, g * g, depth]);
    const logits = tf.slice(flat, [0, 0, 4], [n, g * g, k]);
    // [n, cells, K]: 1 at (object cell, true class).
    const target = tf.mul(tf.expandDims(cellMask, 2), tf.expandDims(classOneHot, 1));
    const clsLoss = tf.sum(
      tf.losses.sigmoidCrossEntropy(target, logits, undefined, undefined, tf.Reduction.NONE),
    );
    // The object's cell row, by a one-hot multiply (no gather: its gradient is missing on wasm).
    const at = tf.sum(tf.mul(flat, tf.expandDims(cellMask, 2)), 1); // [n, depth]
    const box = tf.sigmoid(tf.slice(at, [0, 0], [n, 4]));
    const boxLoss = tf.mul(5, tf.sum(tf.square(tf.sub(box, boxTarget))));
    return tf.div(tf.add(clsLoss, boxLoss), n);
  });
}

function rows(split: Split, idx: ArrayLike<number>, per: number): Float32Array {
  const out = new Float32Array(idx.length * per);
  for (let i = 0; i < idx.length; i++)
    out.set(split.x.subarray(idx[i] * per, (idx[i] + 1) * per), i * per);
  return out;
}

/** The shapes data the detector trains and is evaluated on. */
export function detectorData(o: {
  seed: number;
  classes: number;
  size: number;
  trainCount?: number;
  testCount: number;
}) {
  return generateShapes({
    seed: o.seed,
    classes: o.classes,
    size: o.size,
    trainCount: o.trainCount ?? 1,
    testCount: o.testCount,
    validationFraction: 0,
  });
}

/** Trains a detector on generated shapes; logs one line per epoch. */
export async function trainDetector(
  options: DetectorTrainOptions = {},
  log: (line: string) => void = () => {},
): Promise<GridDetector> {
  const o = detectorTrainOptions.parse(options);
  const backend = await initTf();
  const started = performance.now();
  const ds = detectorData(o);
  const channels = ds.inputShape[2];
  const grid = o.size / 4;
  const net = buildDetectorNet(o.size, channels, o.classes, o.filters, o.seed);
  const per = o.size * o.size * channels;
  const targets = encodeTargets(ds.train.boxes!, ds.train.count, o.size, grid);
  const variables = net.trainableWeights.map((w) => w.read() as tf.Variable);
  const optimizer = createOptimizer(
    { type: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-7 },
    variables,
  );
  const rng = createRng(`detector:shuffle:${o.seed}`);
  const steps = Math.ceil(ds.train.count / o.batchSize);
  let lastLoss = NaN;
  for (let epoch = 1; epoch <= o.epochs; epoch++) {
    const order = rng.permutation(ds.train.count);
    // Cosine decay of the learning rate over the run.
    const lr = o.learningRate * 0.5 * (1 + Math.cos((Math.PI * (epoch - 1)) / o.epochs));
    let total = 0;
    for (let s = 0; s < steps; s++) {
      const idx = order.subarray(s * o.batchSize, Math.min(ds.train.count, (s + 1) * o.batchSize));
      const n = idx.length;
      const { value, grads } = tf.tidy(() => {
        const x = tf.tensor(rows(ds.train, idx, per), [n, o.size, o.size, channels]);
        const cells = tf.tensor1d(
          Int32Array.from(idx, (i) => targets.cell[i]),
          'int32',
        );
        const cellMask = tf.oneHot(cells, grid * grid).toFloat();
        const boxT = tf.tensor2d(
          Float32Array.from(
            { length: n * 4 },
            (_, j) => targets.box[idx[Math.floor(j / 4)] * 4 + (j % 4)],
          ),
          [n, 4],
        );
        const cls = tf
          .oneHot(
            tf.tensor1d(
              Int32Array.from(idx, (i) => ds.train.y[i]),
              'int32',
            ),
            o.classes,
          )
          .toFloat();
        return tf.variableGrads(
          () =>
            detectionLoss(net.apply(x, { training: true }) as T, cellMask, boxT, cls) as tf.Scalar,
          variables,
        );
      });
      optimizer.apply(
        variables.map((v) => grads[v.name]),
        lr,
      );
      total += value.dataSync()[0] * n;
      tf.dispose([value, ...Object.values(grads)]);
    }
    lastLoss = total / ds.train.count;
    log(`epoch ${epoch}/${o.epochs}: loss ${lastLoss.toFixed(4)}`);
  }
  optimizer.dispose();
  const info: DetectorInfo = {
    kind: 'glassbox-grid-detector',
    scores: SCORE_KIND,
    size: o.size,
    channels,
    grid,
    classNames: ds.classNames,
    camLayer: 'features',
    data: { seed: o.seed, classes: o.classes, size: o.size, testCount: o.testCount },
    train: {
      epochs: o.epochs,
      seconds: (performance.now() - started) / 1000,
      finalLoss: lastLoss,
      backend,
    },
  };
  const detector = new GridDetector(net, info);
  info.test = detectionQuality(detector, ds.test);
  return detector;
}

/** How well the best detection of each image matches its true box and class. */
export function detectionQuality(detector: GridDetector, split: Split): DetectionQuality {
  const shape = [split.count, ...detector.inputShape];
  const best = detector
    .proposals({ data: split.x, shape })
    .map((d) => d.reduce((a, b) => (b.score > a.score ? b : a)));
  let hits = 0;
  let iouSum = 0;
  let correct = 0;
  best.forEach((d, i) => {
    const truth = Array.from(split.boxes!.subarray(i * 4, i * 4 + 4)) as Box;
    const overlap = iou(d.box, truth);
    iouSum += overlap;
    if (d.label === split.y[i]) correct++;
    if (overlap >= 0.5 && d.label === split.y[i]) hits++;
  });
  return {
    images: split.count,
    hits,
    meanBestIoU: iouSum / split.count,
    classAccuracy: correct / split.count,
  };
}
