// Elementwise binary ops with broadcasting: forward, what each saves, and its backward rule side
// by side. The facade picks the result dtype (PyTorch's type promotion) and passes it as `dt`;
// operands of another dtype are converted first. Rules are written with these same ops, so they
// record when the backward pass itself is recorded (createGraph).

import { OpCode, DType, MAX_DIMS } from "../abi";
import {
  dataPtr, numelOf, ndimOf, shapePtr, stridesPtr, dtypeOf, shapeRec, newTensorLike, retain, release,
} from "../tensor";
import { record, shouldRecord, shouldRecord3, save, markSaved, setAttrF, attrF, newNode, attach } from "../autograd/tape";
import { B_ADD, B_SUB, B_MUL, B_DIV, B_POW, B_MAX, B_MIN, B_ATAN2, B_ARITH_END, C_EQ, C_LT, C_GT, C_GE, C_LE, L_AND, MODE_VV, MODE_VS, MODE_SV, setAxpyAlpha, B_AXPY } from "../kernels/binary";
import { binaryFlat } from "../kernels/parallelOps";
import { zeroBlock } from "../memory";
import { binaryStrided } from "../kernels/layout";
import { powScalarKernel } from "../kernels/unary";
import {
  asDtype, dropAs, asDtypeFast, dropAsFast, readStrides, contigReadStrides, broadcastShape, newOut, failed, putScalar, fullLike, widerDtype,
} from "./common";
import { saved, give, needs, own } from "../autograd/backward";
import { neg, logOf, unary } from "./unary";
import { U_RECIPROCAL } from "../kernels/unary";
import { ternaryRule } from "./ternary";

// @ts-ignore: decorator
@lazy const outShape: usize = memory.data(MAX_DIMS * 4, 16);
// @ts-ignore: decorator
@lazy const sa: usize = memory.data(MAX_DIMS * 4, 16);
// @ts-ignore: decorator
@lazy const sb: usize = memory.data(MAX_DIMS * 4, 16);
// @ts-ignore: decorator
@lazy const sc: usize = memory.data(MAX_DIMS * 4, 16);
// @ts-ignore: decorator
@lazy const scalarSlot: usize = memory.data(16, 16);

/** out = a (k) b into a fresh output of dtype odt (operands converted to dt); 0 if out of memory. */
function compute(k: i32, a: i32, b: i32, dt: i32, odt: i32): i32 {
  // arithmetic on the same interned shape record (most calls, backward's among them): no
  // broadcasting to work out, and the flat kernel below (comparisons walk outShape)
  const same = k < B_ARITH_END && shapeRec(a) == shapeRec(b);
  const nd = same ? ndimOf(a) : broadcastShape(outShape, a, b);
  const out = same ? newTensorLike(a, odt) : newOut(ndimOf(a) >= ndimOf(b) ? a : b, nd, outShape, odt);
  if (!out) return 0;
  const pa = asDtypeFast(a, dt), pb = asDtypeFast(b, dt);
  if (!pa || !pb) { dropAsFast(a, dt, pa); dropAsFast(b, dt, pb); return failed(out); }
  // pa and pb are contiguous (asDtype copies strided operands), so equal sizes mean equal layouts
  const n = numelOf(out), na = numelOf(a), nb = numelOf(b);
  const flat = k < B_ARITH_END;
  if (flat && n == na && (nb == n || nb == 1)) binaryFlat(k, dt, dataPtr(out), pa, pb, n, nb == n ? MODE_VV : MODE_VS);
  else if (flat && n == nb && na == 1) binaryFlat(k, dt, dataPtr(out), pa, pb, n, MODE_SV);
  else {
    contigReadStrides(sa, a, nd, outShape);
    contigReadStrides(sb, b, nd, outShape);
    binaryStrided(k, dt, dataPtr(out), nd, outShape, pa, sa, pb, sb);
  }
  dropAsFast(a, dt, pa); dropAsFast(b, dt, pb);
  return out;
}

