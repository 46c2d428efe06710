// Elementwise ops with up to three tensor operands, all broadcast together: masked_fill, lerp and
// clamp with tensor bounds. Operands are copied to contiguous buffers of the broadcast shape in
// the result's dtype, so the kernels are flat loops. Forward, saved values and rules side by side.

import { OpCode, DType, MAX_DIMS } from "../abi";
import { alloc, free } from "../memory";
import { dataPtr, numelOf, dtypeOf, newTensor, elemShift, dimOf, ndimOf, release } from "../tensor";
import { newNode, attach, shouldRecord, shouldRecord3, save, setAttrF, attrF } from "../autograd/tape";
import { saved, give, needs, own } from "../autograd/backward";
import { copyStrided } from "../kernels/layout";
import { lerpKernel, clampKernel, C_GE, C_LE, C_LT, C_GT, L_AND, L_OR, B_SUB } from "../kernels/binary";
import { readStrides, newOut, failed, putScalar, setDim } from "./common";
import { whereValues, maskGrad, mul, mulS, sub, cmp, mulTake, binaryScalar } from "./binary";

// @ts-ignore: decorator
@lazy const outShape: usize = memory.data(MAX_DIMS * 4, 16);
// @ts-ignore: decorator
@lazy const rs: usize = memory.data(MAX_DIMS * 4, 16);
// @ts-ignore: decorator
@lazy const ins: usize = memory.data(16, 16);
// @ts-ignore: decorator
@lazy const lowSlot: usize = memory.data(16, 16);
// @ts-ignore: decorator
@lazy const highSlot: usize = memory.data(16, 16);

/** Broadcast shape of a, b and c (c may be 0) into outShape; its ndim (validated in TS). */
function shape3(a: i32, b: i32, c: i32): i32 {
  const na = ndimOf(a), nb = b ? ndimOf(b) : 0, nc = c ? ndimOf(c) : 0;
  const nd = max(na, max(nb, nc));
  for (let d = 0; d < nd; d++) {
    let size = 1;
    const ia = d - (nd - na), ib = d - (nd - nb), ic = d - (nd - nc);
    if (ia >= 0 && dimOf(a, ia) != 1) size = dimOf(a, ia);
    if (b && ib >= 0 && dimOf(b, ib) != 1) size = dimOf(b, ib);
    if (c && ic >= 0 && dimOf(c, ic) != 1) size = dimOf(c, ic);
    setDim(outShape, d, size);
  }
  return nd;
}

/** h's values broadcast to the nd dims at outShape, contiguous, in dtype dt (free with drop3). */
function spread(h: i32, dt: i32, nd: i32, n: i32): usize {
  const p = alloc(<usize>max(n, 1) << elemShift(dt));
  if (!p) return 0;
  readStrides(rs, h, nd, outShape);
  copyStrided(p, dt, 0, dataPtr(h), dtypeOf(h), rs, nd, outShape);
  return p;
}
function unspread(p: usize, dt: i32, n: i32): void { if (p) free(p, <usize>max(n, 1) << elemShift(dt)); }

/** The output of shape outShape: like `a` when it has that shape already. */
function out3(a: i32, nd: i32, dt: i32): i32 { return newOut(a, nd, outShape, dt); }

/**
 * self.masked_fill(mask, value) in self's dtype: `value` a 0-dim tensor (MaskedFillBackward1), or
 * 0 and the number v (MaskedFillBackward0). The result has the broadcast shape of self and mask.
 */
export function maskedFill(self: i32, mask: i32, value: i32, v: f64): i32 {
  if (!self || !mask) return 0;
  const dt = dtypeOf(self);
  let val = value;
  if (!val) {
    val = newTensor(0, outShape, dt);
    if (!val) return 0;
    putScalar(dataPtr(val), dt, v);
  }
  const out = whereValues(mask, val, self, dt);
  if (!value) release(val);
  if (!out || !shouldRecord(self, value)) return out;
  store<i32>(ins, self); store<i32>(ins, value, 4);
  const node = newNode(value ? OpCode.MaskedFillTensor : OpCode.MaskedFill, value ? 2 : 1, ins, 1, 0, 0);
  if (!node) return failed(out);
  attach(node, out);
  if (!save(node, 0, mask, false)) return failed(out);
  return out;
}

