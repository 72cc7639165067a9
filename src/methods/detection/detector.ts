/**
 * Object detectors as Glassbox models. A detector is a `Model` that can also list its detections;
 * its `predict` gives image-level class scores (the best objectness × class probability over its
 * detections), so the generic machinery (default targets, explain, metrics) still applies, while
 * detection methods (D-RISE) read the boxes through `detect`.
 */
import type { NdArray } from '../../core/ndarray.js';
import { fail } from '../../core/errors.js';
import type { GradientResult, InputKind, LayerInfo, Model } from '../../models/model.js';
import { checkInputBatch } from '../../models/validate.js';

export type Box = [x0: number, y0: number, x1: number, y1: number];

export interface Detection {
  /** Pixels of the input, x1/y1 exclusive (like the shapes data set's boxes). */
  box: Box;
  /** Probability that the box holds an object. */
  objectness: number;
  /** Class probabilities (length = numClasses). */
  classProbs: Float32Array;
}

export interface DetectorModel extends Model {
  readonly detector: true;
  /** Detections of every image of a batch. */
  detect(input: NdArray): Promise<Detection[][]>;
}

export function isDetector(model: Model): model is DetectorModel {
  return (model as Partial<DetectorModel>).detector === true && typeof (model as Partial<DetectorModel>).detect === 'function';
}

/** Best objectness × class probability over the detections, per class: [N, K]. */
export function imageScores(detections: Detection[][], numClasses: number): NdArray {
  const out = new Float32Array(detections.length * numClasses);
  detections.forEach((dets, i) => {
    for (const d of dets) {
      for (let k = 0; k < numClasses; k++) out[i * numClasses + k] = Math.max(out[i * numClasses + k], d.objectness * d.classProbs[k]);
    }
  });
  return { data: out, shape: [detections.length, numClasses] };
}

export interface DetectorSpec {
  name: string;
  inputShape: number[];
  numClasses: number;
  classNames?: string[];
  kind?: InputKind;
  detect(input: NdArray): Promise<Detection[][]>;
  layers?: LayerInfo[];
  activations?(input: NdArray, layers: string[]): Promise<Map<string, NdArray>>;
  dispose?(): void;
}

/** A black-box DetectorModel around a detect function (e.g. an ONNX detector with its decoder). */
export function detectorModel(spec: DetectorSpec): DetectorModel {
  return {
    detector: true,
    name: spec.name,
    kind: spec.kind ?? 'image',
    inputShape: spec.inputShape,
    numClasses: spec.numClasses,
    outputKind: 'probabilities',
    classNames: spec.classNames,
    whiteBox: false,
    layers: () => spec.layers ?? [],
    async detect(input) {
      checkInputBatch(input, spec.inputShape, spec.name);
      return spec.detect(input);
    },
    async predict(input) {
      checkInputBatch(input, spec.inputShape, spec.name);
      return imageScores(await spec.detect(input), spec.numClasses);
    },
    async activations(input, layers) {
      if (!spec.activations) fail(`detector ${spec.name} does not expose layer activations`);
      return spec.activations(input, layers);
    },
    async gradients(): Promise<GradientResult> {
      fail(`detector ${spec.name} is a black box without gradients: use a perturbation method such as d-rise`);
    },
    dispose() {
      spec.dispose?.();
    },
  };
}
