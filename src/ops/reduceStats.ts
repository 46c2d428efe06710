// prod, var, std, norm and logsumexp (torch.prod, var, std, norm, logsumexp).

import { DType } from "../../assembly/abi.js";
import { Tensor } from "../tensor.js";
import { DTypeError, IndexError } from "../errors.js";
import { DTYPE_NAMES, isFloat, safeString } from "../dtype.js";
import { W, h, dimMask, result, made, reclaim, asMethods } from "./util.js";
import { reducedShape } from "./reduce.js";
import { to } from "./convert.js";

declare module "../wasm/exports.js" {
  interface CoreExports {
    prodOp(a: number, mask: number, keepdim: number, dimGiven: number, dt: number): number;
    varOp(a: number, mask: number, keepdim: number, correction: number, isStd: number, dimGiven: number): number;
    normOp(a: number, p: number, mask: number, keepdim: number, dimGiven: number): number;
    logsumexpOp(a: number, mask: number, keepdim: number): number;
  }
}

type Dim = number | number[] | null;

function keepOf(keepdim: unknown, op: string): boolean {
  if (keepdim === undefined || keepdim === null) return false;
  if (typeof keepdim !== "boolean") throw new IndexError(`${op}: keepdim must be a boolean, got ${safeString(keepdim)}`);
  return keepdim;
}

function floatOnly(a: Tensor, op: string, what: string): void {
  if (!isFloat(a._dt)) throw new DTypeError(`${op}: ${what}, got ${DTYPE_NAMES[a._dt]}; convert it with .float()`);
}

/**
 * Product of all elements, or over `dim`, keeping reduced dims as 1 if keepdim. Integer and bool
 * inputs give int32 (torch: int64). Example: `wg.tensor([2, 3]).prod()` → 6.
 */
export function prod(a: Tensor, dim?: Dim, keepdim?: boolean, opts?: { dtype?: "float32" | "float64" }): Tensor {
  const ha = h(a, "prod");
  const keep = keepOf(keepdim, "prod");
  const { mask, given } = dimMask(dim, a._shape.length, "prod");
  let dt = opts?.dtype === "float64" ? DType.Float64 : opts?.dtype === "float32" ? DType.Float32 : a._dt;
  if (!isFloat(dt)) dt = DType.Int32;
  let src = a, hs = ha;
  if (dt !== a._dt && isFloat(dt)) { src = to(a, DTYPE_NAMES[dt], "prod"); hs = src._h; }
  const k = keep ? 1 : 0, g = given ? 1 : 0;
  const shape = reducedShape(a._shape, mask, keep);
  let out = W.prodOp(hs, mask, k, g, dt);
  if (out === 0 && reclaim()) out = W.prodOp(src._h, mask, k, g, dt);
  return made(out, shape, dt, "prod");
}

/** Options of var/std: Bessel's correction (default 1: unbiased) and keepdim. */
export interface VarOptions { correction?: number; unbiased?: boolean; keepdim?: boolean }

function varStd(a: Tensor, dim: Dim | undefined, opts: VarOptions | boolean | undefined, keepdimArg: unknown, isStd: boolean): Tensor {
  const op = isStd ? "std" : "var";
  const ha = h(a, op);
  floatOnly(a, op, "std and var only support floating point dtypes");
  let correction = 1, keep = keepOf(keepdimArg, op);
  if (typeof opts === "boolean") correction = opts ? 1 : 0;
  else if (opts !== undefined && opts !== null) {
    if (typeof opts !== "object") throw new DTypeError(`${op}: options must be an object { correction?, keepdim? }, got ${safeString(opts)}`);
    if (opts.unbiased !== undefined) correction = opts.unbiased ? 1 : 0;
    if (opts.correction !== undefined) {
      if (typeof opts.correction !== "number" || !Number.isFinite(opts.correction)) {
        throw new DTypeError(`${op}: correction must be a finite number, got ${safeString(opts.correction)}`);
      }
      correction = opts.correction;
    }
    if (opts.keepdim !== undefined) keep = keepOf(opts.keepdim, op);
  }
  const { mask, given } = dimMask(dim, a._shape.length, op);
  const shape = reducedShape(a._shape, mask, keep);
  const k = keep ? 1 : 0, s = isStd ? 1 : 0, g = given ? 1 : 0;
  let out = W.varOp(ha, mask, k, correction, s, g);
  if (out === 0 && reclaim()) out = W.varOp(a._h, mask, k, correction, s, g);
  return made(out, shape, a._dt, op);
}

