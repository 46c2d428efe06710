// Float64 references for the float32 transcendental kernels, ulp distances, and the input sweeps
// (every binade densely, the special values, and random samples of each function's useful range).

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** The float32 with these bits. */
export function fromBits(b: number): number { u32[0] = b >>> 0; return f32[0]; }

/** A monotonic integer for a float32 (-0 and +0 both 0), so distances count representable steps. */
function ordinal(x: number): number {
  f32[0] = x;
  const b = u32[0];
  return b & 0x80000000 ? -(b & 0x7fffffff) : b;
}

/**
 * Steps of float32 between `got` and `ref` rounded to float32: 0 when equal (NaN matches NaN),
 * Infinity when one is NaN and the other not.
 */
export function ulpDist(got: number, ref: number): number {
  const r = Math.fround(ref);
  if (Number.isNaN(got) || Number.isNaN(r)) return Number.isNaN(got) && Number.isNaN(r) ? 0 : Infinity;
  if (got === r) return 0;
  return Math.abs(ordinal(got) - ordinal(r));
}

/** |got - ref| in units of the float32 ulp at `scale` (for formulas whose terms cancel). */
export function ulpAt(got: number, ref: number, scale: number): number {
  if (Number.isNaN(got) || Number.isNaN(ref)) return Number.isNaN(got) && Number.isNaN(ref) ? 0 : Infinity;
  if (got === ref) return 0;
  const s = Math.max(Math.abs(scale), 2 ** -126);
  return Math.abs(got - ref) / 2 ** (Math.floor(Math.log2(s)) - 23);
}

const SQRT2PI = Math.sqrt(2 * Math.PI);

/** Phi(-t) for t >= 0: a positive series below 3, Laplace's continued fraction for the Mills ratio above. */
function normalTail(t: number): number {
  if (Number.isNaN(t)) return NaN;
  if (t > 40) return 0;
  const pdf = Math.exp(-(t * t) / 2) / SQRT2PI; // t * t is exact for a float32 t
  if (t < 3) {
    // Phi(t) = 1/2 + pdf * (t + t^3/3 + t^5/15 + ...)
    let term = t, s = t;
    for (let k = 1; k < 200 && term > s * 1e-18; k++) { term *= (t * t) / (2 * k + 1); s += term; }
    return 0.5 - pdf * s;
  }
  let cf = t;
  for (let k = 120; k >= 1; k--) cf = t + k / cf;
  return pdf / cf;
}

/** Phi(x), the standard normal CDF. */
export function normalCdf(x: number): number { return x >= 0 ? 1 - normalTail(x) : normalTail(-x); }
export const normalPdf = (x: number): number => Math.exp(-(x * x) / 2) / SQRT2PI;

const sigmoid = (x: number): number => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));
const BETA = Math.sqrt(2 / Math.PI), KAPPA = 0.044715;
/** (1 + tanh(z)) / 2 for the tanh GELU's z = beta (x + kappa x^3). */
const tanhHalf = (x: number): number => sigmoid(2 * BETA * (x + KAPPA * x * x * x));

export interface Fn {
  name: string;
  ref: (x: number) => number;
  /** Random inputs from the range where the function is neither constant nor trivially rounded. */
  lo: number;
  hi: number;
}

export const FORWARD: Fn[] = [
  { name: "exp", ref: Math.exp, lo: -104, hi: 89 },
  { name: "expm1", ref: Math.expm1, lo: -20, hi: 89 },
  { name: "log", ref: Math.log, lo: 0, hi: 3.4e38 },
  { name: "log1p", ref: Math.log1p, lo: -1, hi: 3.4e38 },
  { name: "tanh", ref: Math.tanh, lo: -10, hi: 10 },
  // PyTorch's 1 / (1 + e^-x) gives 0 where e^-x overflows float32, and so does the kernel
  { name: "sigmoid", ref: (x) => (x <= -88.72283935546875 ? 0 : sigmoid(x)), lo: -105, hi: 18 },
  { name: "silu", ref: (x) => x * sigmoid(x), lo: -105, hi: 20 },
  { name: "softplus", ref: (x) => (x > 20 ? x : Math.log1p(Math.exp(x))), lo: -105, hi: 25 },
  { name: "gelu", ref: (x) => x * normalCdf(x), lo: -14.5, hi: 6 },
  { name: "gelu_tanh", ref: (x) => x * tanhHalf(x), lo: -11, hi: 6 },
  // past |x| = 2^20 the kernel takes Math.sin / Math.cos itself
  { name: "sin", ref: Math.sin, lo: -2e6, hi: 2e6 },
  { name: "cos", ref: Math.cos, lo: -2e6, hi: 2e6 },
];

