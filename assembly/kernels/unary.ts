// Elementwise unary kernels (forward) and their backward formulas, on contiguous f32 arrays.
// Formulas follow PyTorch's derivatives.yaml; the comment on each case names the saved value.

import { powf } from "./math";
import { f4 } from "../simd";

export const U_NEG: i32 = 0;
export const U_EXP: i32 = 1;
export const U_LOG: i32 = 2;
export const U_SQRT: i32 = 3;
export const U_ABS: i32 = 4;
export const U_RELU: i32 = 5;
export const U_SIGMOID: i32 = 6;
export const U_TANH: i32 = 7;
export const U_RECIPROCAL: i32 = 8;

// @ts-ignore: decorator
@inline function sfwd(op: i32, x: f32): f32 {
  if (op == U_NEG) return -x;
  if (op == U_EXP) return Mathf.exp(x);
  if (op == U_LOG) return Mathf.log(x);
  if (op == U_SQRT) return Mathf.sqrt(x);
  if (op == U_ABS) return Mathf.abs(x);
  if (op == U_RELU) return x > 0 ? x : (x != x ? x : 0); // NaN propagates, as torch.relu
  if (op == U_SIGMOID) return <f32>1 / (<f32>1 + Mathf.exp(-x));
  if (op == U_TANH) return Mathf.tanh(x);
  return <f32>1 / x;
}

// @ts-ignore: decorator
@inline function hasSimd(op: i32): bool {
  return op == U_NEG || op == U_SQRT || op == U_ABS || op == U_RECIPROCAL;
}

// @ts-ignore: decorator
@inline function vfwd(op: i32, x: v128): v128 {
  if (op == U_NEG) return f32x4.neg(x);
  if (op == U_SQRT) return f32x4.sqrt(x);
  if (op == U_ABS) return f32x4.abs(x);
  return f32x4.div(f32x4.splat(1), x);
}

// @ts-ignore: decorator
@inline function runFwd(op: i32, out: usize, a: usize, n: i32): void {
  let i = 0;
  if (hasSimd(op)) for (; i + 4 <= n; i += 4) {
    v128.store(out + f4(i), vfwd(op, v128.load(a + f4(i))));
  }
  if (op == U_RELU) {
    const z = f32x4.splat(0);
    for (; i + 4 <= n; i += 4) {
      const x = v128.load(a + f4(i));
      // keep x where x > 0 or x is NaN (x != x), else 0
      const keep = v128.or(f32x4.gt(x, z), f32x4.ne(x, x));
      v128.store(out + f4(i), v128.and(x, keep));
    }
  }
  for (; i < n; i++) store<f32>(out + f4(i), sfwd(op, load<f32>(a + f4(i))));
}

/** out[i] = f(a[i]) for i < n. Overwrites out; out may alias a. */
export function unaryKernel(op: i32, out: usize, a: usize, n: i32): void {
  switch (op) {
    case U_NEG: runFwd(U_NEG, out, a, n); break;
    case U_EXP: runFwd(U_EXP, out, a, n); break;
    case U_LOG: runFwd(U_LOG, out, a, n); break;
    case U_SQRT: runFwd(U_SQRT, out, a, n); break;
    case U_ABS: runFwd(U_ABS, out, a, n); break;
    case U_RELU: runFwd(U_RELU, out, a, n); break;
    case U_SIGMOID: runFwd(U_SIGMOID, out, a, n); break;
    case U_TANH: runFwd(U_TANH, out, a, n); break;
    default: runFwd(U_RECIPROCAL, out, a, n); break;
  }
}

// @ts-ignore: decorator
@inline function sbwd(op: i32, g: f32, s: f32): f32 {
  if (op == U_NEG) return -g;
  if (op == U_EXP) return g * s; // s = result
  if (op == U_LOG) return g / s; // s = input
  if (op == U_SQRT) return g / (<f32>2 * s); // s = result
  if (op == U_ABS) return g * (s > 0 ? <f32>1 : s < 0 ? <f32>-1 : <f32>0); // sgn(input): 0 at 0 and NaN, as torch
  if (op == U_RELU) return s <= 0 ? 0 : g; // threshold_backward(grad, result, 0)
  if (op == U_SIGMOID) return g * (<f32>1 - s) * s; // s = result
  if (op == U_TANH) return g * (<f32>1 - s * s); // s = result
  return -g * (s * s); // reciprocal, s = result
}

