// float32 softmax, log-softmax and logsumexp over [outer, n, inner] (reduceRows.ts's layout) with
// the f32x4 exp of vmath.ts. Contiguous rows (inner = 1) run four elements at a time; otherwise
// four adjacent columns run side by side, and the last inner % 4 columns one lane at a time
// through the same code, so every column gets the same bits. Sums of the exps are taken in f64
// and the final scaling (or the log-softmax difference) is done in f64 and rounded once, as in
// the float64 formulas they replace.

import { vexp, tailLoad, tailStore } from "./vmath";
import { lo64, hi64, pack32 } from "./vmath64";

/**
 * e^(x - m) for x <= m. x - m is rounded, and the rounding error (exact, by TwoSum) is put back as
 * e * (1 + err): without it a large max would cost |x - m| / 2 ulp. NaN lanes stay NaN.
 */
// @ts-ignore: decorator
@inline function expShift(x: v128, m: v128): v128 {
  const d = f32x4.sub(x, m);
  const bb = f32x4.sub(d, x);
  const err = f32x4.add(f32x4.sub(x, f32x4.sub(d, bb)), f32x4.sub(f32x4.neg(m), bb));
  const e = vexp(d);
  const c = f32x4.mul(e, err);
  return f32x4.add(e, v128.and(c, f32x4.eq(c, c))); // with an infinite x or e: no correction
}

/** The max used for the shift: an infinite max (or only -inf for softmax) shifts by 0, as torch. */
// @ts-ignore: decorator
@inline function shiftOf(m: v128, bothInf: bool): v128 {
  let inf = f32x4.eq(m, f32x4.splat(-Infinity));
  if (bothInf) inf = v128.or(inf, f32x4.eq(m, f32x4.splat(Infinity)));
  return v128.andnot(m, inf);
}

// @ts-ignore: decorator
@inline function hsum2(a: v128, b: v128): f64 {
  const s = f64x2.add(a, b);
  return f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
}

/** The max of n >= 1 contiguous floats, splat; NaN if any is NaN (wasm's max propagates it). */
// @ts-ignore: decorator
@inline function rowMax(a: usize, n: i32): v128 {
  let m = f32x4.splat(-Infinity);
  let i = 0;
  for (; i + 4 <= n; i += 4) m = f32x4.max(m, v128.load(a + (<usize>i << 2)));
  if (i < n) m = f32x4.max(m, tailLoad(a + (<usize>i << 2), n - i, false, -Infinity));
  m = f32x4.max(m, v128.shuffle<f32>(m, m, 2, 3, 0, 1));
  return f32x4.max(m, v128.shuffle<f32>(m, m, 1, 0, 3, 2));
}

/**
 * sum_k e^(x_k - m) in f64 over a contiguous row of n >= 1 floats; with `store`, each e^(x_k - m)
 * (f32) is written to out too. Out of line: softmax, logsumexp and cross-entropy share one copy.
 */
function rowExpSum(out: usize, a: usize, n: i32, m: v128, store: bool): f64 {
  let s0 = f64x2.splat(0), s1 = f64x2.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const e = expShift(v128.load(a + (<usize>i << 2)), m);
    if (store) v128.store(out + (<usize>i << 2), e);
    s0 = f64x2.add(s0, lo64(e)); s1 = f64x2.add(s1, hi64(e));
  }
  const t = n - i;
  if (t) {
    // padded with -inf, whose exp adds 0
    const e = expShift(tailLoad(a + (<usize>i << 2), t, false, -Infinity), m);
    if (store) tailStore(out + (<usize>i << 2), e, t);
    s0 = f64x2.add(s0, lo64(e)); s1 = f64x2.add(s1, hi64(e));
  }
  return hsum2(s0, s1);
}

