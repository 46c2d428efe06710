// Running a transform of either kind (a function, or an object with forward), for Compose and the
// datasets; not part of the public namespace.

import { DTypeError } from "../errors.js";
import { show } from "../nn/show.js";

/** A transform: a function of one value, or an object whose forward(x) is one. */
export type Transform<I = any, O = any> = ((x: I) => O) | {
  /** Applies the transform to one value. */
  forward(x: I): O;
};

/** Runs a transform of either kind; `op` names the caller in the error for anything else. */
export function applyTransform<I, O>(t: Transform<I, O>, x: I, op: string): O {
  if (typeof t === "function") return t(x);
  if (t !== null && typeof t === "object" && typeof (t as { forward?: unknown }).forward === "function") return t.forward(x);
  throw new DTypeError(`${op}: a transform must be a function or have a forward(x) method, got ${show(t)}`);
}

export function checkTransform(t: unknown, op: string, what = "transform"): void {
  const ok = typeof t === "function" ||
    (t !== null && typeof t === "object" && typeof (t as { forward?: unknown }).forward === "function");
  if (!ok) throw new DTypeError(`${op}: ${what} must be a function or have a forward(x) method, got ${show(t)}`);
}
