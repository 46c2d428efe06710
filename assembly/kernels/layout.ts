// N-d iteration over strided operands: copies and dtype conversions (materialising views and
// broadcasts), writes through strides, and broadcast binary ops. Strides are in elements and may
// be 0 (broadcast). Dims are first coalesced (merging neighbours that are contiguous in every
// operand), so the common cases run as one long row.

import { DType, MAX_DIMS } from "../abi";
import { zeroBlock } from "../memory";
import { binaryKernel, sop, cop, B_ARITH_END, MODE_VV, MODE_VS, MODE_SV } from "./binary";

// Coalesced dims: sizes and the strides of up to three operands (0: the output, 1, 2: inputs).
// @ts-ignore: decorator
@lazy const cShape: usize = memory.data(MAX_DIMS * 4, 16);
// @ts-ignore: decorator
@lazy const c0: usize = memory.data(MAX_DIMS * 4, 16);
// @ts-ignore: decorator
@lazy const c1: usize = memory.data(MAX_DIMS * 4, 16);
// @ts-ignore: decorator
@lazy const c2: usize = memory.data(MAX_DIMS * 4, 16);
// @ts-ignore: decorator
@lazy const counters: usize = memory.data(MAX_DIMS * 4, 16);
// @ts-ignore: decorator
@lazy const contigTmp: usize = memory.data(MAX_DIMS * 4, 16);

// @ts-ignore: decorator
@inline function at(p: usize, d: i32): i32 { return load<i32>(p + (<usize>d << 2)); }
// @ts-ignore: decorator
@inline function put(p: usize, d: i32, v: i32): void { store<i32>(p + (<usize>d << 2), v); }

/**
 * Coalesces `ndim` dims of `shape` with operand strides s0, s1, s2 (s1/s2 may be 0: absent) into
 * cShape/c0/c1/c2 and returns the new dim count (0 for a single element).
 */
function coalesce(ndim: i32, shape: usize, s0: usize, s1: usize, s2: usize): i32 {
  let nd = 0;
  for (let d = 0; d < ndim; d++) {
    const size = at(shape, d);
    if (size == 1) continue;
    const a = at(s0, d), b = s1 ? at(s1, d) : 0, c = s2 ? at(s2, d) : 0;
    if (nd > 0 && at(c0, nd - 1) == a * size && at(c1, nd - 1) == b * size && at(c2, nd - 1) == c * size) {
      put(cShape, nd - 1, at(cShape, nd - 1) * size); put(c0, nd - 1, a); put(c1, nd - 1, b); put(c2, nd - 1, c);
      continue;
    }
    put(cShape, nd, size); put(c0, nd, a); put(c1, nd, b); put(c2, nd, c);
    nd++;
  }
  return nd;
}

function rowsOf(nd: i32): i32 {
  let r = 1;
  for (let d = 0; d < nd - 1; d++) r *= at(cShape, d);
  return r;
}

// Element offsets of the current row in the three operands.
// @ts-ignore: decorator
@lazy let off0: i32 = 0;
// @ts-ignore: decorator
@lazy let off1: i32 = 0;
// @ts-ignore: decorator
@lazy let off2: i32 = 0;
function startRows(): void {
  zeroBlock(counters, MAX_DIMS * 4);
  off0 = 0; off1 = 0; off2 = 0;
}
/** Advances the outer-dim counters by one row. */
function nextRow(nd: i32): void {
  for (let d = nd - 2; d >= 0; d--) {
    const c = at(counters, d) + 1;
    off0 += at(c0, d); off1 += at(c1, d); off2 += at(c2, d);
    if (c < at(cShape, d)) { put(counters, d, c); return; }
    put(counters, d, 0);
    const n = at(cShape, d);
    off0 -= at(c0, d) * n; off1 -= at(c1, d) * n; off2 -= at(c2, d) * n;
  }
}

/** Row-major strides of `shape` into dst. */
export function contiguousStridesInto(dst: usize, ndim: i32, shape: usize): void {
  let s = 1;
  for (let d = ndim - 1; d >= 0; d--) { put(dst, d, s); s *= at(shape, d); }
}

