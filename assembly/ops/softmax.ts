// softmax, log_softmax and cumsum along one dim: forward, what each saves, and the backward rules.
// The backward formulas of softmax and log_softmax (_softmax_backward_data and
// _log_softmax_backward_data) are ops with rules of their own, so second derivatives work.

import { OpCode, DType } from "../abi";
import { dataPtr, ndimOf, dtypeOf, newTensorLike, release } from "../tensor";
import { record, shouldRecord, save, setAttrI, attrI } from "../autograd/tape";
import { saved, give, needs } from "../autograd/backward";
import { softmaxRows, softmaxBackRows, cumsumRows } from "../kernels/reduceRows";
import { U_EXP } from "../kernels/unary";
import { dropAs, failed, widerDtype } from "./common";
import { mul, sub } from "./binary";
import { unary, neg } from "./unary";
import { sumOp } from "./reduce";
import { rowsOfDim, rowsOuter, rowsN, rowsInner } from "./reduceCommon";

// @ts-ignore: decorator
@inline function rel(h: i32): void { if (h) release(h); }
// @ts-ignore: decorator
@inline function dimMaskOf(h: i32, dim: i32): i32 { return ndimOf(h) ? 1 << dim : 0; }

/** softmax (log-softmax when `logOut`) of a along dim; a is floating. */
export function softmaxOp(a: i32, dim: i32, logOut: bool): i32 {
  if (!a) return 0;
  const dt = dtypeOf(a);
  const out = newTensorLike(a, dt);
  if (!out) return 0;
  const p = rowsOfDim(a, dim, dt);
  if (!p) return failed(out);
  if (dt == DType.Float32) softmaxRows<f32>(dataPtr(out), p, rowsOuter, rowsN, rowsInner, logOut);
  else softmaxRows<f64>(dataPtr(out), p, rowsOuter, rowsN, rowsInner, logOut);
  dropAs(a, dt, p);
  if (!shouldRecord(a, 0)) return out;
  const node = record(logOut ? OpCode.LogSoftmax : OpCode.Softmax, out, a, 0, 1, 0, 1);
  if (!node || !save(node, 0, out, true)) return failed(out);
  setAttrI(node, 0, dim);
  return out;
}

/**
 * _softmax_backward_data(g, y, dim): y * (g - sum(g * y, dim)); with `logIn`,
 * _log_softmax_backward_data: g - exp(y) * sum(g, dim). Recorded (SoftmaxBackwardDataBackward0).
 */
export function softmaxBackwardOp(g: i32, y: i32, dim: i32, logIn: bool): i32 {
  if (!g || !y) return 0;
  const dt = widerDtype(dtypeOf(g), dtypeOf(y));
  const out = newTensorLike(y, dt);
  if (!out) return 0;
  const pg = rowsOfDim(g, dim, dt);
  const py = rowsOfDim(y, dim, dt);
  if (!pg || !py) { dropAs(g, dt, pg); dropAs(y, dt, py); return failed(out); }
  if (dt == DType.Float32) softmaxBackRows<f32>(dataPtr(out), pg, py, rowsOuter, rowsN, rowsInner, logIn);
  else softmaxBackRows<f64>(dataPtr(out), pg, py, rowsOuter, rowsN, rowsInner, logIn);
  dropAs(g, dt, pg); dropAs(y, dt, py);
  if (!shouldRecord(g, y)) return out;
  const node = record(logIn ? OpCode.LogSoftmaxBackward : OpCode.SoftmaxBackward, out, g, y, 2, 0, 1);
  if (!node || !save(node, 0, g, false) || !save(node, 1, y, false)) return failed(out);
  setAttrI(node, 0, dim);
  return out;
}

/** Cumulative sum of a along dim in dt (int32 for integer and bool inputs); `reverse` sums from the end. */
export function cumsumOp(a: i32, dim: i32, dt: i32, reverse: bool): i32 {
  if (!a) return 0;
  const out = newTensorLike(a, dt);
  if (!out) return 0;
  const p = rowsOfDim(a, dim, dt);
  if (!p) return failed(out);
  const o = dataPtr(out);
  if (dt == DType.Float32) cumsumRows<f32>(o, p, rowsOuter, rowsN, rowsInner, reverse);
  else if (dt == DType.Float64) cumsumRows<f64>(o, p, rowsOuter, rowsN, rowsInner, reverse);
  else cumsumRows<i32>(o, p, rowsOuter, rowsN, rowsInner, reverse);
  dropAs(a, dt, p);
  if (dt == DType.Int32 || !shouldRecord(a, 0)) return out;
  const node = record(OpCode.Cumsum, out, a, 0, 0, 0, 2);
  if (!node) return failed(out);
  setAttrI(node, 0, dim);
  setAttrI(node, 1, reverse ? 1 : 0);
  return out;
}

/** Backward rules of softmax, log_softmax, their backward ops and cumsum; false for other kinds. */
export function softmaxRule(node: usize, op: i32, g: i32): bool {
  switch (op) {
    case OpCode.Softmax: case OpCode.LogSoftmax:
      give(node, 0, softmaxBackwardOp(g, saved(node, 0), attrI(node, 0), op == OpCode.LogSoftmax));
      return true;
    case OpCode.SoftmaxBackward: {
      const go = saved(node, 0), y = saved(node, 1), dim = attrI(node, 0), m = dimMaskOf(y, dim);
      if (needs(node, 0)) give(node, 0, softmaxBackwardOp(g, y, dim, false));
      if (needs(node, 1)) {
        // softmax_double_backward: go * g - sum(y * go) * g - go * sum(y * g)
        const a = mul(go, g);
        const yg0 = mul(y, go), s = sumOp(yg0, m, true, false, true, dtypeOf(yg0));
        const b = mul(s, g);
        const yg = mul(y, g), t = sumOp(yg, m, true, false, true, dtypeOf(yg));
        const c = mul(go, t);
        const ab = sub(a, b);
        give(node, 1, sub(ab, c));
        rel(a); rel(yg0); rel(s); rel(b); rel(yg); rel(t); rel(c); rel(ab);
      }
      return true;
    }
    case OpCode.LogSoftmaxBackward: {
      const go = saved(node, 0), y = saved(node, 1), dim = attrI(node, 0), m = dimMaskOf(y, dim);
      const e = unary(U_EXP, y, dtypeOf(y));
      if (needs(node, 0)) {
        // g - sum(g * exp(y))
        const ge = mul(g, e), s = sumOp(ge, m, true, false, true, dtypeOf(ge));
        give(node, 0, sub(g, s));
        rel(ge); rel(s);
      }
      if (needs(node, 1)) {
        // -sum(go) * exp(y) * g
        const s = sumOp(go, m, true, false, true, dtypeOf(go)), ns = neg(s);
        const t = mul(ns, e);
        give(node, 1, mul(t, g));
        rel(s); rel(ns); rel(t);
      }
      rel(e);
      return true;
    }
    case OpCode.Cumsum:
      give(node, 0, cumsumOp(g, attrI(node, 0), dtypeOf(g), attrI(node, 1) == 0));
      return true;
    default: return false;
  }
}