/** One contiguous row of n >= 1 floats: softmax, log-softmax (logOut) or, when out == 0, the logsumexp. */
function rowF32(out: usize, a: usize, n: i32, logOut: bool, lse: bool): f32 {
  const m = shiftOf(rowMax(a, n), lse);
  const s = rowExpSum(out, a, n, m, !logOut && !lse);
  const t = n & 3;
  let i = 0;
  const m64 = <f64>f32x4.extract_lane(m, 0);
  if (lse) return <f32>(Math.log(s) + m64);
  if (logOut) {
    // x - m - log(s) in f64
    const c = f64x2.splat(m64), ls = f64x2.splat(Math.log(s));
    for (i = 0; i + 4 <= n; i += 4) {
      const x = v128.load(a + (<usize>i << 2));
      const lo = f64x2.sub(f64x2.sub(lo64(x), c), ls), hi = f64x2.sub(f64x2.sub(hi64(x), c), ls);
      v128.store(out + (<usize>i << 2), pack32(lo, hi));
    }
    if (t) {
      const x = tailLoad(a + (<usize>i << 2), t);
      tailStore(out + (<usize>i << 2), pack32(f64x2.sub(f64x2.sub(lo64(x), c), ls), f64x2.sub(f64x2.sub(hi64(x), c), ls)), t);
    }
  } else {
    const r = f64x2.splat(1 / s);
    for (i = 0; i + 4 <= n; i += 4) {
      const e = v128.load(out + (<usize>i << 2));
      v128.store(out + (<usize>i << 2), pack32(f64x2.mul(lo64(e), r), f64x2.mul(hi64(e), r)));
    }
    if (t) {
      const e = tailLoad(out + (<usize>i << 2), t);
      tailStore(out + (<usize>i << 2), pack32(f64x2.mul(lo64(e), r), f64x2.mul(hi64(e), r)), t);
    }
  }
  return 0;
}

// @ts-ignore: decorator
@inline function ldc(p: usize, wide: bool): v128 { return wide ? v128.load(p) : f32x4.splat(load<f32>(p)); }
// @ts-ignore: decorator
@inline function stc(p: usize, v: v128, wide: bool): void {
  if (wide) v128.store(p, v);
  else store<f32>(p, f32x4.extract_lane(v, 0));
}
// @ts-ignore: decorator
@inline function log2x(s: v128): v128 {
  return f64x2.replace_lane(f64x2.splat(Math.log(f64x2.extract_lane(s, 0))), 1, Math.log(f64x2.extract_lane(s, 1)));
}

/**
 * Four columns (or one, lane 0, when !wide) k = 0..n-1 with a stride of `stride` bytes, n >= 1.
 * lse: writes the logsumexp of each column to res (contiguous).
 */
// @ts-ignore: decorator
@inline function colsF32(out: usize, a: usize, n: i32, stride: usize, wide: bool, logOut: bool, lse: bool, res: usize): void {
  let mx = ldc(a, wide);
  for (let k = 1; k < n; k++) mx = f32x4.max(mx, ldc(a + <usize>k * stride, wide)); // NaN propagates
  const m = shiftOf(mx, lse);
  const store = !logOut && !lse;
  let s0 = f64x2.splat(0), s1 = f64x2.splat(0);
  for (let k = 0; k < n; k++) {
    const p = <usize>k * stride;
    const e = expShift(ldc(a + p, wide), m);
    if (store) stc(out + p, e, wide);
    s0 = f64x2.add(s0, lo64(e)); s1 = f64x2.add(s1, hi64(e));
  }
  const m0 = lo64(m), m1 = hi64(m);
  if (lse) {
    stc(res, pack32(f64x2.add(log2x(s0), m0), f64x2.add(log2x(s1), m1)), wide);
  } else if (logOut) {
    const l0 = log2x(s0), l1 = log2x(s1);
    for (let k = 0; k < n; k++) {
      const p = <usize>k * stride;
      const x = ldc(a + p, wide);
      stc(out + p, pack32(f64x2.sub(f64x2.sub(lo64(x), m0), l0), f64x2.sub(f64x2.sub(hi64(x), m1), l1)), wide);
    }
  } else {
    const r0 = f64x2.div(f64x2.splat(1), s0), r1 = f64x2.div(f64x2.splat(1), s1);
    for (let k = 0; k < n; k++) {
      const p = <usize>k * stride;
      const e = ldc(out + p, wide);
      stc(out + p, pack32(f64x2.mul(lo64(e), r0), f64x2.mul(hi64(e), r1)), wide);
    }
  }
}

/** softmax (log-softmax when logOut) over k of a [outer, n, inner] float32 array; out may alias a. */
export function softmaxRowsF32(out: usize, a: usize, outer: i32, n: i32, inner: i32, logOut: bool): void {
  if (n == 0) return;
  for (let o = 0; o < outer; o++) {
    const base = <usize>o * n * inner << 2;
    if (inner == 1) { rowF32(out + base, a + base, n, logOut, false); continue; }
    const stride = <usize>inner << 2;
    let i = 0;
    for (; i + 4 <= inner; i += 4) colsF32(out + base + (<usize>i << 2), a + base + (<usize>i << 2), n, stride, true, logOut, false, 0);
    for (; i < inner; i++) colsF32(out + base + (<usize>i << 2), a + base + (<usize>i << 2), n, stride, false, logOut, false, 0);
  }
}

