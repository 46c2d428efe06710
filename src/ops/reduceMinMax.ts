// max/min (torch.max, torch.min: of everything, or along a dim as { values, indices }),
// argmax/argmin, all/any.

import { DType } from "../../assembly/abi.js";
import { Tensor } from "../tensor.js";
import { IndexError, ShapeError, formatShape } from "../errors.js";
import { W, h, dimMask, result, made, reclaim, asMethods } from "./util.js";
import { reducedShape } from "./reduce.js";
import { maximum, minimum } from "./binary.js";
import { broadcastShapes, normalizeDim } from "../shape.js";

declare module "../wasm/exports.js" {
  interface CoreExports {
    maxAllOp(a: number, isMin: number): number;
    maxDimOp(a: number, dim: number, keepdim: number, isMin: number): number;
    argOp(a: number, dim: number, keepdim: number, isMin: number): number;
    allAnyOp(a: number, mask: number, keepdim: number, any: number): number;
    secondResult(): number;
  }
}

/** Values and int32 indices of max/min along a dim (torch.return_types.max). */
export interface ValuesIndices { values: Tensor; indices: Tensor }

function keepOf(keepdim: unknown, op: string): boolean {
  if (keepdim === undefined || keepdim === null) return false;
  if (typeof keepdim !== "boolean") throw new IndexError(`${op}: keepdim must be a boolean, got ${typeof keepdim}`);
  return keepdim;
}

function checkDimSize(a: Tensor, d: number, op: string): void {
  if (a._shape.length && a._shape[d] === 0) {
    throw new IndexError(`${op}: expected reduction dim ${d} to have non-zero size (shape ${formatShape(a._shape)})`);
  }
}

function minMax(a: Tensor, dim: unknown, keepdimIn: unknown, isMin: boolean, op: string): Tensor | ValuesIndices {
  const ha = h(a, op);
  const m = isMin ? 1 : 0;
  if (dim === undefined || dim === null) {
    if (a.numel() === 0) {
      throw new ShapeError(`${op}: expected reduction dim to be specified for input.numel() == 0 (shape ${formatShape(a._shape)}); specify the reduction dim with the 'dim' argument`);
    }
    let out = W.maxAllOp(ha, m);
    if (out === 0 && reclaim()) out = W.maxAllOp(a._h, m);
    return made(out, [], a._dt, op);
  }
  const d = normalizeDim(dim, a._shape.length, op);
  const keepdim = keepOf(keepdimIn, op);
  checkDimSize(a, d, op);
  const shape = reducedShape(a._shape, a._shape.length ? 1 << d : 0, keepdim);
  const k = keepdim ? 1 : 0;
  let valuesOut = W.maxDimOp(ha, d, k, m);
  if (valuesOut === 0 && reclaim()) valuesOut = W.maxDimOp(a._h, d, k, m);
  const values = made(valuesOut, shape, a._dt, op);
  const indices = new Tensor(W.secondResult(), shape.slice(), DType.Int32);
  return { values, indices };
}

/**
 * Largest element (a 0-dim tensor), or along `dim` the largest values and their indices;
 * NaN propagates. `max(a, b)` with a tensor b is torch.maximum. Example: `x.max(1).indices`.
 */
export function max(a: Tensor): Tensor;
export function max(a: Tensor, other: Tensor): Tensor;
export function max(a: Tensor, dim: number, keepdim?: boolean): ValuesIndices;
export function max(a: Tensor, dim?: number | Tensor, keepdim?: boolean): Tensor | ValuesIndices {
  if (dim instanceof Tensor) return pairwise(a, dim, "max");
  return minMax(a, dim, keepdim, false, "max");
}
/** Smallest element, or along `dim` the smallest values and their indices (see max). */
export function min(a: Tensor): Tensor;
export function min(a: Tensor, other: Tensor): Tensor;
export function min(a: Tensor, dim: number, keepdim?: boolean): ValuesIndices;
export function min(a: Tensor, dim?: number | Tensor, keepdim?: boolean): Tensor | ValuesIndices {
  if (dim instanceof Tensor) return pairwise(a, dim, "min");
  return minMax(a, dim, keepdim, true, "min");
}