export interface GradFn {
  name: string;
  /** f'(x) and the magnitude of its largest term (the scale its cancellation error is measured at). */
  ref: (x: number) => [number, number];
  lo: number;
  hi: number;
}

export const BACKWARD: GradFn[] = [
  { name: "gelu", lo: -14.5, hi: 8, ref: (x) => {
    const a = normalCdf(x), b = x * normalPdf(x);
    return [a + b, Math.max(Math.abs(a), Math.abs(b), Math.abs(a + b))];
  } },
  { name: "gelu_tanh", lo: -11, hi: 8, ref: (x) => {
    const s = tanhHalf(x), r = 2 * x * s * (1 - s) * BETA * (1 + 3 * KAPPA * x * x);
    return [s + r, Math.max(Math.abs(s), Math.abs(r), Math.abs(s + r))];
  } },
  { name: "silu", lo: -105, hi: 30, ref: (x) => {
    const s = sigmoid(x), r = x * s * (1 - s);
    return [s + r, Math.max(Math.abs(s), Math.abs(r), Math.abs(s + r))];
  } },
  { name: "softplus", lo: -105, hi: 25, ref: (x) => { const s = x > 20 ? 1 : sigmoid(x); return [s, s]; } },
];

export const SPECIALS = [0, -0, Infinity, -Infinity, NaN, 1, -1, 3.4028234663852886e38, -3.4028234663852886e38,
  1.1754943508222875e-38, 1.401298464324817e-45, -1.401298464324817e-45, 88.72283172607422, 88.72284, -87.33654,
  -103.97208, -103.98, 89, -104, 0.625, -0.625, 0.6249999, 20, 20.000002, -20, 1e-30, -1e-30, 1e30, -1e30];

/** 48 values from each binade of float32, denormals included, both signs, plus the special values. */
export function binadeSweep(): Float32Array {
  const out: number[] = [...SPECIALS];
  for (let e = 0; e < 255; e++) {
    for (let j = 0; j < 48; j++) {
      const mant = j === 47 ? 0x7fffff : Math.floor((j * 0x800000) / 47);
      const b = (e << 23) | mant;
      out.push(fromBits(b), fromBits(b | 0x80000000));
    }
  }
  return Float32Array.from(out);
}

let seed = 0x2545f491;
/** Restarts rnd's sequence, so a test's inputs do not depend on which tests ran before it. */
export function reseed(s: number): void { seed = s | 1; }
/** Uniform in [0, 1), deterministic. */
export function rnd(): number {
  seed ^= seed << 13; seed ^= seed >>> 17; seed ^= seed << 5;
  return (seed >>> 0) / 2 ** 32;
}

/** n samples of [lo, hi]: half uniform, half with a uniformly random exponent (log-uniform in |x|). */
export function randomSweep(n: number, lo: number, hi: number): Float32Array {
  const out = new Float32Array(n);
  f32[0] = Math.max(Math.abs(lo), Math.abs(hi));
  const top = u32[0];
  for (let i = 0; i < n; i++) {
    let x: number;
    if (i & 1) x = lo + (hi - lo) * rnd();
    else {
      x = fromBits(Math.floor(rnd() * top)); // from the smallest denormal up, exponent uniform
      if (lo < 0 && (hi <= 0 || rnd() < 0.5)) x = -x;
      if (x < lo || x > hi) x = lo + (hi - lo) * rnd();
    }
    out[i] = x;
  }
  return out;
}
