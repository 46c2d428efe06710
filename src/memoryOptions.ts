// setMemoryOptions: the checked way to set the options of the automatic release (lifetime.ts).

import { DTypeError } from "./errors.js";
import { setGcHeapBytes } from "./lifetime.js";

/** Options of the automatic release. */
export interface MemoryOptions {
  /**
   * Node: the core's heap size (bytes) above which a full GC is forced to release unreachable
   * tensors, unless half as much again as survived the last collection is larger. Default 12 MiB.
   * While those collections free large tensors and take more than 10% of the time (each one is
   * slow when the JS heap is large), the threshold rises, up to twice this value (four times past
   * 40%, or when the JS heap is over 1.5 times this value), and comes back down as their share falls.
   */
  gcHeapBytes?: number;
}

/**
 * Sets options of the automatic release (Node): a lower gcHeapBytes keeps the WASM memory smaller at
 * the cost of more frequent collections.
 * ```ts
 * setMemoryOptions({ gcHeapBytes: 32 * 2 ** 20 });
 * ```
 */
export function setMemoryOptions(opts: MemoryOptions): void {
  if (opts === null || typeof opts !== "object" || Array.isArray(opts)) {
    throw new DTypeError(`setMemoryOptions: expected an object like { gcHeapBytes: 12 * 2 ** 20 }, got ${describeValue(opts)}`);
  }
  for (const k of Object.keys(opts)) {
    if (k !== "gcHeapBytes") throw new DTypeError(`setMemoryOptions: unknown option "${k}"; the options are: gcHeapBytes`);
  }
  const v: unknown = opts.gcHeapBytes;
  if (v === undefined) return;
  if (typeof v !== "number" || !Number.isFinite(v) || v < 0) {
    throw new DTypeError(`setMemoryOptions: gcHeapBytes must be a finite number of bytes >= 0, got ${describeValue(v)}`);
  }
  setGcHeapBytes(v);
}

function describeValue(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v);
  if (v === null || typeof v !== "object") return String(v);
  return Array.isArray(v) ? "an array" : (v as object).constructor?.name ?? "object";
}
