// Windows into a tensor: slice (narrow, split, chunk) and select (unbind, integer indexing) as
// views, and their backward ops, which write a gradient into zeros of the input's shape
// (torch's slice_backward / select_backward). Those are ops with rules of their own (slicing
// again), so gradients of gradients work.

import { OpCode, MAX_DIMS } from "../abi";
import { ndimOf, dimOf, strideOf, dataPtr, dtypeOf, stridesPtr, shapePtr, elemShift } from "../tensor";
import { record, shouldRecord, setAttrI, attrI, inShapeRec } from "../autograd/tape";
import { copyStrided, contiguousStridesInto } from "../kernels/layout";
import { failed, setDim, dimAt, fullOfRec, recNdim, recDims } from "./common";
import { give } from "../autograd/backward";
import { viewAt } from "./shape";

// @ts-ignore: decorator
@lazy const wShape: usize = memory.data(MAX_DIMS * 4, 16);
// @ts-ignore: decorator
@lazy const wStrides: usize = memory.data(MAX_DIMS * 4, 16);
// @ts-ignore: decorator
@lazy const wAttrs: usize = memory.data(16, 16);

/**
 * a restricted along dim to the len elements start, start + step, ... (a view), recorded as
 * `op` (Slice, Split or SplitWithSizes) with attributes dim, start, step.
 */
export function sliceAs(a: i32, dim: i32, start: i32, len: i32, step: i32, op: i32): i32 {
  if (!a) return 0;
  const nd = ndimOf(a);
  for (let d = 0; d < nd; d++) {
    setDim(wShape, d, d == dim ? len : dimOf(a, d));
    setDim(wStrides, d, d == dim ? strideOf(a, d) * step : strideOf(a, d));
  }
  setDim(wAttrs, 0, dim); setDim(wAttrs, 1, start); setDim(wAttrs, 2, step);
  // an empty window may start one past the end: it reads nothing
  const delta = len > 0 ? start * strideOf(a, dim) : 0;
  return viewAt(a, nd, wShape, wStrides, delta, op, 3, wAttrs);
}

/** a at position `index` of dim, without that dim (a view), recorded as `op` (Select or Unbind). */
export function selectAs(a: i32, dim: i32, index: i32, op: i32): i32 {
  if (!a) return 0;
  const nd = ndimOf(a);
  let j = 0;
  for (let d = 0; d < nd; d++) {
    if (d == dim) continue;
    setDim(wShape, j, dimOf(a, d));
    setDim(wStrides, j, strideOf(a, d));
    j++;
  }
  setDim(wAttrs, 0, dim); setDim(wAttrs, 1, index);
  return viewAt(a, nd - 1, wShape, wStrides, index * strideOf(a, dim), op, 2, wAttrs);
}

// ABI forms (dims and positions validated by the facade)
export function sliceOp(a: i32, dim: i32, start: i32, len: i32, step: i32, op: i32): i32 {
  return sliceAs(a, dim, start, len, step, op);
}
export function selectOp(a: i32, dim: i32, index: i32, op: i32): i32 { return selectAs(a, dim, index, op); }

/**
 * Zeros of shape record rec (g's dtype) with g written into the window [start::step] of dim;
 * g has the window's shape. Recorded as SliceBackward, whose rule slices again.
 */
export function sliceBackward(g: i32, rec: usize, dim: i32, start: i32, step: i32): i32 {
  if (!g) return 0;
  const dt = dtypeOf(g);
  const out = fullOfRec(rec, dt, 0);
  if (!out) return 0;
  const nd = recNdim(rec);
  contiguousStridesInto(wStrides, nd, recDims(rec));
  const sd = dimAt(wStrides, dim);
  setDim(wStrides, dim, sd * step);
  if (dimOf(g, dim) > 0) {
    copyStrided(dataPtr(out) + (<usize>(start * sd) << elemShift(dt)), dt, wStrides, dataPtr(g), dt, stridesPtr(g), ndimOf(g), shapePtr(g));
  }
  if (shouldRecord(g, 0)) {
    const node = record(OpCode.SliceBackward, out, g, 0, 0, 0, 3);
    if (!node) return failed(out);
    setAttrI(node, 0, dim); setAttrI(node, 1, start); setAttrI(node, 2, step);
  }
  return out;
}

/** Zeros of shape record rec (g's dtype) with g written at `index` of dim; recorded as SelectBackward. */
export function selectBackward(g: i32, rec: usize, dim: i32, index: i32): i32 {
  if (!g) return 0;
  const dt = dtypeOf(g);
  const out = fullOfRec(rec, dt, 0);
  if (!out) return 0;
  const nd = recNdim(rec);
  contiguousStridesInto(wStrides, nd, recDims(rec));
  const sd = dimAt(wStrides, dim);
  for (let d = dim; d < nd - 1; d++) setDim(wStrides, d, dimAt(wStrides, d + 1));
  copyStrided(dataPtr(out) + (<usize>(index * sd) << elemShift(dt)), dt, wStrides, dataPtr(g), dt, stridesPtr(g), ndimOf(g), shapePtr(g));
  if (shouldRecord(g, 0)) {
    const node = record(OpCode.SelectBackward, out, g, 0, 0, 0, 2);
    if (!node) return failed(out);
    setAttrI(node, 0, dim); setAttrI(node, 1, index);
  }
  return out;
}

/** Rules of the window views and their backward ops; false if `op` is none of them. */
export function sliceRule(node: usize, op: i32, g: i32): bool {
  switch (op) {
    case OpCode.Slice: case OpCode.Split: case OpCode.SplitWithSizes:
      give(node, 0, sliceBackward(g, inShapeRec(node, 0), attrI(node, 0), attrI(node, 1), attrI(node, 2)));
      return true;
    case OpCode.Select: case OpCode.Unbind:
      give(node, 0, selectBackward(g, inShapeRec(node, 0), attrI(node, 0), attrI(node, 1)));
      return true;
    case OpCode.SliceBackward: {
      // the window's length is the size the backward op's input had along dim
      const dim = attrI(node, 0);
      const len = dimAt(recDims(inShapeRec(node, 0)), dim);
      give(node, 0, sliceAs(g, dim, attrI(node, 1), len, attrI(node, 2), OpCode.Slice));
      return true;
    }
    case OpCode.SelectBackward:
      give(node, 0, selectAs(g, attrI(node, 0), attrI(node, 1), OpCode.Select));
      return true;
    default: return false;
  }
}
