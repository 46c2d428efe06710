// max/min (of everything, or along a dim with indices), argmax/argmin, all/any: forward, what each
// saves, and the backward rules. Dims arrive normalised by the facade.

import { OpCode, DType, MAX_DIMS } from "../abi";
import { dataPtr, numelOf, ndimOf, dtypeOf, newTensor, release, isContiguous } from "../tensor";
import { record, shouldRecord, save, setAttrI, attrI, inShapeRec } from "../autograd/tape";
import { saved, give } from "../autograd/backward";
import { maxF32, maxRows, allAnyRows } from "../kernels/reduceRows";
import { C_EQ, C_NE } from "../kernels/binary";
import { dropAs, failed, getScalar, setDim, recNdim, recDims, dimAt } from "./common";
import { cmp, divS, maskGrad } from "./binary";
import { reducedOut, rowsOf, rowsOfDim, rowsOuter, rowsN, rowsInner, keepShape } from "./reduceCommon";

// @ts-ignore: decorator
@lazy let second: i32 = 0;
// @ts-ignore: decorator
@lazy const iotaShape: usize = memory.data(MAX_DIMS * 4, 16);

/** The second result of the last two-result op (max/min with a dim: the indices), handed over once. */
export function secondResult(): i32 { const s = second; second = 0; return s; }

function maxKernel(dt: i32, vals: usize, idx: usize, p: usize, isMin: bool): void {
  if (dt == DType.Float32) maxRows<f32>(vals, idx, p, rowsOuter, rowsN, rowsInner, isMin);
  else if (dt == DType.Float64) maxRows<f64>(vals, idx, p, rowsOuter, rowsN, rowsInner, isMin);
  else if (dt == DType.Int32) maxRows<i32>(vals, idx, p, rowsOuter, rowsN, rowsInner, isMin);
  else maxRows<u8>(vals, idx, p, rowsOuter, rowsN, rowsInner, isMin);
}

/** max (min) of all elements of a (numel >= 1); recorded as MaxBackward1 / MinBackward1. */
export function maxAllOp(a: i32, isMin: bool): i32 {
  if (!a) return 0;
  const dt = dtypeOf(a), nd = ndimOf(a);
  const out = reducedOut(a, nd ? (1 << nd) - 1 : 0, false, dt);
  if (!out) return 0;
  if (dt == DType.Float32 && isContiguous(a)) store<f32>(dataPtr(out), maxF32(dataPtr(a), numelOf(a), isMin));
  else {
    const p = rowsOf(a, nd ? (1 << nd) - 1 : 0, dt);
    if (!p) return failed(out);
    maxKernel(dt, dataPtr(out), 0, p, isMin);
    dropAs(a, dt, p);
  }
  if (!shouldRecord(a, 0)) return out;
  const node = record(isMin ? OpCode.MinAll : OpCode.MaxAll, out, a, 0, 2, 0, 0);
  if (!node || !save(node, 0, a, false) || !save(node, 1, out, true)) return failed(out);
  return out;
}

/**
 * max (min) of a along dim (size >= 1), keeping it as size 1 if keepdim: the values (returned,
 * recorded as MaxBackward0 / MinBackward0) and the int32 indices (secondResult()).
 */
export function maxDimOp(a: i32, dim: i32, keepdim: bool, isMin: bool): i32 {
  if (!a) return 0;
  const dt = dtypeOf(a), nd = ndimOf(a);
  const mask = nd ? 1 << dim : 0;
  const vals = reducedOut(a, mask, keepdim, dt);
  if (!vals) return 0;
  const idx = reducedOut(a, mask, keepdim, DType.Int32);
  if (!idx) return failed(vals);
  const p = rowsOfDim(a, dim, dt);
  if (!p) { release(idx); return failed(vals); }
  maxKernel(dt, dataPtr(vals), dataPtr(idx), p, isMin);
  dropAs(a, dt, p);
  if (shouldRecord(a, 0)) {
    const node = record(isMin ? OpCode.MinDim : OpCode.MaxDim, vals, a, 0, 1, 0, 2);
    if (!node || !save(node, 0, idx, false)) { release(idx); return failed(vals); }
    setAttrI(node, 0, dim);
    setAttrI(node, 1, keepdim ? 1 : 0);
  }
  if (second) release(second);
  second = idx;
  return vals;
}

