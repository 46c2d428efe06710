// dtype conversion and in-place writes. An in-place op computes its result first, records its
// node (the tensor's previous history becomes the node's input edge), and only then writes, so a
// failure (out of memory) leaves the tensor and its history as they were.

import { OpCode, DType, Status, MAX_DIMS } from "../abi";
import { alloc, free, zeroBlock } from "../memory";
import {
  dataPtr, numelOf, ndimOf, shapePtr, stridesPtr, dtypeOf, newTensorLike, release, isContiguous, hasOverlap,
  bumpVersion, elemShift, byteSize, requiresGrad, shapeRec,
} from "../tensor";
import { newNode, attach, shouldRecord, save, setAttrF, attrF, markSaved } from "../autograd/tape";
import { copyStrided, addStrided, binaryStrided, contiguousStridesInto } from "../kernels/layout";
import { B_ADD, B_SUB, B_MUL, B_DIV, B_AXPY, setAxpyAlpha, B_POW, MODE_VV } from "../kernels/binary";
import { binaryFlat } from "../kernels/parallelOps";
import { asDtype, dropAs, failed, readStrides, contigReadStrides, putScalar, fillRaw, fullLike } from "./common";
import { give, own } from "../autograd/backward";
import { cloneOp } from "./shape";
import { prepareInplace, commitInplace } from "./copySlices";

// @ts-ignore: decorator
@lazy const sa: usize = memory.data(MAX_DIMS * 4, 16);
// @ts-ignore: decorator
@lazy const sb: usize = memory.data(MAX_DIMS * 4, 16);
// @ts-ignore: decorator
@lazy const sc: usize = memory.data(MAX_DIMS * 4, 16);
// @ts-ignore: decorator
@lazy const slot: usize = memory.data(16, 16);
// @ts-ignore: decorator
@lazy const ins: usize = memory.data(16, 16);

/** a converted to dtype dt (a copy; torch's .to(dtype), recorded as ToCopyBackward0). */
export function castOp(a: i32, dt: i32): i32 {
  if (!a) return 0;
  const out = newTensorLike(a, dt);
  if (!out) return 0;
  copyStrided(dataPtr(out), dt, 0, dataPtr(a), dtypeOf(a), stridesPtr(a), ndimOf(a), shapePtr(a));
  if (shouldRecord(a, 0) && (dt == DType.Float32 || dt == DType.Float64)) {
    store<i32>(ins, a);
    const node = newNode(OpCode.ToCopy, 1, ins, 0, 0, 0);
    if (!node) return failed(out);
    attach(node, out);
  }
  return out;
}
export function cast(a: i32, dt: i32): i32 { return castOp(a, dt); }

/** dst += src (same shape and dtype; dst has no overlapping elements). Allocates nothing. */
export function addInPlace(dst: i32, src: i32): void {
  // both dense (the usual .grad and gradient): the flat kernel, split across threads when large
  if (isContiguous(dst) && isContiguous(src)) {
    const pd = dataPtr(dst);
    binaryFlat(B_ADD, dtypeOf(dst), pd, pd, dataPtr(src), numelOf(dst), MODE_VV);
    return;
  }
  addStrided(dataPtr(dst), stridesPtr(dst), dataPtr(src), stridesPtr(src), dtypeOf(dst), ndimOf(dst), shapePtr(dst));
}

/** Writes the contiguous values at p (self's shape and dtype) into self through its strides. */
function writeBack(self: i32, p: usize): void {
  const dt = dtypeOf(self);
  if (p == dataPtr(self)) return;
  contiguousStridesInto(sc, ndimOf(self), shapePtr(self));
  copyStrided(dataPtr(self), dt, stridesPtr(self), p, dt, sc, ndimOf(self), shapePtr(self));
}

function kindOf(k: i32): i32 {
  if (k == B_ADD) return OpCode.Add;
  if (k == B_SUB) return OpCode.Sub;
  if (k == B_MUL) return OpCode.Mul;
  return OpCode.Div;
}

/**
 * The unrecorded update of a contiguous tensor by another of the same shape and dtype that is
 * either the very same elements or none of them (`p.add_(grad, { alpha: -lr })` in an optimizer):
 * computed straight into self, with no copy. Any other case, or a recorded one (which may need
 * self's old values), goes through a temporary. True when done.
 */