// @ts-ignore: decorator
@inline function convert<S, D>(v: S): D {
  if (sizeof<D>() == 1) return <D>(v != <S>0); // to bool
  if (isFloat<S>() && !isFloat<D>()) {
    // float to int: truncation, with NaN/inf/out of range giving INT_MIN as x86 does
    const f = <f64>v;
    return f != f || f >= 2147483648.0 || f < -2147483648.0 ? <D>(-2147483648) : <D><i32>f;
  }
  return <D>v;
}

// @ts-ignore: decorator
@inline function copyRows<S, D>(dst: usize, dstStrides: usize, src: usize, srcStrides: usize, ndim: i32, shape: usize): void {
  const nd = coalesce(ndim, shape, dstStrides, srcStrides, 0);
  const ds = alignof<D>(), ss = alignof<S>();
  if (nd == 0) { store<D>(dst, convert<S, D>(load<S>(src))); return; }
  const n = at(cShape, nd - 1), sd = at(c0, nd - 1), sv = at(c1, nd - 1);
  const rows = rowsOf(nd);
  startRows();
  for (let r = 0; r < rows; r++) {
    const pd = dst + (<usize>off0 << ds), ps = src + (<usize>off1 << ss);
    if (sizeof<S>() == sizeof<D>() && isFloat<S>() == isFloat<D>() && sd == 1 && sv == 1) memory.copy(pd, ps, <usize>n << ds);
    else for (let i = 0; i < n; i++) store<D>(pd + (<usize>(i * sd) << ds), convert<S, D>(load<S>(ps + (<usize>(i * sv) << ss))));
    nextRow(nd);
  }
}

// @ts-ignore: decorator
@inline function addRows<T>(dst: usize, dstStrides: usize, src: usize, srcStrides: usize, ndim: i32, shape: usize): void {
  const nd = coalesce(ndim, shape, dstStrides, srcStrides, 0);
  const sh = alignof<T>();
  if (nd == 0) { store<T>(dst, load<T>(dst) + load<T>(src)); return; }
  const n = at(cShape, nd - 1), sd = at(c0, nd - 1), sv = at(c1, nd - 1);
  const rows = rowsOf(nd);
  startRows();
  for (let r = 0; r < rows; r++) {
    const pd = dst + (<usize>off0 << sh), ps = src + (<usize>off1 << sh);
    for (let i = 0; i < n; i++) {
      const q = pd + (<usize>(i * sd) << sh);
      store<T>(q, load<T>(q) + load<T>(ps + (<usize>(i * sv) << sh)));
    }
    nextRow(nd);
  }
}

/**
 * dst (dtype dt, through dstStrides, no two elements sharing memory) += src (dtype dt, through
 * srcStrides). Allocates nothing (backward accumulates .grad with it after every rule ran).
 */
export function addStrided(dst: usize, dstStrides: usize, src: usize, srcStrides: usize, dt: i32, ndim: i32, shape: usize): void {
  if (dt == DType.Float32) addRows<f32>(dst, dstStrides, src, srcStrides, ndim, shape);
  else if (dt == DType.Float64) addRows<f64>(dst, dstStrides, src, srcStrides, ndim, shape);
  else addRows<i32>(dst, dstStrides, src, srcStrides, ndim, shape);
}

// @ts-ignore: decorator
@inline function copyFrom<S>(dst: usize, dstDt: i32, dstStrides: usize, src: usize, srcStrides: usize, ndim: i32, shape: usize): void {
  if (dstDt == DType.Float32) copyRows<S, f32>(dst, dstStrides, src, srcStrides, ndim, shape);
  else if (dstDt == DType.Float64) copyRows<S, f64>(dst, dstStrides, src, srcStrides, ndim, shape);
  else if (dstDt == DType.Int32) copyRows<S, i32>(dst, dstStrides, src, srcStrides, ndim, shape);
  else copyRows<S, u8>(dst, dstStrides, src, srcStrides, ndim, shape);
}

