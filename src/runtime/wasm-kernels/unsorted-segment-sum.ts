/**
 * UnsortedSegmentSum on wasm (the gradient of tf.gather, e.g. for Embedding layers), as the
 * backend's ScatterNd, which sums rows that share an index. Ids outside [0, numSegments) are
 * dropped, as in TensorFlow: they are sent to a spare last row that is sliced off, so ScatterNd
 * never sees an out-of-range index.
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { tf } from '../core.js';
import { inKernelScope } from './kernel-scope.js';

export const unsortedSegmentSumConfig: tf.KernelConfig = {
  kernelName: tf.UnsortedSegmentSum,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { x, segmentIds } = inputs as tf.UnsortedSegmentSumInputs;
    const { numSegments } = attrs as unknown as tf.UnsortedSegmentSumAttrs;
    const wasm = backend as BackendWasm;
    const ids = wasm.readSync(segmentIds!.dataId) as Int32Array;
    const rest = x!.shape.slice(segmentIds!.shape.length);
    const rows = ids.length;
    return inKernelScope(wasm, (k) => {
      const safe = new Int32Array(rows);
      let dropped = false;
      for (let i = 0; i < rows; i++) {
        const id = ids[i];
        const ok = id >= 0 && id < numSegments;
        safe[i] = ok ? id : numSegments;
        dropped ||= !ok;
      }
      const outRows = numSegments + (dropped ? 1 : 0);
      const indices = k.make([rows, 1], 'int32', safe);
      const updates = k.reshape(x!, [rows, ...rest]);
      const out = k.run('ScatterNd', { indices, updates }, { shape: [outRows, ...rest] });
      return dropped ? k.slice(out, Array(rest.length + 1).fill(0), [numSegments, ...rest]) : out;
    });
  },
};
