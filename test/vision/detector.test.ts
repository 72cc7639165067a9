import { beforeAll, describe, expect, it } from 'vitest';
import { initTf, tf } from '../../src/runtime/tf.js';
import {
  buildDetectorNet,
  encodeTargets,
  GridDetector,
  nms,
  type DetectorInfo,
  type GridDetection,
} from '../../src/vision/detector.js';
import { explainDetections } from '../../src/vision/detector-explain.js';
import { isDetector } from '../../src/methods/detection/detector.js';
import { reseedWeights, seeded } from '../helpers/models.js';

const S = 32;
const info = (classes: number): DetectorInfo => ({
  kind: 'glassbox-grid-detector',
  scores: 'per-class-sigmoid',
  size: S,
  channels: 3,
  grid: 8,
  classNames: ['red', 'green', 'blue'].slice(0, classes),
  camLayer: 'features',
  data: { seed: 0, classes, size: S, testCount: 1 },
});

/**
 * A detector with hand-set weights: the backbone averages each colour channel down to the 8×8
 * cell grid, class c's score rises with the brightness of colour c, and every box is 12×12
 * around its cell centre. It detects coloured squares without any training.
 */
function colourDetector(): GridDetector {
  const net = buildDetectorNet(S, 3, 3, 4, 1);
  for (const layer of net.layers) {
    const ws = layer.getWeights();
    if (ws.length !== 2) continue;
    const [kh, kw, cin, cout] = ws[0].shape;
    const k = new Float32Array(kh * kw * cin * cout);
    const bias = new Float32Array(cout);
    const at = (y: number, x: number, i: number, o: number) => ((y * kw + x) * cin + i) * cout + o;
    if (layer.name === 'conv1' || layer.name === 'conv2') {
      for (let c = 0; c < 3; c++)
        for (let y = 0; y < 3; y++) for (let x = 0; x < 3; x++) k[at(y, x, c, c)] = 1 / 9;
    } else if (layer.name === 'head') {
      for (let c = 0; c < 3; c++) {
        k[at(0, 0, c, 4 + c)] = 12;
        bias[4 + c] = -6;
      }
      bias[2] = bias[3] = Math.log(12 / S / (1 - 12 / S));
    } else {
      for (let c = 0; c < 3; c++) k[at(1, 1, c, c)] = 1;
    }
    layer.setWeights([tf.tensor4d(k, [kh, kw, cin, cout]), tf.tensor1d(bias)]);
  }
  return new GridDetector(net, info(3));
}

/** Black image, red square x,y 4–11 and green square x 18–25, y 16–23. */
function scene(): Float32Array {
  const x = new Float32Array(S * S * 3);
  for (let y = 4; y < 12; y++) for (let c = 4; c < 12; c++) x[(y * S + c) * 3] = 1;
  for (let y = 16; y < 24; y++) for (let c = 18; c < 26; c++) x[(y * S + c) * 3 + 1] = 1;
  return x;
}

beforeAll(async () => {
  await initTf();
});

describe('grid detector', () => {
  it('encodes a box as its centre cell, the offset in the cell and the size relative to the image', () => {
    const { cell, box } = encodeTargets(Float32Array.from([4, 8, 12, 20, 30, 30, 32, 32]), 2, S, 8);
    // Box 1: centre (8, 14) → column 2, row 3; offsets (0, 0.5); size 8/32 × 12/32.
    expect(cell[0]).toBe(3 * 8 + 2);
    expect(Array.from(box.subarray(0, 4))).toEqual([0, 0.5, 0.25, 0.375]);
    // Box 2: centre (31, 31) → the last cell.
    expect(cell[1]).toBe(63);
  });

  it('suppresses overlapping boxes of the same class only', () => {
    const d = (
      box: [number, number, number, number],
      label: number,
      score: number,
    ): GridDetection => ({
      box,
      label,
      score,
      objectness: score,
      classProbs: Float32Array.from([label === 0 ? 1 : 0, label === 1 ? 1 : 0]),
      cell: 0,
    });
    const kept = nms(
      [
        d([0, 0, 10, 10], 0, 0.6),
        d([1, 1, 11, 11], 0, 0.9),
        d([1, 1, 11, 11], 1, 0.7),
        d([20, 20, 30, 30], 0, 0.55),
      ],
      0.45,
    );
    expect(kept.map((k) => k.score)).toEqual([0.9, 0.7, 0.55]);
  });

  it('decodes every cell consistently with its box-score model: score[cell·K + k] = σ(c_k)', async () => {
    const net = buildDetectorNet(S, 3, 3, 4, 2);
    reseedWeights(net, 4, 0.3);
    const det = new GridDetector(net, info(3));
    const x = { data: Float32Array.from(seeded(2 * S * S * 3, 8, 1)), shape: [2, S, S, 3] };
    const props = det.proposals(x);
    const scores = await det.scoreModel().predict(x);
    expect(scores.shape).toEqual([2, 64 * 3]);
    for (let i = 0; i < 2; i++) {
      expect(props[i]).toHaveLength(64);
      for (const p of props[i]) {
        expect(p.box[0]).toBeGreaterThanOrEqual(0);
        expect(p.box[2]).toBeLessThanOrEqual(S);
        for (let k = 0; k < 3; k++)
          expect(scores.data[i * 192 + p.cell * 3 + k]).toBeCloseTo(
            p.objectness * p.classProbs[k],
            5,
          );
        expect(scores.data[i * 192 + det.scoreIndex(p)]).toBeCloseTo(p.score, 5);
      }
    }
    expect(isDetector(det.asDetectorModel())).toBe(true);
  });

  it('explains each detection with D-RISE and Grad-CAM of its box score, peaking inside its box', async () => {
    const det = colourDetector();
    const x = { data: scene(), shape: [1, S, S, 3] };
    const [found] = det.detect(x);
    // One detection per square survives NMS (12×12 boxes of neighbouring cells overlap by IoU 0.5).
    const labels = found.map((d) => d.label).sort();
    expect(labels).toContain(0);
    expect(labels).toContain(1);
    // Black is "nothing" for this detector, so masked pixels are black (the default mid-grey would be an object here).
    const results = await explainDetections(det, x, {
      masks: 400,
      gridSize: 8,
      seed: 1,
      baseline: 0,
      methods: ['d-rise', 'grad-cam', 'hirescam'],
    });
    expect(results).toHaveLength(found.length);
    for (const r of results) {
      const [x0, y0, x1, y1] = r.detection.box;
      expect(r.peakInBox['d-rise']).toBe(true);
      expect(r.peakInBox['grad-cam']).toBe(true);
      expect(r.peakInBox.hirescam).toBe(true);
      // Grad-CAM of a red detection ignores the green square and vice versa.
      const other = r.detection.label === 0 ? [18, 16, 26, 24] : [4, 4, 12, 12];
      const cam = r.maps['grad-cam'];
      let inOther = 0;
      for (let y = other[1]; y < other[3]; y++)
        for (let c = other[0]; c < other[2]; c++) inOther = Math.max(inOther, cam[y * S + c]);
      expect(inOther).toBeLessThan(0.02 * Math.max(...cam)); // only bilinear spill-over from the neighbouring cell
      expect(x1 - x0).toBeCloseTo(12, 3);
      expect(y1 - y0).toBeCloseTo(12, 3);
    }
  });
});
