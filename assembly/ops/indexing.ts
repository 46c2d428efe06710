// Copying shape ops: flip, repeat, tril/triu and constant pad, each with its rule written with
// the same ops (flip and tril are their own adjoints, pad's is the opposite pad, repeat's a sum
// over the repeats). This file also dispatches the rules of cat/stack (concat.ts) and of the
// indexed ops (gather.ts).

import { OpCode, MAX_DIMS } from "../abi";
import {
  dataPtr, numelOf, ndimOf, shapePtr, stridesPtr, dtypeOf, newTensor, newTensorLike, dimOf, strideOf, elemShift, release,
} from "../tensor";
import { record, shouldRecord, setAttrI, attrI, inShapeRec } from "../autograd/tape";
import { copyStrided, contiguousStridesInto } from "../kernels/layout";
import { failed, setDim, dimAt, scratch, contiguousOf, fillRaw, recNdim, recDims } from "./common";
import { give, own } from "../autograd/backward";
import { concatRule } from "./concat";
import { gatherRule } from "./gather";
import { reshapeAs, viewAsRec } from "./shape";
import { sumOp } from "./reduce";

// Dims of iterations with up to two dims per tensor dim (repeat).
// @ts-ignore: decorator
@lazy const itShape: usize = memory.data(2 * MAX_DIMS * 4, 16);
// @ts-ignore: decorator
@lazy const itDst: usize = memory.data(2 * MAX_DIMS * 4, 16);
// @ts-ignore: decorator
@lazy const itSrc: usize = memory.data(2 * MAX_DIMS * 4, 16);
// @ts-ignore: decorator
@lazy const oShape: usize = memory.data(MAX_DIMS * 4, 16);
// @ts-ignore: decorator
@lazy const oStrides: usize = memory.data(MAX_DIMS * 4, 16);
// @ts-ignore: decorator
@lazy const list: usize = memory.data(2 * MAX_DIMS * 4, 16);

/** a with the dims whose bit is set in mask reversed (a copy: negative strides read it backwards). */
export function flipOp(a: i32, mask: i32): i32 {
  if (!a) return 0;
  const nd = ndimOf(a), dt = dtypeOf(a);
  const out = newTensorLike(a, dt);
  if (!out) return 0;
  if (numelOf(a) > 0) {
    let off = 0;
    for (let d = 0; d < nd; d++) {
      const st = strideOf(a, d);
      if ((mask >> d) & 1) { off += (dimOf(a, d) - 1) * st; setDim(oStrides, d, -st); } else setDim(oStrides, d, st);
    }
    copyStrided(dataPtr(out), dt, 0, dataPtr(a) + (<usize>off << elemShift(dt)), dt, oStrides, nd, shapePtr(a));
  }
  if (shouldRecord(a, 0)) {
    const node = record(OpCode.Flip, out, a, 0, 0, 0, 1);
    if (!node) return failed(out);
    setAttrI(node, 0, mask);
  }
  return out;
}

/** copyStrided for iterations of more than MAX_DIMS dims: the leading dims are looped here. */
function copyMany(nd: i32, shape: usize, ds: usize, ss: usize, dst: usize, src: usize, dt: i32): void {
  if (nd <= MAX_DIMS) { copyStrided(dst, dt, ds, src, dt, ss, nd, shape); return; }
  const n = dimAt(shape, 0), a = dimAt(ds, 0), b = dimAt(ss, 0), sh = elemShift(dt);
  for (let i = 0; i < n; i++) copyMany(nd - 1, shape + 4, ds + 4, ss + 4, dst + (<usize>(i * a) << sh), src + (<usize>(i * b) << sh), dt);
}

/** a tiled reps[d] times along each dim d (nd reps at `reps`, nd >= a's ndim; torch.repeat). */
export function repeatAt(a: i32, nd: i32, reps: usize): i32 {
  if (!a) return 0;
  const na = ndimOf(a), dt = dtypeOf(a);
  memory.copy(list, reps, <usize>nd << 2);
  for (let d = 0; d < nd; d++) {
    const ad = d - (nd - na);
    setDim(oShape, d, dimAt(list, d) * (ad >= 0 ? dimOf(a, ad) : 1));
  }
  const out = newTensor(nd, oShape, dt);
  if (!out) return 0;
  if (numelOf(out) > 0) {
    contiguousStridesInto(oStrides, nd, oShape);
    // dim d of the output as (repeat q, element j): q steps over whole copies, j over a's elements
    let k = 0;
    for (let d = 0; d < nd; d++) {
      const ad = d - (nd - na);
      const s = ad >= 0 ? dimOf(a, ad) : 1, r = dimAt(list, d), os = dimAt(oStrides, d);
      if (r != 1) { setDim(itShape, k, r); setDim(itDst, k, s * os); setDim(itSrc, k, 0); k++; }
      setDim(itShape, k, s); setDim(itDst, k, os); setDim(itSrc, k, ad >= 0 ? strideOf(a, ad) : 0); k++;
    }
    copyMany(k, itShape, itDst, itSrc, dataPtr(out), dataPtr(a), dt);
  }
  if (shouldRecord(a, 0)) {
    const node = record(OpCode.Repeat, out, a, 0, 0, 0, nd);
    if (!node) return failed(out);
    for (let d = 0; d < nd; d++) setAttrI(node, d, dimAt(list, d));
  }
  return out;
}
export function repeatOp(a: i32, nd: i32): i32 { return repeatAt(a, nd, scratch); }