function nodeKind(k: i32): i32 {
  switch (k) {
    case B_ADD: case B_AXPY: return OpCode.Add;
    case B_SUB: return OpCode.Sub;
    case B_MUL: return OpCode.Mul;
    case B_DIV: return OpCode.Div;
    case B_POW: return OpCode.Pow;
    case B_MAX: return OpCode.Maximum;
    case B_MIN: return OpCode.Minimum;
    default: return OpCode.Atan2;
  }
}

/**
 * a (k) b with broadcasting, computed in dtype dt (the result's). For add/sub, `alpha` != 1 gives
 * a + alpha * b / a - alpha * b rounded once, as PyTorch's fused CPU kernel does.
 */
export function binary(k: i32, a: i32, b: i32, dt: i32, alpha: f64): i32 {
  if (!a || !b) return 0;
  let kk = k;
  if (alpha != 1 && (k == B_ADD || k == B_SUB)) {
    setAxpyAlpha(k == B_SUB ? -alpha : alpha, dt);
    kk = B_AXPY;
  }
  const out = compute(kk, a, b, dt, dt);
  if (!out || !shouldRecord(a, b)) return out;
  const op = nodeKind(k);
  const saves = op == OpCode.Add || op == OpCode.Sub ? 0 : 2;
  const node = record(op, out, a, b, saves == 0 && op != OpCode.Pow ? 0 : 3, 1, 0);
  if (!node) return failed(out);
  setAttrF(node, 0, alpha);
  if (saves && (!save(node, 0, a, false) || !save(node, 1, b, false))) return failed(out);
  if (op == OpCode.Pow && !save(node, 2, out, true)) return failed(out);
  return out;
}

/** Comparison or logical op k (C_*, L_*) of a and b compared in dtype dt; a bool result, never recorded. */
export function compare(k: i32, a: i32, b: i32, dt: i32): i32 {
  if (!a || !b) return 0;
  return compute(k, a, b, dt, DType.Bool);
}

/** a (k) s, or s (k) a when `reverse`, for a number s rounded to dt; k may be a comparison. */
export function binaryScalar(k: i32, a: i32, s: f64, dt: i32, reverse: bool): i32 {
  if (!a) return 0;
  const cmp = k >= B_ARITH_END;
  const out = newTensorLike(a, cmp ? DType.Bool : dt);
  if (!out) return 0;
  const n = numelOf(out);
  putScalar(scalarSlot, dt, s);
  if (k == B_POW && !reverse && dt == DType.Float32 && dtypeOf(a) == DType.Float32 && n > 0) {
    const pa = asDtypeFast(a, dt);
    if (!pa) return failed(out);
    powScalarKernel(dataPtr(out), pa, <f32>s, n);
    dropAsFast(a, dt, pa);
  } else {
    const pa = asDtypeFast(a, dt);
    if (!pa) return failed(out);
    if (!cmp) binaryFlat(k, dt, dataPtr(out), reverse ? scalarSlot : pa, reverse ? pa : scalarSlot, n, reverse ? MODE_SV : MODE_VS);
    else {
      // compare through the strided engine with the scalar broadcast (stride 0)
      const nd = ndimOf(a);
      zeroBlock(sb, MAX_DIMS * 4);
      contigReadStrides(sa, a, nd, shapePtr(a));
      if (reverse) binaryStrided(k, dt, dataPtr(out), nd, shapePtr(a), scalarSlot, sb, pa, sa);
      else binaryStrided(k, dt, dataPtr(out), nd, shapePtr(a), pa, sa, scalarSlot, sb);
    }
    dropAsFast(a, dt, pa);
  }
  if (cmp || !shouldRecord(a, 0)) return out;
  let op: i32;
  if (k == B_ADD) op = OpCode.AddScalar;
  else if (k == B_SUB) op = reverse ? OpCode.RSubScalar : OpCode.SubScalar;
  else if (k == B_MUL) op = OpCode.MulScalar;
  else if (k == B_DIV && !reverse) op = OpCode.DivScalar;
  else if (k == B_POW) op = reverse ? OpCode.RPowScalar : OpCode.PowScalar;
  else return out; // no other scalar form records (the facade routes them through tensors)
  const node = record(op, out, a, 0, op == OpCode.PowScalar || op == OpCode.RPowScalar ? 1 : 0, 1, 0);
  if (!node) return failed(out);
  setAttrF(node, 0, dt == DType.Float32 ? <f64><f32>s : s);
  if (op == OpCode.PowScalar && !save(node, 0, a, false)) return failed(out);
  if (op == OpCode.RPowScalar && !save(node, 0, out, true)) return failed(out);
  if (op == OpCode.MulScalar || op == OpCode.DivScalar) markSaved(node);
  return out;
}

