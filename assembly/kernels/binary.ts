// Elementwise binary kernels on contiguous arrays of one element type T (f32, f64 or i32). Each
// op has three modes: both operands are arrays (VV), the second is one broadcast value (VS), or
// the first is (SV). The op, the mode and T are resolved outside the loops; Binaryen folds the
// @inline templates per op. float32 gets f32x4 bodies; the scalar tails are always written.

import { powf } from "./math";

export const B_ADD: i32 = 0;
export const B_SUB: i32 = 1;
export const B_MUL: i32 = 2;
export const B_DIV: i32 = 3;
export const B_POW: i32 = 4;
export const B_MAX: i32 = 5; // torch.maximum: NaN if either is NaN
export const B_MIN: i32 = 6;
export const B_ATAN2: i32 = 7;
export const B_FMOD: i32 = 8;
/** a + alpha * b rounded once (alpha set by setAxpyAlpha): torch.add(a, b, alpha=...). */
export const B_AXPY: i32 = 9;
/** Number of arithmetic kernels (codes below this produce T; comparisons produce bool). */
export const B_ARITH_END: i32 = 10;

// @ts-ignore: decorator
@lazy let axpyAlpha: f64 = 1;
/** Sets B_AXPY's alpha, rounded to the dtype's precision first as PyTorch casts it. */
export function setAxpyAlpha(alpha: f64, dtype: i32): void {
  axpyAlpha = dtype == 0 ? <f64><f32>alpha : dtype == 2 ? <f64><i32>alpha : alpha;
}
export const C_EQ: i32 = 10;
export const C_NE: i32 = 11;
export const C_LT: i32 = 12;
export const C_LE: i32 = 13;
export const C_GT: i32 = 14;
export const C_GE: i32 = 15;
export const L_AND: i32 = 16;
export const L_OR: i32 = 17;
export const L_XOR: i32 = 18;

export const MODE_VV: i32 = 0;
export const MODE_VS: i32 = 1;
export const MODE_SV: i32 = 2;

// @ts-ignore: decorator
@inline function ipow(a: i32, b: i32): i32 {
  if (b < 0) return a == 1 ? 1 : a == -1 ? (b & 1 ? -1 : 1) : 0;
  let r = 1, x = a, e = b;
  while (e) { if (e & 1) r *= x; x *= x; e >>= 1; }
  return r;
}

/** One element of arithmetic op k (no SIMD). */
// @ts-ignore: decorator
@inline export function sop<T>(k: i32, a: T, b: T): T {
  if (k == B_ADD) return a + b;
  if (k == B_SUB) return a - b;
  if (k == B_MUL) return a * b;
  if (k == B_DIV) return a / b;
  if (k == B_POW) {
    if (isFloat<T>()) {
      if (sizeof<T>() == 4) return <T>powf(<f32>a, <f32>b);
      // C's pow: 1 ** y = 1 and x ** 0 = 1 even for NaN, as torch
      if (<f64>a == 1 || <f64>b == 0) return <T>1;
      return <T>Math.pow(<f64>a, <f64>b);
    }
    return <T>ipow(<i32>a, <i32>b);
  }
  // std::max / std::min: a when the two compare equal (maximum(-0., 0.) is -0., as torch)
  if (k == B_MAX) {
    if (isFloat<T>()) { if (a != a) return a; if (b != b) return b; }
    return a < b ? b : a;
  }
  if (k == B_MIN) {
    if (isFloat<T>()) { if (a != a) return a; if (b != b) return b; }
    return b < a ? b : a;
  }
  if (k == B_AXPY) {
    // float32: the product and sum in f64 round once to f32, like a fused multiply-add
    if (isFloat<T>() && sizeof<T>() == 4) return <T>(<f64>a + axpyAlpha * <f64>b);
    if (isFloat<T>()) return <T>(<f64>a + axpyAlpha * <f64>b);
    return <T>(<i32>a + <i32>axpyAlpha * <i32>b);
  }
  if (k == B_ATAN2) {
    // float32 too in f64, rounded once: one copy of the stdlib's atan2
    return <T>Math.atan2(<f64>a, <f64>b);
  }
  // fmod: C's remainder with the sign of a; exact, so float32's is float64's rounded (no change)
  if (isFloat<T>()) return <T>(<f64>a % <f64>b);
  return <T>(<i32>a % <i32>b);
}

// @ts-ignore: decorator
@inline function hasSimd<T>(k: i32): bool {
  return isFloat<T>() && sizeof<T>() == 4 && k <= B_DIV;
}

// @ts-ignore: decorator
@inline function vop(k: i32, a: v128, b: v128): v128 {
  if (k == B_ADD) return f32x4.add(a, b);
  if (k == B_SUB) return f32x4.sub(a, b);
  if (k == B_MUL) return f32x4.mul(a, b);
  return f32x4.div(a, b);
}