/**
 * dst (dtype dstDt, read through dstStrides; 0 = contiguous) = src (dtype srcDt, through
 * srcStrides, 0 entries broadcast), converting element types as PyTorch's `to` does.
 */
export function copyStrided(dst: usize, dstDt: i32, dstStrides: usize, src: usize, srcDt: i32, srcStrides: usize,
                            ndim: i32, shape: usize): void {
  if (!dstStrides) { contiguousStridesInto(contigTmp, ndim, shape); dstStrides = contigTmp; }
  if (srcDt == DType.Float32) copyFrom<f32>(dst, dstDt, dstStrides, src, srcStrides, ndim, shape);
  else if (srcDt == DType.Float64) copyFrom<f64>(dst, dstDt, dstStrides, src, srcStrides, ndim, shape);
  else if (srcDt == DType.Int32) copyFrom<i32>(dst, dstDt, dstStrides, src, srcStrides, ndim, shape);
  else copyFrom<u8>(dst, dstDt, dstStrides, src, srcStrides, ndim, shape);
}

// @ts-ignore: decorator
@inline function binaryRows<T>(k: i32, out: usize, ndim: i32, shape: usize, a: usize, sa: usize, b: usize, sb: usize): void {
  contiguousStridesInto(contigTmp, ndim, shape);
  const nd = coalesce(ndim, shape, contigTmp, sa, sb);
  const sh = alignof<T>();
  if (nd == 0) {
    if (k < B_ARITH_END) store<T>(out, sop<T>(k, load<T>(a), load<T>(b)));
    else store<u8>(out, cop<T>(k, load<T>(a), load<T>(b)));
    return;
  }
  const n = at(cShape, nd - 1), ia = at(c1, nd - 1), ib = at(c2, nd - 1);
  const rows = rowsOf(nd);
  const osh = k < B_ARITH_END ? sh : 0;
  startRows();
  for (let r = 0; r < rows; r++) {
    const po = out + (<usize>off0 << osh), pa = a + (<usize>off1 << sh), pb = b + (<usize>off2 << sh);
    if (k < B_ARITH_END && (ia == 1 || ia == 0) && (ib == 1 || ib == 0) && !(ia == 0 && ib == 0)) {
      binaryKernel<T>(k, po, pa, pb, n, ia == 0 ? MODE_SV : ib == 0 ? MODE_VS : MODE_VV);
    } else if (k < B_ARITH_END) {
      for (let i = 0; i < n; i++) {
        store<T>(po + (<usize>i << sh), sop<T>(k, load<T>(pa + (<usize>(i * ia) << sh)), load<T>(pb + (<usize>(i * ib) << sh))));
      }
    } else {
      for (let i = 0; i < n; i++) {
        store<u8>(po + <usize>i, cop<T>(k, load<T>(pa + (<usize>(i * ia) << sh)), load<T>(pb + (<usize>(i * ib) << sh))));
      }
    }
    nextRow(nd);
  }
}

/**
 * out (contiguous, `shape`, element type of `dtype`, or bool for comparison codes) = a (k) b,
 * each operand read through its strides (elements; 0 broadcasts). Both operands have `dtype`.
 */
export function binaryStrided(k: i32, dtype: i32, out: usize, ndim: i32, shape: usize,
                              a: usize, sa: usize, b: usize, sb: usize): void {
  if (dtype == DType.Float32) binaryRows<f32>(k, out, ndim, shape, a, sa, b, sb);
  else if (dtype == DType.Float64) binaryRows<f64>(k, out, ndim, shape, a, sa, b, sb);
  else if (dtype == DType.Int32) binaryRows<i32>(k, out, ndim, shape, a, sa, b, sb);
  else binaryRows<u8>(k, out, ndim, shape, a, sa, b, sb);
}

/** True when strides `s` over `shape` cover the elements densely in row-major order. */
export function isDense(ndim: i32, shape: usize, s: usize): bool {
  let n = 1;
  for (let d = ndim - 1; d >= 0; d--) {
    const size = at(shape, d);
    if (size != 1 && at(s, d) != n) return false;
    n *= size;
  }
  return true;
}
