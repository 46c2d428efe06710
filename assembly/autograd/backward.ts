// The reverse pass: one call walks every node reachable from the root in decreasing sequence
// order (a valid reverse topological order, as PyTorch does), applies each op's derivative, and
// accumulates into leaf .grad. The derivatives table is `rule()`: one case per OpCode.
// Contributions that come out in the op's output shape are reduced to the input's shape in one
// place (`give`), so no rule deals with broadcasting.

import { powf } from "../kernels/math";
import { OpCode, Status, DType } from "../abi";
import { alloc, free } from "../memory";
import { f4, addInto, fillF32 } from "../simd";
import {
  geti, seti, dataPtr, numelOf, ndimOf, shapePtr, shapeRec, stridesPtr, newTensor, adoptBuffer, bumpVersion,
  E_NODE, E_GRAD,
} from "../tensor";
import {
  nget, nset, nextOf, inShape, inNdim, outShape, outNdim, savedData, staleSaved, releaseSaved,
  savedVersion, savedCurrentVersion,
  N_OP, N_SEQ, N_FLAGS, N_EPOCH, N_RETAIN, N_GRADP, N_F0, N_I0, N_OUT, N_IN, N_I1, NF_RELEASED, NF_HAS_SAVED,
} from "./tape";
import { binaryKernel, B_MUL, B_DIV, MODE_VV, MODE_VS, MODE_SV } from "../kernels/binary";
import { unaryBackwardKernel, powScalarKernel, U_NEG, U_EXP, U_LOG, U_SQRT, U_ABS, U_RELU, U_SIGMOID, U_TANH } from "../kernels/unary";
import { stridedCopy, binaryStrided, reduceSumKernel } from "../kernels/layout";
import { gemm, transpose2d } from "../kernels/matmul";
import { numelOfShape, sameShape, broadcastStrides, contiguousStrides, sumToMask, dimAt, setDim } from "../shapes";
import { MAX_DIMS } from "../abi";

// Details of the last failure, read by the facade to build its message:
// version mismatch: [0] op code, [1] saved slot, [2] current version, [3] expected version;
// grad shape mismatch: [0] the tensor, [1] its .grad;
// invalid gradient: [0] op code, [1] ndim, [2..9] shape given, [10] ndim, [11..18] shape expected,
// [19] input index.
// @ts-ignore: decorator
@lazy const errInfo: usize = memory.data(80, 16);
export function backwardErrorInfo(i: i32): i32 { return load<i32>(errInfo + (<usize>i << 2)); }

// @ts-ignore: decorator
@lazy let list: usize = 0;
// @ts-ignore: decorator
@lazy let listCap: i32 = 0;
// @ts-ignore: decorator
@lazy let epoch: i32 = 0;
// @ts-ignore: decorator
@lazy let oom: bool = false;

// Scratch strides for the rules.
// @ts-ignore: decorator
@lazy const st0: usize = memory.data(MAX_DIMS * 4, 16);
// @ts-ignore: decorator
@lazy const st1: usize = memory.data(MAX_DIMS * 4, 16);
// @ts-ignore: decorator
@lazy const st2: usize = memory.data(MAX_DIMS * 4, 16);
// @ts-ignore: decorator
@lazy const scalarSlot: usize = memory.data(16, 16);

function listAt(i: i32): usize { return <usize>load<i32>(list + (<usize>i << 2)); }
function listSet(i: i32, v: usize): void { store<i32>(list + (<usize>i << 2), <i32>v); }

function listPush(count: i32, node: usize): bool {
  if (count == listCap) {
    const cap = listCap ? listCap << 1 : 256;
    const nl = alloc(<usize>cap << 2);
    if (!nl) return false;
    if (list) { memory.copy(nl, list, <usize>listCap << 2); free(list, <usize>listCap << 2); }
    list = nl; listCap = cap;
  }
  listSet(count, node);
  return true;
}

/**
 * list[0..n) by decreasing sequence number. Graphs are collected breadth-first from the root, so
 * the list is often sorted already: insertion sort for small lists, heap sort for large ones.
 */
