// PyTorch's CPU generator, bit for bit: an mt19937 seeded through init_genrand with the low 32 bits
// of the seed, and the transforms torch 1.13 applies to its draws (uniform from 24 or 53 bits,
// Box-Muller with a cached second double, the blocked normal fill of 16, modulo for integers).
//
// A generator is a block of GEN_BYTES: the 624-word state, the read index, the cached normal and
// the seed. The default generator lives in static memory; others come from alloc().

import { alloc, free } from "../memory";
import { JOB_NORMAL, threadCount, runParallel, jobArg, setJobArg, jobArgF64, setJobArgF64 } from "./parallel";

export const GEN_BYTES: usize = 2528;
const N: i32 = 624;
const G_INDEX: usize = 2496;
const G_HAS_NORMAL: usize = 2500;
const G_NORMAL: usize = 2504; // f64
const G_SEED_LO: usize = 2512;
const G_SEED_HI: usize = 2516;

// @ts-ignore: decorator
@lazy const defaultGen: usize = memory.data(<i32>GEN_BYTES, 16);
// @ts-ignore: decorator
@lazy let defaultReady: bool = false;

/** Sets the state from a seed (torch keeps all 64 bits as the seed but the engine takes the low 32). */
export function genSeed(g: usize, lo: u32, hi: u32): void {
  if (g == defaultGen) defaultReady = true;
  store<u32>(g, lo);
  let prev = lo;
  for (let j = 1; j < N; j++) {
    prev = 1812433253 * (prev ^ (prev >>> 30)) + <u32>j;
    store<u32>(g + (<usize>j << 2), prev);
  }
  store<i32>(g + G_INDEX, N);
  store<i32>(g + G_HAS_NORMAL, 0);
  store<u32>(g + G_SEED_LO, lo);
  store<u32>(g + G_SEED_HI, hi);
}

/** The generator block for handle g (0 = the default generator, seeded with torch's default seed on first use). */
export function genOf(g: usize): usize {
  if (g) return g;
  if (!defaultReady) genSeed(defaultGen, 4053586177, 15664); // 67280421310721, torch's default_rng_seed_val
  return defaultGen;
}

/** A new generator seeded with torch's default seed; 0 if out of memory. */
export function genAlloc(): usize {
  const g = alloc(GEN_BYTES);
  if (g) genSeed(g, 4053586177, 15664);
  return g;
}
export function genRelease(g: usize): void { if (g) free(g, GEN_BYTES); }
export function genSeedLo(g: usize): u32 { return load<u32>(genOf(g) + G_SEED_LO); }
export function genSeedHi(g: usize): u32 { return load<u32>(genOf(g) + G_SEED_HI); }
/** Copies the whole state (engine, index, cached normal, seed) of src into dst. */
export function genCopy(dst: usize, src: usize): void { memory.copy(genOf(dst), genOf(src), GEN_BYTES); }

function twist(g: usize): void {
  for (let k = 0; k < N; k++) {
    const k1 = k + 1 == N ? 0 : k + 1;
    const km = k + 397 < N ? k + 397 : k + 397 - N;
    const y = (load<u32>(g + (<usize>k << 2)) & 0x80000000) | (load<u32>(g + (<usize>k1 << 2)) & 0x7fffffff);
    let v = load<u32>(g + (<usize>km << 2)) ^ (y >>> 1);
    if (y & 1) v ^= 0x9908b0df;
    store<u32>(g + (<usize>k << 2), v);
  }
  store<i32>(g + G_INDEX, 0);
}

/** One 32-bit draw (torch's random()). g must be a resolved block (genOf). */
export function next32(g: usize): u32 {
  let i = load<i32>(g + G_INDEX);
  if (i >= N) { twist(g); i = 0; }
  let y = load<u32>(g + (<usize>i << 2));
  store<i32>(g + G_INDEX, i + 1);
  y ^= y >>> 11;
  y ^= (y << 7) & 0x9d2c5680;
  y ^= (y << 15) & 0xefc60000;
  return y ^ (y >>> 18);
}

/** torch's random64(): the first draw is the high word. */
// @ts-ignore: decorator
@inline export function next64(g: usize): u64 {
  const hi = <u64>next32(g);
  return (hi << 32) | <u64>next32(g);
}

/** Uniform [0, 1) float32 from the low 24 bits of a 32-bit draw. */
// @ts-ignore: decorator
@inline export function uniform32(g: usize): f32 { return <f32>(next32(g) & 0xffffff) * (<f32>1.0 / <f32>16777216.0); }

