/**
 * Runs the wasm backend's own registered kernels from inside a Glassbox kernel and frees every
 * intermediate. Kernel functions get raw TensorInfos, not engine-tracked Tensors, so nothing else
 * would ever free them: a forgotten intermediate leaks wasm heap without showing in tf.memory().
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { tf } from '../core.js';

type Info = tf.TensorInfo;

export class KernelScope {
  private readonly owned: Info[] = [];

  constructor(readonly backend: BackendWasm) {}

  /** Runs kernel `name` of the wasm backend; its output is freed when the scope ends. */
  run(name: string, inputs: tf.NamedTensorInfoMap | Info[], attrs: object = {}): Info {
    const kernel = tf.getKernel(name, 'wasm');
    if (kernel == null) throw new Error(`wasm kernel ${name} is not registered`);
    const out = kernel.kernelFunc({
      inputs: inputs as tf.NamedTensorInfoMap,
      backend: this.backend,
      attrs: attrs as tf.NamedAttrMap,
    }) as Info;
    this.owned.push(out);
    return out;
  }

  /** A new tensor, from JS values (indices and the like, never bulk data) or uninitialised. */
  make(shape: number[], dtype: 'float32' | 'int32', values?: Float32Array | Int32Array): Info {
    const out = this.backend.makeOutput(shape, dtype, undefined, values);
    this.owned.push(out);
    return out;
  }

  reshape(x: Info, shape: number[]): Info {
    return this.run('Reshape', { x }, { shape });
  }

  transpose(x: Info, perm: number[]): Info {
    return this.run('Transpose', { x }, { perm });
  }

  pad(x: Info, paddings: [number, number][]): Info {
    return this.run('PadV2', { x }, { paddings, constantValue: 0 });
  }

  slice(x: Info, begin: number[], size: number[]): Info {
    return this.run('Slice', { x }, { begin, size });
  }

  stridedSlice(x: Info, begin: number[], end: number[], strides: number[]): Info {
    return this.run(
      'StridedSlice',
      { x },
      {
        begin,
        end,
        strides,
        beginMask: 0,
        endMask: 0,
        ellipsisMask: 0,
        newAxisMask: 0,
        shrinkAxisMask: 0,
      },
    );
  }

  concat(xs: Info[], axis: number): Info {
    return xs.length === 1 ? this.reshape(xs[0], xs[0].shape) : this.run('Concat', xs, { axis });
  }

  matMul(a: Info, b: Info, transposeA = false, transposeB = false): Info {
    return this.run('BatchMatMul', { a, b }, { transposeA, transposeB });
  }

  mul(a: Info, b: Info): Info {
    return this.run('Multiply', { a, b });
  }

  add(a: Info, b: Info): Info {
    return this.run('Add', { a, b });
  }

  sum(x: Info, axis: number[]): Info {
    return this.run('Sum', { x }, { axis, keepDims: false });
  }

  /** Stops tracking `x` so it survives the scope (it becomes the caller's to free). */
  release(x: Info): Info {
    const i = this.owned.indexOf(x);
    if (i >= 0) this.owned.splice(i, 1);
    return x;
  }

  dispose(): void {
    for (const x of this.owned.splice(0)) this.backend.disposeData(x.dataId);
  }
}

/** Runs `body` in a fresh scope; everything but the returned tensor is freed, also on error. */
export function inKernelScope(backend: BackendWasm, body: (s: KernelScope) => Info): Info {
  const scope = new KernelScope(backend);
  try {
    return scope.release(body(scope));
  } finally {
    scope.dispose();
  }
}

/** A zero-filled float32 tensor, by the backend's Fill kernel. */
export function zeros(backend: BackendWasm, shape: number[]): Info {
  return inKernelScope(backend, (k) => k.run('Fill', {}, { shape, value: 0, dtype: 'float32' }));
}
