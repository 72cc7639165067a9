import { z } from 'zod';
import { fail } from '../../core/errors.js';
import { defineMethod, type MethodContext } from '../method.js';
import { methodSeed, PassCounter, runOptions, spreadOverChannels } from '../perturbation/common/runner.js';
import { riseMasks } from '../perturbation/common/masks.js';
import { riseSaliency } from '../perturbation/rise.js';
import { isDetector, type Box, type Detection } from './detector.js';
import { detectionOperator, type DetectionTarget } from './operator.js';

export const dRiseOptions = z.strictObject({
  masks: z.number().int().positive().default(2000).describe('number of random masks N (the paper uses 5000)'),
  gridSize: z.number().int().min(1).default(16).describe('side s of the binary grid (the paper: 16)'),
  keepProbability: z.number().gt(0).max(1).default(0.5).describe('probability p that a grid cell keeps the image'),
  detection: z.number().int().min(0).optional().describe('explain this detection of the unperturbed image (0 = highest scoring); default: the best detection of the target class'),
  box: z.tuple([z.number(), z.number(), z.number(), z.number()]).optional().describe('explain this box [x0, y0, x1, y1] (pixels) of the target class instead of a detection'),
  classVector: z.enum(['one-hot', 'detected']).default('one-hot').describe('target class vector: one-hot of the target class, or the detection\'s own class probabilities'),
  baseline: z.number().default(0).describe('value of masked-out pixels (the paper: 0)'),
  ...runOptions,
});
export type DRiseOptions = z.infer<typeof dRiseOptions>;

const detectionScore = (d: Detection) => d.objectness * Math.max(...d.classProbs);

/** Which detection to explain, as D-RISE's target vector (box, class vector). */
export function chooseTarget(dets: Detection[], target: number, numClasses: number, options: Pick<DRiseOptions, 'detection' | 'box' | 'classVector'>, index: number): { target: DetectionTarget; detection?: Detection } {
  const oneHot = new Float32Array(numClasses);
  oneHot[target] = 1;
  if (options.box) {
    const [x0, y0, x1, y1] = options.box;
    if (!(x1 > x0 && y1 > y0)) fail(`d-rise: box [${options.box.join(', ')}] is empty: give [x0, y0, x1, y1] with x1 > x0 and y1 > y0`);
    return { target: { box: [x0, y0, x1, y1], classProbs: oneHot } };
  }
  let chosen: Detection | undefined;
  if (options.detection !== undefined) {
    const sorted = [...dets].sort((a, b) => detectionScore(b) - detectionScore(a));
    chosen = sorted[options.detection];
    if (!chosen) fail(`d-rise: input ${index} has ${dets.length} detections, so detection ${options.detection} does not exist: choose 0…${dets.length - 1}`);
  } else {
    // Only detections labelled with the target class (their most probable class) qualify.
    for (const d of dets) {
      const label = d.classProbs.indexOf(Math.max(...d.classProbs));
      if (label === target && (!chosen || d.objectness * d.classProbs[target] > chosen.objectness * chosen.classProbs[target])) chosen = d;
    }
    if (!chosen) fail(`d-rise: the detector finds no object of class ${target} in input ${index}: pick another target, a detection index or a box`);
  }
  const classProbs = options.classVector === 'detected' ? chosen.classProbs : oneHot;
  return { target: { box: [...chosen.box] as Box, classProbs }, detection: chosen };
}

/** D-RISE: RISE masks scored by how well the masked image still yields the target detection. */
export const dRise = defineMethod({
  name: 'd-rise',
  title: 'D-RISE',
  family: 'perturbation',
  reference:
    'Petsiuk et al. 2021, "Black-box Explanation of Object Detectors via Saliency Maps" (mask weight = max over proposals of ' +
    'IoU × cosine similarity of class vectors × objectness; RISE masks; saliency Σ_i w_i M_i, here divided by N·p)',
  needs: 'predict',
  kinds: ['image'],
  reduce: 'mean',
  signed: false,
  options: dRiseOptions,
  async attribute(ctx: MethodContext, inputs, targets, options) {
    const { model } = ctx;
    if (!isDetector(model)) fail(`d-rise explains object detectors and ${model.name} is a classifier: use rise instead`);
    const { inputShape } = model;
    const grid = inputShape.slice(0, -1);
    const channels = inputShape[inputShape.length - 1];
    const masks = riseMasks({ seed: methodSeed(ctx, options), count: options.masks, gridSize: options.gridSize, keepProbability: options.keepProbability, size: grid });
    const n = inputs.shape[0];
    const per = inputs.data.length / n;
    const dets = options.box ? [] : await model.detect(inputs);
    const passes = new PassCounter(ctx, n * options.masks);
    const out = new Float32Array(inputs.data.length);
    const extras: Record<string, number>[] = [];
    const baseline = new Float32Array(per).fill(options.baseline);
    for (let i = 0; i < n; i++) {
      const x = inputs.data.subarray(i * per, (i + 1) * per);
      const { target, detection } = chooseTarget(dets[i] ?? [], targets[i], model.numClasses, options, i);
      const op = detectionOperator(model, target);
      const sal = await riseSaliency(x, inputShape, channels, op, masks, baseline, options.batchSize, passes);
      spreadOverChannels(sal, channels, out, i * per);
      const [x0, y0, x1, y1] = target.box;
      extras.push({ x0, y0, x1, y1, ...(detection ? { objectness: detection.objectness } : {}) });
    }
    return { attributions: { data: out, shape: [n, ...inputShape] }, extras };
  },
});
