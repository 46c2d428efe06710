// Reductions (torch.sum, mean, ...): over everything or over dims, with keepdim.

import { DType } from "../../assembly/abi.js";
import { Tensor } from "../tensor.js";
import { DTypeError } from "../errors.js";
import { DTYPE_NAMES, isFloat } from "../dtype.js";
import { W, h, dimMask, result, made, reclaim, asMethods } from "./util.js";

/** The shape left by reducing the dims in mask. */
export function reducedShape(shape: readonly number[], mask: number, keepdim: boolean): number[] {
  const out: number[] = [];
  for (let d = 0; d < shape.length; d++) {
    if (mask & (1 << d)) { if (keepdim) out.push(1); }
    else out.push(shape[d]);
  }
  return out;
}

function keepOf(keepdim: unknown, op: string): boolean {
  if (keepdim === undefined) return false;
  if (typeof keepdim !== "boolean") throw new DTypeError(`${op}: keepdim must be a boolean, got ${typeof keepdim}`);
  return keepdim;
}

function reduce(a: Tensor, dim: unknown, keepdimIn: unknown, mean: boolean, op: string, dtype?: DType): Tensor {
  const ha = h(a, op);
  const keepdim = keepOf(keepdimIn, op);
  const { mask, given } = dimMask(dim, a._shape.length, op);
  let dt = dtype ?? a._dt;
  if (mean && !isFloat(dt)) {
    throw new DTypeError(`mean: could not infer output dtype: input dtype must be floating point, got ${DTYPE_NAMES[a._dt]}; pass { dtype: "float32" } or convert with .float()`);
  }
  if (!mean && !isFloat(dt)) dt = DType.Int32; // torch sums integers and bools as int64; int32 here
  const shape = reducedShape(a._shape, mask, keepdim);
  const k = keepdim ? 1 : 0, m = mean ? 1 : 0, g = given ? 1 : 0;
  let out = W.sumOp(ha, mask, k, m, g, dt);
  if (out === 0 && reclaim()) out = W.sumOp(a._h, mask, k, m, g, dt);
  return made(out, shape, dt, op);
}

type Dim = number | number[] | null;
type ReduceOpts = { dtype?: "float32" | "float64" };
const optDtype = (o: ReduceOpts | undefined): DType | undefined =>
  o?.dtype === "float64" ? DType.Float64 : o?.dtype === "float32" ? DType.Float32 : undefined;

/** Sum of all elements, or over `dim` (a dim or a list), keeping reduced dims as 1 if keepdim. */
export function sum(a: Tensor, dim?: Dim, keepdim?: boolean, opts?: ReduceOpts): Tensor {
  return reduce(a, dim, keepdim, false, "sum", optDtype(opts));
}
/** Mean of all elements, or over `dim`, keeping reduced dims as 1 if keepdim (floating inputs). */
export function mean(a: Tensor, dim?: Dim, keepdim?: boolean, opts?: ReduceOpts): Tensor {
  return reduce(a, dim, keepdim, true, "mean", optDtype(opts));
}

declare module "../tensor.js" {
  interface Tensor {
    /** {@inheritDoc sum} */
    sum(dim?: Dim, keepdim?: boolean, opts?: ReduceOpts): Tensor;
    /** {@inheritDoc mean} */
    mean(dim?: Dim, keepdim?: boolean, opts?: ReduceOpts): Tensor;
  }
}

export const methods = asMethods({ sum, mean });
