// The float32 normal fill's Box-Muller (random.ts's normal16F32) four pairs at a time, with the
// same operations in the same order, so every value has the same bits. Each exact FMA takes its
// f64 sum's float32 rounding, as fma32's fast path does; where any lane's sum needs fma32's exact
// tail (a float32 midpoint, or the subnormal range) the caller redoes those four pairs with the
// scalar code, whose results are the reference. Nothing is stored before that is known.

import { lo64, hi64, pack32 } from "./vmath64";

// Lanes (of f64 sums) whose float32 rounding may differ from the exact sum's, or-ed together.
// @ts-ignore: decorator
@lazy let tail: v128 = i32x4.splat(0);

// @ts-ignore: decorator
@inline function checkSum(s: v128): void {
  const midpoint = i64x2.eq(v128.and(s, i64x2.splat(0x1fffffff)), i64x2.splat(0x10000000));
  const small = i64x2.lt_s(v128.and(s, i64x2.splat(0x7ff0000000000000)), i64x2.splat(0x3810000000000000));
  tail = v128.or(tail, v128.or(midpoint, small));
}

/** a * b + c rounded once to float32 in each lane (checkSum marks the lanes it cannot do). */
// @ts-ignore: decorator
@inline function fma4(a: v128, b: v128, c: v128): v128 {
  const sl = f64x2.add(f64x2.mul(lo64(a), lo64(b)), lo64(c));
  const sh = f64x2.add(f64x2.mul(hi64(a), hi64(b)), hi64(c));
  checkSum(sl);
  checkSum(sh);
  return pack32(sl, sh);
}

/** fma4 with a constant addend (widened once, not per lane pair). */
// @ts-ignore: decorator
@inline function fmaC(a: v128, b: v128, c: f32): v128 {
  const w = f64x2.splat(<f64>c);
  const sl = f64x2.add(f64x2.mul(lo64(a), lo64(b)), w);
  const sh = f64x2.add(f64x2.mul(hi64(a), hi64(b)), w);
  checkSum(sl);
  checkSum(sh);
  return pack32(sl, sh);
}

/** fma4 with a constant factor and a constant addend. */
// @ts-ignore: decorator
@inline function fmaKC(a: f32, b: v128, c: f32): v128 {
  const wa = f64x2.splat(<f64>a), wc = f64x2.splat(<f64>c);
  const sl = f64x2.add(f64x2.mul(wa, lo64(b)), wc);
  const sh = f64x2.add(f64x2.mul(wa, hi64(b)), wc);
  checkSum(sl);
  checkSum(sh);
  return pack32(sl, sh);
}

// @ts-ignore: decorator
@inline function k4(x: f32): v128 { return f32x4.splat(x); }

/** logCephes of random.ts in four lanes. */
// @ts-ignore: decorator
@inline function log4(v: v128): v128 {
  const x0 = f32x4.max(v, f32x4.splat(reinterpret<f32>(0x00800000)));
  let e = f32x4.add(f32x4.convert_i32x4_s(i32x4.sub(i32x4.shr_u(x0, 23), i32x4.splat(127))), k4(1));
  const m = v128.or(v128.and(x0, i32x4.splat(0x807fffff)), i32x4.splat(0x3f000000));
  const lt = f32x4.lt(m, k4(<f32>0.707106781186547524));
  e = f32x4.sub(e, v128.and(lt, k4(1)));
  const x = v128.bitselect(f32x4.add(m, f32x4.sub(m, k4(1))), f32x4.sub(m, k4(1)), lt);
  const eq1 = f32x4.mul(e, k4(<f32>-2.12194440e-4));
  let y = fmaKC(<f32>7.0376836292e-2, x, <f32>-1.1514610310e-1);
  y = fmaC(y, x, <f32>1.1676998740e-1);
  y = fmaC(y, x, <f32>-1.2420140846e-1);
  y = fmaC(y, x, <f32>1.4249322787e-1);
  y = fmaC(y, x, <f32>-1.6668057665e-1);
  y = fmaC(y, x, <f32>2.0000714765e-1);
  y = fmaC(y, x, <f32>-2.4999993993e-1);
  y = fmaC(y, x, <f32>3.3333331174e-1);
  const z = f32x4.mul(x, x);
  y = fma4(f32x4.mul(x, y), z, eq1);
  y = f32x4.sub(y, f32x4.mul(z, k4(0.5)));
  return fma4(e, k4(<f32>0.693359375), f32x4.add(x, y));
}

// @ts-ignore: decorator
@lazy let sin4Out: v128 = i32x4.splat(0);

/** sincosCephes of random.ts in four lanes: cos(t) for t >= 0, sin(t) left in sin4Out. */
// @ts-ignore: decorator
@inline function sincos4(t: v128): v128 {
  let j = i32x4.trunc_sat_f32x4_s(f32x4.mul(t, k4(<f32>1.27323954473516)));
  j = v128.and(i32x4.add(j, i32x4.splat(1)), i32x4.splat(~1));
  const yj = f32x4.convert_i32x4_s(j);
  const sign = i32x4.splat(0x80000000);
  const sinNeg = i32x4.ne(v128.and(j, i32x4.splat(4)), i32x4.splat(0));
  const usePoly = i32x4.eq(v128.and(j, i32x4.splat(2)), i32x4.splat(0));
  const cosNeg = i32x4.ne(v128.and(v128.not(i32x4.sub(j, i32x4.splat(2))), i32x4.splat(4)), i32x4.splat(0));
  let x = fma4(yj, k4(<f32>-0.78515625), t);
  x = fma4(yj, k4(<f32>-2.4187564849853515625e-4), x);
  x = fma4(yj, k4(<f32>-3.77489497744594108e-8), x);
  const z = f32x4.mul(x, x);
  let c = fmaKC(<f32>2.443315711809948e-5, z, <f32>-1.388731625493765e-3);
  c = fmaC(z, c, <f32>4.166664568298827e-2);
  c = f32x4.add(fma4(f32x4.mul(z, c), z, f32x4.neg(f32x4.mul(z, k4(0.5)))), k4(1));
  let s = fmaKC(<f32>-1.9515295891e-4, z, <f32>8.3321608736e-3);
  s = fmaC(z, s, <f32>-1.6666654611e-1);
  s = fma4(f32x4.mul(z, s), x, x);
  const pickS = v128.and(s, usePoly), pickC = v128.andnot(c, usePoly);
  const sv = f32x4.add(pickC, pickS), cv = f32x4.add(f32x4.sub(s, pickS), f32x4.sub(c, pickC));
  sin4Out = v128.xor(sv, v128.and(sinNeg, sign));
  return v128.xor(cv, v128.and(cosNeg, sign));
}

/**
 * Pairs j..j+3 of the 16-value block at d (uniforms d[j], d[j+8] in, normals out), four lanes at
 * once; false, with nothing stored, when a lane needs fma32's exact tail.
 */
export function normalPairs4(d: usize, j: i32, mean: f32, std: f32): bool {
  const pa = d + (<usize>j << 2), pb = pa + 32;
  tail = i32x4.splat(0);
  const radius = f32x4.sqrt(f32x4.mul(k4(-2), log4(f32x4.sub(k4(1), v128.load(pa)))));
  const c = sincos4(f32x4.mul(k4(<f32>(2.0 * Math.PI)), v128.load(pb)));
  const a = fmaC(f32x4.mul(radius, c), k4(std), mean);
  const b = fmaC(f32x4.mul(radius, sin4Out), k4(std), mean);
  if (v128.any_true(tail)) return false;
  v128.store(pa, a);
  v128.store(pb, b);
  return true;
}