/** Uniform [0, 1) float64 from the low 53 bits of a 64-bit draw. */
// @ts-ignore: decorator
@inline export function uniform64(g: usize): f64 { return <f64>(next64(g) & 0x1fffffffffffff) * (1.0 / 9007199254740992.0); }

/** Rounds s toward the exact value s + err when s is inexact and has an even last bit (round to odd). */
// @ts-ignore: decorator
@inline function toOdd(s: f64, err: f64): f64 {
  let bits = reinterpret<u64>(s);
  if (err != 0 && (bits & 1) == 0) bits += (err > 0) == (s > 0) ? 1 : <u64>-1;
  return reinterpret<f64>(bits);
}

/**
 * a * b + c rounded once to float32, as the x86 FMA instructions torch's AVX2 kernels compile to.
 * The product is exact in f64; the sum is rounded to odd in 53 bits, which then rounds to 24 bits
 * exactly as a single rounding would (Boldo and Melquiond, "Emulation of FMA and correctly rounded
 * sums: proved algorithms using rounding to odd", 2008).
 */
// @ts-ignore: decorator
@inline export function fma32(a: f32, b: f32, c: f32): f32 {
  const p = <f64>a * <f64>b, cc = <f64>c;
  const s = p + cc;
  // The f64 sum rounds to the float32 the exact sum rounds to unless it landed exactly halfway
  // between two float32s (rounding to f64 cannot cross such a midpoint, which f64 holds; it can
  // only land on it), or in float32's subnormal range, where the midpoints sit elsewhere. Only
  // then is the exact tail needed: its sign-dependent branches mispredicted half the time and
  // made randn 15x slower than rand.
  const bits = reinterpret<u64>(s);
  if ((bits & 0x1fffffff) != 0x10000000 && (bits & 0x7ff0000000000000) >= 0x3810000000000000) return <f32>s;
  const bb = s - p;
  return <f32>toOdd(s, (p - (s - bb)) + (cc - bb));
}

/** a * b + c rounded once in float64 (same paper: exact product, exact sum, odd rounding of the tail). */
export function fma64(a: f64, b: f64, c: f64): f64 {
  const sa = a * 134217729.0, ah = sa - (sa - a), al = a - ah;
  const sb = b * 134217729.0, bh = sb - (sb - b), bl = b - bh;
  const uh = a * b;
  const ul = ((ah * bh - uh) + ah * bl + al * bh) + al * bl;
  const th = c + uh, tv = th - c;
  const tl = (c - (th - tv)) + (uh - tv);
  const v = tl + ul, vv = v - tl;
  return th + toOdd(v, (tl - (v - vv)) + (ul - vv));
}

/** out[i] = from + (to - from) * U, float32, i < n, contiguous. */
export function uniformF32(g: usize, out: usize, n: i32, from: f32, to: f32): void {
  const w = to - from;
  if (from == 0 && w == 1) {
    for (let i = 0; i < n; i++) store<f32>(out + (<usize>i << 2), uniform32(g));
  } else {
    for (let i = 0; i < n; i++) store<f32>(out + (<usize>i << 2), fma32(uniform32(g), w, from));
  }
}

/** out[i] = from + (to - from) * U, float64 from 64-bit draws, i < n, contiguous. */
export function uniformF64(g: usize, out: usize, n: i32, from: f64, to: f64): void {
  const w = to - from;
  for (let i = 0; i < n; i++) store<f64>(out + (<usize>i << 3), fma64(uniform64(g), w, from));
}

/**
 * One N(mean, std^2) double by Box-Muller on two 53-bit uniforms, the sine half kept in the
 * generator for the next call (torch's normal_distribution<double>, used below 16 elements and
 * for tensors that are not contiguous).
 */
export function normalScalar(g: usize, mean: f64, std: f64): f64 {
  if (load<i32>(g + G_HAS_NORMAL)) {
    store<i32>(g + G_HAS_NORMAL, 0);
    return fma64(load<f64>(g + G_NORMAL), std, mean);
  }
  const u1 = uniform64(g), u2 = uniform64(g);
  const r = Math.sqrt(-2.0 * Math.log(1.0 - u2));
  const theta = 2.0 * Math.PI * u1;
  store<f64>(g + G_NORMAL, r * Math.sin(theta));
  store<i32>(g + G_HAS_NORMAL, 1);
  return fma64(r * Math.cos(theta), std, mean);
}

