// Views and shape ops (view, reshape, transpose, permute, expand, squeeze, ...). A view makes new
// metadata over the same storage, so in-place writes through it reach the base, as in PyTorch.

import { Status } from "../../assembly/abi.js";
import { writeScratch } from "../wasm/memory.js";
import { Tensor } from "../tensor.js";
import { normalizeDim, inferShape, shapeArgs, checkShape, numelOf } from "../shape.js";
import { ShapeError, AutogradError, DTypeError, formatShape } from "../errors.js";
import { F_VIEW } from "../wasm/exports.js";
import { W, h, result, describe, made, reclaim, asMethods } from "./util.js";

type ShapeArg = number | readonly number[];

export function dimIndex(a: Tensor, dim: number, op: string): number {
  return normalizeDim(dim, a._shape.length, op);
}

/** Same data with a new shape (one dim may be -1); the input must be contiguous (torch.view). */
export function view(a: Tensor, ...shapeIn: ShapeArg[]): Tensor {
  const ha = h(a, "view");
  const shape = inferShape(shapeArgs(shapeIn, "view", true), numelOf(a._shape), a._shape, "view");
  writeScratch(shape);
  let out = W.viewOp(ha, shape.length);
  if (out === 0 && reclaim()) { writeScratch(shape); out = W.viewOp(a._h, shape.length); }
  if (out === Status.NotContiguous) {
    throw new ShapeError(`view: size is not compatible with input tensor's size and stride (shape ${formatShape(a._shape)} is not contiguous); use reshape() instead`);
  }
  return made(out, shape, a._dt, "view");
}

/** Same data with a new shape: a view when possible, else a copy (torch.reshape). */
export function reshape(a: Tensor, ...shapeIn: ShapeArg[]): Tensor {
  const ha = h(a, "reshape");
  const shape = inferShape(shapeArgs(shapeIn, "reshape", true), numelOf(a._shape), a._shape, "reshape");
  writeScratch(shape);
  let out = W.reshapeOp(ha, shape.length);
  if (out === 0 && reclaim()) { writeScratch(shape); out = W.reshapeOp(a._h, shape.length); }
  return made(out, shape, a._dt, "reshape");
}

/** Dims startDim..endDim merged into one (torch.flatten). */
export function flatten(a: Tensor, startDim = 0, endDim = -1): Tensor {
  h(a, "flatten");
  const nd = a._shape.length;
  if (nd === 0) return reshape(a, [1]);
  const s = normalizeDim(startDim, nd, "flatten"), e = normalizeDim(endDim, nd, "flatten");
  if (s > e) throw new ShapeError(`flatten: start_dim ${startDim} cannot come after end_dim ${endDim}`);
  const shape = [...a._shape.slice(0, s), numelOf(a._shape.slice(s, e + 1)), ...a._shape.slice(e + 1)];
  return reshape(a, shape);
}

/** Dims dim0 and dim1 swapped (a view). */
export function transpose(a: Tensor, dim0: number, dim1: number): Tensor {
  const ha = h(a, "transpose");
  const nd = a._shape.length;
  const d0 = normalizeDim(dim0, nd, "transpose"), d1 = normalizeDim(dim1, nd, "transpose");
  const shape = a._shape.slice();
  if (nd > 0) { shape[d0] = a._shape[d1]; shape[d1] = a._shape[d0]; }
  let out = W.transposeOp(ha, d0, d1, 0);
  if (out === 0 && reclaim()) out = W.transposeOp(a._h, d0, d1, 0);
  return made(out, shape, a._dt, "transpose");
}

/** Transpose of a tensor with at most 2 dims (torch.t). */
export function t(a: Tensor): Tensor {
  const ha = h(a, "t");
  const nd = a._shape.length;
  if (nd > 2) throw new ShapeError(`t: expects a tensor with <= 2 dimensions, but got shape ${formatShape(a._shape)} (${nd} dims); use transpose()`);
  const shape = nd === 2 ? [a._shape[1], a._shape[0]] : a._shape.slice();
  const d1 = nd === 2 ? 1 : 0;
  let out = W.transposeOp(ha, 0, d1, 1);
  if (out === 0 && reclaim()) out = W.transposeOp(a._h, 0, d1, 1);
  return made(out, shape, a._dt, "t");
}

