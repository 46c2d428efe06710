// prod, var/std, norm and logsumexp over a set of dims: forward, what each saves, and the
// backward rules (torch 1.13's prod_backward, var_backward, std_backward, norm_backward and
// logsumexp_backward), written with the core's ops so that they record under createGraph.

import { OpCode, DType } from "../abi";
import { dataPtr, numelOf, ndimOf, dtypeOf, release } from "../tensor";
import { record, shouldRecord, save, setAttrI, attrI, setAttrF, attrF, inShapeRec } from "../autograd/tape";
import { saved, give, own } from "../autograd/backward";
import { prodRows, varRows, normRows, logsumexpRows } from "../kernels/reduceRows";
import { C_EQ, C_NE, C_LE, L_OR } from "../kernels/binary";
import { U_ABS, U_EXP } from "../kernels/unary";
import { dropAs, failed, fullLike, recNdim, recDims, dimAt } from "./common";
import { cmp, cmpS, mul, div, sub, mulS, powS, where, maskGrad, mulTake } from "./binary";
import { unary, sgnOf } from "./unary";
import { sumOp } from "./reduce";
import { reducedOut, rowsOf, rowsOuter, rowsN, rowsInner, keepShape } from "./reduceCommon";

const K_PROD = 0, K_VAR = 1, K_STD = 2, K_NORM = 3, K_LSE = 4;

function run(k: i32, dt: i32, out: usize, p: usize, f: f64): void {
  const o = rowsOuter, n = rowsN, i = rowsInner;
  if (dt == DType.Float32) {
    if (k == K_PROD) prodRows<f32>(out, p, o, n, i);
    else if (k == K_VAR || k == K_STD) varRows<f32>(out, p, o, n, i, f, k == K_STD);
    else if (k == K_NORM) normRows<f32>(out, p, o, n, i, f);
    else logsumexpRows<f32>(out, p, o, n, i);
  } else if (dt == DType.Float64) {
    if (k == K_PROD) prodRows<f64>(out, p, o, n, i);
    else if (k == K_VAR || k == K_STD) varRows<f64>(out, p, o, n, i, f, k == K_STD);
    else if (k == K_NORM) normRows<f64>(out, p, o, n, i, f);
    else logsumexpRows<f64>(out, p, o, n, i);
  } else prodRows<i32>(out, p, o, n, i);
}

function nodeKind(k: i32, dimGiven: bool): i32 {
  if (k == K_PROD) return dimGiven ? OpCode.ProdDim : OpCode.ProdAll;
  if (k == K_VAR) return OpCode.Var;
  if (k == K_STD) return OpCode.Std;
  if (k == K_NORM) return dimGiven ? OpCode.NormDim : OpCode.NormAll;
  return OpCode.Logsumexp;
}

/** Reduction k of a over the dims in mask into dtype dt; `f`: correction (var/std) or p (norm). */
function reduceStat(k: i32, a: i32, mask: i32, keepdim: bool, dimGiven: bool, dt: i32, f: f64): i32 {
  if (!a) return 0;
  const out = reducedOut(a, mask, keepdim, dt);
  if (!out) return 0;
  const p = rowsOf(a, mask, dt);
  if (!p) return failed(out);
  run(k, dt, dataPtr(out), p, f);
  dropAs(a, dt, p);
  if (!shouldRecord(a, 0) || dt == DType.Int32) return out;
  const node = record(nodeKind(k, dimGiven), out, a, 0, 2, 1, 3);
  if (!node || !save(node, 0, a, false) || !save(node, 1, out, true)) return failed(out);
  setAttrI(node, 0, mask);
  setAttrI(node, 1, keepdim ? 1 : 0);
  setAttrI(node, 2, dimGiven ? 1 : 0);
  setAttrF(node, 0, f);
  return out;
}

/** Product over the dims in mask (torch.prod), in dt (int32 for integer and bool inputs). */
export function prodOp(a: i32, mask: i32, keepdim: bool, dimGiven: bool, dt: i32): i32 {
  return reduceStat(K_PROD, a, mask, keepdim, dimGiven, dt, 0);
}
/** Variance (or standard deviation) with Bessel's `correction` over the dims in mask. */
export function varOp(a: i32, mask: i32, keepdim: bool, correction: f64, isStd: bool, dimGiven: bool): i32 {
  return reduceStat(isStd ? K_STD : K_VAR, a, mask, keepdim, dimGiven, dtypeOf(a), correction);
}
/** p-norm over the dims in mask. */
export function normOp(a: i32, p: f64, mask: i32, keepdim: bool, dimGiven: bool): i32 {
  return reduceStat(K_NORM, a, mask, keepdim, dimGiven, dtypeOf(a), p);
}
/** log(sum(exp(a))) over the dims in mask, stable for large magnitudes. */
export function logsumexpOp(a: i32, mask: i32, keepdim: bool): i32 {
  return reduceStat(K_LSE, a, mask, keepdim, true, dtypeOf(a), 0);
}

