// The elementwise unary ops of kernels/unaryMore.ts (rsqrt, log1p, expm1, sin, cos, gelu, silu,
// leaky_relu, softplus, clamp with number bounds, clamp_, isnan, isfinite): node kinds, what each
// saves, and the rules, written with the ops users call (derivatives.yaml's formulas), so that
// createGraph differentiates them again.

import { OpCode, DType, Status } from "../abi";
import {
  dataPtr, numelOf, ndimOf, shapePtr, stridesPtr, dtypeOf, newTensorLike, release, isContiguous, hasOverlap,
  bumpVersion,
} from "../tensor";
import { newNode, shouldRecord, save, setAttrF, attrF, nodeRelease } from "../autograd/tape";
import { prepareInplace, commitInplace } from "./copySlices";
import { saved, give, needs, own } from "../autograd/backward";
import {
  unaryMoreKernel, gradMoreKernel, clampI32, classifyKernel, U_RSQRT, U_LOG1P, U_EXPM1, U_SIN, U_COS, U_GELU,
  U_GELU_TANH, U_SILU, U_LEAKY, U_SOFTPLUS, U_CLAMP, U_ISNAN, G_GELU, G_GELU_TANH, G_SILU, G_LEAKY, G_SOFTPLUS,
} from "../kernels/unaryMore";
import { U_EXP, U_SIGMOID, U_TANH, G_SIGMOID } from "../kernels/unary";
import { copyStrided, contiguousStridesInto } from "../kernels/layout";
import { C_GE, C_LE, C_LT, L_AND, B_SUB } from "../kernels/binary";
import { asDtype, dropAs, failed, fullLike, contiguousOf } from "./common";
import { mul, mulS, div, addS, powS, sub, cmpS, cmp, mulTake, maskGrad, binaryScalar } from "./binary";
import { unary, neg, gradOp, gradOpP } from "./unary";
import { ternaryRule } from "./ternary";

// @ts-ignore: decorator
@lazy const ins: usize = memory.data(16, 16);
// @ts-ignore: decorator
@lazy const strides: usize = memory.data(64, 16);

/** A number rounded to dtype dt (as PyTorch converts a Scalar argument to scalar_t). */
export function roundTo(dt: i32, v: f64): f64 { return dt == DType.Float32 ? <f64><f32>v : v; }

/** Runs kernel k (U_MORE.., not isnan/isfinite) on n elements of dtype dt. */
export function moreKernel(k: i32, dt: i32, out: usize, a: usize, n: i32, p0: f64, p1: f64): void {
  if (dt == DType.Float32) unaryMoreKernel<f32>(k, out, a, n, p0, p1);
  else if (dt == DType.Float64) unaryMoreKernel<f64>(k, out, a, n, p0, p1);
  else clampI32(out, a, n, p0 < -2147483648.0 ? i32.MIN_VALUE : <i32>p0, p1 > 2147483647.0 ? i32.MAX_VALUE : <i32>p1);
}

/** Runs fused backward kernel k (G_MORE..) in dtype dt (float32 or float64). */
export function gradMore(k: i32, dt: i32, out: usize, g: usize, s: usize, n: i32, p0: f64, p1: f64): void {
  if (dt == DType.Float32) gradMoreKernel<f32>(k, out, g, s, n, p0, p1);
  else gradMoreKernel<f64>(k, out, g, s, n, p0, p1);
}

/** 1: saves its input, 2: saves its result (what each derivative reads). */
export function moreSaves(k: i32): i32 { return k == U_RSQRT || k == U_EXPM1 ? 2 : 1; }

export function moreNodeKind(k: i32, p0: f64, p1: f64): i32 {
  switch (k) {
    case U_RSQRT: return OpCode.Rsqrt;
    case U_LOG1P: return OpCode.Log1p;
    case U_EXPM1: return OpCode.Expm1;
    case U_SIN: return OpCode.Sin;
    case U_COS: return OpCode.Cos;
    case U_GELU: case U_GELU_TANH: return OpCode.Gelu;
    case U_SILU: return OpCode.Silu;
    case U_LEAKY: return OpCode.LeakyRelu;
    case U_SOFTPLUS: return OpCode.Softplus;
    default: return p1 == Infinity ? OpCode.ClampMin : p0 == -Infinity ? OpCode.ClampMax : OpCode.Clamp;
  }
}