/** A size-1 dim inserted at `dim` (a view). */
export function unsqueeze(a: Tensor, dim: number): Tensor {
  const ha = h(a, "unsqueeze");
  const nd = a._shape.length;
  const d = normalizeDim(dim, nd, "unsqueeze", 1);
  checkShape(new Array(nd + 1).fill(1), "unsqueeze");
  const shape = [...a._shape.slice(0, d), 1, ...a._shape.slice(d)];
  let out = W.unsqueezeOp(ha, d);
  if (out === 0 && reclaim()) out = W.unsqueezeOp(a._h, d);
  return made(out, shape, a._dt, "unsqueeze");
}

/** Size-1 dims removed: all of them, or only `dim` if it has size 1 (a view). */
export function squeeze(a: Tensor, dim?: number): Tensor {
  const ha = h(a, "squeeze");
  const nd = a._shape.length;
  if (dim === undefined || dim === null) {
    let out = W.squeezeOp(ha, -1);
    if (out === 0 && reclaim()) out = W.squeezeOp(a._h, -1);
    return made(out, a._shape.filter((s) => s !== 1), a._dt, "squeeze");
  }
  const d = nd === 0 ? (normalizeDim(dim, 0, "squeeze"), 0) : normalizeDim(dim, nd, "squeeze");
  const shape = nd > 0 && a._shape[d] === 1 ? [...a._shape.slice(0, d), ...a._shape.slice(d + 1)] : a._shape.slice();
  const sd = nd === 0 ? 0 : d;
  let out = W.squeezeOp(ha, sd);
  if (out === 0 && reclaim()) out = W.squeezeOp(a._h, sd);
  return made(out, shape, a._dt, "squeeze");
}

/** Broadcast to a larger shape without copying (-1 keeps a dim; torch.expand). */
export function expand(a: Tensor, ...shapeIn: ShapeArg[]): Tensor {
  const ha = h(a, "expand");
  return expandTo(a, ha, shapeArgs(shapeIn, "expand", true), "expand");
}

/** a broadcast to `target` (-1 keeps a size); errors name `op`. */
function expandTo(a: Tensor, ha: number, target: number[], op: string): Tensor {
  const nd = target.length, na = a._shape.length;
  if (nd < na) {
    throw new ShapeError(`${op}: the number of sizes provided (${nd}) must be greater or equal to the number of dimensions in the tensor (${na}): ${formatShape(a._shape)} to ${formatShape(target)}`);
  }
  const shape = new Array<number>(nd);
  for (let d = 0; d < nd; d++) {
    const ad = d - (nd - na);
    const want = target[d];
    if (ad < 0) {
      if (want === -1) throw new ShapeError(`${op}: -1 is not allowed in a leading, non-existing dimension (dim ${d}) of ${formatShape(target)}`);
      shape[d] = want;
    } else {
      const have = a._shape[ad];
      shape[d] = want === -1 ? have : want;
      if (have !== 1 && shape[d] !== have) {
        throw new ShapeError(`${op}: the expanded size of the tensor (${shape[d]}) must match the existing size (${have}) at non-singleton dimension ${d}: ${formatShape(a._shape)} to ${formatShape(target)}`);
      }
    }
  }
  checkShape(shape, op);
  writeScratch(shape);
  let out = W.expandOp(ha, nd);
  if (out === 0 && reclaim()) { writeScratch(shape); out = W.expandOp(a._h, nd); }
  return made(out, shape, a._dt, op);
}

/** This tensor if contiguous, else a contiguous copy (recorded as CloneBackward0). */
export function contiguous(a: Tensor): Tensor {
  const ha = h(a, "contiguous");
  return W.isContiguous(ha) ? a : clone(a);
}

/** A contiguous copy (torch.clone). */
export function clone(a: Tensor): Tensor {
  return result(W.cloneOp(h(a, "clone")), () => W.cloneOp(a._h), a._shape, a._dt, "clone");
}

/** A tensor sharing storage and the in-place version counter, with no history. */
export function detach(a: Tensor): Tensor {
  return result(W.detachOp(h(a, "detach"), 1), () => W.detachOp(a._h, 1), a._shape, a._dt, "detach");
}

