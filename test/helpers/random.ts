// A small seeded random source for deterministic fuzzing (mulberry32): the same seed gives the
// same sequence on every machine and every run, independent of the library's own generator.

/** mulberry32: 32-bit state, uniform floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Rng {
  private readonly u: () => number;
  constructor(readonly seed: number) {
    this.u = mulberry32(seed);
  }
  /** Uniform in [0, 1). */
  float(): number { return this.u(); }
  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number { return lo + (hi - lo) * this.u(); }
  /** Integer uniform in [lo, hi] (both inclusive). */
  int(lo: number, hi: number): number { return lo + Math.floor(this.u() * (hi - lo + 1)); }
  /** True with probability p. */
  chance(p: number): boolean { return this.u() < p; }
  pick<T>(xs: readonly T[]): T { return xs[Math.floor(this.u() * xs.length)]; }
  /** One of the values, drawn with the given (positive) weights. */
  weighted<T>(pairs: readonly (readonly [number, T])[]): T {
    let total = 0;
    for (const [w] of pairs) total += w;
    let r = this.u() * total;
    for (const [w, v] of pairs) {
      r -= w;
      if (r < 0) return v;
    }
    return pairs[pairs.length - 1][1];
  }
  /** Standard normal (Box-Muller). */
  normal(): number {
    const u1 = 1 - this.u(), u2 = this.u();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }
  /** n standard normal values rounded to float32 (so a float64 reference sees the same inputs). */
  normals(n: number, scale = 1): number[] {
    return Array.from({ length: n }, () => Math.fround(scale * this.normal()));
  }
  /** A random subset of 0..n-1 (possibly empty), in increasing order. */
  subset(n: number, p = 0.5): number[] {
    const out: number[] = [];
    for (let i = 0; i < n; i++) if (this.u() < p) out.push(i);
    return out;
  }
  shuffle<T>(xs: T[]): T[] {
    for (let i = xs.length - 1; i > 0; i--) {
      const j = Math.floor(this.u() * (i + 1));
      [xs[i], xs[j]] = [xs[j], xs[i]];
    }
    return xs;
  }
}
