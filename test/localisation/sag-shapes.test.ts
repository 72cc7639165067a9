/**
 * Structured Attention Graphs on the synthetic shapes set (issue 7): every root lies on the
 * deciding object for correctly classified images. Protocol and numbers: docs/localisation.md.
 *
 * A root is one minimal sufficient explanation (Shitole et al. 2021): a set of patches that,
 * revealed alone, keeps ≥ 90% of the full-image probability, and from which no patch can be
 * removed. Read as an attention map, it lies on the object when it shows the object and nothing
 * but the object is needed: its patches, as drawn on the grid, overlap the object mask, and every
 * one of them reveals part of the object — the pixels it uncovers (its mask after SAG's own
 * upsampling, align-corners bilinear as in the reference code, is above zero there) include an
 * object pixel. A necessary patch that uncovers only background would mean the model needed
 * background for that explanation.
 *
 * The reference code starts from a "low probability" image (a baseline the classifier does not
 * recognise as the class); Glassbox lets the caller choose black, blur or mean. Here each image
 * gets the one of the three that the model gives the lowest target probability, as the
 * reference intends. With four classes even that can keep much of the target's probability; once
 * the fully masked image is itself "confident" by SAG's own standard (childThreshold: ≥ 40% of
 * the full-image probability), a few arbitrary patches may cross the bar and the roots say
 * nothing about the object. Such images are counted and printed, and the test checks that every
 * root off the object comes from one of them, and that they stay rare.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { softmaxRows, type NdArray } from '../../src/core/ndarray.js';
import { gaussianBlur } from '../../src/methods/blur.js';
import {
  PatchGrid,
  structuredAttentionGraph,
  SAG_BASELINES,
  type SagResult,
} from '../../src/sag/index.js';
import { shapesFixture, type ShapesFixture } from '../fixtures/shapes-model.js';

const IMAGES = 40;
const GRID = 4;

interface ImageResult {
  index: number;
  baseline: string;
  result: SagResult;
  /** Patch ids whose grid cell contains an object pixel. */
  onBox: Set<number>;
  /** Patch ids whose uncovered pixels (upsampled mask > 0) include an object pixel. */
  onRevealed: Set<number>;
  /** The fully masked image is already confident: SAG's premise does not hold. */
  illPosed: boolean;
}

let fixture: ShapesFixture;
const results: ImageResult[] = [];
let seconds = 0;

/** SAG's baselines for one image (as src/sag/sag.ts builds them, blur with its default σ). */
function baselines(image: NdArray): Record<(typeof SAG_BASELINES)[number], Float32Array> {
  const [, h, w] = image.shape;
  const n = image.data.length;
  const mean = image.data.reduce((s, v) => s + v, 0) / n; // one channel
  return {
    black: new Float32Array(n),
    blur: gaussianBlur(image, Math.max(1, Math.max(h, w) / 10)).data,
    mean: new Float32Array(n).fill(mean),
  };
}

/** The baseline the model gives the lowest probability of `target` (the reference's "low probability" image). */
async function lowestBaseline(
  image: NdArray,
  target: number,
): Promise<(typeof SAG_BASELINES)[number]> {
  const candidates = baselines(image);
  const names = SAG_BASELINES.filter((b) => b in candidates);
  const n = image.data.length;
  const batch = new Float32Array(names.length * n);
  names.forEach((b, j) => batch.set(candidates[b], j * n));
  const probs = softmaxRows(
    await fixture.model.predict({ data: batch, shape: [names.length, ...image.shape.slice(1)] }),
  );
  const k = fixture.model.numClasses;
  let best = 0;
  for (let j = 1; j < names.length; j++)
    if (probs.data[j * k + target] < probs.data[best * k + target]) best = j;
  return names[best];
}

