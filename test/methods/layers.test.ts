/** Feature maps, the channel-gradient model extension and filter visualisation. */
import { beforeAll, describe, expect, it } from 'vitest';
import { initTf, tf } from '../../src/runtime/tf.js';
import '../../src/methods/index.js';
import { explain } from '../../src/methods/explain.js';
import { featureMapGrid, featureMaps } from '../../src/methods/layers/feature-maps.js';
import { visualizeFilters } from '../../src/methods/layers/filters.js';
import { tileGrid } from '../../src/methods/layers/tile.js';
import type { Model } from '../../src/models/model.js';
import {
  conv2dSame,
  gapNet,
  input,
  maxAbs,
  maxAbsDiff,
  signalNet,
  tableNet,
  weightsOf,
  wrap,
} from './fixtures.js';

beforeAll(async () => {
  await initTf();
});

describe('feature maps', () => {
  it('are the layer activations channel by channel, with their channel sum, tiled as a grid', async () => {
    const m = gapNet();
    const model = wrap(m);
    const x = input([2, 6, 6, 2], 91);
    const f = await featureMaps(model, x, 'conv');
    expect(f.maps.shape).toEqual([2, 4, 6, 6]);
    expect(f.sum.shape).toEqual([2, 6, 6]);
    const [kernel, bias] = weightsOf(m, 'conv');
    for (let i = 0; i < 2; i++) {
      const a = conv2dSame(x.data.subarray(i * 72, (i + 1) * 72), 6, 6, 2, kernel, 3, 4, bias).map(
        (v) => Math.max(0, v),
      );
      const channelFirst = [0, 1, 2, 3].flatMap((k) =>
        Array.from({ length: 36 }, (_, p) => a[p * 4 + k]),
      );
      expect(maxAbsDiff(f.maps.data.subarray(i * 144, (i + 1) * 144), channelFirst)).toBeLessThan(
        1e-5,
      );
      const sum = Array.from(
        { length: 36 },
        (_, p) => a[p * 4] + a[p * 4 + 1] + a[p * 4 + 2] + a[p * 4 + 3],
      );
      expect(maxAbsDiff(f.sum.data.subarray(i * 36, (i + 1) * 36), sum)).toBeLessThan(1e-5);
      // The registered method: the channel sum on the input grid, repeated over input channels.
      const [e] = await explain(
        model,
        { data: x.data.subarray(i * 72, (i + 1) * 72), shape: [1, 6, 6, 2] },
        'feature-maps',
        { options: { layer: 'conv' } },
      );
      expect(maxAbsDiff(e.heatmap.data, sum)).toBeLessThan(1e-5);
    }
    const grid = featureMapGrid(f, 1);
    expect(grid.shape).toEqual([13, 13]);
    const ch1 = f.maps.data.subarray(144 + 36, 144 + 72);
    const lo = Math.min(...ch1);
    const hi = Math.max(...ch1);
    expect(grid.data[0 * 13 + 7]).toBeCloseTo((ch1[0] - lo) / (hi - lo), 6); // tile 1 starts after 6 + gap
    expect(grid.data[6 * 13 + 3]).toBe(1); // the gap row
  });

  it('tiles signals as strips and colour images with their channels', () => {
    const strips = tileGrid({ data: Float32Array.from([0, 1, 2, 5, 5, 5]), shape: [2, 3] });
    expect(strips.shape).toEqual([3, 3]);
    expect(Array.from(strips.data)).toEqual([0, 0.5, 1, 1, 1, 1, 0, 0, 0]);
    const rgb = tileGrid(
      { data: Float32Array.from({ length: 3 * 2 * 2 * 3 }, (_, i) => i), shape: [3, 2, 2, 3] },
      { columns: 3, gap: 0, normalise: 'none' },
    );
    expect(rgb.shape).toEqual([2, 6, 3]);
    expect(Array.from(rgb.data.subarray(6 * 3 - 3, 6 * 3))).toEqual([27, 28, 29]); // tile 2 starts at 24; its pixel (0, 1)
  });
});

