// Argument checks for the modules, optimisers, datasets and transforms (src/nn, optim, data,
// vision), which take plain JS values where the tensor ops take tensors. Each check throws the
// typed error whose message starts with the op's name and shows the value (safeString never
// throws, whatever the value), and returns the value narrowed to its type.

import { Tensor, h } from "./tensor.js";
import { DTypeError, WasmgradError, safeString } from "./errors.js";

/** The largest size anything may have: a tensor holds at most 2**31-1 elements. */
export const MAX_SIZE = 2 ** 31 - 1;

/** An integer in [min, max] (sizes, counts, dims). */
export function intArg(v: unknown, what: string, op: string, min = 0, max = MAX_SIZE): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
    const range = min === 0 && max === MAX_SIZE ? "a non-negative integer"
      : min === 1 && max === MAX_SIZE ? "a positive integer"
      : max === MAX_SIZE ? `an integer >= ${min}` : `an integer in [${min}, ${max}]`;
    throw new DTypeError(`${op}: ${what} must be ${range}, got ${safeString(v)}`);
  }
  return v;
}

/** A size: an integer in [min, 2**31-1]. */
export function sizeArg(v: unknown, what: string, op: string, min = 0): number {
  return intArg(v, what, op, min, MAX_SIZE);
}

/** A number (finite unless `finite` is false), at least `min` when given. */
export function numberArg(v: unknown, what: string, op: string, o: { min?: number; finite?: boolean; above?: number } = {}): number {
  const finite = o.finite ?? true;
  if (typeof v !== "number" || Number.isNaN(v) || (finite && !Number.isFinite(v))) {
    throw new DTypeError(`${op}: ${what} must be a ${finite ? "finite " : ""}number, got ${safeString(v)}`);
  }
  if (o.min !== undefined && !(v >= o.min)) throw new WasmgradError(`${op}: ${what} must be >= ${o.min}, got ${safeString(v)}`);
  if (o.above !== undefined && !(v > o.above)) throw new WasmgradError(`${op}: ${what} must be > ${o.above}, got ${safeString(v)}`);
  return v;
}

/** A probability in [0, 1]. */
export function probArg(v: unknown, what: string, op: string): number {
  if (typeof v !== "number" || !(v >= 0 && v <= 1)) {
    throw new WasmgradError(`${op}: ${what} has to be between 0 and 1, but got ${safeString(v)}`);
  }
  return v;
}

export function boolArg(v: unknown, what: string, op: string): boolean {
  if (typeof v !== "boolean") throw new DTypeError(`${op}: ${what} must be a boolean, got ${safeString(v)}`);
  return v;
}

/** v when it is one of `choices`. */
export function oneOf<T extends string>(v: unknown, choices: readonly T[], what: string, op: string): T {
  if (typeof v !== "string" || !(choices as readonly string[]).includes(v)) {
    throw new WasmgradError(`${op}: ${what} must be one of ${choices.map((c) => JSON.stringify(c)).join(", ")}, got ${safeString(v)}`);
  }
  return v as T;
}

/** The dtype option of a module's parameters: float32 (default) or float64. */
export function floatDtypeArg(v: unknown, op: string): "float32" | "float64" {
  return v === undefined ? "float32" : oneOf(v, ["float32", "float64"] as const, "dtype", op);
}

export function fnArg<F extends (...a: never[]) => unknown>(v: unknown, what: string, op: string): F {
  if (typeof v !== "function") throw new DTypeError(`${op}: ${what} must be a function, got ${safeString(v)}`);
  return v as F;
}

/**
 * An options object, {} when left out. Refuses null, arrays, functions, tensors and anything else
 * that is not a plain object, before any of its fields is read.
 */
export function optsArg<O extends object>(v: unknown, op: string, like = "{ ... }"): Partial<O> {
  if (v === undefined) return {};
  if (v === null || typeof v !== "object" || Array.isArray(v) || v instanceof Tensor || ArrayBuffer.isView(v)) {
    throw new DTypeError(`${op}: options must be an object like ${like}, got ${safeString(v)}`);
  }
  return v as Partial<O>;
}