/**
 * lerp(a, b, w) = a + w * (b - a) in dtype dt (float32/float64), broadcasting all three: w a
 * tensor (LerpBackward1), or 0 and the number ws (LerpBackward0).
 */
export function lerp(a: i32, b: i32, w: i32, ws: f64, dt: i32): i32 {
  if (!a || !b) return 0;
  const nd = shape3(a, b, w);
  const out = out3(a, nd, dt);
  if (!out) return 0;
  const n = numelOf(out);
  const pa = spread(a, dt, nd, n), pb = spread(b, dt, nd, n);
  let pw: usize = lowSlot;
  if (w) pw = spread(w, dt, nd, n); else putScalar(lowSlot, dt, ws);
  if (!pa || !pb || !pw) {
    unspread(pa, dt, n); unspread(pb, dt, n); if (w) unspread(pw, dt, n);
    return failed(out);
  }
  if (dt == DType.Float32) lerpKernel<f32>(dataPtr(out), pa, pb, pw, w ? 1 : 0, n);
  else lerpKernel<f64>(dataPtr(out), pa, pb, pw, w ? 1 : 0, n);
  unspread(pa, dt, n); unspread(pb, dt, n); if (w) unspread(pw, dt, n);
  if (!shouldRecord3(a, b, w)) return out;
  store<i32>(ins, a); store<i32>(ins, b, 4); store<i32>(ins, w, 8);
  const node = newNode(w ? OpCode.LerpTensor : OpCode.Lerp, w ? 3 : 2, ins, w ? 3 : 0, 1, 0);
  if (!node) return failed(out);
  attach(node, out);
  setAttrF(node, 0, ws);
  if (w && (!save(node, 0, a, false) || !save(node, 1, b, false) || !save(node, 2, w, false))) return failed(out);
  return out;
}

/** clamp(a, lo, hi) with tensor bounds (0 = absent) in dtype dt, broadcasting all three (ClampBackward0). */
export function clampT(a: i32, lo: i32, hi: i32, dt: i32): i32 {
  if (!a || (!lo && !hi)) return 0;
  const nd = shape3(a, lo ? lo : hi, lo ? hi : 0);
  const out = out3(a, nd, dt);
  if (!out) return 0;
  const n = numelOf(out);
  const pa = spread(a, dt, nd, n);
  const pl = lo ? spread(lo, dt, nd, n) : lowSlot, ph = hi ? spread(hi, dt, nd, n) : highSlot;
  if (!lo) putScalar(lowSlot, dt, dt == DType.Int32 ? -2147483648.0 : -Infinity);
  if (!hi) putScalar(highSlot, dt, dt == DType.Int32 ? 2147483647.0 : Infinity);
  if (!pa || !pl || !ph) {
    unspread(pa, dt, n); if (lo) unspread(pl, dt, n); if (hi) unspread(ph, dt, n);
    return failed(out);
  }
  const ls = lo ? 1 : 0, hs = hi ? 1 : 0;
  if (dt == DType.Float32) clampKernel<f32>(dataPtr(out), pa, pl, ls, ph, hs, n);
  else if (dt == DType.Float64) clampKernel<f64>(dataPtr(out), pa, pl, ls, ph, hs, n);
  else clampKernel<i32>(dataPtr(out), pa, pl, ls, ph, hs, n);
  unspread(pa, dt, n); if (lo) unspread(pl, dt, n); if (hi) unspread(ph, dt, n);
  if (!shouldRecord3(a, lo, hi)) return out;
  store<i32>(ins, a); store<i32>(ins, lo, 4); store<i32>(ins, hi, 8);
  const node = newNode(OpCode.ClampTensor, 3, ins, 3, 0, 0);
  if (!node) return failed(out);
  attach(node, out);
  if (!save(node, 0, a, false) || (lo && !save(node, 1, lo, false)) || (hi && !save(node, 2, hi, false))) return failed(out);
  return out;
}