// @ts-ignore: decorator
@inline function run<T>(k: i32, out: usize, a: usize, b: usize, n: i32, mode: i32): void {
  const sh = alignof<T>();
  let i = 0;
  if (mode == MODE_VV) {
    if (k == B_AXPY && isFloat<T>() && sizeof<T>() == 4) {
      // sop's float32 axpy four at a time: widened to f64, a + alpha * b, rounded once to f32
      const al = f64x2.splat(axpyAlpha);
      for (; i + 4 <= n; i += 4) {
        const o = <usize>i << 2;
        const va = v128.load(a + o), vb = v128.load(b + o);
        const lo = f64x2.add(f64x2.promote_low_f32x4(va), f64x2.mul(al, f64x2.promote_low_f32x4(vb)));
        const hi = f64x2.add(f64x2.promote_low_f32x4(v128.shuffle<f32>(va, va, 2, 3, 2, 3)),
          f64x2.mul(al, f64x2.promote_low_f32x4(v128.shuffle<f32>(vb, vb, 2, 3, 2, 3))));
        v128.store(out + o, v128.shuffle<f32>(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 1, 4, 5));
      }
    }
    if (hasSimd<T>(k)) for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      v128.store(out + o, vop(k, v128.load(a + o), v128.load(b + o)));
    }
    for (; i < n; i++) {
      const o = <usize>i << sh;
      store<T>(out + o, sop<T>(k, load<T>(a + o), load<T>(b + o)));
    }
  } else if (mode == MODE_VS) {
    const s = load<T>(b);
    if (hasSimd<T>(k)) {
      const sv = f32x4.splat(<f32>s);
      for (; i + 4 <= n; i += 4) {
        const o = <usize>i << 2;
        v128.store(out + o, vop(k, v128.load(a + o), sv));
      }
    }
    for (; i < n; i++) {
      const o = <usize>i << sh;
      store<T>(out + o, sop<T>(k, load<T>(a + o), s));
    }
  } else {
    const s = load<T>(a);
    if (hasSimd<T>(k)) {
      const sv = f32x4.splat(<f32>s);
      for (; i + 4 <= n; i += 4) {
        const o = <usize>i << 2;
        v128.store(out + o, vop(k, sv, v128.load(b + o)));
      }
    }
    for (; i < n; i++) {
      const o = <usize>i << sh;
      store<T>(out + o, sop<T>(k, s, load<T>(b + o)));
    }
  }
}

/**
 * out[i] = a[i] (k) b[i] for i < n elements of type T; `mode` says which operand is a single
 * value (MODE_VS: b[0], MODE_SV: a[0]). Overwrites out; out may alias an array operand.
 */
export function binaryKernel<T>(k: i32, out: usize, a: usize, b: usize, n: i32, mode: i32): void {
  switch (k) {
    case B_ADD: run<T>(B_ADD, out, a, b, n, mode); break;
    case B_SUB: run<T>(B_SUB, out, a, b, n, mode); break;
    case B_MUL: run<T>(B_MUL, out, a, b, n, mode); break;
    case B_DIV: run<T>(B_DIV, out, a, b, n, mode); break;
    case B_POW: run<T>(B_POW, out, a, b, n, mode); break;
    case B_MAX: run<T>(B_MAX, out, a, b, n, mode); break;
    case B_MIN: run<T>(B_MIN, out, a, b, n, mode); break;
    case B_ATAN2: run<T>(B_ATAN2, out, a, b, n, mode); break;
    case B_AXPY: run<T>(B_AXPY, out, a, b, n, mode); break;
    default: run<T>(B_FMOD, out, a, b, n, mode); break;
  }
}

/** One comparison or logical op: 1 or 0. NaN compares unequal to everything, as IEEE. */
// @ts-ignore: decorator
@inline export function cop<T>(k: i32, a: T, b: T): u8 {
  if (k == C_EQ) return <u8>(a == b);
  if (k == C_NE) return <u8>(a != b);
  if (k == C_LT) return <u8>(a < b);
  if (k == C_LE) return <u8>(a <= b);
  if (k == C_GT) return <u8>(a > b);
  if (k == C_GE) return <u8>(a >= b);
  const x = a != <T>0, y = b != <T>0;
  if (k == L_AND) return <u8>(x && y);
  if (k == L_OR) return <u8>(x || y);
  return <u8>(x != y);
}

/**
 * out[i] = lerp(a[i], b[i], w[i]) for n elements of T (f32/f64), w stepping by wStep elements (0:
 * one weight for all). PyTorch's formula: a + w * (b - a) when |w| < 0.5, else b - (b - a) * (1 - w),
 * exact at both ends. Overwrites out; out may alias a or b.
 */
export function lerpKernel<T>(out: usize, a: usize, b: usize, w: usize, wStep: i32, n: i32): void {
  const sh = alignof<T>();
  for (let i = 0; i < n; i++) {
    const o = <usize>i << sh;
    const x = load<T>(a + o), y = load<T>(b + o), t = load<T>(w + (<usize>(i * wStep) << sh));
    const small = (t < <T>0 ? -t : t) < <T>0.5;
    store<T>(out + o, small ? x + t * (y - x) : y - (y - x) * (<T>1 - t));
  }
}

/**
 * out[i] = clamp(a[i], lo[i * loStep], hi[i * hiStep]) for n elements of T: NaN where a or a
 * bound is NaN (torch's clamp with tensor bounds); hi wins when lo > hi. Overwrites out.
 */
export function clampKernel<T>(out: usize, a: usize, lo: usize, loStep: i32, hi: usize, hiStep: i32, n: i32): void {
  const sh = alignof<T>();
  for (let i = 0; i < n; i++) {
    const x = load<T>(a + (<usize>i << sh));
    const l = load<T>(lo + (<usize>(i * loStep) << sh)), h = load<T>(hi + (<usize>(i * hiStep) << sh));
    let r = x;
    if (isFloat<T>() && (l != l || h != h)) r = l != l ? l : h;
    else if (x == x) { r = x < l ? l : x; r = r > h ? h : r; }
    store<T>(out + (<usize>i << sh), r);
  }
}
