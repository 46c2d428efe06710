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

export const KNOWN_DEFECTS: readonly KnownDefect[] = [
  { entry: "expandAs reports its errors as expand", klass: ["badMessage"], op: /^(Tensor#)?expandAs$/, detail: /^\w+Error: expand: / },
  { entry: "max/min with a tensor second argument report maximum/minimum", klass: ["badMessage"], op: /^(Tensor#)?(max|min)$/, detail: /: (maximum|minimum): / },
  { entry: "where with a non-tensor operand reads .length of undefined", klass: ["engine"], op: /^where$/, detail: /reading 'length'/ },
  { entry: "creation: messages format Symbols and deep arrays with String()", klass: ["engine"], op: /^(arange|linspace|randint)$/, detail: /Cannot convert a Symbol value to a string|Maximum call stack size exceeded/ },
  { entry: "creation: a Tensor is read as the options object", klass: ["badMessage"], op: /^(tensor|eye|ones|zeros|full|empty|rand|randn)$/, detail: /: requiresGrad: / },
  { entry: "float32 sums stall at 2**24", klass: ["wrong"], op: /^ones\(2\*\*24 \+ 1\)\.sum\(\)$/ },
  { entry: "sum of a 2**30-element expanded view traps and damages the heap", klass: ["wrong", "corrupt"], op: /^ones\(1\)\.expand\(2\*\*30\)\.sum\(\)$/ },
  { entry: "materialising a 6e8-element expanded view", klass: ["hang", "wrong"], op: /^full\(\[1\], 7\)\.expand\(6e8\)\.contiguous\(\) then \.sum\(\)$/ },
  { entry: "nn, optim, data, vision: arguments are not validated", klass: ["engine", "badMessage"], op: /^(new )?(nn|F|optim|data|vision)\./ },
  { entry: "nn.GRU with a huge third argument runs for minutes", klass: ["hang"], op: /^nn\.GRU$/ },
  { entry: "creation: randLike/randnLike read ._shape of a non-tensor", klass: ["engine"], op: /^rand(n)?Like$/, detail: /reading '_shape'/ },
  { entry: "creation: randperm ignores the element limit", klass: ["badResult"], op: /^randperm$/, detail: /more than the 2\*\*31-1 supported/ },
  { entry: ".T reports its errors as permute", klass: ["badMessage"], op: /^Tensor#get T$/, detail: /: permute: / },
  { entry: "saveFile reports its option errors as save", klass: ["badMessage"], op: /^saveFile$/, detail: /: save: / },
];

export function knownDefect(klass: Klass, op: string, detail: string): KnownDefect | undefined {
  return KNOWN_DEFECTS.find((k) => k.klass.includes(klass) && k.op.test(op) && (k.detail === undefined || k.detail.test(detail)));
}
