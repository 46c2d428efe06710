// Matrix products: one strided GEMM (kernels/matmul.ts) serves dot, mv, vm, mm, bmm and batched,
// broadcast matmul. Backward reads the saved operands transposed through views (no transposed
// copies as ops); unbroadcasting of batch dims happens in give().

import { OpCode, DType, MAX_DIMS } from "../abi";
import { alloc, free, zeroBlock } from "../memory";
import { dataPtr, numelOf, ndimOf, dtypeOf, newTensor, dimOf, strideOf, release, bytesFor } from "../tensor";
import { record, shouldRecord, save } from "../autograd/tape";
import { gemmF32, gemmF64, gemmScratchA, gemmScratchB } from "../kernels/matmul";
import { gemmI32 } from "../kernels/gemmInt";
import { asDtype, dropAs, failed, setDim, dimAt, widerDtype } from "./common";
import { saved, give, needs } from "../autograd/backward";
import { mul } from "./binary";
import { transposeOp, unsqueezeOp } from "./shape";

// @ts-ignore: decorator
@lazy const outShape: usize = memory.data(MAX_DIMS * 4, 16);
// @ts-ignore: decorator
@lazy const idx: usize = memory.data(MAX_DIMS * 4, 16);

/**
 * a @ b as torch.matmul for: 1-D @ 1-D (Dot), 2-D @ 1-D (Mv), 1-D @ 2-D (Vm), and N-D @ N-D with
 * N >= 2 on both sides (Mm for 2-D, else batch dims broadcast; `bmm` names the node BmmBackward0).
 * The facade reshapes 1-D operands against batched ones. Shapes were validated in TS.
 */
export function matmulOp(a: i32, b: i32, bmm: bool): i32 {
  if (!a || !b) return 0;
  const na = ndimOf(a), nb = ndimOf(b);
  const dt = widerDtype(dtypeOf(a), dtypeOf(b));
  let op: i32, m = 1, k: i32, n = 1, ond = 0;
  if (na == 1 && nb == 1) { op = OpCode.Dot; k = dimOf(a, 0); }
  else if (na == 2 && nb == 1) { op = OpCode.Mv; m = dimOf(a, 0); k = dimOf(a, 1); setDim(outShape, 0, m); ond = 1; }
  else if (na == 1 && nb == 2) { op = OpCode.Vm; k = dimOf(b, 0); n = dimOf(b, 1); setDim(outShape, 0, n); ond = 1; }
  else {
    op = na == 2 && nb == 2 ? OpCode.Mm : bmm ? OpCode.Bmm : OpCode.Matmul;
    m = dimOf(a, na - 2); k = dimOf(a, na - 1); n = dimOf(b, nb - 1);
    ond = max(na, nb);
    for (let d = 0; d < ond - 2; d++) {
      const ia = d - (ond - na), ib = d - (ond - nb);
      const x = ia >= 0 ? dimOf(a, ia) : 1, y = ib >= 0 ? dimOf(b, ib) : 1;
      setDim(outShape, d, x == 1 ? y : x);
    }
    setDim(outShape, ond - 2, m); setDim(outShape, ond - 1, n);
  }
  const out = newTensor(ond, outShape, dt);
  if (!out) return 0;
  // operands of another dtype are converted (contiguous); same-dtype ones are read in place
  const pa = dtypeOf(a) == dt ? dataPtr(a) : asDtype(a, dt);
  const pb = dtypeOf(b) == dt ? dataPtr(b) : asDtype(b, dt);
  const ca = pa != dataPtr(a), cb = pb != dataPtr(b);
  // packing space for the f32 GEMM's blocks of a and b
  const saBytes = gemmScratchA(m, k), sbBytes = gemmScratchB(k, n);
  const sa = dt == DType.Float32 ? alloc(saBytes) : 0;
  const sb = dt == DType.Float32 ? alloc(sbBytes) : 0;
  if (!pa || !pb || (dt == DType.Float32 && (!sa || !sb))) {
    if (ca) dropAs(a, dt, pa); if (cb) dropAs(b, dt, pb);
    if (sa) free(sa, saBytes); if (sb) free(sb, sbBytes);
    return failed(out);
  }
  // element strides of the matrix dims (vectors as 1 x k or k x 1)
  let rsA: i32, csA: i32, rsB: i32, csB: i32;
  if (na == 1) { rsA = 0; csA = ca ? 1 : strideOf(a, 0); }
  else { rsA = ca ? k : strideOf(a, na - 2); csA = ca ? 1 : strideOf(a, na - 1); }
  if (nb == 1) { rsB = cb ? 1 : strideOf(b, 0); csB = 0; }
  else { rsB = cb ? n : strideOf(b, nb - 2); csB = cb ? 1 : strideOf(b, nb - 1); }
  const batches = numelOf(out) / (m * n > 0 ? m * n : 1);
  const esh: usize = dt == DType.Float64 ? 3 : 2;
  zeroBlock(idx, MAX_DIMS * 4);
  for (let bi = 0; bi < (m * n > 0 ? batches : 0); bi++) {
    // offsets of this batch in a and b (broadcast dims have stride 0)
    let oa = 0, ob = 0;
    for (let d = 0; d < ond - 2; d++) {
      const i = dimAt(idx, d);
      const ia = d - (ond - na), ib = d - (ond - nb);
      if (ia >= 0 && dimOf(a, ia) != 1) oa += i * (ca ? batchStride(a, ia, m * k) : strideOf(a, ia));
      if (ib >= 0 && dimOf(b, ib) != 1) ob += i * (cb ? batchStride(b, ib, k * n) : strideOf(b, ib));
    }
    const po = dataPtr(out) + (<usize>(bi * m * n) << esh);
    if (k == 0) memory.fill(po, 0, <usize>(m * n) << esh);
    else if (dt == DType.Float32) gemmF32(po, pa + (<usize>oa << 2), pb + (<usize>ob << 2), m, k, n, rsA, csA, rsB, csB, false, sa, sb);
    else if (dt == DType.Float64) gemmF64(po, pa + (<usize>oa << 3), pb + (<usize>ob << 3), m, k, n, rsA, csA, rsB, csB, false);
    else gemmI32(po, pa + (<usize>oa << 2), pb + (<usize>ob << 2), m, k, n, rsA, csA, rsB, csB, false);
    for (let d = ond - 3; d >= 0; d--) {
      const c = dimAt(idx, d) + 1;
      if (c < dimAt(outShape, d)) { setDim(idx, d, c); break; }
      setDim(idx, d, 0);
    }
  }
  if (ca) dropAs(a, dt, pa); if (cb) dropAs(b, dt, pb);
  if (sa) free(sa, saBytes); if (sb) free(sb, sbBytes);
  if (!shouldRecord(a, b)) return out;
  const node = record(op, out, a, b, 2, 0, 0);
  if (!node || !save(node, 0, a, false) || !save(node, 1, b, false)) return failed(out);
  return out;
}