// ---- the internal forms the rules use -----------------------------------------------------

// @ts-ignore: decorator
@inline function dtOf2(a: i32, b: i32): i32 { return widerDtype(dtypeOf(a), dtypeOf(b)); }
export function add(a: i32, b: i32): i32 { return !a || !b ? 0 : binary(B_ADD, a, b, dtOf2(a, b), 1); }
export function sub(a: i32, b: i32): i32 { return !a || !b ? 0 : binary(B_SUB, a, b, dtOf2(a, b), 1); }
export function mul(a: i32, b: i32): i32 { return !a || !b ? 0 : binary(B_MUL, a, b, dtOf2(a, b), 1); }
export function div(a: i32, b: i32): i32 { return !a || !b ? 0 : binary(B_DIV, a, b, dtOf2(a, b), 1); }
export function mulS(a: i32, s: f64): i32 { return !a ? 0 : binaryScalar(B_MUL, a, s, dtypeOf(a), false); }
export function divS(a: i32, s: f64): i32 { return !a ? 0 : binaryScalar(B_DIV, a, s, dtypeOf(a), false); }
export function addS(a: i32, s: f64): i32 { return !a ? 0 : binaryScalar(B_ADD, a, s, dtypeOf(a), false); }
export function powS(a: i32, s: f64): i32 { return !a ? 0 : binaryScalar(B_POW, a, s, dtypeOf(a), false); }
export function cmpS(k: i32, a: i32, s: f64): i32 { return !a ? 0 : binaryScalar(k, a, s, dtypeOf(a), false); }
export function cmp(k: i32, a: i32, b: i32): i32 { return !a || !b ? 0 : compare(k, a, b, dtOf2(a, b)); }
/** a * b, releasing both (a convenience for chains in rules). */
export function mulTake(a: i32, b: i32): i32 { const r = mul(a, b); if (a) release(a); if (b) release(b); return r; }

// ---- where --------------------------------------------------------------------------------

/** where(c, a, b): a where c is true, else b, with broadcasting of all three; dtype dt. */
export function where(c: i32, a: i32, b: i32, dt: i32): i32 {
  const out = whereValues(c, a, b, dt);
  if (!out || !shouldRecord3(a, b, 0)) return out;
  store<i32>(scalarSlot, c); store<i32>(scalarSlot, a, 4); store<i32>(scalarSlot, b, 8);
  const node = newNode(OpCode.Where, 3, scalarSlot, 1, 0, 0);
  if (!node) return failed(out);
  attach(node, out);
  if (!save(node, 0, c, false)) return failed(out);
  return out;
}

