// Forward ops: each export is the whole op in one call from JS. It allocates the output, runs
// the kernel and, when autograd must track it, records the node with what backward needs.
// Inputs were validated by the facade (shapes, dims, dtypes); a 0 return means out of memory,
// and then nothing was changed.

import { OpCode, DType, Status, MAX_DIMS } from "./abi";
import { alloc, free } from "./memory";
import {
  dataPtr, numelOf, ndimOf, shapePtr, stridesPtr, newTensor, newView, release, isContiguous,
  bumpVersion, dimOf, strideOf, setDims, newTensorLike, copyDims, flagsOf, setFlags, dtypeOf,
  setData, requiresGrad, hasOverlap, F_VIEW, F_NOGRAD_VIEW,
} from "./tensor";
import { record, save, saveCopy, watchVersion, shouldRecord, markSaved, N_F0, N_I0, N_I1 } from "./autograd/tape";
import { binaryKernel, B_ADD, B_SUB, B_MUL, B_DIV, B_POW, MODE_VV, MODE_VS, MODE_SV } from "./kernels/binary";
import {
  unaryKernel, powScalarKernel, U_NEG, U_EXP, U_LOG, U_SQRT, U_ABS, U_RELU, U_SIGMOID, U_TANH, U_RECIPROCAL,
} from "./kernels/unary";
import { stridedCopy, binaryStrided, reduceSumKernel, sumKernel } from "./kernels/layout";
import { gemm } from "./kernels/matmul";
import { uniformKernel, normalKernel, randintKernel } from "./kernels/random";
import { fillF32 } from "./simd";
import { broadcastShape, broadcastStrides, sameShape, dimAt, setDim } from "./shapes";

/** Shapes and dims passed from JS (written by the facade before the call). */
// @ts-ignore: decorator
@lazy export const scratch: usize = memory.data(64 * 4, 16);
// @ts-ignore: decorator
@lazy const outShapeBuf: usize = memory.data(MAX_DIMS * 4, 16);
// @ts-ignore: decorator
@lazy const sa: usize = memory.data(MAX_DIMS * 4, 16);
// @ts-ignore: decorator
@lazy const sb: usize = memory.data(MAX_DIMS * 4, 16);
// @ts-ignore: decorator
@lazy const scalarSlot: usize = memory.data(16, 16);

export function scratchAddr(): usize { return scratch; }

// ---- helpers -------------------------------------------------------------------------------

/** Pointer to h's values in row-major order: its data, or a fresh copy if h is strided (then free it). */
function contig(h: i32): usize {
  if (isContiguous(h)) return dataPtr(h);
  const n = numelOf(h);
  const p = alloc(<usize>n << 2);
  if (p) stridedCopy(p, dataPtr(h), ndimOf(h), shapePtr(h), stridesPtr(h));
  return p;
}
function unContig(h: i32, p: usize): void {
  if (p && p != dataPtr(h)) free(p, <usize>numelOf(h) << 2);
}

function kernelOf(op: i32): i32 {
  if (op == OpCode.Add) return B_ADD;
  if (op == OpCode.Sub) return B_SUB;
  if (op == OpCode.Mul) return B_MUL;
  if (op == OpCode.Div) return B_DIV;
  return B_POW;
}

/** po (contiguous, out's shape) = a (kernel op) b with broadcasting; pa, pb contiguous. */
function broadcastInto(k: i32, po: usize, out: i32, pa: usize, a: i32, pb: usize, b: i32): void {
  const nd = ndimOf(out), os = shapePtr(out), n = numelOf(out);
  const na = ndimOf(a), nb = ndimOf(b);
  const fullA = sameShape(na, shapePtr(a), nd, os), fullB = sameShape(nb, shapePtr(b), nd, os);
  if (fullA && fullB) binaryKernel(k, po, pa, pb, n, MODE_VV);
  else if (fullA && numelOf(b) == 1) binaryKernel(k, po, pa, pb, n, MODE_VS);
  else if (fullB && numelOf(a) == 1) binaryKernel(k, po, pa, pb, n, MODE_SV);
  else {
    broadcastStrides(sa, nd, os, na, shapePtr(a));
    broadcastStrides(sb, nd, os, nb, shapePtr(b));
    binaryStrided(k, po, nd, os, pa, sa, pb, sb);
  }
}

