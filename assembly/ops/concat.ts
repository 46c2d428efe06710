// cat and stack: nodes with one input per tensor. Each input is copied into its window of the
// output (converted to the output's dtype); the rules hand each input its window of the
// gradient as a view (narrow for cat, select for stack).

import { OpCode, MAX_DIMS } from "../abi";
import { dataPtr, ndimOf, dimOf, shapePtr, stridesPtr, dtypeOf, newTensor, elemShift, requiresGrad } from "../tensor";
import { newNode, attach, setAttrI, attrI, numInputs, inShapeRec, isGradEnabled } from "../autograd/tape";
import { copyStrided, contiguousStridesInto } from "../kernels/layout";
import { failed, setDim, dimAt, scratch, fullOfRec, recNdim, recDims } from "./common";
import { give, needs } from "../autograd/backward";
import { sliceAs, selectAs } from "./slice";

/** Most tensors one node takes (its input count is kept in 8 bits); the facade groups longer lists. */
export const MAX_INPUTS = 255;

// @ts-ignore: decorator
@lazy const hs: usize = memory.data(256 * 4, 16);
// @ts-ignore: decorator
@lazy const oShape: usize = memory.data(MAX_DIMS * 4, 16);
// @ts-ignore: decorator
@lazy const oStrides: usize = memory.data(MAX_DIMS * 4, 16);

// @ts-ignore: decorator
@inline function handle(i: i32): i32 { return load<i32>(hs + (<usize>i << 2)); }

/** torch.cat's legacy rule: a 1-d tensor with no elements is skipped whatever the other shapes. */
// @ts-ignore: decorator
@inline function skipped(nd: i32, first: i32): bool { return nd == 1 && first == 0; }

/** Records `op` over the n inputs in hs when one of them requires grad; false when out of memory. */
function recordN(op: i32, out: i32, n: i32, dim: i32): bool {
  if (!isGradEnabled()) return true;
  let any = false;
  for (let i = 0; i < n; i++) if (requiresGrad(handle(i))) { any = true; break; }
  if (!any) return true;
  const node = newNode(op, n, hs, 0, 0, 1);
  if (!node) return false;
  setAttrI(node, 0, dim);
  attach(node, out);
  return true;
}

/** torch.cat of the n (<= MAX_INPUTS) tensors whose handles are in scratch, along dim, in dtype dt. */
export function catOp(n: i32, dim: i32, dt: i32): i32 {
  memory.copy(hs, scratch, <usize>n << 2);
  let ref = 0;
  for (let i = 0; i < n; i++) {
    const h = handle(i);
    if (!h) return 0;
    if (!ref && !skipped(ndimOf(h), dimOf(h, 0))) ref = h;
  }
  let nd = 1;
  if (!ref) setDim(oShape, 0, 0);
  else {
    nd = ndimOf(ref);
    memory.copy(oShape, shapePtr(ref), <usize>nd << 2);
    let total = 0;
    for (let i = 0; i < n; i++) {
      const h = handle(i);
      if (!skipped(ndimOf(h), dimOf(h, 0))) total += dimOf(h, dim);
    }
    setDim(oShape, dim, total);
  }
  const out = newTensor(nd, oShape, dt);
  if (!out) return 0;
  contiguousStridesInto(oStrides, nd, oShape);
  const sd = dimAt(oStrides, dim), sh = elemShift(dt);
  let off = 0;
  for (let i = 0; i < n; i++) {
    const h = handle(i);
    if (!ref || skipped(ndimOf(h), dimOf(h, 0))) continue;
    const len = dimOf(h, dim);
    if (len > 0) {
      copyStrided(dataPtr(out) + (<usize>(off * sd) << sh), dt, oStrides, dataPtr(h), dtypeOf(h), stridesPtr(h), nd, shapePtr(h));
    }
    off += len;
  }
  if (!recordN(OpCode.Cat, out, n, dim)) return failed(out);
  return out;
}

/** torch.stack of the n (<= MAX_INPUTS) same-shaped tensors in scratch along a new dim, in dtype dt. */
export function stackOp(n: i32, dim: i32, dt: i32): i32 {
  memory.copy(hs, scratch, <usize>n << 2);
  for (let i = 0; i < n; i++) if (!handle(i)) return 0;
  const ref = handle(0), nd = ndimOf(ref);
  let j = 0;
  for (let d = 0; d <= nd; d++) setDim(oShape, d, d == dim ? n : dimOf(ref, j++));
  const out = newTensor(nd + 1, oShape, dt);
  if (!out) return 0;
  contiguousStridesInto(oStrides, nd + 1, oShape);
  const sd = dimAt(oStrides, dim), sh = elemShift(dt);
  for (let d = dim; d < nd; d++) setDim(oStrides, d, dimAt(oStrides, d + 1));
  for (let i = 0; i < n; i++) {
    const h = handle(i);
    copyStrided(dataPtr(out) + (<usize>(i * sd) << sh), dt, oStrides, dataPtr(h), dtypeOf(h), stridesPtr(h), nd, shapePtr(h));
  }
  if (!recordN(OpCode.Stack, out, n, dim)) return failed(out);
  return out;
}

/** Rules of cat and stack; false if `op` is neither. */
export function concatRule(node: usize, op: i32, g: i32): bool {
  const n = numInputs(node), dim = attrI(node, 0);
  if (op == OpCode.Stack) {
    for (let i = 0; i < n; i++) if (needs(node, i)) give(node, i, selectAs(g, dim, i, OpCode.Select));
    return true;
  }
  if (op != OpCode.Cat) return false;
  let off = 0;
  for (let i = 0; i < n; i++) {
    const rec = inShapeRec(node, i);
    const nd = recNdim(rec);
    if (skipped(nd, nd ? dimAt(recDims(rec), 0) : 1) && ndimOf(g) != 1) {
      if (needs(node, i)) give(node, i, fullOfRec(rec, dtypeOf(g), 0));
      continue;
    }
    const len = dimAt(recDims(rec), dim);
    if (needs(node, i)) give(node, i, sliceAs(g, dim, off, len, 1, OpCode.Slice));
    off += len;
  }
  return true;
}
