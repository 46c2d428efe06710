// Views and shape ops: a view shares its base's storage and version counter and only has new
// dims; its rule maps the gradient back to the base's layout. Forward, saved values and rule
// side by side. Shapes arrive validated from the facade.

import { OpCode, Status, MAX_DIMS } from "../abi";
import {
  dataPtr, numelOf, ndimOf, shapePtr, stridesPtr, newTensor, newView, release, isContiguous, dimOf,
  strideOf, setDims, copyDims, flagsOf, setFlags, dtypeOf, setData, requiresGrad, shapeRec, newTensorLike,
  F_VIEW, F_NOGRAD_VIEW, E_OFFSET, geti, seti,
} from "../tensor";
import { record, shouldRecord, isGradEnabled, setAttrI, attrI, attrIPtr, inShapeRec } from "../autograd/tape";
import { registerView } from "../autograd/views";
import { copyStrided } from "../kernels/layout";
import { failed, scratch, dimAt, setDim, recNdim, recDims } from "./common";
import { give, own } from "../autograd/backward";
import { sliceRule } from "./slice";

// Dims of a view being built (sizes, strides).
// @ts-ignore: decorator
@lazy const vShape: usize = memory.data(MAX_DIMS * 4, 16);
// @ts-ignore: decorator
@lazy const vStrides: usize = memory.data(MAX_DIMS * 4, 16);

/**
 * A view of a sharing its storage and version counter, with the nd sizes in vShape and the
 * strides in `strides` (0: contiguous), recorded as `op` (with nI i32 attributes from `attrs`)
 * when autograd tracks a.
 */
function makeView(a: i32, nd: i32, strides: usize, op: i32, nI: i32, attrs: usize): i32 {
  const v = newView(a, true);
  if (!v) return 0;
  if (!setDims(v, nd, vShape, strides)) return failed(v);
  setFlags(v, F_VIEW | (flagsOf(a) & F_NOGRAD_VIEW));
  // views made with grad mode on know their base, for in-place writes through them (copySlices.ts)
  if (isGradEnabled() && !registerView(v, a)) return failed(v);
  if (!shouldRecord(a, 0)) {
    if (requiresGrad(a)) setFlags(v, flagsOf(v) | F_NOGRAD_VIEW);
    return v;
  }
  const node = record(op, v, a, 0, 0, 0, nI);
  if (!node) return failed(v);
  for (let i = 0; i < nI; i++) setAttrI(node, i, load<i32>(attrs + (<usize>i << 2)));
  return v;
}

/**
 * makeView with the nd sizes at `shape` and the element offset moved by `delta` (slice, select,
 * split, unbind: a window into a).
 */
export function viewAt(a: i32, nd: i32, shape: usize, strides: usize, delta: i32, op: i32, nI: i32, attrs: usize): i32 {
  if (!a) return 0;
  memory.copy(vShape, shape, <usize>nd << 2);
  const v = makeView(a, nd, strides, op, nI, attrs);
  if (v) seti(v, E_OFFSET, geti(v, E_OFFSET) + delta);
  return v;
}

/**
 * Strides (into vStrides) that let a strided tensor a be viewed with the shape in vShape, or
 * false when its layout does not allow it (torch's computeStride): the new dims must split or
 * merge only runs of old dims that are contiguous with each other.
 */
function viewStrides(a: i32, nd: i32): bool {
  const od = ndimOf(a);
  if (numelOf(a) == 0 || od == 0) return false;
  let viewD = nd - 1;
  let chunkBase = strideOf(a, od - 1);
  let tensorNumel = 1, viewNumel = 1;
  for (let d = od - 1; d >= 0; d--) {
    tensorNumel *= dimOf(a, d);
    if (d == 0 || (dimOf(a, d - 1) != 1 && strideOf(a, d - 1) != tensorNumel * chunkBase)) {
      while (viewD >= 0 && (viewNumel < tensorNumel || dimAt(vShape, viewD) == 1)) {
        setDim(vStrides, viewD, viewNumel * chunkBase);
        viewNumel *= dimAt(vShape, viewD);
        viewD--;
      }
      if (viewNumel != tensorNumel) return false;
      if (d > 0) { chunkBase = strideOf(a, d - 1); tensorNumel = 1; viewNumel = 1; }
    }
  }
  return viewD == -1;
}

