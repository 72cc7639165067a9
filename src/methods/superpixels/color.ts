/**
 * The colour space superpixel algorithms measure distances in. skimage's SLIC and quickshift (and
 * so lime) convert RGB in [0, 1] to CIE Lab; we do the same after bringing the input to [0, 1].
 */

/**
 * Per-pixel features in float64 (positions × channels out): Lab for RGB, Lab lightness for grey,
 * the [0, 1]-scaled values × 100 (Lab's range) for any other channel count.
 * Inputs in [0, 1] are used as they are, inputs in [0, 255] are divided by 255, anything else
 * (e.g. standardised pixels) is min–max scaled to [0, 1] first; `rescale` always min–max scales
 * (what skimage's slic does).
 */
export function segmentationFeatures(x: Float32Array, channels: number, rescale = false): { features: Float64Array; channels: number } {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < x.length; i++) {
    if (x[i] < min) min = x[i];
    if (x[i] > max) max = x[i];
  }
  let offset = 0;
  let scale = 1;
  if (rescale) {
    // skimage's slic always stretches the image to [0, 1] first.
    offset = min;
    scale = max > min ? 1 / (max - min) : 1;
  } else if (min >= 0 && max <= 1) scale = 1;
  else if (min >= 0 && max <= 255) scale = 1 / 255;
  else {
    offset = min;
    scale = max > min ? 1 / (max - min) : 1;
  }
  const positions = x.length / channels;
  const unit = (i: number) => (x[i] - offset) * scale;
  if (channels === 3) {
    const out = new Float64Array(positions * 3);
    for (let p = 0; p < positions; p++) rgbToLab(unit(p * 3), unit(p * 3 + 1), unit(p * 3 + 2), out, p * 3);
    return { features: out, channels: 3 };
  }
  if (channels === 1) {
    const out = new Float64Array(positions);
    for (let p = 0; p < positions; p++) out[p] = 116 * labF(srgbToLinear(unit(p))) - 16;
    return { features: out, channels: 1 };
  }
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = unit(i) * 100;
  return { features: out, channels };
}

function srgbToLinear(c: number): number {
  return c > 0.04045 ? ((c + 0.055) / 1.055) ** 2.4 : c / 12.92;
}

function labF(t: number): number {
  return t > 0.008856 ? Math.cbrt(t) : 7.787 * t + 16 / 116;
}

/** sRGB in [0, 1] → CIE Lab (D65), skimage's rgb2lab constants. */
export function rgbToLab(r: number, g: number, b: number, out: Float64Array, o: number): void {
  const R = srgbToLinear(r);
  const G = srgbToLinear(g);
  const B = srgbToLinear(b);
  const X = (0.412453 * R + 0.35758 * G + 0.180423 * B) / 0.95047;
  const Y = 0.212671 * R + 0.71516 * G + 0.072169 * B;
  const Z = (0.019334 * R + 0.119193 * G + 0.950227 * B) / 1.08883;
  const fx = labF(X);
  const fy = labF(Y);
  const fz = labF(Z);
  out[o] = 116 * fy - 16;
  out[o + 1] = 500 * (fx - fy);
  out[o + 2] = 200 * (fy - fz);
}
