// Values as error messages show them, and the check of a floating point tensor argument that the
// nn functions and modules share.

import { Tensor } from "../tensor.js";
import { h } from "../ops/util.js";
import { DTypeError } from "../errors.js";
import { isFloat } from "../dtype.js";

/** A value for an error message: strings quoted, numbers as written, objects by class name. */
export function show(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v.length > 40 ? v.slice(0, 40) + "..." : v);
  if (typeof v === "number" || typeof v === "boolean" || v === null || v === undefined) return String(v);
  if (typeof v === "bigint") return `${v}n`;
  if (typeof v === "symbol" || typeof v === "function") return typeof v;
  if (Array.isArray(v)) return "an array";
  try { return (v as object).constructor?.name || "an object"; } catch { return "an object"; }
}

/** x when it is a live float32 or float64 tensor (`what` names the argument in the message). */
export function floatIn(x: unknown, op: string, what = "input"): Tensor {
  if (!(x instanceof Tensor)) throw new DTypeError(`${op}: expected a Tensor as ${what}, got ${show(x)}`);
  h(x, op);
  if (!isFloat(x._dt)) throw new DTypeError(`${op}: ${what} must be float32 or float64, got ${x.dtype}`);
  return x;
}