beforeAll(async () => {
  fixture = await shapesFixture();
  const [h, w] = fixture.dataset.inputShape;
  const grid = new PatchGrid(h, w, GRID, GRID);
  const started = performance.now();
  for (const index of fixture.correctlyClassified(IMAGES)) {
    const mask = fixture.testMask(index);
    const onBox = new Set<number>();
    const onRevealed = new Set<number>();
    for (let p = 0; p < grid.count; p++) {
      const [top, left, bottom, right] = grid.box(p);
      for (let y = top; y < bottom; y++)
        for (let x = left; x < right; x++) if (mask[y * w + x]) onBox.add(p);
      const revealed = grid.mask([p]);
      for (let q = 0; q < revealed.length; q++) if (revealed[q] > 0 && mask[q]) onRevealed.add(p);
    }
    const image = fixture.testImage(index);
    const baseline = await lowestBaseline(image, fixture.dataset.test.y[index]);
    const result = await structuredAttentionGraph(fixture.model, image, {
      grid: GRID,
      baseline,
      seed: 0,
    });
    const illPosed =
      result.emptyProbability >= result.settings.childThreshold * result.fullProbability;
    results.push({ index, baseline, result, onBox, onRevealed, illPosed });
  }
  seconds = (performance.now() - started) / 1000;
}, 600_000);

const onObject = (r: ImageResult, patches: number[]) =>
  patches.every((p) => r.onRevealed.has(p)) && patches.some((p) => r.onBox.has(p));

describe(`SAG roots on correctly classified shapes test images (${GRID}×${GRID} grid)`, () => {
  it('every root lies on the deciding object wherever hiding every patch removes the evidence', () => {
    const roots = results.flatMap((r) => r.result.roots.map((root) => ({ r, root })));
    const off = roots.filter(({ r, root }) => !onObject(r, root.patches));
    const illPosed = results.filter((r) => r.illPosed);
    const everyPatchInBox = roots.filter(({ r, root }) =>
      root.patches.every((p) => r.onBox.has(p)),
    ).length;
    const candidates = results.flatMap((r) =>
      r.result.candidates.map((c) => onObject(r, c.patches)),
    );
    const share = (pick: (r: ImageResult) => Set<number>) =>
      (
        (100 * results.reduce((s, r) => s + pick(r).size, 0)) /
        (results.length * GRID * GRID)
      ).toFixed(0);
    const baselineCounts = SAG_BASELINES.map(
      (b) => `${b} ${results.filter((r) => r.baseline === b).length}`,
    ).join(', ');
    const explainRoot = ({ r, root }: (typeof roots)[number]) =>
      `image ${r.index}: P${root.patches.join(' & P')} (object patches ${[...r.onBox].join(',')}; ${r.baseline}-masked image at ` +
      `${(r.result.emptyProbability / r.result.fullProbability).toFixed(2)} of the full probability)`;
    console.log(
      `SAG on shapes: ${results.length} images (baselines: ${baselineCounts}), ${seconds.toFixed(1)} s; ${roots.length} roots, ${roots.length - off.length} on the object; ` +
        `every patch inside the object's cells: ${everyPatchInBox}/${roots.length} ` +
        `(of all patches, ${share((r) => r.onBox)}% overlap the object by cell, ${share((r) => r.onRevealed)}% uncover object pixels); ` +
        `all candidate roots on the object: ${candidates.filter(Boolean).length}/${candidates.length}; ` +
        `ill-posed images (masked image ≥ ${results[0].result.settings.childThreshold} of full): ${illPosed.map((r) => r.index).join(', ') || 'none'}` +
        (off.length ? `\n  off the object: ${off.map(explainRoot).join('\n  ')}` : ''),
    );
    expect(results).toHaveLength(IMAGES);
    // Every failure is on an image where SAG's premise does not hold, and those are rare.
    expect(off.filter(({ r }) => !r.illPosed).map(explainRoot)).toEqual([]);
    expect(illPosed.length).toBeLessThanOrEqual(IMAGES / 10);
    // A well-posed image always has roots: the full image itself reaches the bar.
    expect(
      results.filter((r) => !r.illPosed && r.result.roots.length === 0).map((r) => r.index),
    ).toEqual([]);
  });
});