function failed(out: i32): i32 { release(out); return 0; }

// ---- elementwise ---------------------------------------------------------------------------

/** a (op) b for op in Add, Sub, Mul, Div, Pow; alpha scales b for Add/Sub (torch's alpha=). */
export function binaryOp(op: i32, a: i32, b: i32, alpha: f32): i32 {
  const nd = broadcastShape(outShapeBuf, ndimOf(a), shapePtr(a), ndimOf(b), shapePtr(b));
  const out = sameShape(nd, outShapeBuf, ndimOf(a), shapePtr(a)) ? newTensorLike(a) : newTensor(nd, outShapeBuf, DType.Float32);
  if (!out) return 0;
  const pa = contig(a), pb0 = contig(b);
  let pb = pb0;
  if (pa && pb0 && alpha != 1) {
    // alpha * other, rounded to f32 (as torch's non-FMA path)
    pb = alloc(<usize>numelOf(b) << 2);
    if (pb) { store<f32>(scalarSlot, alpha); binaryKernel(B_MUL, pb, pb0, scalarSlot, numelOf(b), MODE_VS); }
  }
  if (!pa || !pb) {
    unContig(a, pa); unContig(b, pb0);
    if (pb && pb != pb0) free(pb, <usize>numelOf(b) << 2);
    return failed(out);
  }
  broadcastInto(kernelOf(op), dataPtr(out), out, pa, a, pb, b);
  unContig(a, pa); unContig(b, pb0);
  if (pb != pb0) free(pb, <usize>numelOf(b) << 2);
  if (shouldRecord(a, b)) {
    const node = record(op, out, a, b);
    if (!node) return failed(out);
    store<f32>(node + N_F0, alpha);
    if (op == OpCode.Mul || op == OpCode.Div || op == OpCode.Pow) {
      if (!save(node, 0, a) || !save(node, 1, b)) return failed(out);
    }
  }
  return out;
}

/** Computes op(a, s) into contiguous out (n values); shared by scalarOp and the in-place form. */
function scalarKernel(op: i32, po: usize, pa: usize, s: f32, n: i32): void {
  store<f32>(scalarSlot, s);
  switch (op) {
    case OpCode.AddScalar: binaryKernel(B_ADD, po, pa, scalarSlot, n, MODE_VS); break;
    case OpCode.SubScalar: binaryKernel(B_SUB, po, pa, scalarSlot, n, MODE_VS); break;
    case OpCode.MulScalar: binaryKernel(B_MUL, po, pa, scalarSlot, n, MODE_VS); break;
    case OpCode.DivScalar: binaryKernel(B_DIV, po, pa, scalarSlot, n, MODE_VS); break;
    case OpCode.PowScalar: powScalarKernel(po, pa, s, n); break;
    case OpCode.RSubScalar: binaryKernel(B_SUB, po, scalarSlot, pa, n, MODE_SV); break;
    case OpCode.RPowScalar: binaryKernel(B_POW, po, scalarSlot, pa, n, MODE_SV); break;
    default: // RDivScalar: torch computes s / x as reciprocal(x) * s
      unaryKernel(U_RECIPROCAL, po, pa, n);
      binaryKernel(B_MUL, po, po, scalarSlot, n, MODE_VS);
  }
}

/** a (op) s or s (op) a for the *Scalar op codes; s was rounded to f32 by the caller. */
export function scalarOp(op: i32, a: i32, s: f32): i32 {
  const out = newTensorLike(a);
  if (!out) return 0;
  const pa = contig(a);
  if (!pa) return failed(out);
  scalarKernel(op, dataPtr(out), pa, s, numelOf(out));
  unContig(a, pa);
  if (shouldRecord(a, 0)) {
    const node = record(op, out, a, 0);
    if (!node) return failed(out);
    store<f32>(node + N_F0, s);
    if (op == OpCode.PowScalar || op == OpCode.RPowScalar || op == OpCode.RDivScalar) {
      if (!save(node, 0, a)) return failed(out);
    } else if (op == OpCode.MulScalar || op == OpCode.DivScalar) markSaved(node);
  }
  return out;
}