function sortBySeqDesc(n: i32): void {
  if (n <= 32) {
    for (let i = 1; i < n; i++) {
      const x = listAt(i), sx = nget(x, N_SEQ);
      let j = i - 1;
      while (j >= 0 && nget(listAt(j), N_SEQ) < sx) { listSet(j + 1, listAt(j)); j--; }
      listSet(j + 1, x);
    }
    return;
  }
  // min-heap on seq, so repeatedly moving the minimum to the end leaves a descending order
  for (let i = (n >> 1) - 1; i >= 0; i--) siftDown(i, n);
  for (let end = n - 1; end > 0; end--) {
    const t = listAt(0); listSet(0, listAt(end)); listSet(end, t);
    siftDown(0, end);
  }
}
function siftDown(i: i32, n: i32): void {
  while (true) {
    const l = 2 * i + 1;
    if (l >= n) return;
    let m = l;
    if (l + 1 < n && nget(listAt(l + 1), N_SEQ) < nget(listAt(l), N_SEQ)) m = l + 1;
    if (nget(listAt(i), N_SEQ) <= nget(listAt(m), N_SEQ)) return;
    const t = listAt(i); listSet(i, listAt(m)); listSet(m, t);
    i = m;
  }
}

function tmp(n: i32): usize {
  const p = alloc(<usize>n << 2);
  if (!p) oom = true;
  return p;
}
// @ts-ignore: decorator
@inline function drop(p: usize, n: i32): void { free(p, <usize>n << 2); }

/** Adds buf (n values, owned or not) into the gradient target of a tagged edge. */
function deliver(nx: i32, buf: usize, n: i32, owned: bool, nd: i32, shape: usize): void {
  if (nx & 1) {
    const h = nx >>> 1;
    const gh = geti(h, E_GRAD);
    if (gh) {
      addInto(dataPtr(gh), buf, n);
      bumpVersion(gh);
      if (owned) drop(buf, n);
      return;
    }
    let ng: i32;
    if (owned) {
      ng = adoptBuffer(buf, nd, shape);
      if (!ng) { drop(buf, n); oom = true; return; }
    } else {
      ng = newTensor(nd, shape, DType.Float32);
      if (!ng) { oom = true; return; }
      memory.copy(dataPtr(ng), buf, <usize>n << 2);
    }
    seti(h, E_GRAD, ng);
    return;
  }
  const node = <usize>nx;
  const p = <usize>nget(node, N_GRADP);
  if (p) {
    addInto(p, buf, n);
    if (owned) drop(buf, n);
  } else if (owned) {
    nset(node, N_GRADP, <i32>buf);
  } else {
    const c = tmp(n);
    if (!c) return;
    memory.copy(c, buf, <usize>n << 2);
    nset(node, N_GRADP, <i32>c);
  }
}

/**
 * Gives input i of `node` the contribution buf. `outShaped`: buf has the node's output shape and
 * is summed down to the input's shape first (undoing broadcasting); otherwise it already has the
 * input's shape. Ownership of an owned buf passes on.
 */
function give(node: usize, i: i32, buf: usize, owned: bool, outShaped: bool): void {
  const nx = nextOf(node, i);
  const ind = inNdim(node, i), ins = inShape(node, i);
  const n = numelOfShape(ind, ins);
  const bn = outShaped ? numelOfShape(outNdim(node), outShape(node)) : n;
  if (!buf) return;
  if (!nx) { if (owned) drop(buf, bn); return; }
  if (outShaped && !sameShape(outNdim(node), outShape(node), ind, ins)) {
    const r = tmp(n);
    if (!r) { if (owned) drop(buf, bn); return; }
    reduceSumKernel(r, buf, outNdim(node), outShape(node), sumToMask(outNdim(node), outShape(node), ind, ins));
    if (owned) drop(buf, bn);
    buf = r; owned = true;
  }
  deliver(nx, buf, n, owned, ind, ins);
}

/** out (output shape) = x (op) y with x, y read as broadcast from their input shapes. */
function bcast(op: i32, node: usize, x: usize, xi: i32, y: usize, yi: i32): usize {
  const ond = outNdim(node), os = outShape(node);
  const out = tmp(numelOfShape(ond, os));
  if (!out) return 0;
  if (xi < 0) contiguousStrides(st0, ond, os);
  else broadcastStrides(st0, ond, os, inNdim(node, xi), inShape(node, xi));
  if (yi < 0) contiguousStrides(st1, ond, os);
  else broadcastStrides(st1, ond, os, inNdim(node, yi), inShape(node, yi));
  binaryStrided(op, out, ond, os, x, st0, y, st1);
  return out;
}

