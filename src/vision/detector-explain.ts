/**
 * Explanations of a grid detector's detections, one per detected box: D-RISE (black box, masks
 * scored by how well the masked image still yields that box), Grad-CAM of the box score σ(c_k)
 * of the cell that produced it, and optionally HiResCAM of the same score (gradient ⊙ activation
 * per position: the instance-specific form ODAM, Zhao et al. 2023, argues detectors need, since
 * Grad-CAM's position-averaged weights are the same for every box of a class). Each map is
 * checked against its box: does its peak fall inside?
 */
import type { NdArray } from '../core/ndarray.js';
import { explain } from '../methods/index.js';
import { iou } from '../methods/detection/operator.js';
import type { Box } from '../methods/detection/detector.js';
import type { GridDetection, GridDetector } from './detector.js';
import { peakInBox } from './vit-explain.js';

export const DETECTOR_METHODS = ['d-rise', 'grad-cam', 'hirescam'] as const;
export type DetectorMethod = (typeof DETECTOR_METHODS)[number];

export interface DetectorExplainOptions {
  masks?: number;
  gridSize?: number;
  /** Value of masked-out pixels in D-RISE (default 0.5: mid-grey, not a dark object). */
  baseline?: number;
  /** Layer for Grad-CAM (default the detector's `camLayer`). */
  camLayer?: string;
  seed?: number;
  /** Detections kept for explanation (default 0.5 on the box score). */
  scoreThreshold?: number;
  methods?: DetectorMethod[];
  onDetection?: (done: number) => void;
}

export interface ExplainedDetection {
  image: number;
  detection: GridDetection;
  /** Method name → heatmap [H·W]. */
  maps: Record<string, Float32Array>;
  /** Method name → whether the map's peak lies in the detected box. */
  peakInBox: Record<string, boolean>;
  milliseconds: Record<string, number>;
  /** IoU with the true box, when known. */
  iouWithTruth?: number;
}

export async function explainDetections(
  detector: GridDetector,
  images: NdArray,
  options: DetectorExplainOptions = {},
  truthBoxes?: Float32Array,
): Promise<ExplainedDetection[]> {
  const methods = options.methods ?? ['d-rise', 'grad-cam'];
  const w = detector.inputShape[1];
  const per = images.data.length / images.shape[0];
  const dets = detector.detect(images, { scoreThreshold: options.scoreThreshold ?? 0.5 });
  const dModel = detector.asDetectorModel();
  const out: ExplainedDetection[] = [];
  for (const [i, list] of dets.entries()) {
    const x: NdArray = {
      data: images.data.subarray(i * per, (i + 1) * per),
      shape: [1, ...images.shape.slice(1)],
    };
    for (const d of list) {
      const maps: Record<string, Float32Array> = {};
      const ms: Record<string, number> = {};
      for (const method of methods) {
        const t0 = performance.now();
        const [e] =
          method === 'd-rise'
            ? await explain(dModel, x, 'd-rise', {
                targets: [d.label],
                seed: options.seed ?? 0,
                options: {
                  box: [...d.box],
                  baseline: options.baseline ?? 0.5,
                  masks: options.masks ?? 2000,
                  gridSize: options.gridSize ?? 4,
                  batchSize: 250,
                },
              })
            : await explain(detector.scoreModel(), x, method, {
                targets: [detector.scoreIndex(d)],
                options: { layer: options.camLayer ?? detector.info.camLayer },
              });
        maps[method] = e.heatmap.data;
        ms[method] = performance.now() - t0;
      }
      const entry: ExplainedDetection = {
        image: i,
        detection: d,
        maps,
        milliseconds: ms,
        peakInBox: Object.fromEntries(
          Object.entries(maps).map(([k, m]) => [k, peakInBox(m, w, d.box)]),
        ),
      };
      if (truthBoxes)
        entry.iouWithTruth = iou(d.box, Array.from(truthBoxes.subarray(i * 4, i * 4 + 4)) as Box);
      out.push(entry);
      options.onDetection?.(out.length);
    }
  }
  return out;
}