function unaryKernelOf(op: i32): i32 {
  switch (op) {
    case OpCode.Neg: return U_NEG;
    case OpCode.Exp: return U_EXP;
    case OpCode.Log: return U_LOG;
    case OpCode.Sqrt: return U_SQRT;
    case OpCode.Abs: return U_ABS;
    case OpCode.Relu: return U_RELU;
    case OpCode.Sigmoid: return U_SIGMOID;
    default: return U_TANH;
  }
}

/** f(a) for the unary op codes (Neg ... Tanh). */
export function unaryOp(op: i32, a: i32): i32 {
  const out = newTensorLike(a);
  if (!out) return 0;
  const pa = contig(a);
  if (!pa) return failed(out);
  unaryKernel(unaryKernelOf(op), dataPtr(out), pa, numelOf(out));
  unContig(a, pa);
  if (shouldRecord(a, 0)) {
    const node = record(op, out, a, 0);
    if (!node) return failed(out);
    // what the derivative reads: the input (log, abs) or the result (the others); neg needs none
    if (op == OpCode.Log || op == OpCode.Abs) { if (!save(node, 0, a)) return failed(out); }
    else if (op != OpCode.Neg) { if (!save(node, 0, out)) return failed(out); }
  }
  return out;
}

// ---- reductions ----------------------------------------------------------------------------

/**
 * Sum (or mean) of a over the dims in `mask` (bit d = dim d). `dimGiven`: the call named dims
 * (torch's SumBackward1/MeanBackward1) rather than reducing everything.
 */
export function sumOp(a: i32, mask: i32, keepdim: bool, mean: bool, dimGiven: bool): i32 {
  const nd = ndimOf(a), s = shapePtr(a);
  let ond = 0, count = 1;
  for (let d = 0; d < nd; d++) {
    if ((mask >> d) & 1) { count *= dimAt(s, d); if (keepdim) setDim(outShapeBuf, ond++, 1); }
    else setDim(outShapeBuf, ond++, dimAt(s, d));
  }
  const out = newTensor(ond, outShapeBuf, DType.Float32);
  if (!out) return 0;
  const pa = contig(a);
  if (!pa) return failed(out);
  const po = dataPtr(out);
  if (ond == 0 || numelOf(out) == 1 && count == numelOf(a)) store<f32>(po, sumKernel(pa, numelOf(a)));
  else reduceSumKernel(po, pa, nd, s, mask);
  unContig(a, pa);
  if (mean) {
    store<f32>(scalarSlot, <f32>count);
    binaryKernel(B_DIV, po, po, scalarSlot, numelOf(out), MODE_VS);
  }
  if (shouldRecord(a, 0)) {
    const op = dimGiven ? (mean ? OpCode.MeanDim : OpCode.SumDim) : (mean ? OpCode.MeanAll : OpCode.SumAll);
    const node = record(op, out, a, 0);
    if (!node) return failed(out);
    store<i32>(node + N_I0, mask);
    store<i32>(node + N_I1, keepdim ? 1 : 0);
  }
  return out;
}

// ---- matrix products -----------------------------------------------------------------------