/** Drops a's history in place: a becomes a leaf that does not require grad (torch's detach_). */
export function detachInPlace(a: Tensor): void {
  const ha = h(a, "detach_");
  if (W.flagsOf(ha) & F_VIEW) throw new AutogradError("detach_: can't detach views in-place; use detach() instead");
  W.detachInPlace(ha);
}

/** Dims reordered: dim d of the result is dim dims[d] of a (a view; torch.permute). */
export function permute(a: Tensor, ...dimsIn: ShapeArg[]): Tensor {
  return permuteAs(a, dimsIn, "permute");
}

/** permute whose errors name `op` (permute, or the T getter). */
function permuteAs(a: Tensor, dimsIn: ShapeArg[], op: string): Tensor {
  const ha = h(a, op);
  const nd = a._shape.length;
  const dims = shapeArgs(dimsIn, op, true);
  if (dims.length !== nd) {
    throw new ShapeError(`${op}: number of dims don't match: the tensor has ${nd} dims (shape ${formatShape(a._shape)}) but ${dims.length} were given`);
  }
  const perm = dims.map((d) => normalizeDim(d, nd, op));
  if (new Set(perm).size !== nd) throw new ShapeError(`${op}: repeated dim in ${formatShape(dims)}`);
  const shape = perm.map((d) => a._shape[d]);
  writeScratch(perm);
  return result(W.permuteOp(ha), () => (writeScratch(perm), W.permuteOp(a._h)), shape, a._dt, op);
}

/** Broadcast to other's shape (a view; torch.expand_as). */
export function expandAs(a: Tensor, other: Tensor): Tensor {
  h(a, "expandAs");
  if (!(other instanceof Tensor)) throw new DTypeError(`expandAs: expected a Tensor, got ${describe(other)}`);
  h(other, "expandAs");
  return expandTo(a, h(a, "expandAs"), other._shape.slice(), "expandAs");
}

declare module "../tensor.js" {
  interface Tensor {
    /** {@inheritDoc view} */
    view(...shape: ShapeArg[]): Tensor;
    /** {@inheritDoc reshape} */
    reshape(...shape: ShapeArg[]): Tensor;
    /** {@inheritDoc flatten} */
    flatten(startDim?: number, endDim?: number): Tensor;
    /** {@inheritDoc transpose} */
    transpose(dim0: number, dim1: number): Tensor;
    /** {@inheritDoc t} */
    t(): Tensor;
    /** The transpose (dims reversed), as torch's .T. */
    readonly T: Tensor;
    /** {@inheritDoc permute} */
    permute(...dims: ShapeArg[]): Tensor;
    /** {@inheritDoc unsqueeze} */
    unsqueeze(dim: number): Tensor;
    /** {@inheritDoc squeeze} */
    squeeze(dim?: number): Tensor;
    /** {@inheritDoc expand} */
    expand(...shape: ShapeArg[]): Tensor;
    /** {@inheritDoc expandAs} */
    expandAs(other: Tensor): Tensor;
    /** {@inheritDoc contiguous} */
    contiguous(): Tensor;
    /** {@inheritDoc clone} */
    clone(): Tensor;
    /** A tensor sharing storage (and in-place version counter) with no history. */
    detach(): Tensor;
    /** Drops this tensor's history in place and makes it a leaf that does not require grad. */
    detach_(): this;
    /** The shape, or the size of one dim (negative dims count from the end). */
    size(): number[];
    /** The size of one dim (negative dims count from the end), as `torch.Tensor.size(dim)`. */
    size(dim: number): number;
  }
}

export const methods = {
  ...asMethods({ view, reshape, flatten, transpose, t, permute, unsqueeze, squeeze, expand, expandAs, contiguous, clone, detach }),
  detach_(this: Tensor) { detachInPlace(this); return this; },
  size(this: Tensor, dim?: number): number[] | number {
    h(this, "size");
    if (dim === undefined) return this._shape.slice();
    return this._shape[normalizeDim(dim, this._shape.length, "size")];
  },
};

/** Getters installed beside the methods. */
export const getters = {
  T(this: Tensor): Tensor {
    h(this, "T");
    const nd = this._shape.length;
    return nd < 2 ? this : permuteAs(this, [Array.from({ length: nd }, (_, i) => nd - 1 - i)], "T");
  },
};
