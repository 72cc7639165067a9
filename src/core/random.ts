/**
 * Seeded pseudo-random numbers for everything in Glassbox that makes a random choice, so a seed
 * in a config or a CLI flag reproduces a run exactly (Math.random never appears in library code).
 *
 * Generator: sfc32 (small fast chaotic, 128-bit state, passes PractRand/BigCrush), its state
 * filled by splitmix32 from the seed. Normals by Box–Muller. Not cryptographic.
 */

export interface Rng {
  /** Uniform in [0, 1), 32 bits of resolution. */
  next(): number;
  /** Uniform 32-bit unsigned integer. */
  uint32(): number;
  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number;
  /** Uniform integer in [0, n), without modulo bias; n a positive integer ≤ 2^32. */
  int(n: number): number;
  /** Normal with the given mean and standard deviation (Box–Muller, pairs cached). */
  normal(mean?: number, std?: number): number;
  /** True with probability p. */
  chance(p: number): boolean;
  /** Fisher–Yates shuffle in place; returns its argument. */
  shuffle<T extends MutableArrayLike>(items: T): T;
  /** A random permutation of 0 … n-1. */
  permutation(n: number): Int32Array;
  /** An independent generator seeded from this one (advances this one by two draws). */
  fork(): Rng;
}

type MutableArrayLike = { length: number; [index: number]: unknown };

export type Seed = number | string;

/** A generator for `seed`; integers, any finite number and strings are all accepted. */
export function createRng(seed: Seed): Rng {
  return new Sfc32(seedWords(seed));
}

/** Hashes a seed to four 32-bit words through splitmix32. */
function seedWords(seed: Seed): [number, number, number, number] {
  let h: number;
  if (typeof seed === 'string') {
    h = 0x811c9dc5; // FNV-1a
    for (let i = 0; i < seed.length; i++) {
      h ^= seed.charCodeAt(i);
      h = Math.imul(h, 0x01000193) >>> 0;
    }
  } else {
    if (!Number.isFinite(seed)) throw new RangeError(`seed must be finite, got ${seed}`);
    // Fold integers beyond 32 bits (and fractions) in rather than silently truncating them.
    const lo = seed >>> 0;
    const hi = Math.floor(seed / 4294967296) >>> 0;
    const frac = Math.round((seed - Math.floor(seed)) * 4294967296) >>> 0;
    h = (lo ^ Math.imul(hi, 0x9e3779b1) ^ Math.imul(frac, 0x85ebca6b)) >>> 0;
  }
  const sm = splitmix32(h);
  return [sm(), sm(), sm(), sm()];
}

function splitmix32(state: number): () => number {
  let s = state >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

const TWO_POW_32 = 4294967296;

class Sfc32 implements Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spare: number | undefined;

  constructor([a, b, c, d]: [number, number, number, number]) {
    this.a = a;
    this.b = b;
    this.c = c;
    this.d = d | 1;
    for (let i = 0; i < 12; i++) this.uint32(); // warm-up recommended for sfc
  }

  uint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  next(): number {
    return this.uint32() / TWO_POW_32;
  }

  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  int(n: number): number {
    if (!(Number.isInteger(n) && n > 0 && n <= TWO_POW_32)) {
      throw new RangeError(`int(n) needs a positive integer n ≤ 2^32, got ${n}`);
    }
    // Reject the top sliver of the 32-bit range that would over-represent small values.
    const limit = TWO_POW_32 - (TWO_POW_32 % n);
    let u = this.uint32();
    while (u >= limit) u = this.uint32();
    return u % n;
  }

  normal(mean = 0, std = 1): number {
    if (this.spare !== undefined) {
      const z = this.spare;
      this.spare = undefined;
      return mean + std * z;
    }
    const u1 = 1 - this.next(); // (0, 1]: log stays finite
    const u2 = this.next();
    const r = Math.sqrt(-2 * Math.log(u1));
    this.spare = r * Math.sin(2 * Math.PI * u2);
    return mean + std * r * Math.cos(2 * Math.PI * u2);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  shuffle<T extends MutableArrayLike>(items: T): T {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = items[i];
      items[i] = items[j];
      items[j] = tmp;
    }
    return items;
  }

  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    return this.shuffle(p);
  }

  fork(): Rng {
    const a = this.uint32();
    const b = this.uint32();
    const sm = splitmix32((a ^ Math.imul(b, 0x9e3779b1)) >>> 0);
    return new Sfc32([sm() ^ a, sm() ^ b, sm(), sm()]);
  }
}