/** a @ b for 2-D @ 2-D (Mm), 2-D @ 1-D (Mv), 1-D @ 2-D (Vm) and 1-D @ 1-D (Dot). */
export function matmulOp(a: i32, b: i32): i32 {
  const na = ndimOf(a), nb = ndimOf(b);
  let op: i32, m: i32, k: i32, n: i32, ond: i32;
  if (na == 2 && nb == 2) { op = OpCode.Mm; m = dimOf(a, 0); k = dimOf(a, 1); n = dimOf(b, 1); ond = 2; setDim(outShapeBuf, 0, m); setDim(outShapeBuf, 1, n); }
  else if (na == 2) { op = OpCode.Mv; m = dimOf(a, 0); k = dimOf(a, 1); n = 1; ond = 1; setDim(outShapeBuf, 0, m); }
  else if (nb == 2) { op = OpCode.Vm; m = 1; k = dimOf(b, 0); n = dimOf(b, 1); ond = 1; setDim(outShapeBuf, 0, n); }
  else { op = OpCode.Dot; m = 1; k = dimOf(a, 0); n = 1; ond = 0; }
  const out = newTensor(ond, outShapeBuf, DType.Float32);
  if (!out) return 0;
  const pa = contig(a), pb = contig(b);
  if (!pa || !pb) { unContig(a, pa); unContig(b, pb); return failed(out); }
  gemm(dataPtr(out), pa, pb, m, k, n, false);
  unContig(a, pa); unContig(b, pb);
  if (shouldRecord(a, b)) {
    const node = record(op, out, a, b);
    if (!node || !save(node, 0, a) || !save(node, 1, b)) return failed(out);
  }
  return out;
}

// ---- views ---------------------------------------------------------------------------------

// Dims of a view being built (sizes, strides).
// @ts-ignore: decorator
@lazy const vShape: usize = memory.data(MAX_DIMS * 4, 16);
// @ts-ignore: decorator
@lazy const vStrides: usize = memory.data(MAX_DIMS * 4, 16);

/**
 * A view of a sharing its storage and version counter, with the nd sizes in vShape and the
 * strides in vStrides (0: contiguous), recorded as `op` when autograd tracks a.
 */
function makeView(a: i32, nd: i32, strides: usize, op: i32, i0: i32, i1: i32): i32 {
  const v = newView(a, true);
  if (!v) return 0;
  if (!setDims(v, nd, vShape, strides)) return failed(v);
  setFlags(v, F_VIEW | (flagsOf(a) & F_NOGRAD_VIEW));
  if (!shouldRecord(a, 0)) {
    if (requiresGrad(a)) setFlags(v, flagsOf(v) | F_NOGRAD_VIEW);
    return v;
  }
  const node = record(op, v, a, 0);
  if (!node || !watchVersion(node, 0, a)) return failed(v);
  store<i32>(node + N_I0, i0);
  store<i32>(node + N_I1, i1);
  return v;
}

/**
 * Strides (into vStrides) that let a strided tensor a be viewed with the shape in vShape, or
 * false when its layout does not allow it (torch's computeStride): the new dims must split or
 * merge only runs of old dims that are contiguous with each other.
 */
function viewStrides(a: i32, nd: i32): bool {
  const od = ndimOf(a);
  if (numelOf(a) == 0 || od == 0) return false; // callers take the contiguous path for these
  let viewD = nd - 1;
  let chunkBase = strideOf(a, od - 1);
  let tensorNumel = 1, viewNumel = 1;
  for (let d = od - 1; d >= 0; d--) {
    tensorNumel *= dimOf(a, d);
    if (d == 0 || (dimOf(a, d - 1) != 1 && strideOf(a, d - 1) != tensorNumel * chunkBase)) {
      while (viewD >= 0 && (viewNumel < tensorNumel || dimAt(vShape, viewD) == 1)) {
        setDim(vStrides, viewD, viewNumel * chunkBase);
        viewNumel *= dimAt(vShape, viewD);
        viewD--;
      }
      if (viewNumel != tensorNumel) return false;
      if (d > 0) {
        chunkBase = strideOf(a, d - 1);
        tensorNumel = 1;
        viewNumel = 1;
      }
    }
  }
  return viewD == -1;
}

/** a viewed with the shape in scratch[0..ndim); Status.NotContiguous if its strides do not allow it. */
export function viewOp(a: i32, ndim: i32): i32 {
  memory.copy(vShape, scratch, <usize>ndim << 2);
  if (isContiguous(a)) return makeView(a, ndim, 0, OpCode.View, 0, 0);
  if (!viewStrides(a, ndim)) return Status.NotContiguous;
  return makeView(a, ndim, vStrides, OpCode.View, 0, 0);
}