/** A live tensor (not disposed, not a fake made with Object.create). */
export function tensorArg(v: unknown, what: string, op: string): Tensor {
  if (!(v instanceof Tensor)) throw new DTypeError(`${op}: expected a Tensor as ${what}, got ${safeString(v)}`);
  h(v, op);
  return v;
}

/** A live tensor, or null for null/undefined. */
export function optTensorArg(v: unknown, what: string, op: string): Tensor | null {
  return v === null || v === undefined ? null : tensorArg(v, what, op);
}

/** A live float32 or float64 tensor. */
export function floatTensorArg(v: unknown, what: string, op: string): Tensor {
  const t = tensorArg(v, what, op);
  if (t.dtype !== "float32" && t.dtype !== "float64") throw new DTypeError(`${op}: ${what} must be float32 or float64, got ${t.dtype}`);
  return t;
}

/** The elements of an array or other iterable (at most `max` of them; strings refused). */
export function listArg(v: unknown, what: string, op: string, max = 1 << 24): unknown[] {
  if (Array.isArray(v)) {
    if (v.length > max) throw new WasmgradError(`${op}: ${what} has ${v.length} elements, more than the ${max} supported`);
    return v.slice();
  }
  if (v === null || typeof v !== "object" || typeof (v as { [Symbol.iterator]?: unknown })[Symbol.iterator] !== "function" || v instanceof Tensor) {
    throw new DTypeError(`${op}: ${what} must be an array or an iterable, got ${safeString(v)}`);
  }
  const out: unknown[] = [];
  for (const x of v as Iterable<unknown>) {
    if (out.length === max) throw new WasmgradError(`${op}: ${what} has more than the ${max} elements supported`);
    out.push(x);
  }
  return out;
}

/** v as an integer pair [a, b] from a number or a list of two (kernel sizes, strides, ...). */
export function pairArg(v: unknown, what: string, op: string, min: number): [number, number] {
  const t = tupleArg(v, 2, what, op, min);
  return [t[0], t[1]];
}

/** n integers >= min from one number or an array of n. */
export function tupleArg(v: unknown, n: number, what: string, op: string, min: number): number[] {
  const ok = (x: unknown): x is number => typeof x === "number" && Number.isInteger(x) && x >= min && x <= MAX_SIZE;
  if (ok(v)) return new Array<number>(n).fill(v);
  if (Array.isArray(v) && v.length === n && v.every(ok)) return v.slice();
  throw new DTypeError(`${op}: ${what} must be an integer >= ${min} or ${n === 1 ? "a list of one" : `${n} of them`}, got ${showList(v)}`);
}

/** A short form of an array's elements for messages, else safeString. */
export function showList(v: unknown): string {
  if (!Array.isArray(v)) return safeString(v);
  const items = v.slice(0, 8).map((x) => (Array.isArray(x) ? "[...]" : safeString(x)));
  return `[${items.join(", ")}${v.length > 8 ? ", ..." : ""}]`;
}

/** A dim: an integer, negative counting from the end (the op checks it against the rank). */
export function dimArg(v: unknown, what: string, op: string): number {
  if (typeof v !== "number" || !Number.isInteger(v) || Math.abs(v) > 64) throw new DTypeError(`${op}: ${what} must be an integer dim, got ${safeString(v)}`);
  return v;
}

/**
 * Runs f, a composite step of `op` built from other ops (allocating parameters, stacking samples),
 * so that an error raised inside names `op` first: `Linear: empty: out of memory ...`.
 */
export function named<T>(op: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw renamed(e, op);
  }
}

/** e with its message prefixed by `op:` when it is a WasmgradError that names another op. */
export function renamed(e: unknown, op: string): unknown {
  if (!(e instanceof WasmgradError)) return e;
  const m = e.message;
  if (m.startsWith(op) && !/[A-Za-z0-9]/.test(m.charAt(op.length))) return e;
  const Ctor = e.constructor as new (message: string) => WasmgradError;
  let out: WasmgradError;
  try { out = new Ctor(`${op}: ${m}`); } catch { out = new WasmgradError(`${op}: ${m}`); }
  (out as { cause?: unknown }).cause = e;
  return out;
}
