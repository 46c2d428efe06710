// f32x4 exp, expm1, log, log1p, tanh and sigmoid for the float32 kernels (four lanes at a time,
// the last n % 4 elements too: see runVec). The scheme is the classic one of Cephes'
// expf/logf/tanhf (S. L. Moshier) and of XNNPACK's and SLEEF's f32 vector routines: Cody–Waite
// reduction by ln 2 with a two-part constant, a short polynomial on the reduced interval, and the
// exponent put back with integer arithmetic. The polynomials are our own minimax fits
// (scripts/vmath-fit.py), rounded to f32. Errors measured against float64: test/kernels/transcendental.test.ts.

const LOG2E: f32 = 1.44269504;
// ln 2 = LN2_HI + LN2_LO; LN2_HI = 355/512 has 9 significant bits, so n * LN2_HI is exact for the
// |n| <= 150 the reduction meets, and x - n * LN2_HI is exact too (Sterbenz).
const LN2_HI: f32 = 0.693359375;
const LN2_LO: f32 = -2.12194440e-4;

// expm1(r) = r + r^2 * (E0 + E1 r + ... + E4 r^4) on |r| <= 0.354 (0.1 ulp before rounding)
const E0: f32 = 0.49999994;
const E1: f32 = 0.16666509;
const E2: f32 = 0.041668531;
const E3: f32 = 0.0083701406;
const E4: f32 = 0.0013811649;

// log1p(f) = f - f^2 / 2 + f^3 * (L0 + ... + L7 f^7) on sqrt(1/2) - 1 <= f <= sqrt(2) - 1 (0.14 ulp)
const L0: f32 = 0.33333331;
const L1: f32 = -0.25000823;
const L2: f32 = 0.20001227;
const L3: f32 = -0.16623357;
const L4: f32 = 0.14201762;
const L5: f32 = -0.13160194;
const L6: f32 = 0.1276155;
const L7: f32 = -0.076344296;

// tanh(x) = x + x^3 * (T0 + T1 x^2 + ... + T4 x^8) on |x| < 0.625 (0.15 ulp)
const T0: f32 = -0.33333281;
const T1: f32 = 0.13331442;
const T2: f32 = -0.053739715;
const T3: f32 = 0.02063909;
const T4: f32 = -0.0057049906;

// @ts-ignore: decorator
@inline function sp(c: f32): v128 { return f32x4.splat(c); }
// @ts-ignore: decorator
@inline function fma4(a: v128, b: v128, c: f32): v128 { return f32x4.add(f32x4.mul(a, b), sp(c)); }

/** expm1 of the reduced argument, |r| <= 0.354. */
// @ts-ignore: decorator
@inline function expm1Reduced(r: v128): v128 {
  let p = fma4(sp(E4), r, E3);
  p = fma4(p, r, E2);
  p = fma4(p, r, E1);
  p = fma4(p, r, E0);
  return f32x4.add(f32x4.mul(f32x4.mul(r, r), p), r);
}

/** 2^n as f32 for -126 <= n <= 127. */
// @ts-ignore: decorator
@inline function pow2(n: v128): v128 { return i32x4.shl(i32x4.add(n, i32x4.splat(127)), 23); }

/** n = nearest(x / ln 2) and r = x - n ln 2, for |x| <= 104. */
// @ts-ignore: decorator
@inline function reduceLn2(x: v128, fn: v128): v128 {
  const r = f32x4.sub(x, f32x4.mul(fn, sp(LN2_HI)));
  return f32x4.sub(r, f32x4.mul(fn, sp(LN2_LO)));
}

// adding 1.5 * 2^23 rounds a float below 2^22 to an integer held in the low mantissa bits
const MAGIC: f32 = 12582912;
const MAGIC_BITS: i32 = 0x4b400000;

/** e^x; overflows to inf above 88.72, gives denormals down to -103.97 and 0 below; NaN stays NaN. */
// @ts-ignore: decorator
@inline export function vexp(x: v128): v128 {
  // pmin/pmax return their first operand when it is NaN, so a NaN lane stays NaN throughout
  const xc = f32x4.pmin(f32x4.pmax(x, sp(-104)), sp(89));
  const t = f32x4.add(f32x4.mul(xc, sp(LOG2E)), sp(MAGIC));
  const fn = f32x4.sub(t, sp(MAGIC));
  const n = i32x4.sub(t, i32x4.splat(MAGIC_BITS));
  const y = f32x4.add(expm1Reduced(reduceLn2(xc, fn)), sp(1));
  // y in [0.7, 1.42]: y * 2^n by adding n to the exponent field while the result is normal
  const out = v128.or(i32x4.gt_s(n, i32x4.splat(127)), i32x4.lt_s(n, i32x4.splat(-125)));
  if (!v128.any_true(out)) return i32x4.add(y, i32x4.shl(n, 23));
  // else 2^n in two factors, so n = 128 (overflow) and n < -126 (denormals, rounded once) work;
  // where both ways apply they give the same bits
  const n1 = i32x4.shr_s(n, 1);
  return f32x4.mul(f32x4.mul(y, pow2(n1)), pow2(i32x4.sub(n, n1)));
}