/** reshape: a view when a's strides allow it, else a copy with the shape in scratch[0..ndim). */
export function reshapeOp(a: i32, ndim: i32): i32 {
  const v = viewOp(a, ndim);
  return v == Status.NotContiguous ? reshapeCopyOp(a, ndim) : v;
}

/** A contiguous copy of a with the shape in scratch (reshape of a strided tensor). */
function reshapeCopyOp(a: i32, ndim: i32): i32 {
  const out = newTensor(ndim, scratch, dtypeOf(a));
  if (!out) return 0;
  stridedCopy(dataPtr(out), dataPtr(a), ndimOf(a), shapePtr(a), stridesPtr(a));
  if (shouldRecord(a, 0) && !record(OpCode.UnsafeView, out, a, 0)) return failed(out);
  return out;
}

/** A contiguous copy of a (clone(), recorded as CloneBackward0). */
export function cloneOp(a: i32): i32 {
  const out = newTensor(ndimOf(a), shapePtr(a), dtypeOf(a));
  if (!out) return 0;
  stridedCopy(dataPtr(out), dataPtr(a), ndimOf(a), shapePtr(a), stridesPtr(a));
  if (shouldRecord(a, 0) && !record(OpCode.Clone, out, a, 0)) return failed(out);
  return out;
}

/** a with dims d0 and d1 swapped (a view). `isT`: the call was t() (TBackward0). */
export function transposeOp(a: i32, d0: i32, d1: i32, isT: bool): i32 {
  const nd = ndimOf(a);
  for (let d = 0; d < nd; d++) {
    const from = d == d0 ? d1 : d == d1 ? d0 : d;
    setDim(vShape, d, dimOf(a, from));
    setDim(vStrides, d, strideOf(a, from));
  }
  return makeView(a, nd, vStrides, isT ? OpCode.T : OpCode.Transpose, d0, d1);
}

/** a broadcast to the shape in scratch[0..ndim) (sizes already resolved; a view with 0 strides). */
export function expandOp(a: i32, ndim: i32): i32 {
  const na = ndimOf(a);
  for (let d = 0; d < ndim; d++) {
    const size = dimAt(scratch, d);
    const ad = d - (ndim - na);
    setDim(vShape, d, size);
    setDim(vStrides, d, ad < 0 || (dimOf(a, ad) == 1 && size != 1) ? 0 : strideOf(a, ad));
  }
  return makeView(a, ndim, vStrides, OpCode.Expand, 0, 0);
}

/** a with a size-1 dim inserted at `dim` (0..ndim). */
export function unsqueezeOp(a: i32, dim: i32): i32 {
  const nd = ndimOf(a);
  let j = 0;
  for (let d = 0; d <= nd; d++) {
    if (d == dim) {
      setDim(vShape, d, 1);
      // any stride works for a size-1 dim; use the contiguous one
      setDim(vStrides, d, d < nd ? strideOf(a, d) * dimOf(a, d) : 1);
    } else {
      setDim(vShape, d, dimOf(a, j));
      setDim(vStrides, d, strideOf(a, j));
      j++;
    }
  }
  return makeView(a, nd + 1, vStrides, OpCode.Unsqueeze, dim, 0);
}

/** a without its size-1 dims (dim < 0) or without dim `dim` if it has size 1. */
export function squeezeOp(a: i32, dim: i32): i32 {
  const nd = ndimOf(a);
  let j = 0;
  for (let d = 0; d < nd; d++) {
    const size = dimOf(a, d);
    if (size == 1 && (dim < 0 || d == dim)) continue;
    setDim(vShape, j, size);
    setDim(vStrides, j, strideOf(a, d));
    j++;
  }
  return makeView(a, j, vStrides, dim < 0 ? OpCode.Squeeze : OpCode.SqueezeDim, dim, 0);
}

/**
 * A tensor sharing a's storage with no autograd history. `shareVersion`: detach() (in-place
 * writes are seen by autograd's version checks); false: `.data` (they are not, as PyTorch).
 */
