// Helpers shared by the op families: the scratch area the facade writes shapes into, operand
// access (contiguous pointers, dtype conversion, broadcast strides) and output allocation.
// Every op returns a new handle with one reference, or 0 when out of memory (then nothing changed).

import { DType, MAX_DIMS } from "../abi";
import { alloc, free } from "../memory";
import {
  dataPtr, numelOf, ndimOf, shapePtr, stridesPtr, isContiguous, dtypeOf, elemShift, release, newTensor,
  newTensorLike, shapeRec, newTensorOfRec, strideOf, dimOf, bytesFor,
} from "../tensor";
import { copyStrided } from "../kernels/layout";
import { dimsNdim, R_DATA } from "../dims";

/** Shapes, dims and handle lists passed from JS (written by the facade before the call). */
// @ts-ignore: decorator
@lazy export const scratch: usize = memory.data(256 * 4, 16);
export function scratchAddr(): usize { return scratch; }

// @ts-ignore: decorator
@inline export function dimAt(p: usize, d: i32): i32 { return load<i32>(p + (<usize>d << 2)); }
// @ts-ignore: decorator
@inline export function setDim(p: usize, d: i32, v: i32): void { store<i32>(p + (<usize>d << 2), v); }

/** Releases a failed op's output and returns 0. */
export function failed(out: i32): i32 { if (out) release(out); return 0; }

/** The wider of two dtypes in the order bool < int32 < float32 < float64 (PyTorch's for tensors of one category). */
// @ts-ignore: decorator
@inline export function widerDtype(a: i32, b: i32): i32 {
  const ra = a == DType.Bool ? 0 : a == DType.Int32 ? 1 : a == DType.Float32 ? 2 : 3;
  const rb = b == DType.Bool ? 0 : b == DType.Int32 ? 1 : b == DType.Float32 ? 2 : 3;
  return ra >= rb ? a : b;
}
// @ts-ignore: decorator
@inline export function isFloatDtype(dt: i32): bool { return dt == DType.Float32 || dt == DType.Float64; }

/**
 * Pointer to h's values as contiguous elements of dtype `dt`: h's own data when it already is,
 * else a fresh converted copy (give it back with dropAs). 0 when out of memory.
 */
export function asDtype(h: i32, dt: i32): usize {
  if (isContiguous(h) && dtypeOf(h) == dt) return dataPtr(h);
  const p = alloc(bytesFor(numelOf(h), dt));
  if (p) copyStrided(p, dt, 0, dataPtr(h), dtypeOf(h), stridesPtr(h), ndimOf(h), shapePtr(h));
  return p;
}
export function dropAs(h: i32, dt: i32, p: usize): void {
  if (p && p != dataPtr(h)) free(p, bytesFor(numelOf(h), dt));
}

// asDtype and dropAs with their common case (nothing to convert) inline, for the elementwise ops
// every step of a training loop makes: there a call costs more than the check.
// @ts-ignore: decorator
@inline export function asDtypeFast(h: i32, dt: i32): usize {
  return isContiguous(h) && dtypeOf(h) == dt ? dataPtr(h) : asDtype(h, dt);
}
// @ts-ignore: decorator
@inline export function dropAsFast(h: i32, dt: i32, p: usize): void {
  if (p && p != dataPtr(h)) dropAs(h, dt, p);
}

/** A contiguous copy of h (same dtype), or h itself with one more reference if contiguous already. */
export function contiguousOf(h: i32, dt: i32): i32 {
  const out = newTensorLike(h, dt);
  if (!out) return 0;
  copyStrided(dataPtr(out), dt, 0, dataPtr(h), dtypeOf(h), stridesPtr(h), ndimOf(h), shapePtr(h));
  return out;
}

/**
 * Strides (into dst) that read h, with its own strides, as if broadcast to the outNd dims at
 * outShape (aligned on the right; 0 where h lacks the dim or has size 1).
 */
export function readStrides(dst: usize, h: i32, outNd: i32, outShape: usize): void {
  const nd = ndimOf(h);
  for (let d = 0; d < outNd; d++) {
    const hd = d - (outNd - nd);
    setDim(dst, d, hd < 0 || (dimOf(h, hd) == 1 && dimAt(outShape, d) != 1) ? 0 : strideOf(h, hd));
  }
}