// Single-precision log and sincos in the operation order (FMAs included) that torch's AVX2 build
// gives the Cephes-derived vector routines it calls in the normal fill; constants are Cephes's.
// @ts-ignore: decorator
@inline function logCephes(v: f32): f32 {
  const x0 = max<f32>(v, reinterpret<f32>(0x00800000));
  const bits = reinterpret<u32>(x0);
  let e = <f32>(<i32>(bits >>> 23) - 127) + 1;
  const m = reinterpret<f32>((bits & 0x807fffff) | 0x3f000000);
  let x: f32;
  if (m < <f32>0.707106781186547524) { e -= 1; x = m + (m - 1); } else x = m - 1;
  const eq1 = e * <f32>-2.12194440e-4;
  let y = fma32(<f32>7.0376836292e-2, x, <f32>-1.1514610310e-1);
  y = fma32(y, x, <f32>1.1676998740e-1);
  y = fma32(y, x, <f32>-1.2420140846e-1);
  y = fma32(y, x, <f32>1.4249322787e-1);
  y = fma32(y, x, <f32>-1.6668057665e-1);
  y = fma32(y, x, <f32>2.0000714765e-1);
  y = fma32(y, x, <f32>-2.4999993993e-1);
  y = fma32(y, x, <f32>3.3333331174e-1);
  const z = x * x;
  y = fma32(x * y, z, eq1);
  y = y - z * <f32>0.5;
  return fma32(e, <f32>0.693359375, x + y);
}

// @ts-ignore: decorator
@lazy let sinOut: f32 = 0;

/** cos(t) for t >= 0, sin(t) left in sinOut. */
// @ts-ignore: decorator
@inline function sincosCephes(t: f32): f32 {
  let j = <i32>(t * <f32>1.27323954473516);
  j = (j + 1) & ~1;
  const yj = <f32>j;
  const sinNeg = (j & 4) != 0;
  const usePoly = (j & 2) == 0;
  const cosNeg = (~(j - 2) & 4) != 0;
  let x = fma32(yj, <f32>-0.78515625, t);
  x = fma32(yj, <f32>-2.4187564849853515625e-4, x);
  x = fma32(yj, <f32>-3.77489497744594108e-8, x);
  const z = x * x;
  let c = fma32(z, <f32>2.443315711809948e-5, <f32>-1.388731625493765e-3);
  c = fma32(z, c, <f32>4.166664568298827e-2);
  c = fma32(z * c, z, -(z * <f32>0.5)) + 1;
  let s = fma32(<f32>-1.9515295891e-4, z, <f32>8.3321608736e-3);
  s = fma32(z, s, <f32>-1.6666654611e-1);
  s = fma32(z * s, x, x);
  // the vector code selects by masking and adding zeros; done the same way so zero signs agree
  const pickS: f32 = usePoly ? s : 0, pickC: f32 = usePoly ? 0 : c;
  let sv = pickC + pickS, cv = (s - pickS) + (c - pickC);
  if (sinNeg) sv = -sv;
  if (cosNeg) cv = -cv;
  sinOut = sv;
  return cv;
}

/** Box-Muller on d[j], d[j+8] (j < 8) in place: uniforms in, normals out (torch's normal_fill_16). */
function normal16F32(d: usize, mean: f32, std: f32): void {
  const twoPi = <f32>(2.0 * Math.PI);
  for (let j = 0; j < 8; j++) {
    const pa = d + (<usize>j << 2), pb = pa + 32;
    const radius = Mathf.sqrt(<f32>-2 * logCephes(<f32>1 - load<f32>(pa)));
    const c = sincosCephes(twoPi * load<f32>(pb));
    store<f32>(pa, fma32(radius * c, std, mean));
    store<f32>(pb, fma32(radius * sinOut, std, mean));
  }
}

function normal16F64(d: usize, mean: f64, std: f64): void {
  for (let j = 0; j < 8; j++) {
    const pa = d + (<usize>j << 3), pb = pa + 64;
    const radius = Math.sqrt(-2 * Math.log(1 - load<f64>(pa)));
    const theta = 2.0 * Math.PI * load<f64>(pb);
    store<f64>(pa, fma64(radius * Math.cos(theta), std, mean));
    store<f64>(pb, fma64(radius * Math.sin(theta), std, mean));
  }
}

// The Box-Muller transform (~60 ns a value in float32, for its exact FMAs) of fills of at least
// NORMAL_PAR_MIN values runs across threads, NORMAL_TASK_BLOCKS blocks of 16 a task: a block
// depends only on its own 16 uniforms, all drawn before in one sequential pass, so the values do
// not depend on the thread count.
const NORMAL_PAR_MIN: i32 = 1 << 13;
const NORMAL_TASK_BLOCKS: i32 = 128;

