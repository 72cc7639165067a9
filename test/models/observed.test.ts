/** observedModel: every call reaches the model itself, observers see inputs and results, extras stay. */
import { describe, expect, it } from 'vitest';
import type { NdArray } from '../../src/core/ndarray.js';
import type { GradientRequest, Model } from '../../src/models/model.js';
import { observedModel } from '../../src/models/observed.js';

class Doubling implements Model {
  readonly name = 'doubling';
  readonly kind = 'table' as const;
  readonly inputShape = [2];
  readonly numClasses = 2;
  readonly outputKind = 'logits' as const;
  readonly whiteBox = true;
  readonly detector = true;
  calls = 0;
  disposed = false;
  layers() {
    return [];
  }
  async predict(x: NdArray) {
    this.calls++;
    return { data: x.data.map((v) => 2 * v), shape: x.shape };
  }
  async activations(_x: NdArray, _layers: string[]) {
    this.calls++;
    return new Map<string, NdArray>();
  }
  async gradients(r: GradientRequest) {
    this.calls++;
    return { scores: Float32Array.from(r.targets, (t, i) => 2 * r.input.data[i * 2 + t]) };
  }
  detect() {
    return this.calls;
  }
  dispose() {
    this.disposed = true;
  }
}

describe('observedModel', () => {
  it('forwards to the model with its own this, reports each call, keeps extra members, does not dispose', async () => {
    const model = new Doubling();
    const seen: string[] = [];
    const w = observedModel(model, {
      predict: (x, out) => seen.push(`predict ${x.data[0]}→${out.data[0]}`),
      gradients: (r, out) => seen.push(`gradients ${r.targets[0]}→${out.scores[0]}`),
      activations: () => seen.push('activations'),
    });
    const x = { data: Float32Array.of(1, 3), shape: [1, 2] };
    expect((await w.predict(x)).data).toEqual(Float32Array.of(2, 6));
    expect((await w.gradients({ input: x, targets: [1] })).scores).toEqual(Float32Array.of(6));
    await w.activations(x, []);
    expect(seen).toEqual(['predict 1→2', 'gradients 1→6', 'activations']);
    expect(model.calls).toBe(3);
    expect(w.detector).toBe(true);
    expect(w.detect()).toBe(3); // bound to the model: its own counter
    expect(w.name).toBe('doubling');
    w.dispose();
    expect(model.disposed).toBe(false);
  });
});
