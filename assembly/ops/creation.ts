// Creation and raw access: empty tensors, fills, ranges, random draws, and item(); values are
// read out through readRange.ts.
// None of these record anything.

import { DType } from "../abi";
import { alloc, free } from "../memory";
import { dataPtr, numelOf, dtypeOf, newTensor } from "../tensor";
import { uniformKernel, normalKernel, randintKernel } from "../kernels/random";
import { scratch, getScalar } from "./common";
import { rawFill } from "./inplace";

/** A new contiguous tensor with the shape in scratch[0..ndim), contents undefined; 0 if out of memory. */
export function emptyOp(ndim: i32, dtype: i32): i32 { return newTensor(ndim, scratch, dtype); }

/** Sets every element of h to v (in h's dtype, through its strides). */
export function fillValue(h: i32, v: f64): void { rawFill(h, v); }

/** h[i] = start + i * step in h's dtype (contiguous h). */
export function arangeFill(h: i32, start: f64, step: f64): void {
  const p = dataPtr(h), n = numelOf(h), dt = dtypeOf(h);
  for (let i = 0; i < n; i++) {
    const v = start + <f64>i * step;
    if (dt == DType.Float32) store<f32>(p + (<usize>i << 2), <f32>v);
    else if (dt == DType.Float64) store<f64>(p + (<usize>i << 3), v);
    else store<i32>(p + (<usize>i << 2), <i32>v);
  }
}

/** Random fill of contiguous h: kind 0 uniform [a, b), 1 normal (mean a, std b), 2 integers [a, b). */
export function randomFill(h: i32, kind: i32, a: f64, b: f64): void {
  const p = dataPtr(h), n = numelOf(h), dt = dtypeOf(h);
  if (dt == DType.Float64) {
    // drawn in float32 then widened (the generator makes float32 values)
    const tmp = alloc(<usize>n << 2);
    if (!tmp) return;
    if (kind == 0) uniformKernel(tmp, n, <f32>a, <f32>b);
    else if (kind == 1) normalKernel(tmp, n, <f32>a, <f32>b);
    else randintKernel(tmp, n, a, b, true);
    for (let i = 0; i < n; i++) store<f64>(p + (<usize>i << 3), <f64>load<f32>(tmp + (<usize>i << 2)));
    free(tmp, <usize>n << 2);
    return;
  }
  if (kind == 0) uniformKernel(p, n, <f32>a, <f32>b);
  else if (kind == 1) normalKernel(p, n, <f32>a, <f32>b);
  else randintKernel(p, n, a, b, dt == DType.Float32);
}

/** The element of a one-element tensor as f64. */
export function itemOp(h: i32): f64 { return getScalar(dataPtr(h), dtypeOf(h)); }