/** where's values (not recorded): a fresh tensor of the broadcast shape, dtype dt. */
export function whereValues(c: i32, a: i32, b: i32, dt: i32): i32 {
  if (!c || !a || !b) return 0;
  // out shape: broadcast of the three
  const na = ndimOf(a), nb = ndimOf(b), nc = ndimOf(c);
  const nd = max(nc, max(na, nb));
  for (let d = 0; d < nd; d++) {
    let size = 1;
    const ia = d - (nd - na), ib = d - (nd - nb), ic = d - (nd - nc);
    if (ia >= 0 && load<i32>(shapePtr(a) + (<usize>ia << 2)) != 1) size = load<i32>(shapePtr(a) + (<usize>ia << 2));
    if (ib >= 0 && load<i32>(shapePtr(b) + (<usize>ib << 2)) != 1) size = load<i32>(shapePtr(b) + (<usize>ib << 2));
    if (ic >= 0 && load<i32>(shapePtr(c) + (<usize>ic << 2)) != 1) size = load<i32>(shapePtr(c) + (<usize>ic << 2));
    store<i32>(outShape + (<usize>d << 2), size);
  }
  const out = newOut(na >= nb ? a : b, nd, outShape, dt);
  if (!out) return 0;
  const pa = asDtype(a, dt), pb = asDtype(b, dt), pc = asDtype(c, DType.Bool);
  if (!pa || !pb || !pc) { dropAs(a, dt, pa); dropAs(b, dt, pb); dropAs(c, DType.Bool, pc); return failed(out); }
  contigReadStrides(sa, a, nd, outShape);
  contigReadStrides(sb, b, nd, outShape);
  contigReadStrides(sc, c, nd, outShape);
  const n = numelOf(out), po = dataPtr(out);
  const sh: usize = dt == DType.Float64 ? 3 : dt == DType.Bool ? 0 : 2;
  // one index walk over the output; offsets of each operand follow from the dims
  for (let i = 0; i < n; i++) {
    let rem = i, oa = 0, ob = 0, oc = 0;
    for (let d = nd - 1; d >= 0; d--) {
      const size = load<i32>(outShape + (<usize>d << 2));
      const idx = rem % size;
      rem /= size;
      oa += idx * load<i32>(sa + (<usize>d << 2));
      ob += idx * load<i32>(sb + (<usize>d << 2));
      oc += idx * load<i32>(sc + (<usize>d << 2));
    }
    const src = load<u8>(pc + <usize>oc) ? pa + (<usize>oa << sh) : pb + (<usize>ob << sh);
    if (sh == 3) store<f64>(po + (<usize>i << 3), load<f64>(src));
    else if (sh == 2) store<i32>(po + (<usize>i << 2), load<i32>(src));
    else store<u8>(po + <usize>i, load<u8>(src));
  }
  dropAs(a, dt, pa); dropAs(b, dt, pb); dropAs(c, DType.Bool, pc);
  return out;
}

/** where(c, g, 0) or where(c, 0, g) (`flip`), in g's dtype. */
export function maskGrad(c: i32, g: i32, flip: bool): i32 {
  if (!c || !g) return 0;
  const z = fullLike(g, dtypeOf(g), 0);
  if (!z) return 0;
  const r = flip ? where(c, z, g, dtypeOf(g)) : where(c, g, z, dtypeOf(g));
  release(z);
  return r;
}

// ---- rules ----------------------------------------------------------------------------------

