// Reductions and scans along one axis of a contiguous array viewed as [outer, n, inner]: element
// (o, k, i) sits at (o * n + k) * inner + i. Several reduced dims arrive merged into n (the op
// layer permutes them to the end first when they are not adjacent). Floating results are
// accumulated in f64 and rounded once, in index order, so they are deterministic run to run.
// float32 softmax, log-softmax (and its backward) and logsumexp run in vsoftmax.ts (f32x4 exp, f64 sums).

import { softmaxRowsF32, logsumexpRowsF32, logSoftmaxBackRowsF32 } from "./vsoftmax";

// @ts-ignore: decorator
@inline function ld<T>(p: usize, i: i32): T { return load<T>(p + (<usize>i << alignof<T>())); }
// @ts-ignore: decorator
@inline function st<T>(p: usize, i: i32, v: T): void { store<T>(p + (<usize>i << alignof<T>()), v); }
// @ts-ignore: decorator
@inline function isNaNOf<T>(v: T): bool { return isFloat<T>() ? v != v : false; }

/** Max (or min) of n contiguous f32 values, NaN if any is NaN (f32x4 body, scalar tail); n >= 1. */
export function maxF32(a: usize, n: i32, isMin: bool): f32 {
  let i = 0;
  let acc = f32x4.splat(load<f32>(a));
  for (; i + 4 <= n; i += 4) {
    const v = v128.load(a + (<usize>i << 2));
    acc = isMin ? f32x4.min(acc, v) : f32x4.max(acc, v);
  }
  let m = f32x4.extract_lane(acc, 0);
  for (let l = 1; l < 4; l++) {
    const x = l == 1 ? f32x4.extract_lane(acc, 1) : l == 2 ? f32x4.extract_lane(acc, 2) : f32x4.extract_lane(acc, 3);
    m = x != x || m != m ? NaN : isMin ? (x < m ? x : m) : (x > m ? x : m);
  }
  for (; i < n; i++) {
    const x = load<f32>(a + (<usize>i << 2));
    m = x != x || m != m ? NaN : isMin ? (x < m ? x : m) : (x > m ? x : m);
  }
  return m;
}

/**
 * vals[o, i] = max (min) over k of a[o, k, i] and idx[o, i] its first index k; a NaN wins (the
 * first NaN), as torch. vals or idx may be 0 (not written). n >= 1. Overwrites.
 */
export function maxRows<T>(vals: usize, idx: usize, a: usize, outer: i32, n: i32, inner: i32, isMin: bool): void {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      let best = ld<T>(a, base), bi = 0;
      if (!isNaNOf<T>(best)) {
        for (let k = 1; k < n; k++) {
          const v = ld<T>(a, base + k * inner);
          if (isNaNOf<T>(v)) { best = v; bi = k; break; }
          if (isMin ? v < best : v > best) { best = v; bi = k; }
        }
      }
      if (vals) st<T>(vals, o * inner + i, best);
      if (idx) st<i32>(idx, o * inner + i, bi);
    }
  }
}

/** out[o, i] = product over k of a[o, k, i] (1 for n = 0); f64 accumulation for floats, wrapping i32. */
export function prodRows<T>(out: usize, a: usize, outer: i32, n: i32, inner: i32): void {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      if (isFloat<T>()) {
        let p: f64 = 1;
        for (let k = 0; k < n; k++) p *= <f64>ld<T>(a, base + k * inner);
        st<T>(out, o * inner + i, <T>p);
      } else {
        let p: i32 = 1;
        for (let k = 0; k < n; k++) p *= <i32>ld<T>(a, base + k * inner);
        st<T>(out, o * inner + i, <T>p);
      }
    }
  }
}

/**
 * out[o, i] = sum over k of (a - mean)^2 / (n - correction) (two passes in f64), or its square
 * root when `sqrtOut`. n - correction <= 0 gives inf or NaN, as torch.
 */
export function varRows<T>(out: usize, a: usize, outer: i32, n: i32, inner: i32, correction: f64, sqrtOut: bool): void {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      let s: f64 = 0;
      for (let k = 0; k < n; k++) s += <f64>ld<T>(a, base + k * inner);
      const mean = s / <f64>n;
      let q: f64 = 0;
      for (let k = 0; k < n; k++) { const d = <f64>ld<T>(a, base + k * inner) - mean; q += d * d; }
      const dof = <f64>n - correction;
      let v = dof > 0 ? q / dof : (q == 0 || n == 0 ? NaN : Infinity);
      if (n == 0) v = NaN;
      st<T>(out, o * inner + i, <T>(sqrtOut ? Math.sqrt(v) : v));
    }
  }
}