/** Repeat's rule: g summed over the copies of each repeated dim, back to the input's shape. */
function repeatBackward(node: usize, g: i32): i32 {
  const nd = ndimOf(g), rec = inShapeRec(node, 0), na = recNdim(rec);
  memory.copy(oShape, shapePtr(g), <usize>nd << 2);
  let t = own(g);
  for (let d = 0; d < nd && t; d++) {
    const r = attrI(node, d);
    if (r == 1) continue;
    const s = d - (nd - na) >= 0 ? dimAt(recDims(rec), d - (nd - na)) : 1;
    let p = 1, q = 1;
    for (let e = 0; e < d; e++) p *= dimAt(oShape, e);
    for (let e = d + 1; e < nd; e++) q *= dimAt(oShape, e);
    // [p, r, s * q]: the copies along dim d become dim 1, summed away
    setDim(list, 0, p); setDim(list, 1, r); setDim(list, 2, s * q);
    const v = reshapeAs(t, 3, list, OpCode.View);
    release(t);
    const u = v ? sumOp(v, 2, false, false, true, dtypeOf(v)) : 0;
    if (v) release(v);
    setDim(oShape, d, s);
    t = u ? reshapeAs(u, nd, oShape, OpCode.View) : 0;
    if (u) release(u);
  }
  if (!t) return 0;
  const res = viewAsRec(t, rec);
  release(t);
  return res;
}

/** The lower (tril) or upper (triu) triangle of each matrix of a (last two dims), diagonal k; a copy. */
export function trilOp(a: i32, k: i32, upper: bool): i32 {
  if (!a) return 0;
  const dt = dtypeOf(a), nd = ndimOf(a);
  const out = contiguousOf(a, dt);
  if (!out) return 0;
  const rows = dimOf(a, nd - 2), cols = dimOf(a, nd - 1), sh = elemShift(dt);
  const mats = rows * cols > 0 ? numelOf(a) / (rows * cols) : 0;
  let p = dataPtr(out);
  // zero bits are 0, 0.0 and false in every dtype
  for (let m = 0; m < mats; m++) {
    for (let i = 0; i < rows; i++) {
      const lo = upper ? 0 : max(0, min(cols, i + k + 1));
      const hi = upper ? max(0, min(cols, i + k)) : cols;
      if (hi > lo) memory.fill(p + (<usize>lo << sh), 0, <usize>(hi - lo) << sh);
      p += <usize>cols << sh;
    }
  }
  if (shouldRecord(a, 0)) {
    const node = record(upper ? OpCode.Triu : OpCode.Tril, out, a, 0, 0, 0, 1);
    if (!node) return failed(out);
    setAttrI(node, 0, k);
  }
  return out;
}

/**
 * a padded with `value` (torch's constant_pad_nd): n pads at `pads`, pairs (before, after) from
 * the last dim backwards; negative pads crop. Recorded with the pads as attributes.
 */
export function padAt(a: i32, n: i32, pads: usize, value: f64): i32 {
  if (!a) return 0;
  const nd = ndimOf(a), dt = dtypeOf(a), sh = elemShift(dt);
  memory.copy(list, pads, <usize>n << 2);
  for (let d = 0; d < nd; d++) {
    const j = nd - 1 - d;
    setDim(oShape, d, dimOf(a, d) + (2 * j < n ? dimAt(list, 2 * j) + dimAt(list, 2 * j + 1) : 0));
  }
  const out = newTensor(nd, oShape, dt);
  if (!out) return 0;
  fillRaw(dataPtr(out), dt, numelOf(out), value);
  contiguousStridesInto(oStrides, nd, oShape);
  // the part of a that survives the crops, and where it lands
  let srcOff = 0, dstOff = 0, empty = false;
  for (let d = 0; d < nd; d++) {
    const j = nd - 1 - d;
    const l = 2 * j < n ? dimAt(list, 2 * j) : 0, r = 2 * j < n ? dimAt(list, 2 * j + 1) : 0;
    const len = dimOf(a, d) - max(0, -l) - max(0, -r);
    if (len <= 0) empty = true;
    setDim(itShape, d, len);
    srcOff += max(0, -l) * strideOf(a, d);
    dstOff += max(0, l) * dimAt(oStrides, d);
  }
  if (!empty && numelOf(a) > 0) {
    copyStrided(dataPtr(out) + (<usize>dstOff << sh), dt, oStrides, dataPtr(a) + (<usize>srcOff << sh), dt, stridesPtr(a), nd, itShape);
  }
  if (shouldRecord(a, 0)) {
    const node = record(OpCode.Pad, out, a, 0, 0, 0, n + 1);
    if (!node) return failed(out);
    setAttrI(node, 0, n);
    for (let i = 0; i < n; i++) setAttrI(node, i + 1, dimAt(list, i));
  }
  return out;
}
export function padOp(a: i32, n: i32, value: f64): i32 { return padAt(a, n, scratch, value); }

// @ts-ignore: decorator
@lazy const negPads: usize = memory.data(2 * MAX_DIMS * 4, 16);

/** Backward rules of this family; false if `op` is not one of its node kinds. */
export function indexRule(node: usize, op: i32, g: i32): bool {
  switch (op) {
    case OpCode.Flip: give(node, 0, flipOp(g, attrI(node, 0))); return true;
    case OpCode.Tril: case OpCode.Triu: give(node, 0, trilOp(g, attrI(node, 0), op == OpCode.Triu)); return true;
    case OpCode.Repeat: give(node, 0, repeatBackward(node, g)); return true;
    case OpCode.Pad: {
      const n = attrI(node, 0);
      for (let i = 0; i < n; i++) setDim(negPads, i, -attrI(node, i + 1));
      give(node, 0, padAt(g, n, negPads, 0));
      return true;
    }
    case OpCode.Cat: case OpCode.Stack: return concatRule(node, op, g);
    default: return gatherRule(node, op, g);
  }
}
