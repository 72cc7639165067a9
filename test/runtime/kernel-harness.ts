/** Runs one kernel on the wasm backend (through the engine) and on the cpu backend, for comparison. */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { tf } from '../../src/runtime/tf.js';
import { cachedFilterCount } from '../../src/runtime/wasm-kernels/filter-cache.js';
import type { Geometry } from './conv-reference.js';

export type Inputs = Record<string, tf.Tensor>;

/** wasm buffers alive, not counting rearranged filters deliberately kept (filter-cache.ts). */
export function liveBuffers(): number {
  const backend = tf.backend() as BackendWasm;
  return backend.numDataIds() - cachedFilterCount(backend);
}

/** Output values of `kernel` on the active (wasm) backend; also returns wasm buffers it leaked. */
export function runWasm(
  kernel: string,
  inputs: Inputs,
  attrs: object,
): { values: Float32Array; shape: number[]; leaked: number } {
  const before = liveBuffers();
  const out = tf.engine().runKernel(kernel, inputs, attrs as tf.NamedAttrMap) as tf.Tensor;
  const values = out.dataSync() as Float32Array;
  const shape = out.shape;
  out.dispose();
  return { values, shape, leaked: liveBuffers() - before };
}

/** Output values of the cpu backend's own kernel on copies of the same inputs. */
export function runCpu(kernel: string, inputs: Inputs, attrs: object): Float32Array {
  const cpu = tf.findBackend('cpu') as tf.KernelBackend & {
    makeTensorInfo(
      shape: number[],
      dtype: tf.DataType,
      values: tf.backend_util.BackendValues,
    ): tf.TensorInfo;
  };
  const infos: tf.NamedTensorInfoMap = {};
  for (const [name, t] of Object.entries(inputs))
    infos[name] = cpu.makeTensorInfo(t.shape, t.dtype, t.dataSync());
  const config = tf.getKernel(kernel, 'cpu');
  if (!config) throw new Error(`cpu has no ${kernel}`);
  const out = config.kernelFunc({
    inputs: infos,
    backend: cpu,
    attrs: attrs as tf.NamedAttrMap,
  }) as tf.TensorInfo;
  const values = Float32Array.from(cpu.readSync(out.dataId) as Float32Array);
  for (const info of [...Object.values(infos), out]) cpu.disposeData(info!.dataId);
  return values;
}

/** max |a - b| / max |b|: the relative error of a against reference b. */
export function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return diff / (scale || 1);
}

export function geometryOf(
  xShape: number[],
  filterShape: number[],
  strides: number | [number, number],
  dilations: number | [number, number],
  pad: tf.Conv2DBackpropFilterAttrs['pad'],
  dimRoundingMode?: 'floor' | 'round' | 'ceil',
): Geometry & { outShape: number[] } {
  const info = tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    strides,
    dilations,
    pad,
    dimRoundingMode,
    false,
  );
  return {
    n: info.batchSize,
    h: info.inHeight,
    w: info.inWidth,
    oh: info.outHeight,
    ow: info.outWidth,
    kh: info.filterHeight,
    kw: info.filterWidth,
    sh: info.strideHeight,
    sw: info.strideWidth,
    dh: info.dilationHeight,
    dw: info.dilationWidth,
    top: info.padInfo.top,
    left: info.padInfo.left,
    outShape: [info.batchSize, info.outHeight, info.outWidth],
  };
}

export function randn(shape: number[], seed: number): tf.Tensor {
  return tf.randomNormal(shape, 0, 1, 'float32', seed);
}