// @ts-ignore: decorator
@inline function rel(h: i32): void { if (h) release(h); }

function countTrue(m: i32): i32 {
  let c = 0;
  const p = dataPtr(m), n = numelOf(m);
  for (let i = 0; i < n; i++) c += <i32>load<u8>(p + <usize>i);
  return c;
}

/** Elements reduced into each output: the product of the masked sizes of record rec. */
function reducedCount(rec: usize, mask: i32): f64 {
  let n: f64 = 1;
  const nd = recNdim(rec);
  for (let d = 0; d < nd; d++) if ((mask >> d) & 1) n *= <f64>dimAt(recDims(rec), d);
  return n;
}

/**
 * The product of the other elements of each reduced slice when x has zeros (prod_safe_zeros_backward),
 * as ops that stay differentiable: slices without zeros give result / x, slices with one zero at z
 * give the product of the rest at z and x_z * (that product) / x elsewhere, slices with more zeros 0.
 */
function prodOthers(x: i32, mask: i32): i32 {
  const dt = dtypeOf(x);
  const m = cmpS(C_EQ, x, 0), one = fullLike(x, dt, 1);
  const xr = m && one ? where(m, one, x, dt) : 0;
  const pr = prodOp(xr, mask, true, true, dt);
  const zc = m ? sumOp(m, mask, true, false, true, DType.Int32) : 0;
  const zc0 = cmpS(C_EQ, zc, 0), le1 = cmpS(C_LE, zc, 1);
  const xm = m ? maskGrad(m, x, false) : 0;
  const xz = sumOp(xm, mask, true, false, true, dt);
  const oneK = xz ? fullLike(xz, dt, 1) : 0;
  const f = zc0 && oneK && xz ? where(zc0, oneK, xz, dt) : 0;
  const q = div(pr, xr), fq = mul(f, q);
  const p1 = m && pr && fq ? where(m, pr, fq, dt) : 0;
  const r = le1 && p1 ? maskGrad(le1, p1, false) : 0;
  rel(m); rel(one); rel(xr); rel(pr); rel(zc); rel(zc0); rel(le1);
  rel(xm); rel(xz); rel(oneK); rel(f); rel(q); rel(fq); rel(p1);
  return r;
}

/** var_backward: (2 / dof) * grad * (x - mean), or grad * where(x == mean, NaN, inf) when dof <= 0. */
function varGrad(node: usize, gk: i32, x: i32, mask: i32, dimGiven: bool): i32 {
  const rec = inShapeRec(node, 0);
  const dof = reducedCount(rec, mask) - attrF(node, 0);
  const mean = sumOp(x, mask, true, true, dimGiven, dtypeOf(x));
  if ((!dimGiven || recNdim(rec) == 0) && dof <= 0) {
    const eq = cmp(C_EQ, x, mean), nan = fullLike(x, dtypeOf(x), NaN), inf = fullLike(x, dtypeOf(x), Infinity);
    const w = eq && nan && inf ? where(eq, nan, inf, dtypeOf(x)) : 0;
    const r = mul(gk, w);
    if (eq) release(eq); if (nan) release(nan); if (inf) release(inf); if (w) release(w);
    if (mean) release(mean);
    return r;
  }
  const t = mulS(gk, 2.0 / dof), d = sub(x, mean);
  if (mean) release(mean);
  return mulTake(t, d);
}

