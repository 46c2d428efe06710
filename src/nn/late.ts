// Tensor ops this layer uses that the op modules may not provide in every build (gelu, silu,
// leakyRelu, softplus) are called by name, so nn compiles and loads without them and a call that
// needs one fails with the op's name instead of "x is not a function".

import { Tensor } from "../tensor.js";
import { WasmgradError } from "../errors.js";

type AnyFn = (...args: unknown[]) => unknown;

/** True if tensors have the method `name` (`t.gelu`, ...). */
export function hasMethod(name: string): boolean {
  return typeof (Tensor.prototype as unknown as Record<string, unknown>)[name] === "function";
}

/** Calls the tensor method `name` on t; `by` names the caller for the error. */
export function callMethod<T = Tensor>(t: Tensor, name: string, by: string, ...args: unknown[]): T {
  const f = (Tensor.prototype as unknown as Record<string, unknown>)[name];
  if (typeof f !== "function") throw new WasmgradError(`${by}: needs Tensor.${name}(), which this build of wasmgrad does not provide`);
  return (f as AnyFn).apply(t, args) as T;
}

/** A value for an error message: strings quoted, numbers as written, objects by class name. */
export function show(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v.length > 40 ? v.slice(0, 40) + "..." : v);
  if (typeof v === "number" || typeof v === "boolean" || v === null || v === undefined) return String(v);
  if (typeof v === "bigint") return `${v}n`;
  if (typeof v === "symbol" || typeof v === "function") return typeof v;
  if (Array.isArray(v)) return "an array";
  try { return (v as object).constructor?.name || "an object"; } catch { return "an object"; }
}
