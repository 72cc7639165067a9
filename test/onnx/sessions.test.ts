/** Sessions are cached per graph variant, bounded, and repeated explains do not grow memory. */
import { describe, expect, it } from 'vitest';
import { OnnxModel } from '../../src/models/onnx-model.js';
import type { BackwardRule, ScoreKind } from '../../src/models/model.js';
import { seeded } from '../helpers/models.js';
import { tinyCnn } from './models.js';

const x = { data: Float32Array.from(seeded(2 * 192, 3, 0.5), (v) => v + 0.5), shape: [2, 8, 8, 3] };

describe('session cache', () => {
  it('reuses one session for every target, and stays within its bound when variants churn', async () => {
    const m = await OnnxModel.fromBytes(tinyCnn(), { maxSessions: 3, threads: 1 });
    for (let t = 0; t < 5; t++) await m.gradients({ input: x, targets: [t, 4 - t] });
    expect(m.sessionBuilds).toBe(1);
    const layers = ['conv1', 'relu1', 'pool1', 'conv2', 'relu2'];
    const rules: BackwardRule[] = ['standard', 'guided', 'deconvnet'];
    const scores: ScoreKind[] = ['logit', 'probability'];
    const first = await m.gradients({ input: x, targets: [1, 2], layer: 'pool1', rule: 'guided' });
    for (let i = 0; i < 40; i++) {
      await m.gradients({ input: x, targets: [i % 5, (i + 2) % 5], layer: layers[i % 5], rule: rules[i % 3], score: scores[i % 2] });
      expect(m.cachedSessions).toBeLessThanOrEqual(3);
    }
    // Results do not depend on what the cache held before.
    const again = await m.gradients({ input: x, targets: [1, 2], layer: 'pool1', rule: 'guided' });
    expect(Array.from(again.layerGradient!.data)).toEqual(Array.from(first.layerGradient!.data));
    expect(Array.from(again.inputGradient!.data)).toEqual(Array.from(first.inputGradient!.data));
    m.dispose();
  });

  it('serves concurrent requests for the same variant with one session', async () => {
    const m = await OnnxModel.fromBytes(tinyCnn(), { threads: 1 });
    const results = await Promise.all([0, 1, 2, 3].map((t) => m.gradients({ input: x, targets: [t, t], layer: 'relu2' })));
    expect(m.sessionBuilds).toBe(1);
    const alone = await m.gradients({ input: x, targets: [3, 3], layer: 'relu2' });
    expect(Array.from(results[3].layerGradient!.data)).toEqual(Array.from(alone.layerGradient!.data));
    m.dispose();
  });

  it('does not grow over 200 repeated explains (cache size fixed, RSS flat)', async () => {
    const m = await OnnxModel.fromBytes(tinyCnn(), { maxSessions: 5, threads: 1 }); // 4 gradient variants + predict
    const call = (i: number) =>
      m.gradients({ input: x, targets: [i % 5, (i + 1) % 5], layer: i % 2 ? 'relu1' : 'pool1', rule: i % 3 === 0 ? 'guided' : 'standard' });
    for (let i = 0; i < 20; i++) await call(i);
    await m.predict(x);
    const builds = m.sessionBuilds;
    const before = process.memoryUsage().rss;
    for (let i = 0; i < 200; i++) {
      await call(i);
      await m.predict(x);
    }
    const grown = (process.memoryUsage().rss - before) / 2 ** 20;
    expect(m.sessionBuilds).toBe(builds);
    expect(m.cachedSessions).toBe(5);
    expect(grown, `RSS grew ${grown.toFixed(1)} MB`).toBeLessThan(40);
    console.log(`200 repeated explains: ${m.sessionBuilds} sessions built in all, RSS grew ${grown.toFixed(1)} MB`);
    m.dispose();
  });
});
