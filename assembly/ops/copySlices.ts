// In-place writes through views (PyTorch's CopySlices and rebase_history). A view knows its base
// (autograd/views.ts). An in-place op on a view records its node `fn` as usual, but the history
// goes to the base: a CopySlices node holding the base's old history (input 0), fn's other inputs,
// fn itself and the view's geometry. Its rule: the view's window of the base's gradient goes
// through fn's rule; fn's gradient for the view is written back into that window; the rest of the
// base's gradient passes unchanged (like torch's, the node drops fn after a backward, so a second
// backward through it fails even with nothing saved). After an in-place write to a base (directly
// or through a view), its views get a new history from it (AsStridedBackward0) when next used, as
// PyTorch regenerates a view's grad_fn when its version changed. The window ops (asStrided: read a
// window; asStridedScatter: replace one) are ops with rules, so the rule records under createGraph.
//
// Geometry: offset, ndim, sizes, strides of the view in elements of the base read in row-major
// order (the base is contiguous; otherwise writes through its views are not recorded this way).

import { OpCode, Status, MAX_DIMS } from "../abi";
import {
  dataPtr, dtypeOf, ndimOf, numelOf, dimOf, strideOf, newTensor, newTensorLike, release, geti, isContiguous,
  elemShift, requiresGrad, flagsOf, setFlags, E_OFFSET, E_STORAGE, E_NODE, F_REQUIRES_GRAD,
} from "../tensor";
import {
  record, newNode, attach, setAttrI, attrIPtr, innerNode, copyInput, captureInput, linkInput, numInputs,
  nextOf, inShapeRec, markSaved, nodeRelease, shouldRecord,
} from "../autograd/tape";
import { copyStrided } from "../kernels/layout";
import { asDtype, dropAs, failed, fullOfRec, readStrides } from "./common";
import { give, needs, failWith, takeCaptured } from "../autograd/backward";
import { runRule } from "../autograd/rules";
import { baseOf, staleBase, markFresh, viewsRequireGrad } from "../autograd/views";

const GEO_BYTES: i32 = (2 + 2 * MAX_DIMS) * 4;
// @ts-ignore: decorator
@lazy const geo: usize = memory.data(GEO_BYTES, 16);
// @ts-ignore: decorator
@lazy const geoW: usize = memory.data(GEO_BYTES, 16);
// @ts-ignore: decorator
@lazy const rs: usize = memory.data(MAX_DIMS * 4, 16);
// @ts-ignore: decorator
@lazy const noIns: usize = memory.data(16, 16);

// @ts-ignore: decorator
@inline function geoInts(gp: usize): i32 { return 2 + 2 * load<i32>(gp, 4); }

/**
 * Writes v's geometry relative to base b at out. False when v is not a window into b's elements
 * (another storage after `.data =`, a base that is not contiguous, negative strides).
 */
function geometry(v: i32, b: i32, out: usize): bool {
  if (geti(v, E_STORAGE) != geti(b, E_STORAGE) || !isContiguous(b) || dtypeOf(v) != dtypeOf(b)) return false;
  const nd = ndimOf(v), off = geti(v, E_OFFSET) - geti(b, E_OFFSET);
  store<i32>(out, off);
  store<i32>(out, nd, 4);
  let hi: i64 = off, empty = false;
  for (let d = 0; d < nd; d++) {
    const size = dimOf(v, d), st = strideOf(v, d);
    store<i32>(out + 8 + (<usize>d << 2), size);
    store<i32>(out + 8 + (<usize>(nd + d) << 2), st);
    if (size == 0) empty = true;
    else if (size > 1) {
      if (st < 0) return false;
      hi += <i64>(size - 1) * st;
    }
  }
  return empty || (off >= 0 && hi < <i64>numelOf(b));
}

function setGeo(node: usize, first: i32, gp: usize): void {
  const n = geoInts(gp);
  for (let i = 0; i < n; i++) setAttrI(node, first + i, load<i32>(gp + (<usize>i << 2)));
}

/** The window of x (row-major elements) given by the geometry at gp, as a contiguous tensor. */
export function asStridedAt(x: i32, gp: usize): i32 {
  if (!x) return 0;
  const nd = load<i32>(gp, 4), sizes = gp + 8, strides = sizes + (<usize>nd << 2);
  const dt = dtypeOf(x);
  const out = newTensor(nd, sizes, dt);
  if (!out) return 0;
  const px = asDtype(x, dt);
  if (!px) return failed(out);
  copyStrided(dataPtr(out), dt, 0, px + (<usize>load<i32>(gp) << elemShift(dt)), dt, strides, nd, sizes);
  dropAs(x, dt, px);
  if (shouldRecord(x, 0)) {
    const node = record(OpCode.AsStrided, out, x, 0, 0, 0, geoInts(gp));
    if (!node) return failed(out);
    setGeo(node, 0, gp);
  }
  return out;
}

