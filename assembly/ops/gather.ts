// Indexed reads and writes along one dim: gather, index_select, scatter_add, index_add. Each
// reading op's rule is the matching accumulating op into zeros (gather -> scatter_add,
// index_select -> index_add) and the other way round, so gradients of gradients work. Indices
// are int32, range-checked by the facade.

import { OpCode, DType, MAX_DIMS } from "../abi";
import {
  dataPtr, numelOf, ndimOf, shapePtr, stridesPtr, dtypeOf, newTensor, newTensorLike, shapeRec, dimOf, release,
} from "../tensor";
import { record, shouldRecord, save, setAttrI, attrI, inShapeRec } from "../autograd/tape";
import { contiguousStridesInto } from "../kernels/layout";
import { takeAlong, addAlong, int32MinMax } from "../kernels/gather";
import { asDtype, dropAs, failed, contiguousOf, fullOfRec, setDim, scratch, recNdim, recDims, dimAt } from "./common";
import { give, own, needs, saved } from "../autograd/backward";
import { padAt } from "./indexing";

// @ts-ignore: decorator
@lazy const gShape: usize = memory.data(MAX_DIMS * 4, 16);
// @ts-ignore: decorator
@lazy const oStrides: usize = memory.data(MAX_DIMS * 4, 16);
// @ts-ignore: decorator
@lazy const sStrides: usize = memory.data(MAX_DIMS * 4, 16);
// @ts-ignore: decorator
@lazy const padBuf: usize = memory.data(2 * MAX_DIMS * 4, 16);

function take(dt: i32, out: usize, a: i32, idx: usize, nd: i32, shape: usize, dim: i32, alongDim: bool): void {
  const pa = dataPtr(a), sa = stridesPtr(a);
  if (dt == DType.Float32) takeAlong<f32>(out, pa, sa, idx, nd, shape, dim, alongDim);
  else if (dt == DType.Float64) takeAlong<f64>(out, pa, sa, idx, nd, shape, dim, alongDim);
  else if (dt == DType.Int32) takeAlong<i32>(out, pa, sa, idx, nd, shape, dim, alongDim);
  else takeAlong<u8>(out, pa, sa, idx, nd, shape, dim, alongDim);
}

function addInto(dt: i32, out: usize, src: usize, ss: usize, idx: usize, nd: i32, shape: usize, dim: i32, alongDim: bool): void {
  if (dt == DType.Float32) addAlong<f32>(out, oStrides, src, ss, idx, nd, shape, dim, alongDim);
  else if (dt == DType.Float64) addAlong<f64>(out, oStrides, src, ss, idx, nd, shape, dim, alongDim);
  else if (dt == DType.Int32) addAlong<i32>(out, oStrides, src, ss, idx, nd, shape, dim, alongDim);
  else addAlong<u8>(out, oStrides, src, ss, idx, nd, shape, dim, alongDim);
}

/** Records `op` (inputs a, b) saving the index tensor, with attribute dim; false when out of memory. */
function recordIndexed(op: i32, out: i32, a: i32, b: i32, index: i32, dim: i32): bool {
  const node = record(op, out, a, b, 1, 0, 1);
  if (!node) return false;
  setAttrI(node, 0, dim);
  return save(node, 0, index, false);
}

/** torch.gather: out (index's shape) takes a's element at index[p] along dim. */
export function gatherOp(a: i32, dim: i32, index: i32): i32 {
  if (!a || !index) return 0;
  const dt = dtypeOf(a);
  const out = newTensorLike(index, dt);
  if (!out) return 0;
  const pi = asDtype(index, DType.Int32);
  if (!pi) return failed(out);
  take(dt, dataPtr(out), a, pi, ndimOf(index), shapePtr(index), dim, false);
  dropAs(index, DType.Int32, pi);
  if (shouldRecord(a, 0) && !recordIndexed(OpCode.Gather, out, a, 0, index, dim)) return failed(out);
  return out;
}

