// Elementwise unary ops: forward, what each saves, and its backward rule side by side. A rule
// that uses a fused backward formula (tanh_backward, sigmoid_backward, threshold_backward) calls
// it as an op (gradOp below), which has a rule of its own, so second derivatives work.

import { OpCode, DType } from "../abi";
import { dataPtr, numelOf, dtypeOf, newTensorLike, release } from "../tensor";
import { record, shouldRecord, save, setAttrF, attrF } from "../autograd/tape";
import {
  unaryKernel, unaryKernelI32, gradKernel, U_NEG, U_EXP, U_LOG, U_SQRT, U_ABS, U_RELU, U_SIGMOID, U_TANH,
  U_RECIPROCAL, U_SGN, G_SIGMOID, G_TANH, G_THRESHOLD, U_MORE, G_MORE,
} from "../kernels/unary";
import { moreKernel, gradMore, moreSaves, moreNodeKind, moreGradNodeKind, roundTo, unaryMoreRule } from "./unaryMore";
import { asDtype, dropAs, asDtypeFast, dropAsFast, failed, fullLike, widerDtype } from "./common";
import { unaryPar, gradPar } from "../kernels/parallelOps";
import { saved, give, needs, own } from "../autograd/backward";
import { mul, mulS, div, mulTake } from "./binary";

function nodeKind(k: i32): i32 {
  switch (k) {
    case U_NEG: return OpCode.Neg;
    case U_EXP: return OpCode.Exp;
    case U_LOG: return OpCode.Log;
    case U_SQRT: return OpCode.Sqrt;
    case U_ABS: return OpCode.Abs;
    case U_RELU: return OpCode.Relu;
    case U_SIGMOID: return OpCode.Sigmoid;
    case U_TANH: return OpCode.Tanh;
    case U_RECIPROCAL: return OpCode.Reciprocal;
    default: return OpCode.Sign;
  }
}

/** 0: saves nothing, 1: saves its input, 2: saves its result (what the derivative reads). */
function savesOf(k: i32): i32 {
  if (k == U_LOG || k == U_ABS) return 1;
  if (k == U_NEG || k == U_SGN) return 0;
  return 2;
}

/** f(a) computed in dtype dt (float32/float64; int32 for neg, abs, sign, relu). */
export function unary(k: i32, a: i32, dt: i32): i32 { return unaryP(k, a, dt, 0, 0); }

/**
 * f(a; p0, p1) computed in dtype dt: unary's codes and those of kernels/unaryMore.ts (whose
 * parameters p0, p1 are recorded as the node's attributes; int32 only for clamp).
 */
export function unaryP(k: i32, a: i32, dt: i32, p0: f64, p1: f64): i32 {
  if (!a) return 0;
  const out = newTensorLike(a, dt);
  if (!out) return 0;
  const pa = asDtypeFast(a, dt);
  if (!pa) return failed(out);
  const n = numelOf(out);
  if (k >= U_MORE) moreKernel(k, dt, dataPtr(out), pa, n, p0, p1);
  else if (unaryPar(k, dt, dataPtr(out), pa, n)) { /* split across threads */ }
  else if (dt == DType.Float32) unaryKernel<f32>(k, dataPtr(out), pa, n);
  else if (dt == DType.Float64) unaryKernel<f64>(k, dataPtr(out), pa, n);
  else unaryKernelI32(k, dataPtr(out), pa, n);
  dropAsFast(a, dt, pa);
  if (!shouldRecord(a, 0)) return out;
  const more = k >= U_MORE;
  const s = more ? moreSaves(k) : savesOf(k);
  const node = record(more ? moreNodeKind(k, p0, p1) : nodeKind(k), out, a, 0, s ? 1 : 0, more ? 2 : 0, 0);
  if (!node) return failed(out);
  if (more) { setAttrF(node, 0, roundTo(dt, p0)); setAttrF(node, 1, roundTo(dt, p1)); }
  if (s == 1 && !save(node, 0, a, false)) return failed(out);
  if (s == 2 && !save(node, 0, out, true)) return failed(out);
  return out;
}

function gradNodeKind(k: i32): i32 {
  if (k == G_SIGMOID) return OpCode.SigmoidBackward;
  if (k == G_TANH) return OpCode.TanhBackward;
  return OpCode.ThresholdBackward;
}

/** A fused backward formula k of gradient g and saved value s, as an op (for createGraph). */
export function gradOp(k: i32, g: i32, s: i32): i32 { return gradOpP(k, g, s, 0, 0); }