export function detachOp(a: i32, shareVersion: bool): i32 {
  const v = newView(a, shareVersion);
  if (!v) return 0;
  if (!copyDims(v, a)) return failed(v);
  return v;
}

/** `dst.data = src`: dst takes src's storage, shape and values; autograd is not involved. */
export function setDataOp(dst: i32, src: i32): i32 { return setData(dst, src) ? 1 : 0; }

// ---- in place ------------------------------------------------------------------------------

/** Writes the contiguous values p (self's shape) into self's (possibly strided) storage. */
function writeBack(self: i32, p: usize): void {
  const d = dataPtr(self);
  if (p == d) return;
  const nd = ndimOf(self), n = numelOf(self);
  // scatter through self's strides: walk self's elements in row-major order
  if (isContiguous(self)) { memory.copy(d, p, <usize>n << 2); return; }
  for (let i = 0; i < n; i++) {
    let rem = i, off = 0;
    for (let k = nd - 1; k >= 0; k--) {
      const size = dimOf(self, k);
      off += (rem % size) * strideOf(self, k);
      rem /= size;
    }
    store<f32>(d + (<usize>off << 2), load<f32>(p + (<usize>i << 2)));
  }
}

/** self (op)= other with other broadcast to self's shape; op in Add, Sub, Mul, Div. */
export function inplaceBinaryOp(op: i32, self: i32, other: i32, alpha: f32): i32 {
  if (hasOverlap(self)) return Status.InternalOverlap;
  const n = numelOf(self), m = numelOf(other);
  const selfContig = isContiguous(self);
  const ps = selfContig ? dataPtr(self) : contig(self);
  const po = contig(other);
  // alpha * other, rounded to f32 first (as torch's non-FMA path)
  const scaled = alpha != 1 ? alloc(<usize>m << 2) : po;
  if (ps && po && scaled && scaled != po) {
    store<f32>(scalarSlot, alpha);
    binaryKernel(B_MUL, scaled, po, scalarSlot, m, MODE_VS);
  }
  let ok = ps != 0 && po != 0 && scaled != 0;
  if (ok && shouldRecord(self, other)) {
    const node = record(op, self, self, other);
    ok = node != 0;
    if (ok) {
      store<f32>(node + N_F0, alpha);
      // self's grad needs other; other's grad needs self as it was before this write
      if (op == OpCode.Mul || op == OpCode.Div) {
        ok = save(node, 1, other) && (!requiresGrad(other) || saveCopy(node, 0, self));
      }
    }
  }
  if (ok) {
    broadcastInto(kernelOf(op), ps, self, ps, self, scaled, other);
    if (!selfContig) writeBack(self, ps);
    bumpVersion(self);
  }
  if (scaled && scaled != po) free(scaled, <usize>m << 2);
  unContig(other, po);
  if (!selfContig && ps) free(ps, <usize>n << 2);
  return ok ? 1 : 0;
}

/** self (op)= s for the *Scalar op codes. */
export function inplaceScalarOp(op: i32, self: i32, s: f32): i32 {
  if (hasOverlap(self)) return Status.InternalOverlap;
  const n = numelOf(self);
  const selfContig = isContiguous(self);
  const ps = selfContig ? dataPtr(self) : contig(self);
  if (!ps) return 0;
  if (shouldRecord(self, 0)) {
    const node = record(op, self, self, 0);
    if (!node) { if (!selfContig) free(ps, <usize>n << 2); return 0; }
    store<f32>(node + N_F0, s);
    if (op == OpCode.PowScalar && !saveCopy(node, 0, self)) { if (!selfContig) free(ps, <usize>n << 2); return 0; }
    if (op == OpCode.MulScalar || op == OpCode.DivScalar) markSaved(node);
  }
  scalarKernel(op, ps, ps, s, n);
  if (!selfContig) { writeBack(self, ps); free(ps, <usize>n << 2); }
  bumpVersion(self);
  return 1;
}

