/**
 * Rearranged filters, kept per source filter tensor.
 *
 * A transposed convolution on XNNPACK needs the filter flipped and its channels swapped. Building
 * that per call costs more than the convolution itself for wide layers at batch 1 (a 3×3×512×512
 * filter: ~20 ms to rearrange plus ~70 ms for XNNPACK to repack it, vs ~20 ms of arithmetic), and
 * saliency methods call the same weights hundreds of times. A tensor's data never changes (a
 * variable's update gets a new dataId), so the result can be kept for as long as the source
 * tensor lives; XNNPACK then also keeps its packed copy, which it caches per filter tensor.
 * Entries whose source was freed are dropped on the next call, and the total is capped.
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { tf } from '../core.js';

/** Upper bound on cached bytes per backend; least recently used entries go first. */
export const FILTER_CACHE_BYTES = 256 * 2 ** 20;

interface Entry {
  value: tf.TensorInfo;
  bytes: number;
}

const caches = new WeakMap<BackendWasm, Map<object, Map<string, Entry>>>();

function cacheOf(backend: BackendWasm): Map<object, Map<string, Entry>> {
  let cache = caches.get(backend);
  if (cache == null) caches.set(backend, (cache = new Map()));
  return cache;
}

/** `make(source)`, or the value it gave before for the same source tensor and `kind`. */
export function derivedFilter(
  backend: BackendWasm,
  source: tf.TensorInfo,
  kind: string,
  make: () => tf.TensorInfo,
): tf.TensorInfo {
  const cache = cacheOf(backend);
  let forSource = cache.get(source.dataId);
  const hit = forSource?.get(kind);
  if (hit != null) {
    // Re-insert: Map order is the LRU order.
    cache.delete(source.dataId);
    cache.set(source.dataId, forSource!);
    return hit.value;
  }
  sweep(backend, cache);
  const value = make();
  const bytes = 4 * value.shape.reduce((a, b) => a * b, 1);
  if (forSource == null) cache.set(source.dataId, (forSource = new Map()));
  forSource.set(kind, { value, bytes });
  evictOver(backend, cache, FILTER_CACHE_BYTES, source.dataId);
  return value;
}

/** Number of cached filters (for tests that count wasm buffers). */
export function cachedFilterCount(backend: BackendWasm): number {
  let n = 0;
  for (const forSource of cacheOf(backend).values()) n += forSource.size;
  return n;
}

function sweep(backend: BackendWasm, cache: Map<object, Map<string, Entry>>): void {
  for (const [dataId, forSource] of cache) {
    if (backend.dataIdMap.has(dataId)) continue;
    for (const e of forSource.values()) backend.disposeData(e.value.dataId);
    cache.delete(dataId);
  }
}

function evictOver(
  backend: BackendWasm,
  cache: Map<object, Map<string, Entry>>,
  limit: number,
  keep: object,
): void {
  let total = 0;
  for (const forSource of cache.values()) for (const e of forSource.values()) total += e.bytes;
  for (const [dataId, forSource] of cache) {
    if (total <= limit) return;
    if (dataId === keep) continue;
    for (const e of forSource.values()) {
      backend.disposeData(e.value.dataId);
      total -= e.bytes;
    }
    cache.delete(dataId);
  }
}
