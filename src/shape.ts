// Shape checks and arithmetic, done once in TypeScript before any call into the core.

import { ShapeError, IndexError, formatShape, safeString } from "./errors.js";

export const MAX_DIMS = 8;

/** Same shape, by value. */
export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function numelOf(shape: readonly number[]): number {
  let n = 1;
  for (let i = 0; i < shape.length; i++) n *= shape[i];
  return n;
}

/** torch.broadcast_shapes, with a message naming the op and the first clashing dim. */
export function broadcastShapes(a: readonly number[], b: readonly number[], op: string): number[] {
  if (sameShape(a, b)) return a as number[];
  const nd = Math.max(a.length, b.length);
  const out = new Array<number>(nd);
  for (let d = 0; d < nd; d++) {
    const x = d - (nd - a.length) >= 0 ? a[d - (nd - a.length)] : 1;
    const y = d - (nd - b.length) >= 0 ? b[d - (nd - b.length)] : 1;
    if (x !== y && x !== 1 && y !== 1) {
      throw new ShapeError(
        `${op}: cannot broadcast shapes ${formatShape(a)} and ${formatShape(b)}: size ${x} vs ${y} at dim ${d}`);
    }
    out[d] = x === 1 ? y : x;
  }
  return checkShape(out, op);
}

/** A dim in [-ndim, ndim) (or [-ndim-1, ndim] with extra = 1) made non-negative. */
export function normalizeDim(dim: unknown, ndim: number, op: string, extra = 0): number {
  const n = ndim + extra;
  const lo = -Math.max(n, 1), hi = Math.max(n, 1) - 1;
  if (typeof dim !== "number" || !Number.isInteger(dim) || dim < lo || dim > hi) {
    throw new IndexError(`${op}: dimension out of range (expected to be in range of [${lo}, ${hi}], but got ${safeString(dim)})`);
  }
  return dim < 0 ? dim + Math.max(n, 1) : dim;
}

/** A list of dims, normalised, de-duplicated, as a bit mask. */
export function dimsMask(dims: number | readonly number[], ndim: number, op: string): number {
  if (typeof dims !== "number" && !Array.isArray(dims)) {
    throw new IndexError(`${op}: dim must be a number or an array of numbers, got ${safeString(dims)}`);
  }
  const list = typeof dims === "number" ? [dims] : dims;
  let mask = 0;
  for (const d of list) {
    const nd = normalizeDim(d, ndim, op); // a 0-dim tensor accepts 0 and -1
    if (mask & (1 << nd)) throw new IndexError(`${op}: dim ${nd} appears multiple times in the list of dims`);
    mask |= 1 << nd;
  }
  return ndim === 0 ? 0 : mask;
}

/** Validates a user shape (non-negative integers, at most MAX_DIMS dims). */
export function checkShape(shape: readonly number[], op: string): number[] {
  if (!Array.isArray(shape)) throw new ShapeError(`${op}: expected a shape (an array of sizes), got ${safeString(shape)}`);
  if (shape.length > MAX_DIMS) throw new ShapeError(`${op}: at most ${MAX_DIMS} dims are supported, got ${shape.length}: ${formatShape(shape)}`);
  let n = 1;
  for (const s of shape) {
    if (typeof s !== "number" || !Number.isInteger(s) || s < 0) throw new ShapeError(`${op}: invalid shape ${formatShape(shape)}: sizes must be non-negative integers`);
    n *= s;
  }
  // element counts and offsets are 32-bit in the core
  if (n > MAX_NUMEL) throw new ShapeError(`${op}: shape ${formatShape(shape)} has ${n} elements; at most ${MAX_NUMEL} are supported`);
  return shape as number[];
}

/** Most elements a tensor (or view) may have. */
export const MAX_NUMEL = 2 ** 31 - 1;

/** Resolves one -1 in a reshape target against numel (torch's infer_size). */
export function inferShape(shape: readonly number[], numel: number, from: readonly number[], op: string): number[] {
  let infer = -1, known = 1;
  for (let i = 0; i < shape.length; i++) {
    const s = shape[i];
    if (typeof s !== "number") {
      throw new ShapeError(`${op}: invalid shape dimension ${safeString(s)} in ${formatShape(shape)}: sizes must be integers`);
    } else if (s === -1) {
      if (infer >= 0) throw new ShapeError(`${op}: only one dimension can be inferred: ${formatShape(shape)}`);
      infer = i;
    } else if (!Number.isInteger(s) || s < 0) {
      throw new ShapeError(`${op}: invalid shape dimension ${s} in ${formatShape(shape)}`);
    } else known *= s;
  }
  const out = shape.slice();
  if (infer >= 0) {
    if (known === 0 || numel % known !== 0) {
      throw new ShapeError(`${op}: shape ${formatShape(shape)} is invalid for input of size ${numel} (shape ${formatShape(from)})`);
    }
    out[infer] = numel / known;
  } else if (known !== numel) {
    throw new ShapeError(`${op}: shape ${formatShape(shape)} is invalid for input of size ${numel} (shape ${formatShape(from)})`);
  }
  return checkShape(out, op);
}

/**
 * Accepts shape as an array or as varargs (`zeros(2, 3)` or `zeros([2, 3])`). Always returns a new
 * array, so a caller changing its own array later never changes a tensor's shape.
 */
export function shapeArgs(args: readonly (number | readonly number[])[], op: string, allowInfer = false): number[] {
  const shape = args.length === 1 && Array.isArray(args[0]) ? (args[0] as number[]) : (args as number[]);
  for (const a of shape) {
    if (typeof a !== "number") {
      throw new ShapeError(`${op}: expected a shape as an array or as numbers, got ${formatShape(shape)} (a size is ${safeString(a)})`);
    }
  }
  const copy = shape.slice();
  return allowInfer ? copy : checkShape(copy, op);
}