/** A copy of saved input i broadcast to the node's output shape. */
function expandSaved(node: usize, i: i32): usize {
  const ond = outNdim(node), os = outShape(node);
  const out = tmp(numelOfShape(ond, os));
  if (!out) return 0;
  broadcastStrides(st0, ond, os, inNdim(node, i), inShape(node, i));
  stridedCopy(out, savedData(node, i), ond, os, st0);
  return out;
}

/** g (op) scalar, or scalar (op) g, over n values. */
function withScalar(op: i32, g: usize, s: f32, n: i32, scalarFirst: bool): usize {
  const out = tmp(n);
  if (!out) return 0;
  store<f32>(scalarSlot, s);
  if (scalarFirst) binaryKernel(op, out, scalarSlot, g, n, MODE_SV);
  else binaryKernel(op, out, g, scalarSlot, n, MODE_VS);
  return out;
}

function unaryRule(node: usize, u: i32, g: usize, n: i32, saved: bool): void {
  const out = tmp(n);
  if (!out) return;
  unaryBackwardKernel(u, out, g, saved ? savedData(node, 0) : g, n);
  give(node, 0, out, true, false);
}

/** The derivatives table: contributions of output grad g (output shape, n values) to each input. */
function rule(node: usize, g: usize, n: i32): void {
  const op = nget(node, N_OP);
  const has0 = nextOf(node, 0) != 0, has1 = nextOf(node, 1) != 0;
  const f0 = load<f32>(node + N_F0);
  switch (op) {
    case OpCode.Add: case OpCode.Sub: {
      if (has0) give(node, 0, g, false, true);
      if (has1) {
        if (op == OpCode.Add && f0 == 1) give(node, 1, g, false, true);
        else if (op == OpCode.Add) give(node, 1, withScalar(B_MUL, g, f0, n, false), true, true);
        else {
          // other: -grad * alpha
          const ng = tmp(n);
          if (!ng) break;
          for (let i = 0; i < n; i++) store<f32>(ng + f4(i), -load<f32>(g + f4(i)) * f0);
          give(node, 1, ng, true, true);
        }
      }
      break;
    }
    case OpCode.Mul: {
      if (has0) give(node, 0, bcast(B_MUL, node, g, -1, savedData(node, 1), 1), true, true);
      if (has1) give(node, 1, bcast(B_MUL, node, g, -1, savedData(node, 0), 0), true, true);
      break;
    }
    case OpCode.Div: {
      // self: grad / other; other: -grad * ((self / other) / other)
      if (has0) give(node, 0, bcast(B_DIV, node, g, -1, savedData(node, 1), 1), true, true);
      if (has1) {
        const t = bcast(B_DIV, node, savedData(node, 0), 0, savedData(node, 1), 1);
        if (!t) break;
        const t2 = bcast(B_DIV, node, t, -1, savedData(node, 1), 1);
        drop(t, n);
        if (!t2) break;
        for (let i = 0; i < n; i++) store<f32>(t2 + f4(i), -load<f32>(g + f4(i)) * load<f32>(t2 + f4(i)));
        give(node, 1, t2, true, true);
      }
      break;
    }
    case OpCode.Pow: {
      const a = expandSaved(node, 0), b = expandSaved(node, 1);
      if (!a || !b) { if (a) drop(a, n); if (b) drop(b, n); break; }
      if (has0) {
        // where(exponent == 0, 0, grad * (exponent * self^(exponent - 1)))
        const r = tmp(n);
        if (r) {
          for (let i = 0; i < n; i++) {
            const x = load<f32>(a + f4(i)), e = load<f32>(b + f4(i));
            store<f32>(r + f4(i), e == 0 ? 0 : load<f32>(g + f4(i)) * (e * powf(x, e - 1)));
          }
          give(node, 0, r, true, true);
        }
      }
      if (has1) {
        // where(self == 0 & exponent >= 0, 0, grad * (result * log(self)))
        const r = tmp(n);
        if (r) {
          for (let i = 0; i < n; i++) {
            const x = load<f32>(a + f4(i)), e = load<f32>(b + f4(i));
            store<f32>(r + f4(i), x == 0 && e >= 0 ? 0 : load<f32>(g + f4(i)) * (powf(x, e) * Mathf.log(x)));
          }
          give(node, 1, r, true, true);
        }
      }
      drop(a, n); drop(b, n);
      break;
    }
    case OpCode.AddScalar: case OpCode.SubScalar: give(node, 0, g, false, false); break;
    case OpCode.MulScalar: give(node, 0, withScalar(B_MUL, g, f0, n, false), true, false); break;
    case OpCode.DivScalar: give(node, 0, withScalar(B_DIV, g, f0, n, false), true, false); break;
    case OpCode.RSubScalar: unaryRule(node, U_NEG, g, n, false); break;
    case OpCode.PowScalar: {
      // exponent == 0: zeros; else grad * (exponent * self.pow(exponent - 1))
      const r = tmp(n);
      if (!r) break;
      if (f0 == 0) fillF32(r, 0, n);
      else {
        powScalarKernel(r, savedData(node, 0), f0 - 1, n);
        store<f32>(scalarSlot, f0);
        binaryKernel(B_MUL, r, scalarSlot, r, n, MODE_SV);
        binaryKernel(B_MUL, r, g, r, n, MODE_VV);
      }
      give(node, 0, r, true, false);
      break;
    }
    case OpCode.RPowScalar: {
      // base ** x: grad * where(base == 0 & x >= 0, 0, result * log(base))
      const r = tmp(n);
      if (!r) break;
      const x = savedData(node, 0);
      const lb = <f32>Math.log(<f64>f0);
      for (let i = 0; i < n; i++) {
        const e = load<f32>(x + f4(i));
        store<f32>(r + f4(i), f0 == 0 && e >= 0 ? 0 : load<f32>(g + f4(i)) * (powf(f0, e) * lb));
      }
      give(node, 0, r, true, false);
      break;
    }
    case OpCode.RDivScalar: {
      // torch computes s / x as reciprocal(x) * s: grad -> (-(grad * s)) * (1/x)^2
      const r = tmp(n);
      if (!r) break;
      const x = savedData(node, 0);
      for (let i = 0; i < n; i++) {
        const rc = <f32>1 / load<f32>(x + f4(i));
        store<f32>(r + f4(i), -(load<f32>(g + f4(i)) * f0) * (rc * rc));
      }
      give(node, 0, r, true, false);
      break;
    }
    case OpCode.Neg: unaryRule(node, U_NEG, g, n, false); break;
    case OpCode.Exp: unaryRule(node, U_EXP, g, n, true); break;
    case OpCode.Log: unaryRule(node, U_LOG, g, n, true); break;
    case OpCode.Sqrt: unaryRule(node, U_SQRT, g, n, true); break;
    case OpCode.Abs: unaryRule(node, U_ABS, g, n, true); break;
    case OpCode.Relu: unaryRule(node, U_RELU, g, n, true); break;
    case OpCode.Sigmoid: unaryRule(node, U_SIGMOID, g, n, true); break;
    case OpCode.Tanh: unaryRule(node, U_TANH, g, n, true); break;
    case OpCode.SumAll: case OpCode.MeanAll: case OpCode.SumDim: case OpCode.MeanDim: {
      const ind = inNdim(node, 0), ins = inShape(node, 0);
      const m = numelOfShape(ind, ins);
      const r = tmp(m);
      if (!r) break;
      const all = op == OpCode.SumAll || op == OpCode.MeanAll;
      const mask = all ? -1 : nget(node, N_I0);
      // read g as if expanded to the input shape: stride 0 on the reduced dims
      let s = 1, count = 1;
      for (let d = ind - 1; d >= 0; d--) {
        if ((mask >> d) & 1) { setDim(st0, d, 0); count *= dimAt(ins, d); }
        else { setDim(st0, d, s); s *= dimAt(ins, d); }
      }
      stridedCopy(r, g, ind, ins, st0);
      if (op == OpCode.MeanAll || op == OpCode.MeanDim) {
        store<f32>(scalarSlot, <f32>count);
        binaryKernel(B_DIV, r, r, scalarSlot, m, MODE_VS);
      }
      give(node, 0, r, true, false);
      break;
    }
    case OpCode.Mm: case OpCode.Mv: case OpCode.Vm: case OpCode.Dot: {
      matmulRule(node, op, g, has0, has1);
      break;
    }
    case OpCode.View: case OpCode.Unsqueeze: case OpCode.Squeeze: case OpCode.SqueezeDim: case OpCode.Clone:
    case OpCode.UnsafeView:
      give(node, 0, g, false, false); break;
    case OpCode.Transpose: case OpCode.T: {
      const ind = inNdim(node, 0), ins = inShape(node, 0);
      const r = tmp(n);
      if (!r) break;
      contiguousStrides(st1, outNdim(node), outShape(node));
      memory.copy(st0, st1, <usize>ind << 2);
      if (ind >= 2) {
        const d0 = nget(node, N_I0), d1 = nget(node, N_I1);
        setDim(st0, d0, dimAt(st1, d1)); setDim(st0, d1, dimAt(st1, d0));
      }
      stridedCopy(r, g, ind, ins, st0);
      give(node, 0, r, true, false);
      break;
    }
    case OpCode.Expand: give(node, 0, g, false, true); break;
    case OpCode.Copy: case OpCode.Fill: case OpCode.Zero: {
      // the overwritten input gets a zero gradient (as PyTorch: zeros, not nothing)
      if (has0) {
        const z = tmp(n);
        if (z) { fillF32(z, 0, n); give(node, 0, z, true, false); }
      }
      if (op == OpCode.Copy && has1) give(node, 1, g, false, true);
      break;
    }
    default: break;
  }
}

