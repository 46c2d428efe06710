// Defects the battery finds in code it does not own the fix of, each tied to an entry of
// /work/notes/core-defects.md. A matching outcome is counted and printed as known instead of
// failing the final assertion; anything else in a bad class still fails it. Keep every pattern as
// narrow as the defect: the op, the class and, where the op has other failure modes, the detail.

import type { Klass } from "./runner";

export interface KnownDefect {
  /** the heading of the core-defects.md entry */
  entry: string;
  klass: readonly Klass[];
  /** the battery's op path (`max`, `Tensor#expandAs`, `nn.init.zeros_`, or a known-answer call) */
  op: RegExp;
  /** what happened, when the op can fail in other ways that are not this defect */
  detail?: RegExp;
}

export const KNOWN_DEFECTS: readonly KnownDefect[] = [];

export function knownDefect(klass: Klass, op: string, detail: string): KnownDefect | undefined {
  return KNOWN_DEFECTS.find((k) => k.klass.includes(klass) && k.op.test(op) && (k.detail === undefined || k.detail.test(detail)));
}
