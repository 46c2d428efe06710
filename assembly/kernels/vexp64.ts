// float64 e^x, two lanes at a time, within one ulp of the exact value (test/kernels/exp64.test.ts
// measures it against V8's fdlibm exp). The core builds the standard library without its lookup
// tables (scripts/asc-small-math.mjs), whose table-free Math.exp is 2.5 times slower than this
// on arrays; the elementwise float64 exp uses this one. (Called one value at a time, as the
// float64 softmax rows would, it measured no faster than Math.exp, so those keep Math.exp.)
// The method is the classic one (Cody & Waite; fdlibm's e_exp.c describes it): x = n ln2 + r with
// |r| <= ln2 / 2, ln2 in two parts so that r is exact to about 2^-60, then e^r by its Taylor
// series to r^14 / 14! (the first left out, 0.347^15 / 15!, is 1e-19 of the result), and 2^n put
// back as two exact powers of two so that results in the denormal range are rounded once.

// ln 2 = LN2_HI + LN2_LO, LN2_HI with its 32 low bits zero: n * LN2_HI is exact for |n| < 2^20
const LN2_HI: f64 = 6.93147180369123816490e-01;
const LN2_LO: f64 = 1.90821492927058770002e-10;
const LOG2E: f64 = 1.4426950408889634;

// @ts-ignore: decorator
@inline function sp(c: f64): v128 { return f64x2.splat(c); }
// @ts-ignore: decorator
@inline function mad(a: v128, b: v128, c: f64): v128 { return f64x2.add(f64x2.mul(a, b), sp(c)); }

// 1.5 * 2^52: adding it rounds a double of magnitude < 2^51 to an integer (to nearest, ties to
// even, as f64x2.nearest), and that integer is then the low bits of the sum's pattern. V8 spells
// out f64x2.nearest and the conversions to integers in several instructions each; this does not.
export const SHIFT: f64 = 6755399441055744.0;

/** 2^n for the i64 lanes of n, each in [-1022, 1023], as f64x2. */
// @ts-ignore: decorator
@inline function pow2(n: v128): v128 { return i64x2.shl(i64x2.add(n, i64x2.splat(1023)), 52); }

/**
 * x clamped to [-746, 710], where e^x has long overflowed or underflowed, so that n stays in range;
 * by compares and selects (V8 spells out f64x2.min/max's NaN rules), NaN lanes staying NaN.
 */
// @ts-ignore: decorator
@inline export function clampExpArg(x: v128): v128 {
  const lo0 = sp(-746), hi0 = sp(710);
  return v128.bitselect(hi0, v128.bitselect(lo0, x, f64x2.lt(x, lo0)), f64x2.gt(x, hi0));
}

/** kd = xc log2(e) + SHIFT for a clamped xc: kd - SHIFT is n = round(xc log2 e), as a double. */
// @ts-ignore: decorator
@inline export function log2eShifted(xc: v128): v128 { return f64x2.add(f64x2.mul(xc, sp(LOG2E)), sp(SHIFT)); }

/** e 2^n for the n of kd (log2eShifted), read from the bit patterns; two exact steps, so that a denormal result rounds once. */
// @ts-ignore: decorator
@inline export function scaleBy2n(e: v128, kd: v128): v128 {
  const n = i64x2.sub(kd, sp(SHIFT));
  const n1 = i64x2.shr_s(n, 1);
  return f64x2.mul(f64x2.mul(e, pow2(n1)), pow2(i64x2.sub(n, n1)));
}

/** e^x in both lanes: +inf above 709.78, 0 below -745.13, NaN for NaN. */
// @ts-ignore: decorator
@inline export function vexp64(x: v128): v128 {
  const xc = clampExpArg(x);
  const kd = log2eShifted(xc);
  const fn = f64x2.sub(kd, sp(SHIFT));
  // r = hi - lo rounds; rerr is its error (Fast2Sum, |hi| >= |lo|), carried into the sum below
  const hi = f64x2.sub(xc, f64x2.mul(fn, sp(LN2_HI))), lo = f64x2.mul(fn, sp(LN2_LO));
  const r = f64x2.sub(hi, lo);
  const rerr = f64x2.sub(f64x2.sub(hi, r), lo);
  let q = mad(sp(1.0 / 87178291200), r, 1.0 / 6227020800);
  q = mad(q, r, 1.0 / 479001600);
  q = mad(q, r, 1.0 / 39916800);
  q = mad(q, r, 1.0 / 3628800);
  q = mad(q, r, 1.0 / 362880);
  q = mad(q, r, 1.0 / 40320);
  q = mad(q, r, 1.0 / 5040);
  q = mad(q, r, 1.0 / 720);
  q = mad(q, r, 1.0 / 120);
  q = mad(q, r, 1.0 / 24);
  q = mad(q, r, 1.0 / 6);
  q = mad(q, r, 0.5);
  // e^(r + rerr) = 1 + r + r^2 q + rerr (1 + r), with 1 + r as t + its exact rounding error
  // (Fast2Sum, |1| >= |r|): every part but t is small, so the one rounding that matters is the last
  const t = f64x2.add(sp(1), r);
  const err = f64x2.add(f64x2.sub(sp(1), t), r);
  const small = f64x2.add(f64x2.mul(f64x2.mul(r, r), q), f64x2.add(err, f64x2.add(rerr, f64x2.mul(rerr, r))));
  return scaleBy2n(f64x2.add(t, small), kd);
}

/** e^x for one f64, by the same code (lane 0), so a value gets the same bits alone or in a pair. */
export function exp64(x: f64): f64 { return f64x2.extract_lane(vexp64(f64x2.splat(x)), 0); }

/** out[i] = e^(a[i]) for n contiguous f64 (out may be a). */
export function expRowF64(out: usize, a: usize, n: i32): void {
  let i = 0;
  for (; i + 2 <= n; i += 2) v128.store(out + (<usize>i << 3), vexp64(v128.load(a + (<usize>i << 3))));
  if (i < n) store<f64>(out + (<usize>i << 3), exp64(load<f64>(a + (<usize>i << 3))));
}