/** gradOp for the formulas of kernels/unaryMore.ts, with their parameters p0, p1. */
export function gradOpP(k: i32, g: i32, s: i32, p0: f64, p1: f64): i32 {
  if (!g || !s) return 0;
  const dt = widerDtype(dtypeOf(g), dtypeOf(s));
  const out = newTensorLike(g, dt);
  if (!out) return 0;
  const pg = asDtype(g, dt), ps = asDtype(s, dt);
  if (!pg || !ps) { dropAs(g, dt, pg); dropAs(s, dt, ps); return failed(out); }
  const more = k >= G_MORE;
  if (more) gradMore(k, dt, dataPtr(out), pg, ps, numelOf(out), p0, p1);
  else if (gradPar(k, dt, dataPtr(out), pg, ps, numelOf(out))) { /* split across threads */ }
  else if (dt == DType.Float32) gradKernel<f32>(k, dataPtr(out), pg, ps, numelOf(out));
  else gradKernel<f64>(k, dataPtr(out), pg, ps, numelOf(out));
  dropAs(g, dt, pg); dropAs(s, dt, ps);
  if (!shouldRecord(g, s)) return out;
  const node = record(more ? moreGradNodeKind(k) : gradNodeKind(k), out, g, s, 2, more ? 2 : 0, 0);
  if (!node || !save(node, 0, g, false) || !save(node, 1, s, false)) return failed(out);
  if (more) { setAttrF(node, 0, roundTo(dt, p0)); setAttrF(node, 1, roundTo(dt, p1)); }
  return out;
}

// ---- the internal forms the rules use -----------------------------------------------------

// @ts-ignore: decorator
@inline function floatOf(x: i32): i32 { const d = dtypeOf(x); return d == DType.Float64 ? d : DType.Float32; }
export function neg(x: i32): i32 { return !x ? 0 : unary(U_NEG, x, dtypeOf(x) == DType.Int32 ? DType.Int32 : floatOf(x)); }
export function logOf(x: i32): i32 { return !x ? 0 : unary(U_LOG, x, floatOf(x)); }
export function sgnOf(x: i32): i32 { return !x ? 0 : unary(U_SGN, x, floatOf(x)); }

// ---- rules ----------------------------------------------------------------------------------

/** Backward rules of this family; false if `op` is not one of its node kinds. */
export function unaryRule(node: usize, op: i32, g: i32): bool {
  switch (op) {
    case OpCode.Neg: give(node, 0, neg(g)); return true;
    case OpCode.Exp: give(node, 0, mul(g, saved(node, 0))); return true; // grad * result
    case OpCode.Log: give(node, 0, div(g, saved(node, 0))); return true; // grad / self
    case OpCode.Sqrt: { // grad / (2 * result)
      const t = mulS(saved(node, 0), 2);
      give(node, 0, div(g, t));
      release(t);
      return true;
    }
    case OpCode.Abs: give(node, 0, mulTake(own(g), sgnOf(saved(node, 0)))); return true; // grad * self.sgn()
    case OpCode.Sign: give(node, 0, fullLike(g, dtypeOf(g), 0)); return true;
    case OpCode.Relu: give(node, 0, gradOp(G_THRESHOLD, g, saved(node, 0))); return true;
    case OpCode.Sigmoid: give(node, 0, gradOp(G_SIGMOID, g, saved(node, 0))); return true;
    case OpCode.Tanh: give(node, 0, gradOp(G_TANH, g, saved(node, 0))); return true;
    case OpCode.Reciprocal: { // -grad * (result * result)
      const y = saved(node, 0);
      const yy = mul(y, y);
      give(node, 0, mulTake(neg(g), yy));
      return true;
    }
    case OpCode.TanhBackward: { // grad_output: tanh_backward(grad, y); y: grad * (-2 * y * grad_output)
      const go = saved(node, 0), y = saved(node, 1);
      if (needs(node, 0)) give(node, 0, gradOp(G_TANH, g, y));
      if (needs(node, 1)) give(node, 1, mulTake(mul(g, go), mulS(y, -2)));
      return true;
    }
    case OpCode.SigmoidBackward: { // grad_output: sigmoid_backward(grad, y); y: grad * grad_output * (1 - 2y)
      const go = saved(node, 0), y = saved(node, 1);
      if (needs(node, 0)) give(node, 0, gradOp(G_SIGMOID, g, y));
      if (needs(node, 1)) {
        const t = mulS(y, -2), u = addOne(t);
        release(t);
        give(node, 1, mulTake(mul(g, go), u));
      }
      return true;
    }
    case OpCode.ThresholdBackward: { // grad_output: threshold_backward(grad, y, 0); y: zeros
      const y = saved(node, 1);
      if (needs(node, 0)) give(node, 0, gradOp(G_THRESHOLD, g, y));
      if (needs(node, 1)) give(node, 1, fullLike(y, dtypeOf(g), 0));
      return true;
    }
    default: return unaryMoreRule(node, op, g);
  }
}

import { addS } from "./binary";
function addOne(x: i32): i32 { return addS(x, 1); }