function matmulRule(node: usize, op: i32, g: usize, has0: bool, has1: bool): void {
  const a = savedData(node, 0), b = savedData(node, 1);
  const as = inShape(node, 0), bs = inShape(node, 1);
  if (op == OpCode.Mm) {
    const m = dimAt(as, 0), k = dimAt(as, 1), n = dimAt(bs, 1);
    if (has0) { // grad @ b^T
      const bt = tmp(k * n), r = tmp(m * k);
      if (bt && r) { transpose2d(bt, b, k, n); gemm(r, g, bt, m, n, k, false); give(node, 0, r, true, false); }
      else if (r) drop(r, m * k);
      if (bt) drop(bt, k * n);
    }
    if (has1) { // a^T @ grad
      const at = tmp(m * k), r = tmp(k * n);
      if (at && r) { transpose2d(at, a, m, k); gemm(r, at, g, k, m, n, false); give(node, 1, r, true, false); }
      else if (r) drop(r, k * n);
      if (at) drop(at, m * k);
    }
  } else if (op == OpCode.Mv) { // a[m,k] @ v[k]
    const m = dimAt(as, 0), k = dimAt(as, 1);
    if (has0) { const r = tmp(m * k); if (r) { gemm(r, g, b, m, 1, k, false); give(node, 0, r, true, false); } }
    if (has1) {
      const at = tmp(m * k), r = tmp(k);
      if (at && r) { transpose2d(at, a, m, k); gemm(r, at, g, k, m, 1, false); give(node, 1, r, true, false); }
      else if (r) drop(r, k);
      if (at) drop(at, m * k);
    }
  } else if (op == OpCode.Vm) { // v[k] @ b[k,n]
    const k = dimAt(bs, 0), n = dimAt(bs, 1);
    if (has0) {
      const bt = tmp(k * n), r = tmp(k);
      if (bt && r) { transpose2d(bt, b, k, n); gemm(r, g, bt, 1, n, k, false); give(node, 0, r, true, false); }
      else if (r) drop(r, k);
      if (bt) drop(bt, k * n);
    }
    if (has1) { const r = tmp(k * n); if (r) { gemm(r, a, g, k, 1, n, false); give(node, 1, r, true, false); } }
  } else { // dot: grad * other, grad * self
    const k = dimAt(as, 0);
    if (has0) give(node, 0, withScalar(B_MUL, b, load<f32>(g), k, true), true, false);
    if (has1) give(node, 1, withScalar(B_MUL, a, load<f32>(g), k, true), true, false);
  }
}

