/**
 * Perceptually uniform colour maps as degree-6 polynomial fits of matplotlib's tables
 * (the widely used fits by Matt Zucker; within four 8-bit steps of the tables, tested), plus a
 * diverging blue–white–red map for signed attributions.
 */
export type ColormapName = 'viridis' | 'inferno' | 'turbo' | 'bwr' | 'gray';

export const COLORMAPS: ColormapName[] = ['viridis', 'inferno', 'turbo', 'bwr', 'gray'];

type Poly = [number[], number[], number[]];

const VIRIDIS: Poly = [
  [0.2777273272234177, 0.1050930431085774, -0.3308618287255563, -4.634230498983486, 6.228269936347081, 4.776384997670288, -5.435455855934631],
  [0.005407344544966578, 1.404613529898575, 0.214847559468213, -5.799100973351585, 14.17993336680509, -13.74514537774601, 4.645852612178535],
  [0.3340998053353061, 1.384590162594685, 0.09509516302823659, -19.33244095627987, 56.69055260068105, -65.35303263337234, 26.3124352495832],
];

const INFERNO: Poly = [
  [0.0002189403691192265, 0.1065134194856116, 11.60249308247187, -41.70399613139459, 77.162935699427, -71.31942824499214, 25.13112622477341],
  [0.001651004631001012, 0.5639564367884091, -3.972853965665698, 17.43639888205313, -33.40235894210092, 32.62606426397723, -12.24266895238567],
  [-0.01948089843709184, 3.932712388889277, -15.9423941062914, 44.35414519872813, -81.80730925738993, 73.20951985803202, -23.07032500287172],
];

function poly(c: number[], t: number): number {
  let v = 0;
  for (let i = c.length - 1; i >= 0; i--) v = v * t + c[i];
  return v;
}

function turbo(t: number): [number, number, number] {
  const t2 = t * t, t3 = t2 * t, t4 = t3 * t, t5 = t4 * t;
  return [
    0.13572138 + 4.6153926 * t - 42.66032258 * t2 + 132.13108234 * t3 - 152.94239396 * t4 + 59.28637943 * t5,
    0.09140261 + 2.19418839 * t + 4.84296658 * t2 - 14.18503333 * t3 + 4.27729857 * t4 + 2.82956604 * t5,
    0.1066733 + 12.64194608 * t - 60.58204836 * t2 + 110.36276771 * t3 - 89.90310912 * t4 + 27.34824973 * t5,
  ];
}

function bwr(t: number): [number, number, number] {
  // t in [0,1], 0.5 is white: blue for negative, red for positive.
  return t < 0.5 ? [2 * t, 2 * t, 1] : [1, 2 * (1 - t), 2 * (1 - t)];
}

const clamp01 = (v: number) => (v < 0 ? 0 : v > 1 ? 1 : v);

/** RGB in [0,1] for t in [0,1]. */
export function colour(name: ColormapName, t: number): [number, number, number] {
  const x = clamp01(Number.isFinite(t) ? t : 0);
  switch (name) {
    case 'viridis':
      return [clamp01(poly(VIRIDIS[0], x)), clamp01(poly(VIRIDIS[1], x)), clamp01(poly(VIRIDIS[2], x))];
    case 'inferno':
      return [clamp01(poly(INFERNO[0], x)), clamp01(poly(INFERNO[1], x)), clamp01(poly(INFERNO[2], x))];
    case 'turbo':
      return turbo(x).map(clamp01) as [number, number, number];
    case 'bwr':
      return bwr(x);
    case 'gray':
      return [x, x, x];
  }
}

/** 256-entry lookup table, RGB bytes. */
export function lut(name: ColormapName): Uint8Array {
  const out = new Uint8Array(256 * 3);
  for (let i = 0; i < 256; i++) {
    const [r, g, b] = colour(name, i / 255);
    out[i * 3] = Math.round(r * 255);
    out[i * 3 + 1] = Math.round(g * 255);
    out[i * 3 + 2] = Math.round(b * 255);
  }
  return out;
}