export function moreGradNodeKind(k: i32): i32 {
  if (k == G_GELU || k == G_GELU_TANH) return OpCode.GeluBackward;
  if (k == G_SILU) return OpCode.SiluBackward;
  if (k == G_LEAKY) return OpCode.LeakyReluBackward;
  return OpCode.SoftplusBackward;
}

/** isnan(a) or isfinite(a) (k = U_ISNAN / U_ISFINITE): a bool tensor, never recorded. */
export function classify(k: i32, a: i32): i32 {
  if (!a) return 0;
  const dt = dtypeOf(a);
  const out = newTensorLike(a, DType.Bool);
  if (!out) return 0;
  const pa = asDtype(a, dt);
  if (!pa) return failed(out);
  const n = numelOf(out);
  if (dt == DType.Float32) classifyKernel<f32>(k, dataPtr(out), pa, n);
  else if (dt == DType.Float64) classifyKernel<f64>(k, dataPtr(out), pa, n);
  else if (dt == DType.Int32) classifyKernel<i32>(k, dataPtr(out), pa, n);
  else classifyKernel<u8>(k, dataPtr(out), pa, n);
  dropAs(a, dt, pa);
  return out;
}

/**
 * self.clamp_(lo, hi) for number bounds (-inf / inf when absent), in self's dtype: computed
 * first, recorded (saving self's old values, which the rule reads), then written through self's
 * strides. Returns 1, 0 (out of memory) or Status.InternalOverlap.
 */
export function clampInplace(self: i32, lo: f64, hi: f64): i32 {
  if (hasOverlap(self)) return Status.InternalOverlap;
  const dt = dtypeOf(self), nd = ndimOf(self);
  const old = contiguousOf(self, dt);
  if (!old) return 0;
  const res = newTensorLike(self, dt);
  if (!res) return failed(old);
  moreKernel(U_CLAMP, dt, dataPtr(res), dataPtr(old), numelOf(self), lo, hi);
  let node: usize = 0;
  if (shouldRecord(self, 0)) {
    store<i32>(ins, self);
    node = newNode(moreNodeKind(U_CLAMP, lo, hi), 1, ins, 1, 2, 0);
    if (!node) { release(res); return failed(old); }
    setAttrF(node, 0, roundTo(dt, lo)); setAttrF(node, 1, roundTo(dt, hi));
    if (!save(node, 0, old, false)) { nodeRelease(node, 0); release(res); return failed(old); }
    if (!prepareInplace(node, self)) { nodeRelease(node, 0); release(res); return failed(old); }
  }
  if (isContiguous(self)) memory.copy(dataPtr(self), dataPtr(res), <usize>numelOf(self) << (dt == DType.Float64 ? 3 : 2));
  else {
    contiguousStridesInto(strides, nd, shapePtr(self));
    copyStrided(dataPtr(self), dt, stridesPtr(self), dataPtr(res), dt, strides, nd, shapePtr(self));
  }
  release(res); release(old);
  bumpVersion(self);
  if (node) commitInplace(node, self);
  return 1;
}

// ---- helpers for chains of ops in rules: each takes (releases) the handles it is given -------

function ut(k: i32, x: i32): i32 {
  if (!x) return 0;
  const r = unary(k, x, dtypeOf(x) == DType.Float64 ? DType.Float64 : DType.Float32);
  release(x);
  return r;
}
function mst(a: i32, s: f64): i32 { const r = mulS(a, s); release(a); return r; }
function ast(a: i32, s: f64): i32 { const r = addS(a, s); release(a); return r; }
function subT(a: i32, b: i32): i32 { const r = sub(a, b); release(a); release(b); return r; }
function addT(a: i32, b: i32): i32 { const r = a && b ? addOf(a, b) : 0; release(a); release(b); return r; }
/** s - a for a number s. */
function rst(a: i32, s: f64): i32 { const r = a ? binaryScalar(B_SUB, a, s, dtypeOf(a), true) : 0; release(a); return r; }
import { add as addOf } from "./binary";

