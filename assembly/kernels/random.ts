// Pseudo-random fills: xoshiro128** seeded through splitmix32, so the same seed always gives the
// same numbers on every engine. (Not PyTorch's Mersenne Twister stream.)

import { f4 } from "../simd";

// @ts-ignore: decorator
@lazy let s0: u32 = 0x9e3779b9;
// @ts-ignore: decorator
@lazy let s1: u32 = 0x243f6a88;
// @ts-ignore: decorator
@lazy let s2: u32 = 0xb7e15162;
// @ts-ignore: decorator
@lazy let s3: u32 = 0x7f4a7c15;

function splitmix32(x: u32): u32 {
  x += 0x9e3779b9;
  x = (x ^ (x >>> 16)) * 0x85ebca6b;
  x = (x ^ (x >>> 13)) * 0xc2b2ae35;
  return x ^ (x >>> 16);
}

/** Restarts the generator from `seed` (low and high 32 bits). */
export function seedRandom(lo: u32, hi: u32): void {
  s0 = splitmix32(lo);
  s1 = splitmix32(s0 ^ hi);
  s2 = splitmix32(s1 + 0x6a09e667);
  s3 = splitmix32(s2 ^ 0xbb67ae85);
  if ((s0 | s1 | s2 | s3) == 0) s0 = 1;
}

function next(): u32 {
  const r = rotl<u32>(s1 * 5, 7) * 9;
  const t = s1 << 9;
  s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3;
  s2 ^= t;
  s3 = rotl<u32>(s3, 11);
  return r;
}

/** Uniform in [0, 1) with 24 random bits (every float32 step in that range). */
// @ts-ignore: decorator
@inline function uniform(): f32 { return <f32>(next() >>> 8) * (<f32>1 / <f32>16777216); }

/** out[i] = low + (high - low) * U[0, 1) for i < n. */
export function uniformKernel(out: usize, n: i32, low: f32, high: f32): void {
  const w = high - low;
  for (let i = 0; i < n; i++) store<f32>(out + f4(i), low + w * uniform());
}

/** out[i] ~ N(mean, std^2), Box-Muller in f64 on pairs (the last odd element uses a fresh pair). */
export function normalKernel(out: usize, n: i32, mean: f32, std: f32): void {
  for (let i = 0; i < n; i += 2) {
    const u1 = 1.0 - <f64>uniform(); // (0, 1]: log is finite
    const u2 = <f64>uniform();
    const r = Math.sqrt(-2.0 * Math.log(u1));
    const th = 2.0 * Math.PI * u2;
    store<f32>(out + f4(i), <f32>(r * Math.cos(th)) * std + mean);
    if (i + 1 < n) store<f32>(out + f4(i + 1), <f32>(r * Math.sin(th)) * std + mean);
  }
}

/**
 * out[i] = integers uniform in [low, high) (1 <= high - low <= 2^32), stored as i32, or as f32
 * when `asFloat`. next() * span < 2^64, so the product does not overflow.
 */
export function randintKernel(out: usize, n: i32, low: f64, high: f64, asFloat: bool): void {
  const span = <u64>(high - low);
  const base = <i64>low;
  for (let i = 0; i < n; i++) {
    const v = base + <i64>((<u64>next() * span) >>> 32);
    if (asFloat) store<f32>(out + f4(i), <f32>v);
    else store<i32>(out + f4(i), <i32>v);
  }
}