describe('channel gradients', () => {
  it('are the finite-difference gradient of the mean channel activation', async () => {
    const model = wrap(gapNet({ activation: 'tanh', scale: 1.5 }));
    const x = input([2, 6, 6, 2], 92);
    const r = await model.channelGradient({ input: x, layer: 'conv', channels: [2, 0] });
    const meanChannel = async (data: Float32Array, i: number, c: number) => {
      const a = (await model.activations({ data, shape: [1, 6, 6, 2] }, ['conv'])).get('conv')!;
      let s = 0;
      for (let p = 0; p < 36; p++) s += a.data[p * 4 + c];
      return s / 36;
    };
    for (const [i, c] of [
      [0, 2],
      [1, 0],
    ]) {
      const xi = x.data.slice(i * 72, (i + 1) * 72);
      expect(r.values[i]).toBeCloseTo(await meanChannel(xi, i, c), 5);
      for (const j of [0, 13, 40, 71]) {
        const up = xi.slice();
        const down = xi.slice();
        up[j] += 1e-2;
        down[j] -= 1e-2;
        const fd = ((await meanChannel(up, i, c)) - (await meanChannel(down, i, c))) / 2e-2;
        expect(Math.abs(r.inputGradient.data[i * 72 + j] - fd)).toBeLessThan(
          1e-3 * (1 + Math.abs(fd)),
        );
      }
    }
    await expect(
      model.channelGradient({ input: x, layer: 'conv', channels: [4, 0] }),
    ).rejects.toThrow(/channel 4 is out of range/);
  });

  it('leave no tensors behind over 100 calls, nor do feature maps', async () => {
    const model = wrap(gapNet());
    const x = input([1, 6, 6, 2], 93);
    await model.channelGradient({ input: x, layer: 'conv', channels: [1] });
    const before = tf.memory().numTensors;
    for (let i = 0; i < 100; i++) {
      await model.channelGradient({ input: x, layer: 'conv', channels: [i % 4] });
      await featureMaps(model, x, 'conv');
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('filter visualisation', () => {
  it("raises each channel's mean activation from noise, stays in range, and is bit-identical for a seed", async () => {
    const model = wrap(gapNet({ activation: 'tanh', shape: [8, 8, 3] }));
    const options = { layer: 'conv', steps: 24, range: [0, 1] as [number, number], seed: 3 };
    const a = await visualizeFilters(model, options);
    expect(a.channels).toEqual([0, 1, 2, 3]);
    expect(a.images.shape).toEqual([4, 8, 8, 3]);
    expect(a.grid.shape).toEqual([17, 17, 3]);
    for (let k = 0; k < 4; k++) expect(a.final[k] - a.initial[k]).toBeGreaterThan(0.1);
    expect(Math.min(...a.images.data)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...a.images.data)).toBeLessThanOrEqual(1);
    const b = await visualizeFilters(model, options);
    expect(Array.from(b.images.data)).toEqual(Array.from(a.images.data));
    const c = await visualizeFilters(model, { ...options, seed: 4 });
    expect(maxAbsDiff(c.images.data, a.images.data)).toBeGreaterThan(1e-3);
    // No jitter, blur or decay: plain gradient ascent still climbs, and the regularisers change the result.
    const plain = await visualizeFilters(model, {
      ...options,
      channels: [1],
      jitter: 0,
      blurEvery: 0,
      l2: 0,
    });
    expect(plain.final[0]).toBeGreaterThan(plain.initial[0]);
    expect(maxAbsDiff(plain.images.data, a.images.data.subarray(192, 384))).toBeGreaterThan(1e-3);
  });

  it('works on signals and tables, and fails clearly on a model without channel gradients', async () => {
    const s = await visualizeFilters(wrap(signalNet()), {
      layer: 'conv2',
      steps: 10,
      channels: [0, 2],
    });
    expect(s.images.shape).toEqual([2, 16, 2]);
    for (let k = 0; k < 2; k++) expect(s.final[k]).toBeGreaterThan(s.initial[k]);
    const t = await visualizeFilters(wrap(tableNet()), { layer: 'h2', steps: 10, range: [-1, 1] });
    expect(t.images.shape).toEqual([5, 6]);
    for (let k = 0; k < 5; k++) expect(t.final[k]).toBeGreaterThan(t.initial[k]);

    const inner = wrap(gapNet());
    const blind: Model = {
      name: 'blind',
      kind: inner.kind,
      inputShape: inner.inputShape,
      numClasses: inner.numClasses,
      outputKind: inner.outputKind,
      whiteBox: true,
      layers: () => inner.layers(),
      predict: (x) => inner.predict(x),
      activations: (x, l) => inner.activations(x, l),
      gradients: (r) => inner.gradients(r),
      dispose: () => inner.dispose(),
    };
    await expect(visualizeFilters(blind, { layer: 'conv' })).rejects.toThrow(
      /filter visualisation needs the gradient of a channel.*blind/,
    );
    await expect(visualizeFilters(inner, { layer: 'conv', channels: [9] })).rejects.toThrow(
      /channel 9 is out of range/,
    );
    expect(maxAbs(t.images.data)).toBeLessThanOrEqual(1);
  });
});