/** a viewed with the nd sizes at `shape`; Status.NotContiguous if its strides do not allow it. */
export function viewAs(a: i32, nd: i32, shape: usize, op: i32): i32 {
  if (!a) return 0;
  memory.copy(vShape, shape, <usize>nd << 2);
  if (isContiguous(a)) return makeView(a, nd, 0, op, 0, 0);
  if (!viewStrides(a, nd)) return Status.NotContiguous;
  return makeView(a, nd, vStrides, op, 0, 0);
}

/** a reshaped to the nd sizes at `shape`: a view when a's strides allow it, else a copy. */
export function reshapeAs(a: i32, nd: i32, shape: usize, viewOp: i32): i32 {
  const v = viewAs(a, nd, shape, viewOp);
  if (v != Status.NotContiguous) return v;
  const out = newTensor(nd, shape, dtypeOf(a));
  if (!out) return 0;
  copyStrided(dataPtr(out), dtypeOf(a), 0, dataPtr(a), dtypeOf(a), stridesPtr(a), ndimOf(a), shapePtr(a));
  if (shouldRecord(a, 0) && !record(OpCode.UnsafeView, out, a, 0, 0, 0, 0)) return failed(out);
  return out;
}

// ABI forms: the shape is in scratch[0..ndim)
export function viewOp(a: i32, ndim: i32): i32 { return viewAs(a, ndim, scratch, OpCode.View); }
export function reshapeOp(a: i32, ndim: i32): i32 { return reshapeAs(a, ndim, scratch, OpCode.Reshape); }

/** t reshaped (view or copy) to the shape of record rec; for rules (a new reference). */
export function viewAsRec(t: i32, rec: usize): i32 {
  if (!t) return 0;
  if (shapeRec(t) == rec) return own(t);
  return reshapeAs(t, recNdim(rec), recDims(rec), OpCode.View);
}

/** A contiguous copy of a (clone(), recorded as CloneBackward0). */
export function cloneOp(a: i32): i32 {
  if (!a) return 0;
  const out = newTensorLike(a, dtypeOf(a));
  if (!out) return 0;
  copyStrided(dataPtr(out), dtypeOf(a), 0, dataPtr(a), dtypeOf(a), stridesPtr(a), ndimOf(a), shapePtr(a));
  if (shouldRecord(a, 0) && !record(OpCode.Clone, out, a, 0, 0, 0, 0)) return failed(out);
  return out;
}
export function cloneOf(a: i32): i32 { return cloneOp(a); }

// @ts-ignore: decorator
@lazy const attrs: usize = memory.data(MAX_DIMS * 4, 16);

/** a with dims d0 and d1 swapped (a view). `isT`: the call was t() (TBackward0). */
export function transposeOp(a: i32, d0: i32, d1: i32, isT: bool): i32 {
  if (!a) return 0;
  const nd = ndimOf(a);
  for (let d = 0; d < nd; d++) {
    const from = d == d0 ? d1 : d == d1 ? d0 : d;
    setDim(vShape, d, dimOf(a, from));
    setDim(vStrides, d, strideOf(a, from));
  }
  setDim(attrs, 0, d0); setDim(attrs, 1, d1);
  return makeView(a, nd, vStrides, isT ? OpCode.T : OpCode.Transpose, 2, attrs);
}

/** a with its dims reordered: dim d of the result is dim perm[d] of a (perm at `perm`). */
export function permuteAt(a: i32, perm: usize): i32 {
  if (!a) return 0;
  const nd = ndimOf(a);
  for (let d = 0; d < nd; d++) {
    const from = dimAt(perm, d);
    setDim(vShape, d, dimOf(a, from));
    setDim(vStrides, d, strideOf(a, from));
    setDim(attrs, d, from);
  }
  return makeView(a, nd, vStrides, OpCode.Permute, nd, attrs);
}
export function permuteOp(a: i32): i32 { return permuteAt(a, scratch); }

