// float32 sin and cos, four lanes at a time, each f32x4 widened to two f64x2, evaluated to about
// 3e-14 relative and rounded once: the correctly rounded float32 result but for rare near-halfway
// cases (test/kernels/transcendental.test.ts measures it). The classic scheme (Cody & Waite, as
// fdlibm and Cephes): x = n pi/2 + r with |r| <= pi/4, pi/2 in three parts so that r keeps its
// accuracy near multiples of pi/2, then the Taylor series of sin r and cos r, and the quadrant n mod 4
// picks one and its sign. Vectors with a lane of |x| >= 2^20 (or inf or NaN) take float64
// Math.sin / Math.cos per lane, whose argument reduction is exact for any size.

import { lo64, hi64, pack32 } from "./vmath64";
import { SHIFT } from "./vexp64"; // rounds to an integer, read back from the low bits

// pi/2 = P1 + P2 + P3 (+ 1e-37): P1 and P2 have 33 significant bits, so n * P1 and n * P2 are exact
// for |n| < 2^20, which |x| < 2^20 gives (n <= 2^20 * 2/pi)
const P1: f64 = 1.5707963267341256;
const P2: f64 = 6.077100506303966e-11;
const P3: f64 = 2.0222662487959506e-21;
const TWO_OVER_PI: f64 = 0.6366197723675814;
const BIG: f32 = 1048576.0; // 2^20

// @ts-ignore: decorator
@inline function sp(c: f64): v128 { return f64x2.splat(c); }
// @ts-ignore: decorator
@inline function mad(a: v128, b: v128, c: f64): v128 { return f64x2.add(f64x2.mul(a, b), sp(c)); }

/** sin x (or cos x when `cosine`) for two f64 lanes with |x| < 2^20. */
// @ts-ignore: decorator
@inline function sincos2x(x: v128, cosine: bool): v128 {
  const kd = f64x2.add(f64x2.mul(x, sp(TWO_OVER_PI)), sp(SHIFT));
  const fn = f64x2.sub(kd, sp(SHIFT));
  const r = f64x2.sub(f64x2.sub(f64x2.sub(x, f64x2.mul(fn, sp(P1))), f64x2.mul(fn, sp(P2))), f64x2.mul(fn, sp(P3)));
  const z = f64x2.mul(r, r);
  // sin r = r + r^3 (-1/3! + z/5! - ... + z^5/13!), cos r = 1 - z/2 + z^2 (1/4! - ... + z^5/16!)
  let s = mad(sp(1.0 / 6227020800), z, -1.0 / 39916800);
  s = mad(s, z, 1.0 / 362880);
  s = mad(s, z, -1.0 / 5040);
  s = mad(s, z, 1.0 / 120);
  s = mad(s, z, -1.0 / 6);
  const sinr = f64x2.add(r, f64x2.mul(f64x2.mul(r, z), s));
  let c = mad(sp(-1.0 / 20922789888000), z, 1.0 / 87178291200);
  c = mad(c, z, -1.0 / 479001600);
  c = mad(c, z, 1.0 / 3628800);
  c = mad(c, z, -1.0 / 40320);
  c = mad(c, z, 1.0 / 720);
  c = mad(c, z, -1.0 / 24);
  const cosr = f64x2.add(f64x2.sub(sp(1), f64x2.mul(z, sp(0.5))), f64x2.mul(f64x2.mul(z, z), f64x2.neg(c)));
  // quadrant q = n mod 4 (cos x = sin(x + pi/2): q + 1): odd q takes cos r, q of 2 and 3 negate
  let q = i64x2.sub(kd, sp(SHIFT));
  if (cosine) q = i64x2.add(q, i64x2.splat(1));
  const odd = i64x2.ne(v128.and(q, i64x2.splat(1)), i64x2.splat(0));
  const neg = i64x2.ne(v128.and(q, i64x2.splat(2)), i64x2.splat(0));
  const y = v128.xor(v128.bitselect(cosr, sinr, odd), v128.and(neg, i64x2.splat(0x8000000000000000)));
  // sin(-0) is -0, which r + r z s turns into +0
  return cosine ? y : v128.bitselect(x, y, f64x2.eq(x, sp(0)));
}

/** One float32 lane by Math.sin / Math.cos, for the vectors sincos2x does not cover. */
// @ts-ignore: decorator
@inline function lane(x: f32, cosine: bool): f32 { return <f32>(cosine ? Math.cos(<f64>x) : Math.sin(<f64>x)); }

/** out = sin a (cos a when `cosine`) for n float32, n a multiple of 4 (runVec does the rest). */
// @ts-ignore: decorator
@inline export function sinCosLoop(out: usize, a: usize, n: i32, cosine: bool): void {
  const end = <usize>n << 2;
  if (!end) return;
  let o: usize = 0;
  do {
    const x = v128.load(a + o);
    let y: v128;
    if (i32x4.all_true(f32x4.lt(f32x4.abs(x), f32x4.splat(BIG)))) {
      y = pack32(sincos2x(lo64(x), cosine), sincos2x(hi64(x), cosine));
    } else {
      y = f32x4.splat(lane(f32x4.extract_lane(x, 0), cosine));
      y = f32x4.replace_lane(y, 1, lane(f32x4.extract_lane(x, 1), cosine));
      y = f32x4.replace_lane(y, 2, lane(f32x4.extract_lane(x, 2), cosine));
      y = f32x4.replace_lane(y, 3, lane(f32x4.extract_lane(x, 3), cosine));
    }
    v128.store(out + o, y);
    o += 16;
  } while (o < end);
}
