// Shared by the reductions that run on kernels/reduceRows.ts: the [outer, n, inner] layout of an
// operand for a set of reduced dims, and the shape of the result.

import { MAX_DIMS } from "../abi";
import { alloc } from "../memory";
import { dataPtr, numelOf, ndimOf, dtypeOf, dimOf, strideOf, elemShift, newTensor } from "../tensor";
import { copyStrided } from "../kernels/layout";
import { asDtype, setDim } from "./common";
import { unsqueezeMask } from "./shape";
import { own } from "../autograd/backward";

// @ts-ignore: decorator
@lazy export let rowsOuter: i32 = 1;
// @ts-ignore: decorator
@lazy export let rowsN: i32 = 1;
// @ts-ignore: decorator
@lazy export let rowsInner: i32 = 1;

// @ts-ignore: decorator
@lazy const pShape: usize = memory.data(MAX_DIMS * 4, 16);
// @ts-ignore: decorator
@lazy const pStrides: usize = memory.data(MAX_DIMS * 4, 16);
// @ts-ignore: decorator
@lazy export const redShape: usize = memory.data(MAX_DIMS * 4, 16);

/** Writes the shape left by reducing the dims in mask into redShape; returns its ndim. */
export function reducedShape(a: i32, mask: i32, keepdim: bool): i32 {
  const nd = ndimOf(a);
  let k = 0;
  for (let d = 0; d < nd; d++) {
    if ((mask >> d) & 1) { if (keepdim) setDim(redShape, k++, 1); }
    else setDim(redShape, k++, dimOf(a, d));
  }
  return k;
}

/** A fresh output of dtype dt shaped as a reduced over mask. */
export function reducedOut(a: i32, mask: i32, keepdim: bool, dt: i32): i32 {
  return newTensor(reducedShape(a, mask, keepdim), redShape, dt);
}

/**
 * Pointer to a's values as contiguous dtype dt laid out as [rowsOuter, rowsN, rowsInner] for the
 * dims in mask (reduced dims moved last by a copy when they are not adjacent); release it with
 * dropAs(a, dt, p). 0 when out of memory.
 */
export function rowsOf(a: i32, mask: i32, dt: i32): usize {
  const nd = ndimOf(a);
  rowsOuter = 1; rowsN = 1; rowsInner = 1;
  if (!mask) { rowsOuter = numelOf(a); return asDtype(a, dt); }
  const lo = ctz(mask), hi = 31 - clz(mask);
  if (mask == ((1 << (hi + 1)) - (1 << lo))) {
    for (let d = 0; d < nd; d++) {
      const s = dimOf(a, d);
      if (d < lo) rowsOuter *= s; else if (d <= hi) rowsN *= s; else rowsInner *= s;
    }
    return asDtype(a, dt);
  }
  let k = 0;
  for (let pass = 0; pass < 2; pass++) {
    for (let d = 0; d < nd; d++) {
      const red = ((mask >> d) & 1) != 0;
      if (red != (pass == 1)) continue;
      setDim(pShape, k, dimOf(a, d)); setDim(pStrides, k, strideOf(a, d)); k++;
      if (red) rowsN *= dimOf(a, d); else rowsOuter *= dimOf(a, d);
    }
  }
  const p = alloc(<usize>numelOf(a) << elemShift(dt));
  if (p) copyStrided(p, dt, 0, dataPtr(a), dtypeOf(a), pStrides, nd, pShape);
  return p;
}

/** Layout for one dim d of a (0-dim tensors: one element). */
export function rowsOfDim(a: i32, d: i32, dt: i32): usize {
  return rowsOf(a, ndimOf(a) ? 1 << d : 0, dt);
}

/** t (a reduction's result or gradient) with the reduced dims back as size 1 (a new reference). */
export function keepShape(t: i32, mask: i32, nd: i32, keepdim: bool): i32 {
  if (!t) return 0;
  if (keepdim || ndimOf(t) == nd) return own(t);
  return unsqueezeMask(t, mask, nd);
}