/** a broadcast to the nd sizes at `shape` (resolved; a view with 0 strides). */
export function expandAt(a: i32, nd: i32, shape: usize): i32 {
  if (!a) return 0;
  const na = ndimOf(a);
  for (let d = 0; d < nd; d++) {
    const size = dimAt(shape, d);
    const ad = d - (nd - na);
    setDim(vShape, d, size);
    setDim(vStrides, d, ad < 0 || (dimOf(a, ad) == 1 && size != 1) ? 0 : strideOf(a, ad));
  }
  return makeView(a, nd, vStrides, OpCode.Expand, 0, 0);
}
export function expandOp(a: i32, ndim: i32): i32 { return expandAt(a, ndim, scratch); }
/** t expanded to the shape of record rec (a new reference; t itself if it has that shape). */
export function expandToRec(t: i32, rec: usize): i32 {
  if (!t) return 0;
  if (shapeRec(t) == rec) return own(t);
  return expandAt(t, recNdim(rec), recDims(rec));
}

/** a with a size-1 dim inserted at `dim` (0..ndim). */
export function unsqueezeOp(a: i32, dim: i32): i32 {
  if (!a) return 0;
  const nd = ndimOf(a);
  let j = 0;
  for (let d = 0; d <= nd; d++) {
    if (d == dim) {
      setDim(vShape, d, 1);
      setDim(vStrides, d, d < nd ? strideOf(a, d) * dimOf(a, d) : 1);
    } else {
      setDim(vShape, d, dimOf(a, j));
      setDim(vStrides, d, strideOf(a, j));
      j++;
    }
  }
  setDim(attrs, 0, dim);
  return makeView(a, nd + 1, vStrides, OpCode.Unsqueeze, 1, attrs);
}

/** t with size-1 dims inserted where bit d of mask is set, for a result of nd dims (rules). */
export function unsqueezeMask(t: i32, mask: i32, nd: i32): i32 {
  if (!t) return 0;
  let j = 0;
  for (let d = 0; d < nd; d++) {
    if ((mask >> d) & 1) setDim(vShape, d, 1);
    else setDim(vShape, d, dimOf(t, j++));
  }
  memory.copy(attrs, vShape, <usize>nd << 2);
  return reshapeAs(t, nd, attrs, OpCode.View);
}

/** a without its size-1 dims (dim < 0) or without dim `dim` if it has size 1. */
export function squeezeOp(a: i32, dim: i32): i32 {
  if (!a) return 0;
  const nd = ndimOf(a);
  let j = 0;
  for (let d = 0; d < nd; d++) {
    const size = dimOf(a, d);
    if (size == 1 && (dim < 0 || d == dim)) continue;
    setDim(vShape, j, size);
    setDim(vStrides, j, strideOf(a, d));
    j++;
  }
  return makeView(a, j, vStrides, dim < 0 ? OpCode.Squeeze : OpCode.SqueezeDim, 0, 0);
}

/**
 * A tensor sharing a's storage with no autograd history. `shareVersion`: detach() (in-place
 * writes are seen by autograd's version checks); false: `.data` (they are not, as PyTorch).
 */
export function detachOp(a: i32, shareVersion: bool): i32 {
  const v = newView(a, shareVersion);
  if (!v) return 0;
  if (!copyDims(v, a)) return failed(v);
  return v;
}

/** `dst.data = src`: dst takes src's storage, shape and values; autograd is not involved. */
export function setDataOp(dst: i32, src: i32): i32 { return setData(dst, src) ? 1 : 0; }

// @ts-ignore: decorator
@lazy const inv: usize = memory.data(MAX_DIMS * 4, 16);

/** Backward rules of this family; false if `op` is not one of its node kinds. */
export function shapeRule(node: usize, op: i32, g: i32): bool {
  switch (op) {
    case OpCode.View: case OpCode.Reshape: case OpCode.UnsafeView: case OpCode.Unsqueeze:
    case OpCode.Squeeze: case OpCode.SqueezeDim: case OpCode.Alias:
      give(node, 0, viewAsRec(g, inShapeRec(node, 0)));
      return true;
    case OpCode.Transpose: case OpCode.T:
      give(node, 0, ndimOf(g) < 2 ? own(g) : transposeOp(g, attrI(node, 0), attrI(node, 1), op == OpCode.T));
      return true;
    case OpCode.Permute: {
      const nd = ndimOf(g), p = attrIPtr(node);
      for (let d = 0; d < nd; d++) setDim(inv, dimAt(p, d), d);
      give(node, 0, permuteAt(g, inv));
      return true;
    }
    case OpCode.Expand: case OpCode.Clone: give(node, 0, own(g)); return true;
    default: return sliceRule(node, op, g);
  }
}