function writesDirectly(k: i32, self: i32, other: i32, dt: i32): bool {
  if (shouldRecord(self, other) || !isContiguous(self) || !isContiguous(other) || dtypeOf(other) != dt || dt == DType.Bool) return false;
  if (shapeRec(self) != shapeRec(other)) return false; // interned: the same record is the same shape
  const ps = dataPtr(self), po = dataPtr(other), bytes = byteSize(self);
  if (po != ps && po < ps + bytes && ps < po + bytes) return false;
  binaryFlat(k, dt, ps, ps, po, numelOf(self), MODE_VV);
  bumpVersion(self);
  return true;
}

/**
 * self (k)= other (broadcast to self's shape), computed in self's dtype;/**
 * self (k)= other (broadcast to self's shape), computed in self's dtype; k in add, sub, mul,
 * div; alpha for add/sub. Returns 1, 0 (out of memory) or Status.InternalOverlap.
 */
export function inplaceBinaryOp(k: i32, self: i32, other: i32, alpha: f64): i32 {
  if (hasOverlap(self)) return Status.InternalOverlap;
  const dt = dtypeOf(self), n = numelOf(self), nd = ndimOf(self);
  let kk = k;
  if (alpha != 1 && (k == B_ADD || k == B_SUB)) { setAxpyAlpha(k == B_SUB ? -alpha : alpha, dt); kk = B_AXPY; }
  if (writesDirectly(kk, self, other, dt)) return 1;
  const tmp = alloc(byteSize(self));
  const po = asDtype(other, dt);
  if (!tmp || !po) { if (tmp) free(tmp, byteSize(self)); dropAs(other, dt, po); return 0; }
  readStrides(sa, self, nd, shapePtr(self));
  if (po == dataPtr(other)) readStrides(sb, other, nd, shapePtr(self)); else contigReadStrides(sb, other, nd, shapePtr(self));
  binaryStrided(kk, dt, tmp, nd, shapePtr(self), dataPtr(self), sa, po, sb);
  dropAs(other, dt, po);
  let node: usize = 0;
  if (shouldRecord(self, other)) {
    store<i32>(ins, self); store<i32>(ins, other, 4);
    const op = kindOf(k);
    const mulDiv = op == OpCode.Mul || op == OpCode.Div;
    node = newNode(op, 2, ins, mulDiv ? 2 : 0, 1, 0);
    if (!node) { free(tmp, byteSize(self)); return 0; }
    setAttrF(node, 0, alpha);
    // self's grad needs other; other's grad needs self as it was before this write (a copy)
    if (mulDiv) {
      let ok = save(node, 1, other, false);
      if (ok && requiresGrad(other)) {
        // a recorded copy (CloneBackward0, as torch's original_self = self.clone()), so the saved
        // old value keeps self's history and second derivatives reach it
        const old = cloneOp(self);
        ok = old != 0 && save(node, 0, old, false);
        if (old) release(old);
      }
      if (!ok) { freeNode(node); free(tmp, byteSize(self)); return 0; }
    }
    if (!prepareInplace(node, self)) { freeNode(node); free(tmp, byteSize(self)); return 0; }
  }
  writeBack(self, tmp);
  free(tmp, byteSize(self));
  bumpVersion(self);
  if (node) commitInplace(node, self);
  return n >= 0 ? 1 : 1;
}

import { nodeRelease } from "../autograd/tape";
function freeNode(node: usize): void { nodeRelease(node, 0); }

