/**
 * Bilinear resizing of single-channel maps with half-pixel centres (align_corners=false), the
 * convention of cv2.resize and torch's interpolate that pytorch-grad-cam relies on.
 */
export function resizeBilinear(src: Float32Array, h: number, w: number, outH: number, outW: number): Float32Array {
  const out = new Float32Array(outH * outW);
  if (h === outH && w === outW) {
    out.set(src);
    return out;
  }
  const sy = h / outH;
  const sx = w / outW;
  for (let y = 0; y < outH; y++) {
    const fy = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), h - 1);
    const y0 = Math.floor(fy);
    const y1 = Math.min(y0 + 1, h - 1);
    const dy = fy - y0;
    for (let x = 0; x < outW; x++) {
      const fx = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), w - 1);
      const x0 = Math.floor(fx);
      const x1 = Math.min(x0 + 1, w - 1);
      const dx = fx - x0;
      const top = src[y0 * w + x0] * (1 - dx) + src[y0 * w + x1] * dx;
      const bottom = src[y1 * w + x0] * (1 - dx) + src[y1 * w + x1] * dx;
      out[y * outW + x] = top * (1 - dy) + bottom * dy;
    }
  }
  return out;
}

/** Linear resizing of a 1-D profile (signals), same half-pixel convention. */
export function resizeLinear(src: Float32Array, outLength: number): Float32Array {
  return resizeBilinear(src, 1, src.length, 1, outLength);
}