/** Index of the max (min) of a along dim, or of the flattened a when dim < 0; int32. */
export function argOp(a: i32, dim: i32, keepdim: bool, isMin: bool): i32 {
  if (!a) return 0;
  const dt = dtypeOf(a), nd = ndimOf(a);
  const mask = !nd ? 0 : dim < 0 ? (1 << nd) - 1 : 1 << dim;
  const out = reducedOut(a, mask, keepdim, DType.Int32);
  if (!out) return 0;
  const p = rowsOf(a, mask, dt);
  if (!p) return failed(out);
  maxKernel(dt, 0, dataPtr(out), p, isMin);
  dropAs(a, dt, p);
  return out;
}

/** Whether all (any) elements over the dims in mask are non-zero; bool, never recorded. */
export function allAnyOp(a: i32, mask: i32, keepdim: bool, any: bool): i32 {
  if (!a) return 0;
  const dt = dtypeOf(a);
  const out = reducedOut(a, mask, keepdim, DType.Bool);
  if (!out) return 0;
  const p = rowsOf(a, mask, dt);
  if (!p) return failed(out);
  const o = dataPtr(out);
  if (dt == DType.Float32) allAnyRows<f32>(o, p, rowsOuter, rowsN, rowsInner, any);
  else if (dt == DType.Float64) allAnyRows<f64>(o, p, rowsOuter, rowsN, rowsInner, any);
  else if (dt == DType.Int32) allAnyRows<i32>(o, p, rowsOuter, rowsN, rowsInner, any);
  else allAnyRows<u8>(o, p, rowsOuter, rowsN, rowsInner, any);
  dropAs(a, dt, p);
  return out;
}

/** An int32 tensor of nd dims, size n at dim d and 1 elsewhere, holding 0..n-1. */
function iota(nd: i32, d: i32, n: i32): i32 {
  for (let k = 0; k < nd; k++) setDim(iotaShape, k, k == d ? n : 1);
  const t = newTensor(nd, iotaShape, DType.Int32);
  if (!t) return 0;
  for (let i = 0; i < n; i++) store<i32>(dataPtr(t) + (<usize>i << 2), i);
  return t;
}

function countTrue(m: i32): i32 {
  let c = 0;
  const p = dataPtr(m), n = numelOf(m);
  for (let i = 0; i < n; i++) c += <i32>load<u8>(p + <usize>i);
  return c;
}

/** Backward rules of max/min; false if `op` is not one of them. */
export function minMaxRule(node: usize, op: i32, g: i32): bool {
  switch (op) {
    case OpCode.MaxAll: case OpCode.MinAll: {
      // evenly_distribute_backward: the gradient split among the elements equal to the result
      // (the NaNs when the result is NaN)
      const x = saved(node, 0), y = saved(node, 1);
      const yv = getScalar(dataPtr(y), dtypeOf(y));
      const m = yv != yv ? cmp(C_NE, x, x) : cmp(C_EQ, x, y);
      if (!m) { give(node, 0, 0); return true; }
      const share = divS(g, <f64>countTrue(m));
      give(node, 0, maskGrad(m, share, false));
      release(m);
      if (share) release(share);
      return true;
    }
    case OpCode.MaxDim: case OpCode.MinDim: {
      // value_selecting_reduction_backward: the gradient goes to the selected index
      const rec = inShapeRec(node, 0), nd = recNdim(rec);
      const dim = attrI(node, 0), keep = attrI(node, 1) != 0;
      const mask = nd ? 1 << dim : 0;
      const idx = keepShape(saved(node, 0), mask, nd, keep), gk = keepShape(g, mask, nd, keep);
      const pos = iota(nd, dim, nd ? dimAt(recDims(rec), dim) : 1);
      const m = idx && pos ? cmp(C_EQ, pos, idx) : 0;
      give(node, 0, m && gk ? maskGrad(m, gk, false) : 0);
      if (idx) release(idx);
      if (gk) release(gk);
      if (pos) release(pos);
      if (m) release(m);
      return true;
    }
    default: return false;
  }
}
