import { describe, expect, it } from 'vitest';
import { explain } from '../../src/methods/index.js';
import { cosine, detectionSimilarity, iou } from '../../src/methods/detection/operator.js';
import { isDetector } from '../../src/methods/detection/detector.js';
import { argmax, blobDetector, functionModel } from './helpers.js';

const S = 32;
/** Black 32×32 image with a red square (x, y 4–11) and a green one (x 16–27, y 18–27). */
function scene(): Float32Array {
  const x = new Float32Array(S * S * 3);
  for (let y = 4; y < 12; y++) for (let c = 4; c < 12; c++) x[(y * S + c) * 3] = 1;
  for (let y = 18; y < 28; y++) for (let c = 16; c < 28; c++) x[(y * S + c) * 3 + 1] = 1;
  return x;
}

function meanIn(map: Float32Array, [x0, y0, x1, y1]: number[]): number {
  let s = 0;
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) s += map[y * S + x];
  return s / ((x1 - x0) * (y1 - y0));
}

describe('detection operator', () => {
  it('scores proposals by IoU × cosine similarity × objectness', () => {
    expect(iou([0, 0, 2, 2], [1, 1, 3, 3])).toBeCloseTo(1 / 7, 12);
    expect(iou([0, 0, 1, 1], [2, 2, 3, 3])).toBe(0);
    expect(cosine([1, 0], [1, 1])).toBeCloseTo(Math.SQRT1_2, 12);
    const t = { box: [0, 0, 4, 4] as [number, number, number, number], classProbs: Float32Array.from([1, 0]) };
    expect(detectionSimilarity(t, { box: [0, 0, 4, 2], objectness: 0.5, classProbs: Float32Array.from([0.6, 0.8]) })).toBeCloseTo(0.5 * 0.6 * 0.5, 6);
  });
});

describe('D-RISE', () => {
  const detector = blobDetector(S, S);
  const x = scene();

  it('finds both squares with the test detector', async () => {
    expect(isDetector(detector)).toBe(true);
    const [dets] = await detector.detect({ data: x, shape: [1, S, S, 3] });
    expect(dets.map((d) => d.box).sort()).toEqual([
      [16, 18, 28, 28],
      [4, 4, 12, 12],
    ]);
  });

  it('puts the saliency of each detection on its own object', async () => {
    const options = { masks: 600, gridSize: 8 };
    const [red, green] = await explain(detector, { data: new Float32Array([...x, ...x]), shape: [2, S, S, 3] }, 'd-rise', { targets: [0, 1], options });
    const redBox = [4, 4, 12, 12];
    const greenBox = [16, 18, 28, 28];
    expect(red.extras.x0).toBe(4);
    expect(green.extras.y0).toBe(18);
    const ra = argmax(red.heatmap.data);
    expect(ra % S >= 4 && ra % S < 12 && Math.floor(ra / S) >= 4 && Math.floor(ra / S) < 12).toBe(true);
    const ga = argmax(green.heatmap.data);
    expect(ga % S >= 16 && ga % S < 28 && Math.floor(ga / S) >= 18 && Math.floor(ga / S) < 28).toBe(true);
    // Saliency = E[w] + Cov(w, M)/p: the other object only carries the E[w] level (measured ≈ 0.45 vs ≈ 0.56 inside).
    expect(meanIn(red.heatmap.data, redBox) - meanIn(red.heatmap.data, greenBox)).toBeGreaterThan(0.05);
    expect(meanIn(green.heatmap.data, greenBox) - meanIn(green.heatmap.data, redBox)).toBeGreaterThan(0.05);
  });

  it('explains a given box or detection index, and says when the class is absent', async () => {
    const input = { data: x, shape: [1, S, S, 3] };
    const [byBox] = await explain(detector, input, 'd-rise', { targets: [1], options: { masks: 100, gridSize: 8, box: [16, 18, 28, 28] } });
    expect(byBox.extras.x1).toBe(28);
    const [byIndex] = await explain(detector, input, 'd-rise', { targets: [2], options: { masks: 100, gridSize: 8, detection: 1 } });
    expect([4, 16]).toContain(byIndex.extras.x0);
    await expect(explain(detector, input, 'd-rise', { targets: [2], options: { masks: 10 } })).rejects.toThrow(/no object of class 2/);
    const classifier = functionModel([S, S, 3], 2, () => [0, 1]);
    await expect(explain(classifier, input, 'd-rise', { options: { masks: 10 } })).rejects.toThrow(/use rise/);
  });
});