/** Backward rules of this file's node kinds; false if `op` is not one of them. */
export function statsRule(node: usize, op: i32, g: i32): bool {
  if (op != OpCode.ProdAll && op != OpCode.ProdDim && op != OpCode.Var && op != OpCode.Std &&
      op != OpCode.NormAll && op != OpCode.NormDim && op != OpCode.Logsumexp) return false;
  const rec = inShapeRec(node, 0), nd = recNdim(rec);
  const mask = attrI(node, 0), keep = attrI(node, 1) != 0, dimGiven = attrI(node, 2) != 0;
  const x = saved(node, 0), y = saved(node, 1);
  const gk = keepShape(g, mask, nd, keep), yk = keepShape(y, mask, nd, keep);
  let r = 0;
  if (op == OpCode.ProdAll || op == OpCode.ProdDim) {
    if (nd == 0) r = own(g);
    else {
      const z = cmpS(C_EQ, x, 0);
      const zeros = z ? countTrue(z) : 0;
      if (z) release(z);
      if (!zeros) r = mulTake(own(gk), div(yk, x)); // grad * (result / input)
      else r = mulTake(own(gk), prodOthers(x, mask));
    }
  } else if (op == OpCode.Var) {
    r = varGrad(node, gk, x, mask, dimGiven);
  } else if (op == OpCode.Std) {
    // grad_var = (grad / (result * 2)).masked_fill_(result == 0, 0)
    const y2 = mulS(yk, 2);
    const d = div(gk, y2), z = cmpS(C_EQ, yk, 0);
    const gv = d && z ? maskGrad(z, d, true) : 0;
    r = gv ? varGrad(node, gv, x, mask, dimGiven) : 0;
    if (y2) release(y2); if (d) release(d); if (z) release(z); if (gv) release(gv);
  } else if (op == OpCode.NormAll || op == OpCode.NormDim) {
    r = normGrad(attrF(node, 0), gk, x, yk, mask);
  } else {
    // grad * exp(self - result)
    const d = sub(x, yk);
    const e = d ? unary(U_EXP, d, dtypeOf(d)) : 0;
    if (d) release(d);
    r = mulTake(own(gk), e);
  }
  if (gk) release(gk);
  if (yk) release(yk);
  give(node, 0, r);
  return true;
}

/** norm_backward of torch 1.13 (gk, nk: the gradient and the norm with the reduced dims kept). */
function normGrad(p: f64, gk: i32, x: i32, nk: i32, mask: i32): i32 {
  const dt = dtypeOf(x);
  if (p == 0) return fullLike(x, dt, 0);
  if (p == 1) return mulTake(sgnOf(x), own(gk));
  if (p == 2) {
    // grad * (self / norm).masked_fill_(norm == 0, 0)
    const t = div(x, nk), z = cmpS(C_EQ, nk, 0);
    const t2 = t && z ? maskGrad(z, t, true) : 0;
    if (t) release(t); if (z) release(z);
    return mulTake(own(gk), t2);
  }
  const ax = unary(U_ABS, x, dt);
  if (p == Infinity || p == -Infinity) {
    // self.sgn() * ((grad / mask.sum(dim, true)) * mask), mask = |self| == norm or NaN
    const eq = cmp(C_EQ, ax, nk), nan = cmp(C_NE, ax, ax);
    const m = eq && nan ? cmp(L_OR, eq, nan) : 0;
    const cnt = m ? sumOp(m, mask, true, false, true, DType.Int32) : 0;
    const share = div(gk, cnt), sm = mul(share, m);
    const r = mulTake(sgnOf(x), sm);
    rel(ax); rel(eq); rel(nan); rel(m); rel(cnt); rel(share);
    return r;
  }
  let r = 0;
  if (p < 1) {
    // self.sgn() * |self|^(p-1) masked where self == 0, times grad * norm^(1-p)
    const pw = powS(ax, p - 1), z = cmpS(C_EQ, x, 0);
    const pm = pw && z ? maskGrad(z, pw, true) : 0;
    const ss = mulTake(sgnOf(x), pm);
    const t = mul(ss, gk);
    r = mulTake(t, powS(nk, 1 - p));
    if (pw) release(pw); if (z) release(z); if (ss) release(ss);
  } else {
    // (p < 2: self.sgn() * |self|^(p-1); else self * |self|^(p-2)) * (grad / norm^(p-1)) masked where norm == 0
    const ss = p < 2 ? mulTake(sgnOf(x), powS(ax, p - 1)) : mulTake(own(x), powS(ax, p - 2));
    const np = powS(nk, p - 1), sv = div(gk, np), z = cmpS(C_EQ, nk, 0);
    rel(np);
    const svm = sv && z ? maskGrad(z, sv, true) : 0;
    r = mulTake(ss, svm);
    if (sv) release(sv); if (z) release(z);
  }
  if (ax) release(ax);
  return r;
}
