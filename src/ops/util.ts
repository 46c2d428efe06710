// Helpers shared by the op modules: operand checks, type promotion of tensor/number operands,
// dims, and turning a core result into a Tensor.

import { DType, Status } from "../../assembly/abi.js";
import { W } from "../wasm/load.js";
import { Tensor, h, describe, wrap } from "../tensor.js";
import { promoteTypes, isFloat, safeString, DTYPE_NAMES } from "../dtype.js";
import { DTypeError, IndexError, ShapeError, formatShape, oom } from "../errors.js";
import { retryAlloc, reclaim } from "../lifetime.js";
import { dimsMask } from "../shape.js";
import type { Accepts } from "./spec.js";

export type Scalar = number | boolean;

/** A number operand's value (booleans as 0/1), or a clear error for anything else. */
export function scalarOf(v: unknown, op: string, what = "a Tensor or a number"): number {
  if (typeof v === "number") return v;
  if (typeof v === "boolean") return v ? 1 : 0;
  throw new DTypeError(`${op}: expected ${what}, got ${describe(v)}`);
}

/** The dtype a number operand contributes (a wrapped number in torch's terms). */
export function scalarDtype(v: Scalar): DType {
  if (typeof v === "boolean") return DType.Bool;
  return Number.isInteger(v) ? DType.Int32 : DType.Float32;
}

const cat = (d: DType): number => (d === DType.Bool ? 0 : d === DType.Int32 ? 1 : 2);

/** torch.result_type of a tensor and a number. */
export function promoteWithScalar(t: Tensor, v: Scalar): DType {
  const sd = scalarDtype(v);
  return cat(sd) > cat(t._dt) ? (sd === DType.Int32 ? DType.Int32 : sd === DType.Float32 ? DType.Float32 : t._dt) : t._dt;
}

/** torch.result_type of two tensors (0-dim tensors give way to tensors with dims of the same category). */
export function promote2(a: Tensor, b: Tensor): DType {
  if (a._dt === b._dt) return a._dt;
  const za = a._shape.length === 0, zb = b._shape.length === 0;
  if (za === zb) return promoteTypes(a._dt, b._dt);
  const [dim, zero] = za ? [b, a] : [a, b];
  if (isFloat(dim._dt)) return dim._dt;
  if (dim._dt === DType.Bool || isFloat(zero._dt)) return promoteTypes(dim._dt, zero._dt);
  return dim._dt;
}

/** The dtype an op computes in for a `float` result rule: integers and bools become float32. */
export function floatOf(dt: DType): DType { return isFloat(dt) ? dt : DType.Float32; }

/** Refuses dtypes the op does not take. */
export function checkAccepts(t: Tensor, accepts: Accepts, op: string): void {
  if (accepts === "float" && !isFloat(t._dt)) {
    throw new DTypeError(`${op}: expected a floating point tensor (float32 or float64), got ${DTYPE_NAMES[t._dt]}; convert it with .float()`);
  }
}

/** A core result as a Tensor: an OutOfMemoryError when the core had no memory even after a collection. */
export function result(out: number, again: () => number, shape: number[], dt: DType, op: string): Tensor {
  if (out === 0) out = retryAlloc(again);
  if (out <= 0) throw failure(out, shape, op);
  return new Tensor(out, shape, dt);
}

/**
 * A core result as a Tensor, for callers that already retried once after a collection:
 * `let out = W.op(...); if (out === 0 && reclaim()) out = W.op(...); return made(out, ...)`.
 * (Hot paths use that form instead of result()'s retry closure: a closure makes V8 allocate
 * a context for the captured variables on every call, which doubled the cost of a small op.)
 */
export function made(out: number, shape: number[], dt: DType, op: string): Tensor {
  if (out > 0) return new Tensor(out, shape, dt);
  throw failure(out, shape, op);
}

/** The error for a failed core call, given the shape of the tensor it made or wrote (no closure here either: see made()). */
function failure(out: number, shape: readonly number[], op: string): Error {
  if (out === Status.InternalOverlap) {
    return new ShapeError(`${op}: unsupported operation: more than one element of the written-to tensor refers to a single memory location (shape ${formatShape(shape)}, e.g. from expand()); clone() it first`);
  }
  return oom(op, shape);
}

/** Checks an in-place core call's status (1 = done). */
export function done(r: number, again: () => number, self: Tensor, op: string): void {
  if (r === 0) r = retryAlloc(again);
  doneR(r, self, op);
}

/** done() for callers that retried already (no closure: see made()). */
export function doneR(r: number, self: Tensor, op: string): void {
  if (r !== 1) throw failure(r, self._shape, op);
}

/** An integer (a dim, an index, a diagonal), as the indexing ops take them. */
export function intArg(v: unknown, what: string, op: string): number {
  if (typeof v !== "number" || !Number.isInteger(v)) throw new IndexError(`${op}: ${what} must be an integer, got ${safeString(v)}`);
  return v;
}

/** A dim, a list of dims, or null/undefined (all) as a bit mask; `given` says whether dims were named. */
export function dimMask(dim: unknown, ndim: number, op: string): { mask: number; given: boolean } {
  const all = ndim === 0 ? 0 : (1 << ndim) - 1;
  if (dim === undefined || dim === null) return { mask: all, given: false };
  if (Array.isArray(dim) && dim.length === 0) return { mask: all, given: true };
  return { mask: dimsMask(dim as number | number[], ndim, op), given: true };
}

export { h, wrap, describe, W, reclaim };

/**
 * Tensor methods from functions that take the tensor first: `{ exp }` gives `x.exp()`, which
 * calls `exp(x)`. A method passes its arguments on as given, so each function's parameters after
 * the tensor must be the method's (the op modules' `declare module` blocks type the methods).
 */
export function asMethods(fns: Record<string, (self: Tensor, ...args: never[]) => unknown>): Record<string, (this: Tensor, ...args: unknown[]) => unknown> {
  const out: Record<string, (this: Tensor, ...args: unknown[]) => unknown> = {};
  for (const [name, fn] of Object.entries(fns)) {
    const f = fn as (self: Tensor, ...args: unknown[]) => unknown;
    out[name] = function (this: Tensor, ...args: unknown[]) { return f(this, ...args); };
  }
  return out;
}

/** f(a) with unary kernel k computed in dtype dt. */
export function unaryOp(k: number, a: Tensor, dt: DType, op: string): Tensor {
  const ha = h(a, op);
  return result(W.unary(k, ha, dt), () => W.unary(k, a._h, dt), a._shape, dt, op);
}