/** torch.index_select: a with dim restricted to the positions listed in index (0-d or 1-d). */
export function indexSelectOp(a: i32, dim: i32, index: i32): i32 {
  if (!a || !index) return 0;
  const dt = dtypeOf(a), nd = ndimOf(a);
  for (let d = 0; d < nd; d++) setDim(gShape, d, d == dim ? numelOf(index) : dimOf(a, d));
  const out = newTensor(nd, gShape, dt);
  if (!out) return 0;
  const pi = asDtype(index, DType.Int32);
  if (!pi) return failed(out);
  take(dt, dataPtr(out), a, pi, nd, shapePtr(out), dim, true);
  dropAs(index, DType.Int32, pi);
  if (shouldRecord(a, 0) && !recordIndexed(OpCode.IndexSelect, out, a, 0, index, dim)) return failed(out);
  return out;
}

/**
 * self with src added at the positions index names along dim (out of place): scatter_add
 * (alongDim false: index has src's iteration shape) or index_add (true: index lists positions
 * of dim, src has self's shape with dim of index's length). src has self's dtype.
 */
function accumulate(op: i32, self: i32, dim: i32, index: i32, src: i32, alongDim: bool): i32 {
  if (!self || !index || !src) return 0;
  const dt = dtypeOf(self);
  const out = contiguousOf(self, dt);
  if (!out) return 0;
  const pi = asDtype(index, DType.Int32);
  if (!pi) return failed(out);
  contiguousStridesInto(oStrides, ndimOf(out), shapePtr(out));
  const it = alongDim ? src : index;
  addInto(dt, dataPtr(out), dataPtr(src), stridesPtr(src), pi, ndimOf(it), shapePtr(it), dim, alongDim);
  dropAs(index, DType.Int32, pi);
  if (shouldRecord(self, src) && !recordIndexed(op, out, self, src, index, dim)) return failed(out);
  return out;
}

/** torch.scatter_add: self + src[p] at index[p] along dim, for p over index's shape. */
export function scatterAddOp(self: i32, dim: i32, index: i32, src: i32): i32 {
  return accumulate(OpCode.ScatterAdd, self, dim, index, src, false);
}

/** torch.index_add: self + src with src's slices along dim added at the listed positions. */
export function indexAddOp(self: i32, dim: i32, index: i32, src: i32): i32 {
  return accumulate(OpCode.IndexAdd, self, dim, index, src, true);
}

/** Smallest and largest value of int32 tensor h into scratch[0], scratch[1]; 0 when out of memory. */
export function int32Range(h: i32): i32 {
  const p = asDtype(h, DType.Int32);
  if (!p && numelOf(h) > 0) return 0;
  int32MinMax(scratch, p, numelOf(h));
  dropAs(h, DType.Int32, p);
  return 1;
}

/** t zero-padded at the end of each dim up to the shape of record rec (t is no larger anywhere). */
function padToRec(t: i32, rec: usize): i32 {
  if (!t || shapeRec(t) == rec) return own(t);
  const nd = recNdim(rec);
  for (let j = 0; j < nd; j++) {
    const d = nd - 1 - j;
    setDim(padBuf, 2 * j, 0);
    setDim(padBuf, 2 * j + 1, dimAt(recDims(rec), d) - dimOf(t, d));
  }
  return padAt(t, 2 * nd, padBuf, 0);
}

/** Rules of the indexed ops; false if `op` is none of them. */
export function gatherRule(node: usize, op: i32, g: i32): bool {
  const dim = attrI(node, 0);
  switch (op) {
    case OpCode.Gather: case OpCode.IndexSelect: {
      const z = fullOfRec(inShapeRec(node, 0), dtypeOf(g), 0);
      if (op == OpCode.Gather) give(node, 0, scatterAddOp(z, dim, saved(node, 0), g));
      else give(node, 0, indexAddOp(z, dim, saved(node, 0), g));
      if (z) release(z);
      return true;
    }
    case OpCode.ScatterAdd: case OpCode.IndexAdd: {
      if (needs(node, 0)) give(node, 0, own(g));
      if (needs(node, 1)) {
        if (op == OpCode.IndexAdd) give(node, 1, indexSelectOp(g, dim, saved(node, 0)));
        else {
          // src may be larger than index: its other elements were not used (zero gradient)
          const t = gatherOp(g, dim, saved(node, 0));
          give(node, 1, padToRec(t, inShapeRec(node, 1)));
          if (t) release(t);
        }
      }
      return true;
    }
    default: return false;
  }
}
