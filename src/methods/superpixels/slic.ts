/**
 * SLIC superpixels (Achanta et al. 2012), following skimage.segmentation.slic: centres on a
 * regular grid of step S = √(HW/n) (colours starting at 0, as skimage does), k-means in
 * (colour, position) with distance
 * |Δcolour|²/m² + |Δposition|²/S² searched within 2S of each centre, at most 10 iterations,
 * then connectivity enforced by merging components under half the mean segment size into an
 * adjacent one.
 */
export interface SlicOptions {
  segments: number;
  compactness: number;
  maxIterations?: number;
  minSizeFactor?: number;
}

/** Labels 0…count-1 per pixel of an h×w image with `c` feature channels (positions × c). */
export function slic(features: Float64Array, h: number, w: number, c: number, options: SlicOptions): { labels: Int32Array; count: number } {
  const n = h * w;
  const target = Math.max(1, Math.round(options.segments));
  if (n <= target) {
    const labels = new Int32Array(n);
    for (let i = 0; i < n; i++) labels[i] = i;
    return { labels, count: n };
  }
  const stepF = Math.sqrt(n / target);
  const start = Math.floor(stepF / 2);
  const step = Math.max(1, Math.round(stepF));
  const ratio = 1 / options.compactness;
  const img = new Float64Array(features.length);
  for (let i = 0; i < img.length; i++) img[i] = features[i] * ratio;

  // Centre k: [y, x, colour…].
  const dims = 2 + c;
  const centres: number[] = [];
  for (let y = start; y < h; y += step) {
    for (let x = start; x < w; x += step) {
      // skimage starts every centre's colour at 0, so the first assignment is purely spatial.
      centres.push(y, x);
      for (let k = 0; k < c; k++) centres.push(0);
    }
  }
  const k = centres.length / dims;
  const ctr = Float64Array.from(centres);
  // skimage sizes the search window from the grid step of the centres actually placed.
  const window = Math.max(1, Math.round(Math.sqrt(n / k)));
  const nearest = new Int32Array(n).fill(-1);
  const distance = new Float64Array(n);
  const spatialWeight = 1 / (step * step);
  const counts = new Float64Array(k);
  const iterations = options.maxIterations ?? 10;
  for (let it = 0; it < iterations; it++) {
    let change = false;
    distance.fill(Infinity);
    for (let s = 0; s < k; s++) {
      const cy = ctr[s * dims];
      const cx = ctr[s * dims + 1];
      if (Number.isNaN(cy)) continue;
      const y0 = Math.max(Math.trunc(cy - 2 * window), 0);
      const y1 = Math.min(Math.trunc(cy + 2 * window + 1), h);
      const x0 = Math.max(Math.trunc(cx - 2 * window), 0);
      const x1 = Math.min(Math.trunc(cx + 2 * window + 1), w);
      for (let y = y0; y < y1; y++) {
        const dy = (cy - y) ** 2;
        for (let x = x0; x < x1; x++) {
          let d = (dy + (cx - x) ** 2) * spatialWeight;
          const p = y * w + x;
          for (let ch = 0; ch < c; ch++) d += (img[p * c + ch] - ctr[s * dims + 2 + ch]) ** 2;
          if (distance[p] > d) {
            if (nearest[p] !== s) change = true;
            nearest[p] = s;
            distance[p] = d;
          }
        }
      }
    }
    if (!change) break;
    ctr.fill(0);
    counts.fill(0);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const p = y * w + x;
        const s = nearest[p];
        counts[s]++;
        ctr[s * dims] += y;
        ctr[s * dims + 1] += x;
        for (let ch = 0; ch < c; ch++) ctr[s * dims + 2 + ch] += img[p * c + ch];
      }
    }
    for (let s = 0; s < k; s++) for (let j = 0; j < dims; j++) ctr[s * dims + j] = counts[s] > 0 ? ctr[s * dims + j] / counts[s] : NaN;
  }
  const minSize = Math.trunc((options.minSizeFactor ?? 0.5) * (n / k));
  const maxSize = Math.trunc(3 * (n / k));
  return enforceConnectivity(nearest, h, w, minSize, maxSize);
}

/**
 * Relabels 4-connected components in raster order; a component smaller than `minSize` joins the
 * last labelled component it touches (as skimage and the SLIC paper do). Like skimage, a search
 * stops growing a component at `maxSize` pixels (the rest becomes further components).
 */
export function enforceConnectivity(labels: Int32Array, h: number, w: number, minSize: number, maxSize = h * w): { labels: Int32Array; count: number } {
  const n = h * w;
  const out = new Int32Array(n).fill(-1);
  const queue = new Int32Array(n);
  let next = 0;
  for (let p0 = 0; p0 < n; p0++) {
    if (out[p0] >= 0) continue;
    const label = labels[p0];
    let adjacent = next;
    let size = 1;
    let head = 0;
    queue[0] = p0;
    out[p0] = next;
    while (head < size && size < maxSize) {
      const p = queue[head++];
      const y = (p / w) | 0;
      const x = p - y * w;
      for (let d = 0; d < 4; d++) {
        const yy = d === 2 ? y + 1 : d === 3 ? y - 1 : y;
        const xx = d === 0 ? x + 1 : d === 1 ? x - 1 : x;
        if (yy < 0 || yy >= h || xx < 0 || xx >= w) continue;
        const q = yy * w + xx;
        if (labels[q] === label && out[q] === -1) {
          out[q] = next;
          queue[size++] = q;
          if (size >= maxSize) break;
        } else if (out[q] >= 0 && out[q] !== next) {
          adjacent = out[q];
        }
      }
    }
    if (size < minSize) {
      for (let i = 0; i < size; i++) out[queue[i]] = adjacent;
    } else {
      next++;
    }
  }
  return { labels: out, count: Math.max(1, next) };
}
