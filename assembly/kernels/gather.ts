// Indexed reads and accumulating indexed writes along one dim (gather, index_select,
// scatter_add, index_add), generic over the element type. Strides and offsets are in elements;
// indices are int32, contiguous, and already range-checked by the facade.

import { MAX_DIMS } from "../abi";
import { zeroBlock } from "../memory";

// @ts-ignore: decorator
@lazy const cnt: usize = memory.data(MAX_DIMS * 4, 16);

// @ts-ignore: decorator
@inline function at(p: usize, d: i32): i32 { return load<i32>(p + (<usize>d << 2)); }
// @ts-ignore: decorator
@inline function put(p: usize, d: i32, v: i32): void { store<i32>(p + (<usize>d << 2), v); }

function countOf(nd: i32, shape: usize): i32 {
  let n = 1;
  for (let d = 0; d < nd; d++) n *= at(shape, d);
  return n;
}

/**
 * out[p] = a[p with its coordinate along dim replaced by k], for every position p of the nd-dim
 * iteration `shape` (out contiguous in that shape, a read through aStrides). k is idx[p]
 * (gather: idx has the iteration shape) or idx[p_dim] (index_select: idx is a list) when
 * `alongDim`. Overwrites out; out must not alias a.
 */
export function takeAlong<T>(out: usize, a: usize, aStrides: usize, idx: usize, nd: i32, shape: usize, dim: i32, alongDim: bool): void {
  const sh = alignof<T>();
  if (nd == 0) { store<T>(out, load<T>(a)); return; }
  const n = countOf(nd, shape);
  if (n == 0) return;
  zeroBlock(cnt, MAX_DIMS * 4);
  const sDim = at(aStrides, dim);
  let off = 0;
  for (let i = 0; i < n; i++) {
    const k = load<i32>(idx + (<usize>(alongDim ? at(cnt, dim) : i) << 2));
    store<T>(out + (<usize>i << sh), load<T>(a + (<usize>(off + k * sDim) << sh)));
    for (let d = nd - 1; d >= 0; d--) {
      const c = at(cnt, d) + 1;
      if (d != dim) off += at(aStrides, d);
      if (c < at(shape, d)) { put(cnt, d, c); break; }
      put(cnt, d, 0);
      if (d != dim) off -= at(aStrides, d) * at(shape, d);
    }
  }
}

// @ts-ignore: decorator
@inline function plus<T>(x: T, y: T): T {
  if (isFloat<T>()) return x + y;
  if (sizeof<T>() == 1) return <T>(x | y); // bool: true + true stays true
  return x + y;
}

/**
 * out[p with its coordinate along dim replaced by k] += src[p] for every position p of the nd-dim
 * iteration `shape` (out through outStrides, src through srcStrides); k as in takeAlong
 * (scatter_add: idx[p]; index_add: idx[p_dim]). Accumulates in order, so repeated indices sum.
 */
export function addAlong<T>(out: usize, outStrides: usize, src: usize, srcStrides: usize, idx: usize, nd: i32, shape: usize,
                            dim: i32, alongDim: bool): void {
  const sh = alignof<T>();
  if (nd == 0) { store<T>(out, plus<T>(load<T>(out), load<T>(src))); return; }
  const n = countOf(nd, shape);
  if (n == 0) return;
  zeroBlock(cnt, MAX_DIMS * 4);
  const oDim = at(outStrides, dim);
  let oo = 0, so = 0;
  for (let i = 0; i < n; i++) {
    const k = load<i32>(idx + (<usize>(alongDim ? at(cnt, dim) : i) << 2));
    const q = out + (<usize>(oo + k * oDim) << sh);
    store<T>(q, plus<T>(load<T>(q), load<T>(src + (<usize>so << sh))));
    for (let d = nd - 1; d >= 0; d--) {
      const c = at(cnt, d) + 1;
      if (d != dim) oo += at(outStrides, d);
      so += at(srcStrides, d);
      if (c < at(shape, d)) { put(cnt, d, c); break; }
      put(cnt, d, 0);
      if (d != dim) oo -= at(outStrides, d) * at(shape, d);
      so -= at(srcStrides, d) * at(shape, d);
    }
  }
}

/** Smallest and largest of n contiguous int32 values at p, written to dst[0] and dst[1] (0 and -1 when n is 0). */
export function int32MinMax(dst: usize, p: usize, n: i32): void {
  let lo = n ? load<i32>(p) : 0, hi = n ? lo : -1;
  for (let i = 1; i < n; i++) {
    const v = load<i32>(p + (<usize>i << 2));
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  store<i32>(dst, lo);
  store<i32>(dst, hi, 4);
}