/**
 * Variance over `dim` (all elements if omitted) with `correction` (default 1, unbiased), as
 * torch.var(x, dim, correction=, keepdim=). Example: `x.var(1, { correction: 0, keepdim: true })`.
 */
export function variance(a: Tensor, dim?: Dim, opts?: VarOptions | boolean, keepdim?: boolean): Tensor {
  return varStd(a, dim, opts, keepdim, false);
}
/** Standard deviation over `dim` with `correction` (default 1), as torch.std. */
export function std(a: Tensor, dim?: Dim, opts?: VarOptions | boolean, keepdim?: boolean): Tensor {
  return varStd(a, dim, opts, keepdim, true);
}

/**
 * The p-norm (default 2; also 1, 0, Infinity, -Infinity and any other number; "fro" = 2) of all
 * elements or over `dim`. Example: `x.norm(1, 0)`.
 */
export function norm(a: Tensor, p: number | "fro" = 2, dim?: Dim, keepdim?: boolean): Tensor {
  const ha = h(a, "norm");
  floatOnly(a, "norm", "input dtype should be floating point");
  const pv = p === "fro" || p === undefined || p === null ? 2 : p;
  if (typeof pv !== "number" || Number.isNaN(pv)) throw new DTypeError(`norm: p must be a number or "fro", got ${safeString(p)}`);
  const keep = keepOf(keepdim, "norm");
  const { mask, given } = dimMask(dim, a._shape.length, "norm");
  const shape = reducedShape(a._shape, mask, keep);
  const k = keep ? 1 : 0, g = given ? 1 : 0;
  let out = W.normOp(ha, pv, mask, k, g);
  if (out === 0 && reclaim()) out = W.normOp(a._h, pv, mask, k, g);
  return made(out, shape, a._dt, "norm");
}

/** log(sum(exp(x))) over `dim`, computed stably (the max is subtracted first). Integers become float32. */
export function logsumexp(a: Tensor, dim: number | number[], keepdim?: boolean): Tensor {
  h(a, "logsumexp");
  if (dim === undefined || dim === null) throw new IndexError("logsumexp: dim must be given (a dim or a list of dims)");
  const keep = keepOf(keepdim, "logsumexp");
  const { mask } = dimMask(dim, a._shape.length, "logsumexp");
  const src = isFloat(a._dt) ? a : to(a, "float32", "logsumexp");
  const shape = reducedShape(a._shape, mask, keep);
  const k = keep ? 1 : 0;
  let out = W.logsumexpOp(src._h, mask, k);
  if (out === 0 && reclaim()) out = W.logsumexpOp(src._h, mask, k);
  return made(out, shape, src._dt, "logsumexp");
}

declare module "../tensor.js" {
  interface Tensor {
    /** {@inheritDoc prod} */
    prod(dim?: Dim, keepdim?: boolean, opts?: { dtype?: "float32" | "float64" }): Tensor;
    /** {@inheritDoc var} */
    var(dim?: Dim, opts?: VarOptions | boolean, keepdim?: boolean): Tensor;
    /** {@inheritDoc std} */
    std(dim?: Dim, opts?: VarOptions | boolean, keepdim?: boolean): Tensor;
    /** {@inheritDoc norm} */
    norm(p?: number | "fro", dim?: Dim, keepdim?: boolean): Tensor;
    /** {@inheritDoc logsumexp} */
    logsumexp(dim: number | number[], keepdim?: boolean): Tensor;
  }
}

export const methods = asMethods({ prod, var: variance, std, norm, logsumexp });
