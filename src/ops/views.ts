// Shape ops. view/transpose/t/unsqueeze/squeeze/expand/detach make new metadata over the same
// storage (views), so in-place writes through them reach the base, as in PyTorch.

import { Status } from "../../assembly/abi.js";
import { W } from "../wasm/load.js";
import { writeScratch } from "../wasm/memory.js";
import { Tensor, h, wrap } from "../tensor.js";
import { normalizeDim, inferShape, shapeArgs, checkShape, numelOf } from "../shape.js";
import { ShapeError, AutogradError, formatShape } from "../errors.js";
import { F_VIEW } from "../wasm/exports.js";

type ShapeArg = number | readonly number[];

export function dimIndex(a: Tensor, dim: number, op: string): number {
  return normalizeDim(dim, a.shape.length, op);
}

/** Same data with a new shape (one dim may be -1); the input must be contiguous (torch.view). */
export function view(a: Tensor, ...shapeIn: ShapeArg[]): Tensor {
  const ha = h(a, "view");
  const shape = inferShape(shapeArgs(shapeIn, "view", true), numelOf(a.shape), a.shape, "view");
  writeScratch(shape);
  const out = W.viewOp(ha, shape.length);
  if (out === Status.NotContiguous) {
    throw new ShapeError(`view: size is not compatible with input tensor's size and stride (shape ${formatShape(a.shape)} is not contiguous); use reshape() instead`);
  }
  return wrap(out, shape, a._dt, "view");
}

/** Same data with a new shape: a view when possible, else a copy (torch.reshape). */
export function reshape(a: Tensor, ...shapeIn: ShapeArg[]): Tensor {
  const ha = h(a, "reshape");
  const shape = inferShape(shapeArgs(shapeIn, "reshape", true), numelOf(a.shape), a.shape, "reshape");
  writeScratch(shape);
  return wrap(W.reshapeOp(ha, shape.length), shape, a._dt, "reshape");
}

/** Dims startDim..endDim merged into one (torch.flatten). */
export function flatten(a: Tensor, startDim = 0, endDim = -1): Tensor {
  h(a, "flatten");
  const nd = a.shape.length;
  if (nd === 0) return reshape(a, [1]);
  const s = normalizeDim(startDim, nd, "flatten"), e = normalizeDim(endDim, nd, "flatten");
  if (s > e) throw new ShapeError(`flatten: start_dim ${startDim} cannot come after end_dim ${endDim}`);
  const shape = [...a.shape.slice(0, s), numelOf(a.shape.slice(s, e + 1)), ...a.shape.slice(e + 1)];
  return reshape(a, shape);
}

/** Dims dim0 and dim1 swapped (a view). */
export function transpose(a: Tensor, dim0: number, dim1: number): Tensor {
  const ha = h(a, "transpose");
  const nd = a.shape.length;
  const d0 = normalizeDim(dim0, nd, "transpose"), d1 = normalizeDim(dim1, nd, "transpose");
  const shape = a.shape.slice();
  if (nd > 0) { shape[d0] = a.shape[d1]; shape[d1] = a.shape[d0]; }
  return wrap(W.transposeOp(ha, d0, d1, 0), shape, a._dt, "transpose");
}

/** Transpose of a tensor with at most 2 dims (torch.t). */
export function t(a: Tensor): Tensor {
  const ha = h(a, "t");
  const nd = a.shape.length;
  if (nd > 2) throw new ShapeError(`t: expects a tensor with <= 2 dimensions, but got shape ${formatShape(a.shape)} (${nd} dims); use transpose()`);
  const shape = nd === 2 ? [a.shape[1], a.shape[0]] : a.shape.slice();
  return wrap(W.transposeOp(ha, 0, nd === 2 ? 1 : 0, 1), shape, a._dt, "t");
}

/** A size-1 dim inserted at `dim` (a view). */
export function unsqueeze(a: Tensor, dim: number): Tensor {
  const ha = h(a, "unsqueeze");
  const nd = a.shape.length;
  const d = normalizeDim(dim, nd, "unsqueeze", 1);
  checkShape(new Array(nd + 1).fill(1), "unsqueeze");
  const shape = [...a.shape.slice(0, d), 1, ...a.shape.slice(d)];
  return wrap(W.unsqueezeOp(ha, d), shape, a._dt, "unsqueeze");
}

/** Size-1 dims removed: all of them, or only `dim` if it has size 1 (a view). */
export function squeeze(a: Tensor, dim?: number): Tensor {
  const ha = h(a, "squeeze");
  const nd = a.shape.length;
  if (dim === undefined || dim === null) {
    return wrap(W.squeezeOp(ha, -1), a.shape.filter((s) => s !== 1), a._dt, "squeeze");
  }
  const d = nd === 0 ? (normalizeDim(dim, 0, "squeeze"), 0) : normalizeDim(dim, nd, "squeeze");
  const shape = nd > 0 && a.shape[d] === 1 ? [...a.shape.slice(0, d), ...a.shape.slice(d + 1)] : a.shape.slice();
  return wrap(W.squeezeOp(ha, nd === 0 ? 0 : d), shape, a._dt, "squeeze");
}

/** Broadcast to a larger shape without copying (-1 keeps a dim; torch.expand). */
export function expand(a: Tensor, ...shapeIn: ShapeArg[]): Tensor {
  const ha = h(a, "expand");
  const target = shapeIn.length === 1 && Array.isArray(shapeIn[0]) ? (shapeIn[0] as number[]) : (shapeIn as number[]);
  const nd = target.length, na = a.shape.length;
  if (nd < na) {
    throw new ShapeError(`expand: the number of sizes provided (${nd}) must be greater or equal to the number of dimensions in the tensor (${na}): ${formatShape(a.shape)} to ${formatShape(target)}`);
  }
  const shape = new Array<number>(nd);
  for (let d = 0; d < nd; d++) {
    const ad = d - (nd - na);
    const want = target[d];
    if (ad < 0) {
      if (want === -1) throw new ShapeError(`expand: -1 is not allowed in a leading, non-existing dimension (dim ${d}) of ${formatShape(target)}`);
      shape[d] = want;
    } else {
      const have = a.shape[ad];
      shape[d] = want === -1 ? have : want;
      if (have !== 1 && shape[d] !== have) {
        throw new ShapeError(`expand: the expanded size of the tensor (${shape[d]}) must match the existing size (${have}) at non-singleton dimension ${d}: ${formatShape(a.shape)} to ${formatShape(target)}`);
      }
    }
  }
  checkShape(shape, "expand");
  writeScratch(shape);
  return wrap(W.expandOp(ha, nd), shape, a._dt, "expand");
}

/** This tensor if contiguous, else a contiguous copy (recorded as CloneBackward0). */
export function contiguous(a: Tensor): Tensor {
  const ha = h(a, "contiguous");
  return W.isContiguous(ha) ? a : clone(a);
}

/** A contiguous copy (torch.clone). */
export function clone(a: Tensor): Tensor {
  return wrap(W.cloneOp(h(a, "clone")), a.shape, a._dt, "clone");
}

/** A tensor sharing storage and the in-place version counter, with no history. */
export function detach(a: Tensor): Tensor {
  return wrap(W.detachOp(h(a, "detach"), 1), a.shape, a._dt, "detach");
}

/** Drops a's history in place: a becomes a leaf that does not require grad (torch's detach_). */
export function detachInPlace(a: Tensor): void {
  const ha = h(a, "detach_");
  if (W.flagsOf(ha) & F_VIEW) throw new AutogradError("detach_: can't detach views in-place; use detach() instead");
  W.detachInPlace(ha);
}