/** Backward rules of this family; false if `op` is not one of its node kinds. */
export function binaryRule(node: usize, op: i32, g: i32): bool {
  switch (op) {
    case OpCode.Add: {
      const alpha = attrF(node, 0);
      if (needs(node, 0)) give(node, 0, own(g));
      if (needs(node, 1)) give(node, 1, alpha == 1 ? own(g) : mulS(g, alpha));
      return true;
    }
    case OpCode.Sub: {
      // other: -grad * alpha
      const alpha = attrF(node, 0);
      if (needs(node, 0)) give(node, 0, own(g));
      if (needs(node, 1)) give(node, 1, alpha == 1 ? neg(g) : mulS(g, -alpha));
      return true;
    }
    case OpCode.Mul: {
      if (needs(node, 0)) give(node, 0, mul(g, saved(node, 1)));
      if (needs(node, 1)) give(node, 1, mul(g, saved(node, 0)));
      return true;
    }
    case OpCode.Div: {
      // self: grad / other; other: -grad * ((self / other) / other)
      const a = saved(node, 0), b = saved(node, 1);
      if (needs(node, 0)) give(node, 0, div(g, b));
      if (needs(node, 1)) {
        const q = div(a, b), q2 = div(q, b), ng = neg(g);
        give(node, 1, mul(ng, q2));
        release(q); release(q2); release(ng);
      }
      return true;
    }
    case OpCode.Pow: {
      const a = saved(node, 0), e = saved(node, 1);
      if (needs(node, 0)) {
        // where(exponent == 0, 0, grad * (exponent * self ** (exponent - 1)))
        const em1 = addS(e, -1), p = powT(a, em1), t = mul(e, p), r = mul(g, t), z = cmpS(C_EQ, e, 0);
        give(node, 0, maskGrad(z, r, true));
        release(em1); release(p); release(t); release(r); release(z);
      }
      if (needs(node, 1)) {
        // grad * where(self == 0 & exponent >= 0, 0, result * log(self)): the mask sits inside
        // the product, as in torch, so a second derivative through log(0) is NaN there too
        const l = logOf(a), t = mul(saved(node, 2), l);
        const z0 = cmpS(C_EQ, a, 0), z1 = cmpS(C_GE, e, 0), z = cmp(L_AND, z0, z1);
        const m = maskGrad(z, t, true);
        give(node, 1, mul(g, m));
        release(l); release(t); release(m); release(z0); release(z1); release(z);
      }
      return true;
    }
    case OpCode.AddScalar: case OpCode.SubScalar: give(node, 0, own(g)); return true;
    case OpCode.RSubScalar: give(node, 0, neg(g)); return true;
    case OpCode.MulScalar: give(node, 0, mulS(g, attrF(node, 0))); return true;
    case OpCode.DivScalar: give(node, 0, divS(g, attrF(node, 0))); return true;
    case OpCode.PowScalar: {
      // exponent == 0: zeros; else grad * (exponent * self ** (exponent - 1))
      const e = attrF(node, 0);
      if (e == 0) { give(node, 0, fullLike(g, dtypeOf(g), 0)); return true; }
      const x = saved(node, 0);
      const p = e == 2 ? mulS(x, 2) : mulTake(fullLike(x, dtypeOf(x), e), powS(x, e - 1));
      give(node, 0, mul(g, p));
      release(p);
      return true;
    }
    case OpCode.RPowScalar: {
      // base ** x: grad * (result * log(base)), 0 where base == 0 and x >= 0
      const base = attrF(node, 0);
      const y = saved(node, 0);
      const t = mulS(y, Math.log(base)), r = mul(g, t);
      release(t);
      if (base == 0) {
        const z = cmpS(C_GE, y, 0);
        give(node, 0, maskGrad(z, r, true));
        release(z); release(r);
      } else give(node, 0, r);
      return true;
    }
    case OpCode.Maximum: case OpCode.Minimum: {
      // grad split evenly where a == b (derivatives.yaml: at::where(self == other, grad / 2, grad)
      // .masked_fill_(self < other, 0) for maximum's self, and mirrored)
      const a = saved(node, 0), b = saved(node, 1);
      const eq = cmp(C_EQ, a, b), half = mulS(g, 0.5);
      const split = where(eq, half, g, dtypeOf(g));
      const kA = op == OpCode.Maximum ? C_LT : C_GT, kB = op == OpCode.Maximum ? C_GT : C_LT;
      if (needs(node, 0)) { const m = cmp(kA, a, b); give(node, 0, maskGrad(m, split, true)); release(m); }
      if (needs(node, 1)) { const m = cmp(kB, a, b); give(node, 1, maskGrad(m, split, true)); release(m); }
      release(eq); release(half); release(split);
      return true;
    }
    case OpCode.Atan2: {
      // recip = 1 / (self^2 + other^2); self: grad * other * recip, other: grad * -self * recip
      const a = saved(node, 0), b = saved(node, 1);
      const a2 = mul(a, a), b2 = mul(b, b), s2 = add(a2, b2);
      const recip = s2 ? unary(U_RECIPROCAL, s2, dtypeOf(s2)) : 0;
      if (needs(node, 0)) give(node, 0, mulTake(mul(g, b), own(recip)));
      if (needs(node, 1)) give(node, 1, mulTake(mulTake(own(g), neg(a)), own(recip)));
      release(a2); release(b2); if (s2) release(s2); if (recip) release(recip);
      return true;
    }
    case OpCode.Where: {
      const c = saved(node, 0);
      if (needs(node, 1)) give(node, 1, maskGrad(c, g, false));
      if (needs(node, 2)) give(node, 2, maskGrad(c, g, true));
      return true;
    }
    default: return ternaryRule(node, op, g);
  }
}

/** a ** e for tensors (the internal form). */
function powT(a: i32, e: i32): i32 { return !a || !e ? 0 : binary(B_POW, a, e, dtOf2(a, e), 1); }