/** e^x - 1, accurate near 0; -1 below -17, inf above 88.72. */
// @ts-ignore: decorator
@inline export function vexpm1(x: v128): v128 {
  const xc = f32x4.pmin(f32x4.pmax(x, sp(-30)), sp(89));
  const t = f32x4.add(f32x4.mul(xc, sp(LOG2E)), sp(MAGIC));
  const fn = f32x4.sub(t, sp(MAGIC));
  const em = expm1Reduced(reduceLn2(xc, fn));
  // 2^n (em + 1) - 1 = 2 (h em + (h - 1/2)) with h = 2^(n-1): h - 1/2 is exact for n <= 25, and
  // n - 1 <= 127 keeps h a normal float
  const h = pow2(i32x4.sub(t, i32x4.splat(MAGIC_BITS + 1)));
  const r = f32x4.mul(f32x4.add(f32x4.mul(h, em), f32x4.sub(h, sp(0.5))), sp(2));
  // below 2^-24, x + x^2 / 2 rounds to x (this also keeps -0 and denormals exact)
  return v128.bitselect(x, r, f32x4.lt(f32x4.abs(x), sp(5.96046448e-8)));
}

/** Natural log: -inf at +-0, NaN below 0 and for NaN, inf at inf; denormal inputs handled. */
// @ts-ignore: decorator
@inline export function vlog(x: v128): v128 {
  const MIN_NORMAL: f32 = 1.17549435e-38;
  // lanes that are not normal positive floats (0, denormals, negatives, inf, NaN) take the slow path
  const special = v128.or(v128.not(f32x4.ge(x, sp(MIN_NORMAL))), f32x4.eq(x, sp(Infinity)));
  const any = v128.any_true(special);
  let xs = x, eBias = i32x4.splat(0);
  if (any) {
    // denormals: scale by 2^23 first, so the exponent field is meaningful
    const sub = f32x4.lt(x, sp(MIN_NORMAL));
    xs = v128.bitselect(f32x4.mul(x, sp(8388608)), x, sub);
    eBias = v128.and(sub, i32x4.splat(23));
  }
  // x = 2^e m with m in [sqrt(1/2), sqrt(2)): subtracting the bits of sqrt(1/2) moves the binade
  // boundary there, so f = m - 1 is small on both sides of 0 (and exact)
  const ix = i32x4.sub(xs, i32x4.splat(0x3f3504f3));
  const e = i32x4.sub(i32x4.shr_s(ix, 23), eBias);
  const m = i32x4.add(v128.and(ix, i32x4.splat(0x7fffff)), i32x4.splat(0x3f3504f3));
  const f = f32x4.sub(m, sp(1));
  const ef = f32x4.convert_i32x4_s(e);
  const z = f32x4.mul(f, f);
  // Estrin's scheme: a shorter dependency chain than Horner's
  const z2 = f32x4.mul(z, z);
  const p01 = fma4(sp(L1), f, L0), p23 = fma4(sp(L3), f, L2);
  const p45 = fma4(sp(L5), f, L4), p67 = fma4(sp(L7), f, L6);
  const p = f32x4.add(f32x4.add(p01, f32x4.mul(z, p23)), f32x4.mul(z2, f32x4.add(p45, f32x4.mul(z, p67))));
  let y = f32x4.mul(f32x4.mul(z, f), p);
  y = f32x4.add(y, f32x4.mul(ef, sp(LN2_LO)));
  y = f32x4.sub(y, f32x4.mul(z, sp(0.5)));
  let r = f32x4.add(f32x4.add(f, y), f32x4.mul(ef, sp(LN2_HI)));
  if (!any) return r;
  r = v128.bitselect(sp(Infinity), r, f32x4.eq(x, sp(Infinity)));
  r = v128.bitselect(sp(-Infinity), r, f32x4.eq(x, sp(0)));
  return v128.bitselect(sp(NaN), r, v128.not(f32x4.ge(x, sp(0))));
}