/** Blocks [first, last) of 16 uniforms at out turned into normals in place. */
function transformBlocks(out: usize, first: i32, last: i32, dt: i32, mean: f64, std: f64): void {
  for (let b = first; b < last; b++) {
    if (dt == 0) normal16F32(out + (<usize>b << 6), <f32>mean, <f32>std);
    else normal16F64(out + (<usize>b << 7), mean, std);
  }
}

/** Task t of a JOB_NORMAL job (args: out, blocks, dt, then mean and std as f64s). */
export function normalTask(t: i32): void {
  const first = t * NORMAL_TASK_BLOCKS;
  transformBlocks(<usize>jobArg(0), first, min(jobArg(1), first + NORMAL_TASK_BLOCKS), jobArg(2), jobArgF64(3), jobArgF64(5));
}

/**
 * Normal fill of a contiguous float32 (dt 0) or float64 (dt 1) buffer of n elements, the way
 * torch's CPU normal_ does: n >= 16 fills uniforms, transforms blocks of 16, and redraws the last
 * 16 when n is not a multiple of 16; below 16, one normalScalar per element.
 */
export function normalFill(g: usize, out: usize, n: i32, dt: i32, mean: f64, std: f64): void {
  if (n < 16) {
    for (let i = 0; i < n; i++) {
      const v = normalScalar(g, mean, std);
      if (dt == 0) store<f32>(out + (<usize>i << 2), <f32>v);
      else store<f64>(out + (<usize>i << 3), v);
    }
    return;
  }
  const sh: usize = dt == 0 ? 2 : 3;
  if (dt == 0) uniformF32(g, out, n, 0, 1);
  else uniformF64(g, out, n, 0, 1);
  const blocks = n >> 4;
  if (n >= NORMAL_PAR_MIN && threadCount() > 1) {
    setJobArg(0, <i32>out); setJobArg(1, blocks); setJobArg(2, dt);
    setJobArgF64(3, mean); setJobArgF64(5, std);
    runParallel(JOB_NORMAL, (blocks + NORMAL_TASK_BLOCKS - 1) / NORMAL_TASK_BLOCKS);
  } else {
    transformBlocks(out, 0, blocks, dt, mean, std);
  }
  if (n % 16 != 0) {
    const tail = out + (<usize>(n - 16) << sh);
    if (dt == 0) { uniformF32(g, tail, 16, 0, 1); normal16F32(tail, <f32>mean, <f32>std); }
    else { uniformF64(g, tail, 16, 0, 1); normal16F64(tail, mean, std); }
  }
}

/** One integer uniform in [low, low + range) as torch draws it: a 32-bit draw modulo range, or a 64-bit one when range >= 2^32. */
// @ts-ignore: decorator
@inline export function randintOne(g: usize, low: i64, range: u64): i64 {
  if (range >= 0x100000000) return <i64>(next64(g) % range) + low;
  return <i64>(<u64>next32(g) % range) + low;
}

/** out[0..n) = a random permutation of 0..n-1 (int32), by torch 1.13's CPU shuffle. */
export function randpermInt32(g: usize, out: usize, n: i32): void {
  for (let i = 0; i < n; i++) store<i32>(out + (<usize>i << 2), i);
  for (let i = 0; i < n - 1; i++) {
    const z = <i32>(next32(g) % <u32>(n - i));
    const a = out + (<usize>i << 2), b = out + (<usize>(i + z) << 2);
    const t = load<i32>(a);
    store<i32>(a, load<i32>(b));
    store<i32>(b, t);
  }
}

/** Restarts the default generator from a 64-bit seed (low and high 32 bits). */
export function seedRandom(lo: u32, hi: u32): void { genSeed(genOf(0), lo, hi); }

/** Default-generator fills kept for older callers: uniform float32, normal float32, integers. */
export function uniformKernel(out: usize, n: i32, low: f32, high: f32): void { uniformF32(genOf(0), out, n, low, high); }
export function normalKernel(out: usize, n: i32, mean: f32, std: f32): void { normalFill(genOf(0), out, n, 0, mean, std); }
export function randintKernel(out: usize, n: i32, low: f64, high: f64, asFloat: bool): void {
  const g = genOf(0), lo = <i64>low, range = <u64>(high - low);
  for (let i = 0; i < n; i++) {
    const v = randintOne(g, lo, range);
    if (asFloat) store<f32>(out + (<usize>i << 2), <f32>v);
    else store<i32>(out + (<usize>i << 2), <i32>v);
  }
}
