/** Glassbox's wasm BatchMatMul transposes operands explicitly; it must equal the cpu backend. */
import { beforeAll, describe, expect, it } from 'vitest';
import { initTf, tf } from '../../src/runtime/tf.js';
import { seeded } from '../helpers/models.js';

beforeAll(async () => {
  await initTf('wasm');
});

async function matMulOn(backend: string, aShape: number[], bShape: number[], ta: boolean, tb: boolean): Promise<{ data: Float32Array; shape: number[] }> {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    const a = tf.tensor(seeded(aShape.reduce((x, y) => x * y, 1), 3), aShape);
    const b = tf.tensor(seeded(bShape.reduce((x, y) => x * y, 1), 4), bShape);
    const y = tf.matMul(a, b, ta, tb);
    return { data: y.dataSync() as Float32Array, shape: y.shape };
  });
}

describe('wasm BatchMatMul with transposed operands', () => {
  const cases: [number[], number[], boolean, boolean][] = [
    [[7, 5], [7, 3], true, false], // dense dW = xᵀ·dy
    [[6, 3], [5, 3], false, true], // dense dx = dy·Wᵀ
    [[4, 6], [5, 4], true, true],
    [[2, 4, 3], [2, 4, 5], true, false],
    [[1, 3, 4], [2, 5, 4], false, true], // broadcast batch
    [[3, 4], [3, 2, 4], false, true],
    [[5, 3], [3, 4], false, false], // plain path untouched
  ];
  for (const [aShape, bShape, ta, tb] of cases) {
    it(`equals cpu for [${aShape}]${ta ? 'ᵀ' : ''} · [${bShape}]${tb ? 'ᵀ' : ''}`, async () => {
      const cpu = await matMulOn('cpu', aShape, bShape, ta, tb);
      const before = tf.memory().numBytes;
      const wasm = await matMulOn('wasm', aShape, bShape, ta, tb);
      expect(tf.getBackend()).toBe('wasm');
      expect(wasm.shape).toEqual(cpu.shape);
      let maxDiff = 0;
      for (let i = 0; i < cpu.data.length; i++) maxDiff = Math.max(maxDiff, Math.abs(cpu.data[i] - wasm.data[i]));
      expect(maxDiff).toBeLessThan(1e-5);
      expect(tf.memory().numBytes).toBe(before);
    });
  }

  it('frees its transposed copies: the wasm heap does not grow over repeated calls', async () => {
    await tf.setBackend('wasm');
    const a = tf.tensor(seeded(64 * 300, 1), [64, 300]);
    const b = tf.tensor(seeded(64 * 50, 2), [64, 50]);
    const run = () => tf.tidy(() => tf.matMul(a, b, true, false).dataSync());
    for (let i = 0; i < 5; i++) run();
    const backend = tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } };
    const heap = backend.wasm.HEAPU8.length;
    const tensors = tf.memory().numTensors;
    const buffers = tf.backend().numDataIds();
    for (let i = 0; i < 200; i++) run();
    expect(tf.memory().numTensors).toBe(tensors);
    // Kernel intermediates are not engine tensors; a leaked one would stay in the backend's data map.
    expect(tf.backend().numDataIds()).toBe(buffers);
    expect(backend.wasm.HEAPU8.length).toBe(heap);
    a.dispose();
    b.dispose();
  });
});