/** log(1 + x), accurate near 0: the log of u = 1 + x plus the rounding error of u, (x - (u - 1)) / u. */
// @ts-ignore: decorator
@inline export function vlog1p(x: v128): v128 {
  const u = f32x4.add(x, sp(1));
  const c = f32x4.div(f32x4.sub(x, f32x4.sub(u, sp(1))), u);
  // no correction where u is 0, inf or NaN (log(u) alone is then -inf, inf or NaN)
  const finite = v128.and(f32x4.gt(u, sp(0)), f32x4.lt(u, sp(Infinity)));
  const r = f32x4.add(vlog(u), v128.and(c, finite));
  return v128.bitselect(x, r, f32x4.eq(x, sp(0)));
}

/** tanh: an odd polynomial below 0.625, 1 - 2 / (e^2|x| + 1) with x's sign above; +-1 at +-inf. */
// @ts-ignore: decorator
@inline export function vtanh(x: v128): v128 {
  const ax = f32x4.abs(x);
  const z = f32x4.mul(x, x);
  let p = fma4(sp(T4), z, T3);
  p = fma4(p, z, T2);
  p = fma4(p, z, T1);
  p = fma4(p, z, T0);
  const small = f32x4.add(f32x4.mul(f32x4.mul(z, x), p), x);
  const e = vexp(f32x4.add(ax, ax));
  const big = f32x4.sub(sp(1), f32x4.div(sp(2), f32x4.add(e, sp(1))));
  const signed = v128.or(big, v128.and(x, i32x4.splat(0x80000000)));
  const r = v128.bitselect(small, signed, f32x4.lt(ax, sp(0.625)));
  return v128.bitselect(x, r, f32x4.eq(x, sp(0))); // tanh(-0) = -0
}

/** 1 / (1 + e^-x), as e / (1 + e) with e = e^-|x| <= 1 for x < 0: no overflow, exactly 0 and 1 at -inf, inf. */
// @ts-ignore: decorator
@inline export function vsigmoid(x: v128): v128 {
  const e = vexp(f32x4.neg(f32x4.abs(x)));
  const num = v128.bitselect(e, sp(1), f32x4.lt(x, sp(0)));
  const d = f32x4.add(e, sp(1));
  // num / (1 + e) = num / (d + c), c = (1 - d) + e the exact rounding error of d (Fast2Sum)
  const c = f32x4.add(f32x4.sub(sp(1), d), e);
  const r = f32x4.div(num, d);
  return f32x4.sub(r, f32x4.div(f32x4.mul(r, c), d));
}

// The last n % 4 elements go through the same f32x4 code, by way of a zero-padded scratch vector,
// so an element's result does not depend on its position in the array.
const TAIL = memory.data(32, 16);

/** m < 4 floats from p (into the second scratch vector when `second`), padded with `pad`. */
// @ts-ignore: decorator
@inline export function tailLoad(p: usize, m: i32, second: bool = false, pad: f32 = 0): v128 {
  const t = TAIL + (second ? 16 : 0);
  v128.store(t, f32x4.splat(pad));
  memory.copy(t, p, <usize>m << 2);
  return v128.load(t);
}

/** Writes the first m < 4 lanes of v to p. */
// @ts-ignore: decorator
@inline export function tailStore(p: usize, v: v128, m: i32): void {
  v128.store(TAIL, v);
  memory.copy(p, TAIL, <usize>m << 2);
}

/**
 * A float32 elementwise kernel over whole vectors: out = f(a, b; p0, p1) for n a multiple of 4
 * (unary kernels ignore b, kernels without parameters p0, p1).
 */
export type VecLoop = (out: usize, a: usize, b: usize, n: i32, p0: f32, p1: f32) => void;

/**
 * Runs f on n elements: the whole vectors in place, then the last n % 4, zero-padded, as one more
 * vector in the scratch space (b's too when b != 0). So each op's loop body, often a long inlined
 * polynomial, is compiled once, without a second copy for the tail, and every element goes
 * through the same code. The caller passes f through the function table, which also keeps
 * binaryen from inlining all the ops' loops into one large function.
 */
export function runVec(f: VecLoop, out: usize, a: usize, b: usize, n: i32, p0: f32, p1: f32): void {
  const whole = n & ~3, m = n & 3;
  f(out, a, b, whole, p0, p1);
  if (!m) return;
  const o = <usize>whole << 2, bytes = <usize>m << 2;
  v128.store(TAIL, f32x4.splat(0));
  memory.copy(TAIL, a + o, bytes);
  if (b) {
    v128.store(TAIL + 16, f32x4.splat(0));
    memory.copy(TAIL + 16, b + o, bytes);
  }
  f(TAIL, TAIL, TAIL + 16, 4, p0, p1);
  memory.copy(out + o, TAIL, bytes);
}