/** Adds the node's gradient into the .grad of the tensor that asked for retainGrad(). */
function retainInto(h: i32, node: usize, g: usize, n: i32): void {
  deliver((h << 1) | 1, g, n, false, outNdim(node), outShape(node));
}

function putShape(at: usize, nd: i32, shape: usize): void {
  store<i32>(errInfo + at, nd);
  memory.copy(errInfo + at + 4, shape, <usize>nd << 2);
}

/**
 * False (with errInfo set) if h already has a .grad whose shape is not `shape`: the tensor's
 * shape changed (`.data = ...`) since its .grad was made, and adding into it would be wrong.
 */
function gradFits(h: i32, nd: i32, shape: usize): bool {
  const g = geti(h, E_GRAD);
  if (!g || sameShape(ndimOf(g), shapePtr(g), nd, shape)) return true;
  store<i32>(errInfo, h);
  store<i32>(errInfo, g, 4);
  return false;
}

/**
 * Runs backward from `root` with the output gradient `gradH` (0: ones). `keepGraph`: keep saved
 * tensors for another backward. Returns a Status; all checks run before any gradient is written.
 */
export function backward(root: i32, gradH: i32, keepGraph: bool): i32 {
  oom = false;
  const rootNode = <usize>geti(root, E_NODE);
  let count = 0;
  if (rootNode && <usize>load<u32>(rootNode + N_OUT) != shapeRec(root)) {
    // `.data =` gave the output another shape after it was computed
    store<i32>(errInfo, nget(rootNode, N_OP));
    store<i32>(errInfo, 0, 76);
    putShape(4, ndimOf(root), shapePtr(root));
    putShape(40, outNdim(rootNode), outShape(rootNode));
    return Status.InvalidGradient;
  }
  if (rootNode) {
    epoch++;
    if (!listPush(0, rootNode)) return Status.OutOfMemory;
    nset(rootNode, N_EPOCH, epoch);
    count = 1;
    for (let i = 0; i < count; i++) {
      const node = listAt(i);
      const fl = nget(node, N_FLAGS);
      if ((fl & NF_RELEASED) && (fl & NF_HAS_SAVED)) {
        store<i32>(errInfo, nget(node, N_OP));
        return Status.FreedGraph;
      }
      const stale = staleSaved(node);
      if (stale >= 0) {
        store<i32>(errInfo, nget(node, N_OP));
        store<i32>(errInfo, stale, 4);
        store<i32>(errInfo, savedCurrentVersion(node, stale), 8);
        store<i32>(errInfo, savedVersion(node, stale), 12);
        return Status.VersionMismatch;
      }
      const keep = nget(node, N_RETAIN);
      if (keep && !gradFits(keep, outNdim(node), outShape(node))) return Status.GradShapeMismatch;
      for (let j = 0; j < 2; j++) {
        const nx = nextOf(node, j);
        if (nx & 1) {
          if (!gradFits(nx >>> 1, inNdim(node, j), inShape(node, j))) return Status.GradShapeMismatch;
          continue;
        }
        if (!nx) continue;
        // the input's shape when this op used it must be the producer's output shape (they differ
        // only if `.data =` reshaped the tensor in between); shapes are interned, so compare records
        if (load<u32>(node + N_IN + (<usize>j << 2)) != load<u32>(<usize>nx + N_OUT)) {
          store<i32>(errInfo, nget(node, N_OP));
          store<i32>(errInfo, j, 76);
          putShape(4, inNdim(node, j), inShape(node, j));
          putShape(40, outNdim(<usize>nx), outShape(<usize>nx));
          return Status.InvalidGradient;
        }
        if (nget(<usize>nx, N_EPOCH) == epoch) continue;
        nset(<usize>nx, N_EPOCH, epoch);
        if (!listPush(count++, <usize>nx)) return Status.OutOfMemory;
      }
    }
    sortBySeqDesc(count);
  }
  const n = numelOf(root);
  const g = tmp(n);
  if (!g) return Status.OutOfMemory;
  if (gradH) stridedCopy(g, dataPtr(gradH), ndimOf(gradH), shapePtr(gradH), stridesPtr(gradH));
  else fillF32(g, 1, n);
  if (!rootNode) {
    if (!gradFits(root, ndimOf(root), shapePtr(root))) { drop(g, n); return Status.GradShapeMismatch; }
    deliver((root << 1) | 1, g, n, true, ndimOf(root), shapePtr(root));
    return oom ? Status.OutOfMemory : Status.Ok;
  }
  nset(rootNode, N_GRADP, <i32>g);
  for (let i = 0; i < count; i++) {
    const node = listAt(i);
    const gp = <usize>nget(node, N_GRADP);
    if (gp) {
      const on = numelOfShape(outNdim(node), outShape(node));
      const keep = nget(node, N_RETAIN);
      if (keep) retainInto(keep, node, gp, on);
      rule(node, gp, on);
      drop(gp, on);
      nset(node, N_GRADP, 0);
    }
    if (!keepGraph) releaseSaved(node);
  }
  return oom ? Status.OutOfMemory : Status.Ok;
}