/** max(a, other) / min(a, other): torch.maximum / minimum, with errors that name max / min. */
function pairwise(a: Tensor, other: Tensor, op: "max" | "min"): Tensor {
  h(a, op); h(other, op);
  broadcastShapes(a._shape, other._shape, op);
  return op === "max" ? maximum(a, other) : minimum(a, other);
}

function arg(a: Tensor, dim: unknown, keepdimIn: unknown, isMin: boolean, op: string): Tensor {
  const ha = h(a, op);
  const keepdim = keepOf(keepdimIn, op);
  const m = isMin ? 1 : 0;
  if (dim === undefined || dim === null) {
    if (a.numel() === 0) throw new ShapeError(`${op}: expected reduction dim to be specified for input.numel() == 0 (shape ${formatShape(a._shape)})`);
    const k = keepdim ? 1 : 0, shape = keepdim ? a._shape.map(() => 1) : [];
    let out = W.argOp(ha, -1, k, m);
    if (out === 0 && reclaim()) out = W.argOp(a._h, -1, k, m);
    return made(out, shape, DType.Int32, op);
  }
  const d = normalizeDim(dim, a._shape.length, op);
  checkDimSize(a, d, op);
  const shape = reducedShape(a._shape, a._shape.length ? 1 << d : 0, keepdim);
  const k = keepdim ? 1 : 0;
  let out = W.argOp(ha, d, k, m);
  if (out === 0 && reclaim()) out = W.argOp(a._h, d, k, m);
  return made(out, shape, DType.Int32, op);
}

/** Index of the largest element (of the flattened tensor, or along `dim`), int32; NaN counts as largest. */
export function argmax(a: Tensor, dim?: number, keepdim?: boolean): Tensor { return arg(a, dim, keepdim, false, "argmax"); }
/** Index of the smallest element (of the flattened tensor, or along `dim`), int32. */
export function argmin(a: Tensor, dim?: number, keepdim?: boolean): Tensor { return arg(a, dim, keepdim, true, "argmin"); }

function allAny(a: Tensor, dim: unknown, keepdimIn: unknown, any: boolean, op: string): Tensor {
  const ha = h(a, op);
  const keepdim = keepOf(keepdimIn, op);
  const { mask } = dimMask(dim, a._shape.length, op);
  const shape = reducedShape(a._shape, mask, keepdim);
  const k = keepdim ? 1 : 0, y = any ? 1 : 0;
  let out = W.allAnyOp(ha, mask, k, y);
  if (out === 0 && reclaim()) out = W.allAnyOp(a._h, mask, k, y);
  return made(out, shape, DType.Bool, op);
}

/** Whether every element (over `dim`, if given) is non-zero; a bool tensor. */
export function all(a: Tensor, dim?: number | number[], keepdim?: boolean): Tensor { return allAny(a, dim, keepdim, false, "all"); }
/** Whether any element (over `dim`, if given) is non-zero; a bool tensor. */
export function any(a: Tensor, dim?: number | number[], keepdim?: boolean): Tensor { return allAny(a, dim, keepdim, true, "any"); }

declare module "../tensor.js" {
  interface Tensor {
    /** {@inheritDoc max} */
    max(): Tensor;
    /** {@inheritDoc max} */
    max(other: Tensor): Tensor;
    /** {@inheritDoc max} */
    max(dim: number, keepdim?: boolean): ValuesIndices;
    /** {@inheritDoc min} */
    min(): Tensor;
    /** {@inheritDoc min} */
    min(other: Tensor): Tensor;
    /** {@inheritDoc min} */
    min(dim: number, keepdim?: boolean): ValuesIndices;
    /** {@inheritDoc argmax} */
    argmax(dim?: number, keepdim?: boolean): Tensor;
    /** {@inheritDoc argmin} */
    argmin(dim?: number, keepdim?: boolean): Tensor;
    /** {@inheritDoc all} */
    all(dim?: number | number[], keepdim?: boolean): Tensor;
    /** {@inheritDoc any} */
    any(dim?: number | number[], keepdim?: boolean): Tensor;
  }
}

export const methods = asMethods({ max, min, argmax, argmin, all, any });
