// Reductions: forward, what each saves, and its backward rule side by side. Dims arrive as a bit
// mask (bit d = dim d), already normalised by the facade.

import { OpCode, DType, MAX_DIMS } from "../abi";
import { dataPtr, numelOf, ndimOf, shapePtr, dtypeOf, shapeRec, newTensor, dimOf, release } from "../tensor";
import { record, shouldRecord, setAttrI, attrI, inShapeRec } from "../autograd/tape";
import { reduceSum, sumOf } from "../kernels/reduce";
import { sumF32Par } from "../kernels/parallelOps";
import { asDtype, dropAs, failed, putScalar, recNdim, recDims, dimAt, setDim } from "./common";
import { give, own } from "../autograd/backward";
import { divS } from "./binary";
import { expandToRec, viewAsRec, unsqueezeMask } from "./shape";
import { minMaxRule } from "./reduceMinMax";
import { statsRule } from "./reduceStats";
import { softmaxRule } from "./softmax";

// @ts-ignore: decorator
@lazy const outShape: usize = memory.data(MAX_DIMS * 4, 16);

/**
 * Sum (or mean) of a over the dims in `mask`, in dtype dt (float for mean; int32 sums of int32
 * and bool). `dimGiven`: the call named dims (torch's SumBackward1/MeanBackward1).
 */
export function sumOp(a: i32, mask: i32, keepdim: bool, mean: bool, dimGiven: bool, dt: i32): i32 {
  if (!a) return 0;
  const nd = ndimOf(a);
  let ond = 0, count: f64 = 1;
  for (let d = 0; d < nd; d++) {
    if ((mask >> d) & 1) { count *= <f64>dimOf(a, d); if (keepdim) setDim(outShape, ond++, 1); }
    else setDim(outShape, ond++, dimOf(a, d));
  }
  const out = newTensor(ond, outShape, dt);
  if (!out) return 0;
  const pa = asDtype(a, dt);
  if (!pa) return failed(out);
  const po = dataPtr(out), n = numelOf(a), on = numelOf(out);
  if (on == 1 && (n == count || n == 0)) {
    if (dt == DType.Float32) store<f32>(po, sumF32Par(pa, n));
    else if (dt == DType.Float64) store<f64>(po, sumOf<f64>(pa, n));
    else store<i32>(po, sumOf<i32>(pa, n));
  } else if (dt == DType.Float32) reduceSum<f32>(po, pa, nd, shapePtr(a), mask);
  else if (dt == DType.Float64) reduceSum<f64>(po, pa, nd, shapePtr(a), mask);
  else reduceSum<i32>(po, pa, nd, shapePtr(a), mask);
  dropAs(a, dt, pa);
  if (mean) {
    // divide in the dtype's precision, as torch's mean (sum / count)
    if (dt == DType.Float32) { const c = <f32>count; for (let i = 0; i < on; i++) store<f32>(po + (<usize>i << 2), load<f32>(po + (<usize>i << 2)) / c); }
    else for (let i = 0; i < on; i++) store<f64>(po + (<usize>i << 3), load<f64>(po + (<usize>i << 3)) / count);
  }
  if (!shouldRecord(a, 0)) return out;
  const op = dimGiven ? (mean ? OpCode.MeanDim : OpCode.SumDim) : (mean ? OpCode.MeanAll : OpCode.SumAll);
  const node = record(op, out, a, 0, 0, 0, 2);
  if (!node) return failed(out);
  setAttrI(node, 0, mask);
  setAttrI(node, 1, keepdim ? 1 : 0);
  return out;
}

/**
 * t summed down to the shape in record `rec` (undoing broadcasting): sum over the leading extra
 * dims and the dims where rec has size 1, then a view to rec's shape. A new reference.
 */
export function sumTo(t: i32, rec: usize): i32 {
  if (!t) return 0;
  const nd = ndimOf(t), rn = recNdim(rec), rs = recDims(rec);
  let mask = 0;
  for (let d = 0; d < nd; d++) {
    const rd = d - (nd - rn);
    if (rd < 0 || (dimAt(rs, rd) == 1 && dimOf(t, d) != 1)) mask |= 1 << d;
  }
  if (!mask) return nd == rn ? own(t) : viewAsRec(t, rec);
  const s = sumOp(t, mask, true, false, true, dtypeOf(t));
  if (!s || shapeRec(s) == rec) return s;
  const v = viewAsRec(s, rec);
  release(s);
  return v;
}

/** Backward rules of this family; false if `op` is not one of its node kinds. */
export function reduceRule(node: usize, op: i32, g: i32): bool {
  switch (op) {
    case OpCode.SumAll: case OpCode.SumDim: case OpCode.MeanAll: case OpCode.MeanDim: {
      // grad (unsqueezed on the reduced dims unless keepdim) expanded to the input's shape;
      // mean divides by the number of elements reduced
      const rec = inShapeRec(node, 0);
      const all = op == OpCode.SumAll || op == OpCode.MeanAll;
      const mask = attrI(node, 0), keep = attrI(node, 1) != 0;
      const u = keep || all ? own(g) : unsqueezeMask(g, mask, recNdim(rec));
      const e = expandToRec(u, rec);
      release(u);
      if (op == OpCode.SumAll || op == OpCode.SumDim) { give(node, 0, e); return true; }
      let count: f64 = 1;
      const nd = recNdim(rec), rs = recDims(rec);
      for (let d = 0; d < nd; d++) if ((mask >> d) & 1) count *= <f64>dimAt(rs, d);
      give(node, 0, divS(e, count));
      release(e);
      return true;
    }
    default: return minMaxRule(node, op, g) || statsRule(node, op, g) || softmaxRule(node, op, g);
  }
}