/** Strides of a contiguous buffer of h's shape read as broadcast to outShape. */
export function contigReadStrides(dst: usize, h: i32, outNd: i32, outShape: usize): void {
  const nd = ndimOf(h);
  let s = 1;
  for (let d = outNd - 1; d >= 0; d--) {
    const hd = d - (outNd - nd);
    const size = hd >= 0 ? dimOf(h, hd) : 1;
    setDim(dst, d, hd < 0 || (size == 1 && dimAt(outShape, d) != 1) ? 0 : s);
    s *= size;
  }
}

/** Broadcast shape of a and b into dst; returns its ndim (shapes were validated in TS). */
export function broadcastShape(dst: usize, a: i32, b: i32): i32 {
  const na = ndimOf(a), nb = ndimOf(b);
  const nd = max(na, nb);
  for (let d = 0; d < nd; d++) {
    const ia = d - (nd - na), ib = d - (nd - nb);
    const x = ia >= 0 ? dimOf(a, ia) : 1, y = ib >= 0 ? dimOf(b, ib) : 1;
    setDim(dst, d, x == 1 ? y : x);
  }
  return nd;
}

/** True when h's shape is the nd dims at s. */
export function hasShape(h: i32, nd: i32, s: usize): bool {
  if (ndimOf(h) != nd) return false;
  for (let d = 0; d < nd; d++) if (dimOf(h, d) != dimAt(s, d)) return false;
  return true;
}

/** A contiguous output of dtype dt with the shape of `like` if it has nd dims at s, else that shape. */
export function newOut(like: i32, nd: i32, s: usize, dt: i32): i32 {
  return hasShape(like, nd, s) ? newTensorLike(like, dt) : newTensor(nd, s, dt);
}

/** Writes v as one element of dtype dt at p. */
export function putScalar(p: usize, dt: i32, v: f64): void {
  if (dt == DType.Float32) store<f32>(p, <f32>v);
  else if (dt == DType.Float64) store<f64>(p, v);
  else if (dt == DType.Int32) store<i32>(p, <i32>v);
  else store<u8>(p, v != 0 ? 1 : 0);
}
/** Reads one element of dtype dt at p as f64. */
export function getScalar(p: usize, dt: i32): f64 {
  if (dt == DType.Float32) return <f64>load<f32>(p);
  if (dt == DType.Float64) return load<f64>(p);
  if (dt == DType.Int32) return <f64>load<i32>(p);
  return <f64>load<u8>(p);
}

/** A tensor of shape record `rec` and dtype dt with every element v. */
export function fullOfRec(rec: usize, dt: i32, v: f64): i32 {
  const out = newTensorOfRec(rec, dt);
  if (!out) return 0;
  fillRaw(dataPtr(out), dt, numelOf(out), v);
  return out;
}
/** A tensor shaped like h (dtype dt) with every element v. */
export function fullLike(h: i32, dt: i32, v: f64): i32 { return fullOfRec(shapeRec(h), dt, v); }

/** Sets n contiguous elements of dtype dt at p to v. */
export function fillRaw(p: usize, dt: i32, n: i32, v: f64): void {
  if (dt == DType.Float32) {
    const x = <f32>v, s = f32x4.splat(x);
    let i = 0;
    for (; i + 4 <= n; i += 4) v128.store(p + (<usize>i << 2), s);
    for (; i < n; i++) store<f32>(p + (<usize>i << 2), x);
  } else if (dt == DType.Float64) {
    for (let i = 0; i < n; i++) store<f64>(p + (<usize>i << 3), v);
  } else if (dt == DType.Int32) {
    const x = <i32>v;
    for (let i = 0; i < n; i++) store<i32>(p + (<usize>i << 2), x);
  } else memory.fill(p, v != 0 ? 1 : 0, <usize>n);
}

/** ndim and address of the sizes of an interned shape record. */
// @ts-ignore: decorator
@inline export function recNdim(rec: usize): i32 { return dimsNdim(rec); }
// @ts-ignore: decorator
@inline export function recDims(rec: usize): usize { return rec + R_DATA; }

// Scratch dims for ops that build shapes (one op at a time; ops that call others copy first).
// @ts-ignore: decorator
@lazy export const dimsA: usize = memory.data(MAX_DIMS * 4, 16);
// @ts-ignore: decorator
@lazy export const dimsB: usize = memory.data(MAX_DIMS * 4, 16);
// @ts-ignore: decorator
@lazy export const dimsC: usize = memory.data(MAX_DIMS * 4, 16);