/** self (k)= s for a number s (rounded to self's dtype); k in add, sub, mul, div, pow. */
export function inplaceScalarOp(k: i32, self: i32, s: f64): i32 {
  if (hasOverlap(self)) return Status.InternalOverlap;
  const dt = dtypeOf(self), nd = ndimOf(self);
  const tmp = alloc(byteSize(self));
  if (!tmp) return 0;
  putScalar(slot, dt, s);
  readStrides(sa, self, nd, shapePtr(self));
  zeroBlock(sb, MAX_DIMS * 4);
  binaryStrided(k, dt, tmp, nd, shapePtr(self), dataPtr(self), sa, slot, sb);
  let node: usize = 0;
  if (shouldRecord(self, 0)) {
    store<i32>(ins, self);
    const op = k == B_ADD ? OpCode.AddScalar : k == B_SUB ? OpCode.SubScalar : k == B_MUL ? OpCode.MulScalar
      : k == B_DIV ? OpCode.DivScalar : OpCode.PowScalar;
    node = newNode(op, 1, ins, op == OpCode.PowScalar ? 1 : 0, 1, 0);
    if (!node) { free(tmp, byteSize(self)); return 0; }
    setAttrF(node, 0, dt == DType.Float32 ? <f64><f32>s : s);
    if (op == OpCode.MulScalar || op == OpCode.DivScalar) markSaved(node);
    if (op == OpCode.PowScalar) {
      // the old value as a recorded copy (torch's original_self), for second derivatives
      const old = cloneOp(self);
      const ok = old != 0 && save(node, 0, old, false);
      if (old) release(old);
      if (!ok) { freeNode(node); free(tmp, byteSize(self)); return 0; }
    }
    if (!prepareInplace(node, self)) { freeNode(node); free(tmp, byteSize(self)); return 0; }
  }
  writeBack(self, tmp);
  free(tmp, byteSize(self));
  bumpVersion(self);
  if (node) commitInplace(node, self);
  return 1;
}

/** Fills self with v (fill_/zero_; overlapping elements are fine: they all get v). */
export function fillOp(self: i32, v: f64, zero: bool): i32 {
  let node: usize = 0;
  if (shouldRecord(self, 0)) {
    store<i32>(ins, self);
    node = newNode(zero ? OpCode.Zero : OpCode.Fill, 1, ins, 0, 0, 0);
    if (!node) return 0;
    if (!prepareInplace(node, self)) { freeNode(node); return 0; }
  }
  rawFill(self, v);
  bumpVersion(self);
  if (node) commitInplace(node, self);
  return 1;
}

/** Sets every element of h to v (through its strides), in h's dtype; false if out of memory. */
export function rawFill(h: i32, v: f64): bool {
  const dt = dtypeOf(h), n = numelOf(h);
  if (isContiguous(h)) { fillRaw(dataPtr(h), dt, n, v); return true; }
  putScalar(slot, dt, v);
  zeroBlock(sb, MAX_DIMS * 4);
  copyStrided(dataPtr(h), dt, stridesPtr(h), slot, dt, sb, ndimOf(h), shapePtr(h));
  return true;
}

/** self.copy_(src): src broadcast to self's shape and converted to self's dtype. */
export function copyOp(self: i32, src: i32): i32 {
  if (hasOverlap(self)) return Status.InternalOverlap;
  const dt = dtypeOf(self), nd = ndimOf(self);
  // through a temporary: src may overlap self
  const tmp = alloc(byteSize(self));
  if (!tmp) return 0;
  readStrides(sb, src, nd, shapePtr(self));
  copyStrided(tmp, dt, 0, dataPtr(src), dtypeOf(src), sb, nd, shapePtr(self));
  let node: usize = 0;
  if (shouldRecord(self, src)) {
    store<i32>(ins, self); store<i32>(ins, src, 4);
    node = newNode(OpCode.Copy, 2, ins, 0, 0, 0);
    if (!node) { free(tmp, byteSize(self)); return 0; }
    if (!prepareInplace(node, self)) { freeNode(node); free(tmp, byteSize(self)); return 0; }
  }
  writeBack(self, tmp);
  free(tmp, byteSize(self));
  bumpVersion(self);
  if (node) commitInplace(node, self);
  return 1;
}

/** Backward rules of this family; false if `op` is not one of its node kinds. */
export function inplaceRule(node: usize, op: i32, g: i32): bool {
  switch (op) {
    case OpCode.ToCopy: give(node, 0, own(g)); return true; // give converts to the input's dtype
    case OpCode.Fill: case OpCode.Zero: give(node, 0, fullLike(g, dtypeOf(g), 0)); return true;
    case OpCode.Copy: {
      // the overwritten tensor gets a zero gradient (as PyTorch: zeros, not nothing)
      if (needsEdge(node, 0)) give(node, 0, fullLike(g, dtypeOf(g), 0));
      if (needsEdge(node, 1)) give(node, 1, own(g));
      return true;
    }
    default: return false;
  }
}

import { needs as needsEdge } from "../autograd/backward";
