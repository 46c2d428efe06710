// Softmax cross-entropy with class-index targets on contiguous logits x[N, C] (T = f32 or f64),
// forward and backward each in one pass per row, in float64 as the softmax kernels
// (reduceRows.ts) compute. With lse = log(sum_j exp(x_j)) and label smoothing ls, a row whose
// target t is not `ignore` loses (1 - ls) (lse - x_t) + ls/C sum_j (lse - x_j), as torch 1.13's
// cross_entropy (nll of log_softmax, plus the smoothing term); an ignored row loses 0 and adds
// nothing to mean's count. The gradient of a row is w (softmax(x) - (1 - ls) onehot(t) - ls/C).
// float32 rows take their exps four at a time (vsoftmax.ts), as the float32 softmax does.

import { lseRowF32, xentGradRowF32 } from "./vsoftmax";

export const RED_NONE: i32 = 0;
export const RED_MEAN: i32 = 1;
export const RED_SUM: i32 = 2;

// @ts-ignore: decorator
@inline function ld<T>(p: usize, i: i32): f64 { return <f64>load<T>(p + (<usize>i << alignof<T>())); }

/** Row max (0 if every value is -inf, NaN if one is) and log(sum exp(x - max)) of n values at p. */
// @ts-ignore: decorator
@inline function rowLse<T>(p: usize, n: i32): f64 {
  if (sizeof<T>() == 4 && n > 0) return lseRowF32(p, n);
  let m: f64 = -Infinity;
  for (let j = 0; j < n; j++) { const v = ld<T>(p, j); if (v > m || v != v) m = v; }
  if (m == -Infinity) m = 0;
  let s: f64 = 0;
  for (let j = 0; j < n; j++) s += Math.exp(ld<T>(p, j) - m);
  return m + Math.log(s);
}

/** Rows of t[N] that are not `ignore`. */
export function validRows(t: usize, N: i32, ignore: i32): i32 {
  let c = 0;
  for (let i = 0; i < N; i++) if (load<i32>(t + (<usize>i << 2)) != ignore) c++;
  return c;
}

/**
 * The loss of each row into out[N] (RED_NONE), or their sum (RED_SUM) or mean over the valid rows
 * (RED_MEAN) into out[0]; rows summed in order in float64, rounded to T once.
 */
export function crossEntropyRows<T>(out: usize, x: usize, t: usize, N: i32, C: i32, ignore: i32, ls: f64, red: i32): void {
  let total: f64 = 0;
  let count = 0;
  const sm = ls / <f64>C;
  for (let i = 0; i < N; i++) {
    const row = x + (<usize>i * <usize>C << alignof<T>());
    const ti = load<i32>(t + (<usize>i << 2));
    let l: f64 = 0;
    if (ti != ignore) {
      const lse = rowLse<T>(row, C);
      l = lse - ld<T>(row, ti);
      if (ls != 0) {
        let s: f64 = 0;
        for (let j = 0; j < C; j++) s += lse - ld<T>(row, j);
        l = (1 - ls) * l + sm * s;
      }
      count++;
    }
    if (red == RED_NONE) store<T>(out + (<usize>i << alignof<T>()), <T>l);
    else total += l;
  }
  if (red == RED_SUM) store<T>(out, <T>total);
  else if (red == RED_MEAN) store<T>(out, <T>(total / <f64>count));
}

/**
 * d loss / d x into out[N, C] for the output gradient g (gStep 0: one value, the reductions; 1:
 * one per row, RED_NONE): w (softmax(x) - (1 - ls) onehot(t) - ls/C) with w = g (/ count for
 * RED_MEAN), 0 on ignored rows.
 */
export function crossEntropyBackRows<T>(out: usize, x: usize, t: usize, g: usize, gStep: i32,
                                        N: i32, C: i32, ignore: i32, ls: f64, red: i32): void {
  const scale: f64 = red == RED_MEAN ? 1 / <f64>validRows(t, N, ignore) : 1;
  const sm = ls / <f64>C, hit = 1 - ls;
  for (let i = 0; i < N; i++) {
    const sh = alignof<T>();
    const row = x + (<usize>i * <usize>C << sh), orow = out + (<usize>i * <usize>C << sh);
    const ti = load<i32>(t + (<usize>i << 2));
    if (ti == ignore) { memory.fill(orow, 0, <usize>C << sh); continue; }
    const w = ld<T>(g, i * gStep) * scale;
    if (sizeof<T>() == 4 && C > 0) { xentGradRowF32(orow, row, C, ti, w, sm, hit + sm); continue; }
    const lse = rowLse<T>(row, C);
    for (let j = 0; j < C; j++) {
      const q = j == ti ? hit + sm : sm;
      store<T>(orow + (<usize>j << sh), <T>(w * (Math.exp(ld<T>(row, j) - lse) - q)));
    }
  }
}

/** The smoothed one-hot targets q[N, C] = (1 - ls) onehot(t) + ls/C (rows of ignored targets too). */
export function smoothTargets<T>(out: usize, t: usize, N: i32, C: i32, ls: f64): void {
  const sm = ls / <f64>C, hit = 1 - ls + sm;
  for (let i = 0; i < N; i++) {
    const ti = load<i32>(t + (<usize>i << 2));
    const orow = out + (<usize>i * <usize>C << alignof<T>());
    for (let j = 0; j < C; j++) store<T>(orow + (<usize>j << alignof<T>()), <T>(j == ti ? hit : sm));
  }
}

/** Each row's weight in the loss into out[N]: 0 if ignored, else 1 (1 / count for RED_MEAN). */
export function rowWeights<T>(out: usize, t: usize, N: i32, ignore: i32, red: i32): void {
  const v: f64 = red == RED_MEAN ? 1 / <f64>validRows(t, N, ignore) : 1;
  for (let i = 0; i < N; i++) store<T>(out + (<usize>i << alignof<T>()), <T>(load<i32>(t + (<usize>i << 2)) == ignore ? 0 : v));
}