/** Stride of batch dim d of a contiguous copy of h whose matrices have `mat` elements. */
function batchStride(h: i32, d: i32, mat: i32): i32 {
  let s = mat;
  for (let e = ndimOf(h) - 3; e > d; e--) s *= dimOf(h, e);
  return s;
}

/** The last two dims of t swapped (a view). */
function mT(t: i32): i32 { const nd = ndimOf(t); return transposeOp(t, nd - 2, nd - 1, false); }
function mm(a: i32, b: i32): i32 { return matmulOp(a, b, false); }
function mmTake(a: i32, b: i32, bmm: bool): i32 { const r = matmulOp(a, b, bmm); release(a); release(b); return r; }

/** Backward rules of this family; false if `op` is not one of its node kinds. */
export function linalgRule(node: usize, op: i32, g: i32): bool {
  const a = saved(node, 0), b = saved(node, 1);
  switch (op) {
    case OpCode.Dot: // grad * other, grad * self
      if (needs(node, 0)) give(node, 0, mul(g, b));
      if (needs(node, 1)) give(node, 1, mul(g, a));
      return true;
    case OpCode.Mv: // a[m,k] @ v[k]: grad.unsqueeze(1) * v, a^T @ grad
      if (needs(node, 0)) { const u = unsqueezeOp(g, 1); give(node, 0, mul(u, b)); release(u); }
      if (needs(node, 1)) give(node, 1, mmTake(mT(a), own(g), false));
      return true;
    case OpCode.Vm: // v[k] @ b[k,n]: b @ grad, v.unsqueeze(1) * grad
      if (needs(node, 0)) give(node, 0, mm(b, g));
      if (needs(node, 1)) { const u = unsqueezeOp(a, 1); give(node, 1, mul(u, g)); release(u); }
      return true;
    case OpCode.Mm: case OpCode.Bmm: case OpCode.Matmul: // grad @ b^T, a^T @ grad
      if (needs(node, 0)) give(node, 0, mmTake(own(g), mT(b), op == OpCode.Bmm));
      if (needs(node, 1)) give(node, 1, mmTake(mT(a), own(g), op == OpCode.Bmm));
      return true;
    default: return false;
  }
}

import { own } from "../autograd/backward";