/** A contiguous copy of x with the window at gp replaced by src (broadcast to the window's sizes). */
export function asStridedScatterAt(x: i32, src: i32, gp: usize): i32 {
  if (!x || !src) return 0;
  const nd = load<i32>(gp, 4), sizes = gp + 8, strides = sizes + (<usize>nd << 2);
  const dt = dtypeOf(x);
  const out = newTensorLike(x, dt);
  if (!out) return 0;
  const px = asDtype(x, dt);
  if (!px) return failed(out);
  memory.copy(dataPtr(out), px, <usize>numelOf(x) << elemShift(dt));
  dropAs(x, dt, px);
  readStrides(rs, src, nd, sizes);
  copyStrided(dataPtr(out) + (<usize>load<i32>(gp) << elemShift(dt)), dt, strides, dataPtr(src), dtypeOf(src), rs, nd, sizes);
  if (shouldRecord(x, src)) {
    const node = record(OpCode.AsStridedScatter, out, x, src, 0, 0, geoInts(gp));
    if (!node) return failed(out);
    setGeo(node, 0, gp);
  }
  return out;
}

/** x's window at gp replaced by zeros of shape record rec; x is not released. */
function zeroWindow(x: i32, rec: usize, gp: usize): i32 {
  const z = fullOfRec(rec, dtypeOf(x), 0);
  const r = asStridedScatterAt(x, z, gp);
  release(z);
  return r;
}

// ---- recording an in-place write ---------------------------------------------------------

// @ts-ignore: decorator
@lazy let pendingCs: usize = 0;

/** The base an in-place write through view h would give its history to (h a window into it), or 0. */
export function inplaceBase(h: i32): i32 {
  const b = baseOf(h);
  return b && geometry(h, b, geo) ? b : 0;
}

/**
 * Allocates, before an in-place op on `self` writes, the CopySlices node its recording needs when
 * self is a window into a listed base. False when out of memory (nothing changed; the caller
 * frees fn).
 */
export function prepareInplace(fn: usize, self: i32): bool {
  pendingCs = 0;
  const base = inplaceBase(self);
  if (!base) return true;
  const nIn = numInputs(fn);
  memory.fill(noIns, 0, 16);
  const cs = newNode(OpCode.CopySlices, nIn, noIns, 0, 0, 1 + geoInts(geo));
  if (!cs) return false;
  setGeo(cs, 1, geo);
  linkInput(cs, 0, base);
  for (let i = 1; i < nIn; i++) copyInput(cs, i, fn, i);
  markSaved(cs); // as torch's, the node lets its op go after a backward: a second one through it fails
  pendingCs = cs;
  return true;
}

/**
 * Records the in-place op `fn` on self (after the write): on self, or inside the CopySlices node
 * prepareInplace made, on the base. The views of the tensor that got the history take their new
 * one when next used (freshen); if it did not require grad before, they do now.
 */
export function commitInplace(fn: usize, self: i32): void {
  const cs = pendingCs;
  pendingCs = 0;
  const target = cs ? baseOf(self) : self;
  const had = requiresGrad(target);
  if (cs) {
    setAttrI(cs, 0, <i32>fn); // cs owns fn now
    // fn's gradient for the view comes back to cs's rule instead of going to the view's old history
    captureInput(fn, 0, nextOf(cs, 0) != 0);
    attach(cs, target);
  } else attach(fn, self);
  if (!had) viewsRequireGrad(target);
}

/**
 * Brings view h's history up to date when its base was written in place since it was made (or
 * last brought up to date): an AsStridedBackward0 node from the base's history, as PyTorch
 * regenerates a view's grad_fn. Called before h's node is read. False when out of memory.
 */
export function freshen(h: i32): bool {
  const base = staleBase(h);
  if (!base) return true;
  if (!requiresGrad(base)) { markFresh(h); return true; }
  if (!geometry(h, base, geoW)) {
    // no longer a window into the base (its .data was replaced): it keeps what it had
    if (!geti(h, E_NODE)) setFlags(h, flagsOf(h) & ~F_REQUIRES_GRAD);
    markFresh(h);
    return true;
  }
  store<i32>(noIns, base);
  const node = newNode(OpCode.AsStrided, 1, noIns, 0, 0, geoInts(geoW));
  if (!node) return false;
  setGeo(node, 0, geoW);
  attach(node, h);
  markFresh(h);
  return true;
}

// ---- rules -------------------------------------------------------------------------------------

/** Rules of the window ops and CopySlices; false if `op` is not one of them. */
export function stridedRule(node: usize, op: i32, g: i32): bool {
  if (op == OpCode.AsStrided) {
    const z = fullOfRec(inShapeRec(node, 0), dtypeOf(g), 0);
    give(node, 0, asStridedScatterAt(z, g, attrIPtr(node)));
    release(z);
    return true;
  }
  if (op == OpCode.AsStridedScatter) {
    const gp = attrIPtr(node);
    if (needs(node, 0)) give(node, 0, zeroWindow(g, inShapeRec(node, 1), gp));
    if (needs(node, 1)) give(node, 1, asStridedAt(g, gp));
    return true;
  }
  if (op != OpCode.CopySlices) return false;
  const fn = innerNode(node), gp = attrIPtr(node) + 4;
  const window = asStridedAt(g, gp);
  if (!window) { failWith(Status.OutOfMemory); return true; }
  release(takeCaptured());
  const st = runRule(fn, window);
  release(window);
  const res = takeCaptured();
  if (st != Status.Ok) { release(res); failWith(st); return true; }
  if (needs(node, 0)) give(node, 0, res ? asStridedScatterAt(g, res, gp) : zeroWindow(g, inShapeRec(fn, 0), gp));
  release(res);
  return true;
}