const GELU_PDF: f64 = 1.1283791670955126 * 0.7071067811865476 * 0.5;
const GELU_BETA: f64 = 1.4142135623730951 * 1.1283791670955126 * 0.5;
const GELU_KAPPA: f64 = 0.044715;

/** gelu_double_backward(ggI, gO, x, approximate) of FunctionsManual.cpp, as ops. */
function geluDoubleBackward(ggI: i32, gO: i32, x: i32, tanhForm: bool): i32 {
  if (!tanhForm) {
    // pdf = kBeta * exp(-0.5 * x^2); ggI * gO * (2 * pdf - x^2 * pdf)
    const x2 = mul(x, x);
    const pdf = mst(ut(U_EXP, mulS(x2, -0.5)), GELU_PDF);
    const d = subT(mulS(pdf, 2), mul(x2, pdf));
    release(x2); release(pdf);
    return mulTake(mul(ggI, gO), d);
  }
  // inner = kBeta * (x + kKappa * x^3), t = tanh(inner), g = 1 - t^2 (= sech^2 inner),
  // h = kBeta * (1 + 3 kKappa x^2), f = x / 2; gI = ggI * gO * (f'gh + (f'gh + f h g' + f g h')),
  // f' = 1/2, g' = -2 sech^2 tanh * h = -2 g t h, h' = 6 kKappa kBeta x
  const x2 = mul(x, x);
  const t = ut(U_TANH, mst(addOf(x, mst(mul(x2, x), GELU_KAPPA)), GELU_BETA));
  const g = rst(mul(t, t), 1);
  const h = mst(ast(mst(own(x2), 3 * GELU_KAPPA), 1), GELU_BETA);
  const fgh = mst(mul(g, h), 0.5);
  const gp = mst(mulTake(mul(g, t), own(h)), -2);
  const gph = mulTake(mulTake(mulS(x, 0.5), own(h)), gp);
  const hp = mulS(x, 6 * GELU_KAPPA * GELU_BETA);
  const fghp = mulTake(mulTake(mulS(x, 0.5), own(g)), hp);
  const sum = addT(own(fgh), addT(addT(fgh, gph), fghp));
  release(x2); release(t); release(g); release(h);
  return mulTake(mul(ggI, gO), sum);
}

/** clamp's mask of where the gradient passes: lo <= x <= hi (a missing bound is infinite). */
function clampPass(x: i32, lo: f64, hi: f64): i32 {
  if (hi == Infinity) return cmpS(C_GE, x, lo);
  if (lo == -Infinity) return cmpS(C_LE, x, hi);
  const a = cmpS(C_GE, x, lo), b = cmpS(C_LE, x, hi);
  const r = a && b ? cmp(L_AND, a, b) : 0;
  release(a); release(b);
  return r;
}