/** where(m, g, 0), releasing m. */
function passWhere(m: i32, g: i32): i32 { const r = m ? maskGrad(m, g, false) : 0; release(m); return r; }
/** cmp(k, a, b) combined with `other` by logical op lk, releasing `other`. */
function both(lk: i32, k: i32, a: i32, b: i32, other: i32): i32 {
  const m = cmp(k, a, b);
  const r = m && other ? cmp(lk, m, other) : 0;
  release(m); release(other);
  return r;
}

/** Backward rules of this file's node kinds; false if `op` is not one of them. */
export function ternaryRule(node: usize, op: i32, g: i32): bool {
  switch (op) {
    case OpCode.MaskedFill: give(node, 0, maskGrad(saved(node, 0), g, true)); return true; // grad.masked_fill(mask, 0)
    case OpCode.MaskedFillTensor: {
      // self: grad.masked_fill(mask, 0); value: where(mask, grad, 0).sum() (give sums to 0-dim)
      const m = saved(node, 0);
      if (needs(node, 0)) give(node, 0, maskGrad(m, g, true));
      if (needs(node, 1)) give(node, 1, maskGrad(m, g, false));
      return true;
    }
    case OpCode.Lerp: {
      // self: grad * (1 - weight), end: grad * weight (weight as the double it was given)
      const w = attrF(node, 0);
      if (needs(node, 0)) give(node, 0, mulS(g, 1 - w));
      if (needs(node, 1)) give(node, 1, mulS(g, w));
      return true;
    }
    case OpCode.LerpTensor: {
      // self: grad * (1 - weight), end: grad * weight, weight: grad * (end - self)
      const a = saved(node, 0), b = saved(node, 1), w = saved(node, 2);
      if (needs(node, 0)) {
        const omw = binaryScalar(B_SUB, w, 1, dtypeOf(w), true);
        give(node, 0, mulTake(own(g), omw));
      }
      if (needs(node, 1)) give(node, 1, mul(g, w));
      if (needs(node, 2)) give(node, 2, mulTake(own(g), sub(b, a)));
      return true;
    }
    case OpCode.ClampTensor: {
      const x = saved(node, 0);
      const lo = saved(node, 1), hi = saved(node, 2); // 0 for an absent bound
      const hasLo = lo != 0, hasHi = hi != 0;
      if (needs(node, 0)) {
        // where(self >= min & self <= max, grad, 0): the subgradient 1 at the bounds
        let m: i32;
        if (hasLo && hasHi) m = both(L_AND, C_GE, x, lo, cmp(C_LE, x, hi));
        else if (hasLo) m = cmp(C_GE, x, lo);
        else m = cmp(C_LE, x, hi);
        give(node, 0, passWhere(m, g));
      }
      if (hasLo && needs(node, 1)) {
        // min: where(self < min & min < max, grad, 0), or where(self < min, grad, 0)
        const m = hasHi ? both(L_AND, C_LT, x, lo, cmp(C_LT, lo, hi)) : cmp(C_LT, x, lo);
        give(node, 1, passWhere(m, g));
      }
      if (hasHi && needs(node, 2)) {
        // max: where(self > max | max < min, grad, 0), or where(self > max, grad, 0)
        const m = hasLo ? both(L_OR, C_GT, x, hi, cmp(C_LT, hi, lo)) : cmp(C_GT, x, hi);
        give(node, 2, passWhere(m, g));
      }
      return true;
    }
    default: return false;
  }
}