/** out[o, i] = the p-norm over k of a[o, k, i] (p = 0 counts non-zeros; +-inf: max/min of |a|), in f64. */
export function normRows<T>(out: usize, a: usize, outer: i32, n: i32, inner: i32, p: f64): void {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      let r: f64 = 0;
      if (p == Infinity || p == -Infinity) {
        r = n ? Math.abs(<f64>ld<T>(a, base)) : 0;
        for (let k = 1; k < n; k++) {
          const x = Math.abs(<f64>ld<T>(a, base + k * inner));
          if (x != x || r != r) r = NaN;
          else if (p > 0 ? x > r : x < r) r = x;
        }
      } else if (p == 0) {
        for (let k = 0; k < n; k++) if (<f64>ld<T>(a, base + k * inner) != 0) r += 1;
      } else if (p == 1) {
        for (let k = 0; k < n; k++) r += Math.abs(<f64>ld<T>(a, base + k * inner));
      } else if (p == 2) {
        for (let k = 0; k < n; k++) { const x = <f64>ld<T>(a, base + k * inner); r += x * x; }
        r = Math.sqrt(r);
      } else {
        for (let k = 0; k < n; k++) r += Math.pow(Math.abs(<f64>ld<T>(a, base + k * inner)), p);
        r = Math.pow(r, 1 / p);
      }
      st<T>(out, o * inner + i, <T>r);
    }
  }
}

/** out[o, i] = log(sum over k of exp(a - m)) + m with m the max (0 when infinite), as torch. */
export function logsumexpRows<T>(out: usize, a: usize, outer: i32, n: i32, inner: i32): void {
  if (isFloat<T>() && sizeof<T>() == 4) { logsumexpRowsF32(out, a, outer, n, inner); return; }
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      let m: f64 = -Infinity;
      for (let k = 0; k < n; k++) { const x = <f64>ld<T>(a, base + k * inner); if (x > m || x != x) m = x; }
      if (m == Infinity || m == -Infinity) m = 0;
      let s: f64 = 0;
      for (let k = 0; k < n; k++) s += Math.exp(<f64>ld<T>(a, base + k * inner) - m);
      st<T>(out, o * inner + i, <T>(Math.log(s) + m));
    }
  }
}

/**
 * out[o, k, i] = softmax over k of a (or log-softmax when `logOut`): the max is subtracted first,
 * so inputs of any magnitude stay finite. Overwrites; out may alias a.
 */
export function softmaxRows<T>(out: usize, a: usize, outer: i32, n: i32, inner: i32, logOut: bool): void {
  if (isFloat<T>() && sizeof<T>() == 4) { softmaxRowsF32(out, a, outer, n, inner, logOut); return; }
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      let m: f64 = -Infinity;
      for (let k = 0; k < n; k++) { const x = <f64>ld<T>(a, base + k * inner); if (x > m || x != x) m = x; }
      if (m == -Infinity) m = 0;
      let s: f64 = 0;
      for (let k = 0; k < n; k++) s += Math.exp(<f64>ld<T>(a, base + k * inner) - m);
      if (logOut) {
        const ls = Math.log(s);
        for (let k = 0; k < n; k++) st<T>(out, base + k * inner, <T>(<f64>ld<T>(a, base + k * inner) - m - ls));
      } else {
        const r = 1 / s;
        for (let k = 0; k < n; k++) st<T>(out, base + k * inner, <T>(Math.exp(<f64>ld<T>(a, base + k * inner) - m) * r));
      }
    }
  }
}

/**
 * Backward formulas of softmax (y = its output): out = y * (g - sum_k g * y); of log-softmax:
 * out = g - exp(y) * sum_k g. Overwrites.
 */
export function softmaxBackRows<T>(out: usize, g: usize, y: usize, outer: i32, n: i32, inner: i32, logIn: bool): void {
  if (isFloat<T>() && sizeof<T>() == 4 && logIn) { logSoftmaxBackRowsF32(out, g, y, outer, n, inner); return; }
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      let s: f64 = 0;
      if (logIn) {
        for (let k = 0; k < n; k++) s += <f64>ld<T>(g, base + k * inner);
        for (let k = 0; k < n; k++) {
          const j = base + k * inner;
          st<T>(out, j, <T>(<f64>ld<T>(g, j) - Math.exp(<f64>ld<T>(y, j)) * s));
        }
      } else {
        for (let k = 0; k < n; k++) { const j = base + k * inner; s += <f64>ld<T>(g, j) * <f64>ld<T>(y, j); }
        for (let k = 0; k < n; k++) {
          const j = base + k * inner;
          st<T>(out, j, <T>(<f64>ld<T>(y, j) * (<f64>ld<T>(g, j) - s)));
        }
      }
    }
  }
}

/** out[o, k, i] = sum over j <= k (j >= k when `reverse`) of a[o, j, i], in T (i32 wraps). */
export function cumsumRows<T>(out: usize, a: usize, outer: i32, n: i32, inner: i32, reverse: bool): void {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      let s: T = <T>0;
      for (let kk = 0; kk < n; kk++) {
        const j = base + (reverse ? n - 1 - kk : kk) * inner;
        s += ld<T>(a, j);
        st<T>(out, j, s);
      }
    }
  }
}

/** out[o, i] (bool) = every (any) a[o, k, i] is non-zero; true (false) for n = 0. */
export function allAnyRows<T>(out: usize, a: usize, outer: i32, n: i32, inner: i32, any: bool): void {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      let r = !any;
      for (let k = 0; k < n; k++) {
        const nz = ld<T>(a, base + k * inner) != <T>0;
        if (any ? nz : !nz) { r = any; break; }
      }
      store<u8>(out + <usize>(o * inner + i), r ? 1 : 0);
    }
  }
}