/** Backward rules of this file's node kinds; false if `op` is not one of them. */
export function unaryMoreRule(node: usize, op: i32, g: i32): bool {
  switch (op) {
    case OpCode.Rsqrt: // -0.5 * grad * result ** 3
      give(node, 0, mulTake(mulS(g, -0.5), powS(saved(node, 0), 3))); return true;
    case OpCode.Log1p: give(node, 0, divTake(own(g), addS(saved(node, 0), 1))); return true; // grad / (self + 1)
    case OpCode.Expm1: give(node, 0, mulTake(own(g), addS(saved(node, 0), 1))); return true; // grad * (result + 1)
    case OpCode.Sin: give(node, 0, mulTake(own(g), ut(U_COS, own(saved(node, 0))))); return true; // grad * cos(self)
    case OpCode.Cos: give(node, 0, mulTake(own(g), negT(ut(U_SIN, own(saved(node, 0)))))); return true; // grad * -sin(self)
    case OpCode.Gelu: // attribute 0 is 1 for the tanh form (kept on the backward node too)
      give(node, 0, attrF(node, 0) != 0 ? gradOp2(G_GELU_TANH, g, saved(node, 0), 1, 0) : gradOp2(G_GELU, g, saved(node, 0), 0, 0));
      return true;
    case OpCode.Silu: {
      const x = saved(node, 0);
      if (!shouldRecord(g, x)) { give(node, 0, gradOp2(G_SILU, g, x, 0, 0)); return true; }
      // recorded: torch's infinitely differentiable form, grad * s * (1 + x * (1 - s)), s = sigmoid(x)
      const s = ut(U_SIGMOID, own(x));
      const f = ast(mulTake(own(x), rst(own(s), 1)), 1);
      give(node, 0, mulTake(mulTake(own(g), s), f));
      return true;
    }
    case OpCode.LeakyRelu: give(node, 0, gradOp2(G_LEAKY, g, saved(node, 0), attrF(node, 0), 0)); return true;
    case OpCode.Softplus:
      give(node, 0, gradOp2(G_SOFTPLUS, g, saved(node, 0), attrF(node, 0), attrF(node, 1))); return true;
    case OpCode.Clamp: case OpCode.ClampMin: case OpCode.ClampMax: {
      // where(lo <= self <= hi, grad, 0): the subgradient 1 at the bounds
      const m = clampPass(saved(node, 0), attrF(node, 0), attrF(node, 1));
      give(node, 0, m ? maskGrad(m, g, false) : 0);
      release(m);
      return true;
    }
    case OpCode.GeluBackward: {
      // grad_output: gelu_backward(grad, self); self: gelu_double_backward(grad, grad_output, self)
      const go = saved(node, 0), x = saved(node, 1);
      const tanhForm = attrF(node, 0) != 0;
      if (needs(node, 0)) give(node, 0, gradOp2(tanhForm ? G_GELU_TANH : G_GELU, g, x, tanhForm ? 1 : 0, 0));
      if (needs(node, 1)) give(node, 1, geluDoubleBackward(g, go, x, tanhForm));
      return true;
    }
    case OpCode.LeakyReluBackward: {
      // grad_output: leaky_relu_backward(grad, self, slope); self: zeros
      const x = saved(node, 1);
      if (needs(node, 0)) give(node, 0, gradOp2(G_LEAKY, g, x, attrF(node, 0), 0));
      if (needs(node, 1)) give(node, 1, fullLike(x, dtypeOf(g), 0));
      return true;
    }
    case OpCode.SoftplusBackward: {
      // grad_output: softplus_backward(grad, self, beta, threshold);
      // self: sigmoid_backward(grad * grad_output, sigmoid(x * beta)) * (x * beta < threshold) * beta
      const go = saved(node, 0), x = saved(node, 1);
      const beta = attrF(node, 0), thr = attrF(node, 1);
      if (needs(node, 0)) give(node, 0, gradOp2(G_SOFTPLUS, g, x, beta, thr));
      if (needs(node, 1)) {
        const xb = mulS(x, beta);
        const gg = mul(g, go), s = ut(U_SIGMOID, own(xb));
        const sb = gg && s ? gradOp(G_SIGMOID, gg, s) : 0;
        release(gg); release(s);
        const below = cmpS(C_LT, xb, thr);
        release(xb);
        give(node, 1, mst(mulTake(sb, below), beta));
      }
      return true;
    }
    default: return ternaryRule(node, op, g);
  }
}

function gradOp2(k: i32, g: i32, s: i32, p0: f64, p1: f64): i32 { return gradOpP(k, g, s, p0, p1); }
function divTake(a: i32, b: i32): i32 { const r = a && b ? div(a, b) : 0; release(a); release(b); return r; }
function negT(a: i32): i32 { const r = neg(a); release(a); return r; }

