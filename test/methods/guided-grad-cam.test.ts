/** Guided Grad-CAM = guided backprop ⊙ the min-max normalised, upsampled Grad-CAM map. */
import { beforeAll, describe, expect, it } from 'vitest';
import { initTf } from '../../src/runtime/tf.js';
import '../../src/methods/index.js';
import { explain } from '../../src/methods/explain.js';
import { smallCnn } from '../helpers/models.js';
import { conv2dSame, gapNet, input, maxAbs, maxAbsDiff, weightsOf, wrap } from './fixtures.js';

beforeAll(async () => {
  await initTf();
});

describe('guided Grad-CAM', () => {
  it('is the guided gradient times the hand-computed Grad-CAM map scaled to [0, 1]', async () => {
    const m = gapNet();
    const model = wrap(m);
    const x = input([1, 6, 6, 2], 51);
    const [kernel, bias] = weightsOf(m, 'conv');
    const a = conv2dSame(x.data, 6, 6, 2, kernel, 3, 4, bias).map((v) => Math.max(0, v));
    const [wd] = weightsOf(m, 'logits');
    const cam = Array.from({ length: 36 }, (_, p) =>
      Math.max(
        0,
        [0, 1, 2, 3].reduce((s, k) => s + (wd[k * 3 + 1] / 36) * a[p * 4 + k], 0),
      ),
    );
    const lo = Math.min(...cam);
    const hi = Math.max(...cam);
    const mask = cam.map((v) => (v - lo) / (hi - lo + 1e-7));
    const [gb] = await explain(model, x, 'guided-backprop', { targets: [1] });
    const expected = Array.from(gb.attribution.data, (g, j) => g * mask[Math.floor(j / 2)]);
    const [e] = await explain(model, x, 'guided-grad-cam', {
      targets: [1],
      options: { layer: 'conv' },
    });
    expect(maxAbs(expected)).toBeGreaterThan(1e-4);
    expect(maxAbsDiff(e.attribution.data, expected)).toBeLessThan(1e-5 * (1 + maxAbs(expected)));
    expect(e.attribution.shape).toEqual([6, 6, 2]);
  });

  it('upsamples a coarser layer map before masking (smallCnn conv2: 6×6 → 8×8)', async () => {
    const model = wrap(smallCnn('relu'));
    const x = input([1, 8, 8, 2], 52);
    const [e] = await explain(model, x, 'guided-grad-cam', {
      targets: [3],
      options: { layer: 'conv2' },
    });
    const [gc] = await explain(model, x, 'grad-cam', { targets: [3], options: { layer: 'conv2' } });
    const [gb] = await explain(model, x, 'guided-backprop', { targets: [3] });
    const h = gc.heatmap.data;
    const lo = Math.min(...h);
    const hi = Math.max(...h);
    const expected = Array.from(
      gb.attribution.data,
      (g, j) => (g * (h[Math.floor(j / 2)] - lo)) / (hi - lo + 1e-7),
    );
    expect(maxAbsDiff(e.attribution.data, expected)).toBeLessThan(1e-5 * (1 + maxAbs(expected)));
  });
});
