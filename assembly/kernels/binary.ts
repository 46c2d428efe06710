// Elementwise binary kernels on contiguous f32 arrays. Each op has three modes: both operands
// are arrays (VV), the second is one broadcast value (VS), or the first is (SV). The op and the
// mode are resolved outside the loops; Binaryen folds the @inline templates per op.

import { powf } from "./math";
import { f4 } from "../simd";

export const B_ADD: i32 = 0;
export const B_SUB: i32 = 1;
export const B_MUL: i32 = 2;
export const B_DIV: i32 = 3;
export const B_POW: i32 = 4;

export const MODE_VV: i32 = 0;
export const MODE_VS: i32 = 1;
export const MODE_SV: i32 = 2;

// @ts-ignore: decorator
@inline function sop(op: i32, a: f32, b: f32): f32 {
  if (op == B_ADD) return a + b;
  if (op == B_SUB) return a - b;
  if (op == B_MUL) return a * b;
  if (op == B_DIV) return a / b;
  return powf(a, b);
}

// @ts-ignore: decorator
@inline function vop(op: i32, a: v128, b: v128): v128 {
  if (op == B_ADD) return f32x4.add(a, b);
  if (op == B_SUB) return f32x4.sub(a, b);
  if (op == B_MUL) return f32x4.mul(a, b);
  return f32x4.div(a, b);
}

// @ts-ignore: decorator
@inline function run(op: i32, out: usize, a: usize, b: usize, n: i32, mode: i32): void {
  let i = 0;
  if (mode == MODE_VV) {
    if (op != B_POW) for (; i + 4 <= n; i += 4) {
      const o = f4(i);
      v128.store(out + o, vop(op, v128.load(a + o), v128.load(b + o)));
    }
    for (; i < n; i++) {
      const o = f4(i);
      store<f32>(out + o, sop(op, load<f32>(a + o), load<f32>(b + o)));
    }
  } else if (mode == MODE_VS) {
    const s = load<f32>(b);
    const sv = f32x4.splat(s);
    if (op != B_POW) for (; i + 4 <= n; i += 4) {
      const o = f4(i);
      v128.store(out + o, vop(op, v128.load(a + o), sv));
    }
    for (; i < n; i++) {
      const o = f4(i);
      store<f32>(out + o, sop(op, load<f32>(a + o), s));
    }
  } else {
    const s = load<f32>(a);
    const sv = f32x4.splat(s);
    if (op != B_POW) for (; i + 4 <= n; i += 4) {
      const o = f4(i);
      v128.store(out + o, vop(op, sv, v128.load(b + o)));
    }
    for (; i < n; i++) {
      const o = f4(i);
      store<f32>(out + o, sop(op, s, load<f32>(b + o)));
    }
  }
}

/**
 * out[i] = a[i] (op) b[i] for i < n, f32 elements; `mode` says which operand is a single value
 * (MODE_VS: b[0], MODE_SV: a[0]). Overwrites out; out may alias an array operand.
 */
export function binaryKernel(op: i32, out: usize, a: usize, b: usize, n: i32, mode: i32): void {
  switch (op) {
    case B_ADD: run(B_ADD, out, a, b, n, mode); break;
    case B_SUB: run(B_SUB, out, a, b, n, mode); break;
    case B_MUL: run(B_MUL, out, a, b, n, mode); break;
    case B_DIV: run(B_DIV, out, a, b, n, mode); break;
    default: run(B_POW, out, a, b, n, mode); break;
  }
}