// @ts-ignore: decorator
@inline function runBwd(op: i32, out: usize, g: usize, s: usize, n: i32): void {
  let i = 0;
  const one = f32x4.splat(1);
  const z = f32x4.splat(0);
  for (; i + 4 <= n; i += 4) {
    const o = f4(i);
    const gv = v128.load(g + o);
    const sv = op == U_NEG ? gv : v128.load(s + o);
    let r: v128;
    if (op == U_NEG) r = f32x4.neg(gv);
    else if (op == U_EXP) r = f32x4.mul(gv, sv);
    else if (op == U_LOG) r = f32x4.div(gv, sv);
    else if (op == U_SQRT) r = f32x4.div(gv, f32x4.mul(f32x4.splat(2), sv));
    else if (op == U_ABS) {
      const sg = v128.or(v128.and(f32x4.gt(sv, z), one), v128.and(f32x4.lt(sv, z), f32x4.splat(-1)));
      r = f32x4.mul(gv, sg); // sgn is 0 at 0 and at NaN, as torch
    } else if (op == U_RELU) r = v128.andnot(gv, f32x4.le(sv, z));
    else if (op == U_SIGMOID) r = f32x4.mul(f32x4.mul(gv, f32x4.sub(one, sv)), sv);
    else if (op == U_TANH) r = f32x4.mul(gv, f32x4.sub(one, f32x4.mul(sv, sv)));
    else r = f32x4.mul(f32x4.neg(gv), f32x4.mul(sv, sv));
    v128.store(out + o, r);
  }
  for (; i < n; i++) {
    const o = f4(i);
    store<f32>(out + o, sbwd(op, load<f32>(g + o), op == U_NEG ? 0 : load<f32>(s + o)));
  }
}

/** out[i] = dL/dx for a unary op given the output grad g and the saved value s (see sbwd). */
export function unaryBackwardKernel(op: i32, out: usize, g: usize, s: usize, n: i32): void {
  switch (op) {
    case U_NEG: runBwd(U_NEG, out, g, s, n); break;
    case U_EXP: runBwd(U_EXP, out, g, s, n); break;
    case U_LOG: runBwd(U_LOG, out, g, s, n); break;
    case U_SQRT: runBwd(U_SQRT, out, g, s, n); break;
    case U_ABS: runBwd(U_ABS, out, g, s, n); break;
    case U_RELU: runBwd(U_RELU, out, g, s, n); break;
    case U_SIGMOID: runBwd(U_SIGMOID, out, g, s, n); break;
    case U_TANH: runBwd(U_TANH, out, g, s, n); break;
    default: runBwd(U_RECIPROCAL, out, g, s, n); break;
  }
}

/**
 * out[i] = a[i] ** e with PyTorch's special cases for common exponents (so x ** 2 is x * x,
 * bit for bit as torch computes it); other exponents use powf.
 */
export function powScalarKernel(out: usize, a: usize, e: f32, n: i32): void {
  let i = 0;
  if (e == 2) {
    for (; i + 4 <= n; i += 4) { const x = v128.load(a + f4(i)); v128.store(out + f4(i), f32x4.mul(x, x)); }
    for (; i < n; i++) { const x = load<f32>(a + f4(i)); store<f32>(out + f4(i), x * x); }
  } else if (e == 3) {
    for (; i + 4 <= n; i += 4) { const x = v128.load(a + f4(i)); v128.store(out + f4(i), f32x4.mul(f32x4.mul(x, x), x)); }
    for (; i < n; i++) { const x = load<f32>(a + f4(i)); store<f32>(out + f4(i), x * x * x); }
  } else if (e == 0.5) {
    for (; i + 4 <= n; i += 4) v128.store(out + f4(i), f32x4.sqrt(v128.load(a + f4(i))));
    for (; i < n; i++) store<f32>(out + f4(i), Mathf.sqrt(load<f32>(a + f4(i))));
  } else if (e == -0.5) {
    for (; i < n; i++) store<f32>(out + f4(i), <f32>1 / Mathf.sqrt(load<f32>(a + f4(i))));
  } else if (e == -1) {
    for (; i + 4 <= n; i += 4) v128.store(out + f4(i), f32x4.div(f32x4.splat(1), v128.load(a + f4(i))));
    for (; i < n; i++) store<f32>(out + f4(i), <f32>1 / load<f32>(a + f4(i)));
  } else if (e == -2) {
    for (; i < n; i++) { const x = load<f32>(a + f4(i)); store<f32>(out + f4(i), <f32>1 / (x * x)); }
  } else if (e == 1) {
    memory.copy(out, a, <usize>n << 2);
  } else if (e == 0) {
    for (; i < n; i++) store<f32>(out + f4(i), 1);
  } else {
    for (; i < n; i++) store<f32>(out + f4(i), powf(load<f32>(a + f4(i)), e));
  }
}