/** out[o, i] = logsumexp over k of a[o, k, i] (float32); -inf for n = 0. */
export function logsumexpRowsF32(out: usize, a: usize, outer: i32, n: i32, inner: i32): void {
  for (let o = 0; o < outer; o++) {
    const res = out + (<usize>o * inner << 2);
    if (n == 0) { for (let i = 0; i < inner; i++) store<f32>(res + (<usize>i << 2), -Infinity); continue; }
    const base = <usize>o * n * inner << 2;
    if (inner == 1) { store<f32>(res, rowF32(0, a + base, n, false, true)); continue; }
    const stride = <usize>inner << 2;
    let i = 0;
    for (; i + 4 <= inner; i += 4) colsF32(0, a + base + (<usize>i << 2), n, stride, true, false, true, res + (<usize>i << 2));
    for (; i < inner; i++) colsF32(0, a + base + (<usize>i << 2), n, stride, false, false, true, res + (<usize>i << 2));
  }
}

/**
 * Backward of log-softmax (y = its output) for float32: out = g - exp(y) * sum_k g, the sum in f64
 * in k order and the difference in f64, rounded once. Overwrites.
 */
export function logSoftmaxBackRowsF32(out: usize, g: usize, y: usize, outer: i32, n: i32, inner: i32): void {
  const stride = <usize>inner << 2;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const b = (<usize>o * n * inner + i) << 2;
      let s: f64 = 0;
      for (let k = 0; k < n; k++) s += <f64>load<f32>(g + b + <usize>k * stride);
      if (inner == 1) {
        const sv = f64x2.splat(s);
        let k = 0;
        for (; k + 4 <= n; k += 4) {
          const p = b + (<usize>k << 2);
          const e = vexp(v128.load(y + p)), gv = v128.load(g + p);
          v128.store(out + p, pack32(f64x2.sub(lo64(gv), f64x2.mul(lo64(e), sv)), f64x2.sub(hi64(gv), f64x2.mul(hi64(e), sv))));
        }
        if (k < n) {
          const p = b + (<usize>k << 2);
          const e = vexp(tailLoad(y + p, n - k)), gv = tailLoad(g + p, n - k, true);
          tailStore(out + p, pack32(f64x2.sub(lo64(gv), f64x2.mul(lo64(e), sv)), f64x2.sub(hi64(gv), f64x2.mul(hi64(e), sv))), n - k);
        }
        continue;
      }
      // one lane of the same exp, so a column gets the bits a row would
      for (let k = 0; k < n; k++) {
        const p = b + <usize>k * stride;
        const e = <f64>f32x4.extract_lane(vexp(f32x4.splat(load<f32>(y + p))), 0);
        store<f32>(out + p, <f32>(<f64>load<f32>(g + p) - e * s));
      }
    }
  }
}

/**
 * Cross-entropy's log(sum_k e^(a_k)) of a float32 row of n >= 1 (kernels/loss.ts), unrounded. The
 * shift is the max unless it is -inf, so an infinite logit gives NaN, as torch's log_softmax.
 */
export function lseRowF32(a: usize, n: i32): f64 {
  const m = shiftOf(rowMax(a, n), false);
  return <f64>f32x4.extract_lane(m, 0) + Math.log(rowExpSum(0, a, n, m, false));
}

/**
 * Cross-entropy's gradient row for float32 logits a[n], n >= 1: out_k = w (softmax(a)_k - q) with
 * q = sm, and qt at the target t; softmax's e^(a_k - m) in f32 as softmaxRowsF32 computes it, the
 * rest in f64, rounded once.
 */
export function xentGradRowF32(out: usize, a: usize, n: i32, t: i32, w: f64, sm: f64, qt: f64): void {
  const m = shiftOf(rowMax(a, n), false);
  const r = 1 / rowExpSum(out, a, n, m, true);
  const et = <f64>load<f32>(out + (<usize>t << 2)); // before the pass below overwrites it
  const rv = f64x2.splat(r), q = f64x2.splat(sm), wv = f64x2.splat(w);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const e = v128.load(out + (<usize>i << 2));
    v128.store(out + (<usize>i << 2), pack32(f64x2.mul(f64x2.sub(f64x2.mul(lo64(e), rv), q), wv),
      f64x2.mul(f64x2.sub(f64x2.mul(hi64(e), rv), q), wv)));
  }
  if (i < n) {
    const e = tailLoad(out + (<usize>i << 2), n - i);
    tailStore(out + (<usize>i << 2), pack32(f64x2.mul(f64x2.sub(f64x2.mul(lo64(e), rv), q), wv),
      f64x2.mul(f64x2.sub(f64x2.mul(hi64(e), rv), q), wv)), n - i);
  }
  store<f32>(out + (<usize>t << 2), <f32>(w * (et * r - qt)));
}