/** Fills self with v (fill_/zero_). `zero`: the call was zero_ (ZeroBackward0). */
export function fillOp(self: i32, v: f64, zero: bool): i32 {
  // every element gets the same value, so overlapping (expanded) elements are fine, as in torch
  if (shouldRecord(self, 0) && !record(zero ? OpCode.Zero : OpCode.Fill, self, self, 0)) return 0;
  rawFill(self, v);
  bumpVersion(self);
  return 1;
}

/** self.copy_(src): src broadcast to self's shape. */
export function copyOp(self: i32, src: i32): i32 {
  if (hasOverlap(self)) return Status.InternalOverlap;
  const n = numelOf(self);
  const p = alloc(<usize>n << 2);
  if (!p) return 0;
  broadcastStrides(sa, ndimOf(self), shapePtr(self), ndimOf(src), shapePtr(src));
  // compose src's own strides with the broadcast: read src through its strides
  const nd = ndimOf(self), ns = ndimOf(src);
  for (let d = 0; d < nd; d++) {
    const sd = d - (nd - ns);
    setDim(sb, d, sd < 0 || dimAt(sa, d) == 0 ? 0 : strideOf(src, sd));
  }
  stridedCopy(p, dataPtr(src), nd, shapePtr(self), sb);
  if (shouldRecord(self, src) && !record(OpCode.Copy, self, self, src)) { free(p, <usize>n << 2); return 0; }
  writeBack(self, p);
  free(p, <usize>n << 2);
  bumpVersion(self);
  return 1;
}

// ---- creation and raw access (no autograd) ----------------------------------------------------

/** A new contiguous tensor with the shape in scratch[0..ndim), contents undefined. */
export function emptyOp(ndim: i32, dtype: i32): i32 { return newTensor(ndim, scratch, dtype); }

/** Sets every element of h to v (as f32, or as i32 for the integer dtypes). */
export function rawFill(h: i32, v: f64): void {
  const n = numelOf(h);
  const contiguous = isContiguous(h);
  const p = contiguous ? dataPtr(h) : alloc(<usize>n << 2);
  if (!p) return;
  if (dtypeOf(h) == DType.Float32) fillF32(p, <f32>v, n);
  else { const iv = <i32>v; for (let i = 0; i < n; i++) store<i32>(p + (<usize>i << 2), iv); }
  if (contiguous) return;
  writeBack(h, p); // moves 32-bit patterns, so integer values survive
  free(p, <usize>n << 2);
}

/** h[i] = start + i * step (f32 or i32 by h's dtype). */
export function arangeFill(h: i32, start: f64, step: f64): void {
  const p = dataPtr(h), n = numelOf(h);
  if (dtypeOf(h) == DType.Float32) for (let i = 0; i < n; i++) store<f32>(p + (<usize>i << 2), <f32>(start + <f64>i * step));
  else for (let i = 0; i < n; i++) store<i32>(p + (<usize>i << 2), <i32>(start + <f64>i * step));
}

/** Random fill: kind 0 uniform [a, b), 1 normal (mean a, std b), 2 integers [a, b). */
export function randomFill(h: i32, kind: i32, a: f64, b: f64): void {
  const p = dataPtr(h), n = numelOf(h);
  if (kind == 0) uniformKernel(p, n, <f32>a, <f32>b);
  else if (kind == 1) normalKernel(p, n, <f32>a, <f32>b);
  else randintKernel(p, n, a, b, dtypeOf(h) == DType.Float32);
}

/** The element of a one-element tensor as f64 (f32 or i32 by dtype). */
export function itemOp(h: i32): f64 {
  const p = dataPtr(h);
  return dtypeOf(h) == DType.Float32 ? <f64>load<f32>(p) : <f64>load<i32>(p);
}

/**
 * Address of h's values in row-major order: its data if contiguous, otherwise a copy that the
 * caller returns with freeCopy(h, ptr).
 */
export function readAddr(h: i32): usize { return contig(h); }
export function freeCopy(h: i32, p: usize): void { unContig(h, p); }
