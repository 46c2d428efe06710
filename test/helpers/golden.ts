// Reading and checking the PyTorch golden cases in test/fixtures/golden/*.json (written by
// test/fixtures/golden/make_golden.py; its docstring describes the case format).
//
// Inputs are built with the public API only: wg.tensor(values, { dtype }) reshaped under noGrad, then
// requiresGrad_(true), so every input is a leaf. Calls are made by name, wg[fn](...) or
// receiver[fn](...), so an op that does not exist yet is detected instead of failing to compile.

import { readFileSync } from "node:fs";
import * as wg from "../../src/index.js";
import { expectClose, type Tolerance } from "./close";

type Tensor = wg.Tensor;

export type Value = number | boolean | "inf" | "-inf" | "nan";

export interface TensorRec {
  shape: number[];
  dtype: "float32" | "float64" | "int32" | "bool";
  values: Value[];
}

export interface InputRec extends TensorRec {
  grad?: boolean;
  nonleaf?: boolean;
}

export type OutRec =
  | TensorRec
  | TensorRec[]
  | { values: TensorRec; indices: TensorRec }
  | boolean
  | { error: string };

export interface GoldenCase {
  name: string;
  fn: string;
  forms: ("function" | "method")[];
  inputs: InputRec[];
  args: unknown[];
  out: OutRec;
  n?: number;
  cot?: Value[][];
  grads?: (Value[] | null)[];
  v?: Value[][];
  ggrads?: (Value[] | null)[];
  twice?: boolean;
}

export const FAMILIES = ["creation", "unary", "binary", "compare", "reduce", "shape", "index", "linalg", "inplace"] as const;

export function loadFamily(family: string): GoldenCase[] {
  return JSON.parse(readFileSync(new URL(`../fixtures/golden/${family}.json`, import.meta.url), "utf8"));
}

// ---------------------------------------------------------------------------
// Tolerances.

const ULP = { float32: 2 ** -23, float64: 2 ** -52 } as const;

export type TolClass = "exact" | "rounded" | "transcendental" | "reduction";

/**
 * Allowed error in units of the last place of 1 in the result's dtype, for forward values, first
 * and second derivatives. A comparison is |actual - expected| <= rtol * |expected| + atol with
 * rtol = k ulp * sqrt(r) and atol = k ulp * sqrt(r) * S, where r is the number of terms summed into
 * each compared element (1 for elementwise work) and S is 1 for elementwise classes (inputs are
 * O(1), so an absolute error of k ulp covers results that cancel to near zero) and the largest
 * |expected| of the tensor for sums (normwise: cancellation in a sum makes small elements carry
 * the error of the large terms). When r > 1 the comparison is always normwise with k >= 8.
 */
export const TOLERANCES: Record<TolClass, { fwd: number; grad: number; ggrad: number; normwise: boolean }> = {
  // Data movement, selection, sign flips and piecewise-linear ops (shape/index ops, comparisons,
  // neg, abs, relu, clamp, maximum, where, ...): no rounding happens, so results are bit-exact.
  // Their gradients are copies or single products (c * slope), also exact, except where inputs are
  // broadcast or indices repeat: then gradients are sums and take the r > 1 rule.
  exact: { fwd: 0, grad: 0, ggrad: 0, normwise: false },
  // One or two correctly rounded IEEE operations per element (add, sub, mul, div, sqrt, square,
  // reciprocal, lerp): 0.5 ulp each, and a different but valid order (a + alpha*b with or without
  // fma, 1/sqrt vs rsqrt) moves the result by at most 2 ulp. Backward formulas chain two or three
  // such operations (div: -g * a / b / b), second derivatives twice that.
  rounded: { fwd: 2, grad: 4, ggrad: 8, normwise: false },
  // exp, log, tanh, sigmoid, pow, gelu, ...: PyTorch's vectorised Sleef routines are accurate to
  // about 1 ulp and are not bit-identical to our kernels; 4 ulp covers both errors. Gradients
  // combine such a result with products (tanh': 1 - y^2), second derivatives again.
  transcendental: { fwd: 4, grad: 8, ggrad: 16, normwise: false },
  // Sums of n terms (sum, mean, var, norm, softmax, logsumexp, cumsum, matmul, ...): summation
  // order differs (SIMD lanes, blocking), with a random-walk error of about ulp * sqrt(n) relative
  // to the terms' scale; 8 ulp ~ 1e-6 in float32.
  reduction: { fwd: 8, grad: 8, ggrad: 16, normwise: true },
};

const CLASS_OF: Record<string, TolClass> = {};
const assign = (c: TolClass, fns: string) => { for (const f of fns.split(/\s+/).filter(Boolean)) CLASS_OF[f] = c; };
assign("exact", `zeros ones full eye zerosLike onesLike neg abs sign relu leakyRelu clamp clamp_ maximum minimum
  where maskedFill eq ne lt le gt ge isnan isfinite allclose equal max min argmax argmin all any reshape view
  flatten squeeze unsqueeze transpose t permute expand expandAs contiguous cat stack split chunk narrow slice select
  indexSelect gather flip repeat tril triu pad zero_ fill_ copy_`);
assign("rounded", "add sub mul div square sqrt reciprocal rsqrt lerp add_ sub_ mul_ div_ arange linspace");
assign("transcendental", "pow exp log log1p expm1 sin cos tanh sigmoid gelu silu softplus");
assign("reduction", "sum mean prod var std norm logsumexp softmax logSoftmax cumsum scatterAdd matmul mm bmm dot outer");

export function tolClass(fn: string): TolClass {
  const c = CLASS_OF[fn];
  if (!c) throw new Error(`golden: no tolerance class for ${fn}`);
  return c;
}

function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Tolerance for comparing `expected` (of `dtype`) computed from r-term sums. */
export function tolerance(
  fn: string, kind: "fwd" | "grad" | "ggrad", dtype: string, r: number, expected: ArrayLike<number>,
): Tolerance {
  if (dtype !== "float32" && dtype !== "float64") return { atol: 0, rtol: 0 };
  const spec = TOLERANCES[tolClass(fn)];
  let k = spec[kind];
  let normwise = spec.normwise;
  if (r > 1) { k = Math.max(k, kind === "ggrad" ? 16 : 8); normwise = true; }
  if (k === 0) return { atol: 0, rtol: 0 };
  const s = Math.sqrt(Math.max(r, 1));
  let scale = 1;
  if (normwise) {
    scale = 0;
    for (let i = 0; i < expected.length; i++) if (Number.isFinite(expected[i])) scale = Math.max(scale, Math.abs(expected[i]));
  }
  const u = k * ULP[dtype] * s;
  return { rtol: u, atol: u * scale };
}

// ---------------------------------------------------------------------------
// Values.

export function decodeValue(v: Value, dtype: string): number {
  if (v === "inf") return Infinity;
  if (v === "-inf") return -Infinity;
  if (v === "nan") return NaN;
  if (typeof v === "boolean") return v ? 1 : 0;
  return dtype === "float32" ? Math.fround(v) : v;
}

export const decodeValues = (vs: readonly Value[], dtype: string): number[] => vs.map((v) => decodeValue(v, dtype));

/** A tensor of the record's dtype and shape, a leaf (requiring grad when asked). */
export function makeTensor(rec: TensorRec, requiresGrad = false): Tensor {
  const vals = decodeValues(rec.values, rec.dtype);
  const data = rec.dtype === "bool" ? vals.map((x) => x !== 0) : vals;
  const t = wg.noGrad(() => {
    const flat = wg.tensor(data as number[], { dtype: rec.dtype });
    return sameShape(flat.shape, rec.shape) ? flat : flat.reshape(rec.shape);
  });
  return requiresGrad ? t.requiresGrad_(true) : t;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Row-major values of a tensor as numbers (bool as 0/1), read through the public toArray(). */
export function readValues(t: Tensor): number[] {
  const out: number[] = [];
  const walk = (x: unknown): void => {
    if (Array.isArray(x)) for (const y of x) walk(y);
    else out.push(typeof x === "boolean" ? (x ? 1 : 0) : (x as number));
  };
  walk(t.toArray());
  return out;
}

// ---------------------------------------------------------------------------
// Calls.

type Fn = (...args: unknown[]) => unknown;

export const hasFunction = (fn: string): boolean => typeof (wg as unknown as Record<string, unknown>)[fn] === "function";
export const hasMethod = (fn: string): boolean =>
  typeof (wg.Tensor.prototype as unknown as Record<string, unknown>)[fn] === "function";

/** Whether wasmgrad can hold tensors of this dtype (probed once by making one). */
const dtypeOk = new Map<string, boolean>();
export function supportsDtype(dtype: string): boolean {
  let ok = dtypeOk.get(dtype);
  if (ok === undefined) {
    try { wg.tensor([1], { dtype: dtype as "float32" }); ok = true; } catch { ok = false; }
    dtypeOk.set(dtype, ok);
  }
  return ok;
}

/** Every dtype a case uses: inputs, dtype options, outputs. */
export function dtypesOf(c: GoldenCase): Set<string> {
  const s = new Set<string>(c.inputs.map((i) => i.dtype));
  const walk = (x: unknown): void => {
    if (Array.isArray(x)) x.forEach(walk);
    else if (x && typeof x === "object") {
      const o = x as Record<string, unknown>;
      if (typeof o.dtype === "string") s.add(o.dtype);
      Object.values(o).forEach(walk);
    }
  };
  walk(c.args);
  walk(c.out);
  return s;
}

/** Fresh inputs for one evaluation: leaves, and the tensors the call sees (leaf * 1 for nonleaf). */
export function buildInputs(c: GoldenCase): { leaves: Tensor[]; used: Tensor[] } {
  const leaves = c.inputs.map((r) => makeTensor(r, !!r.grad));
  const used = leaves.map((x, i) => (c.inputs[i].nonleaf ? x.mul(1) : x));
  return { leaves, used };
}

export function decodeArg(a: unknown, xs: Tensor[]): unknown {
  if (a === null) return undefined;
  if (Array.isArray(a)) return a.map((b) => decodeArg(b, xs));
  if (typeof a === "object") {
    const o = a as Record<string, unknown>;
    if (typeof o.$t === "number") return xs[o.$t];
    if (typeof o.$num === "string") return decodeValue(o.$num as Value, "float64");
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, decodeArg(v, xs)]));
  }
  return a;
}

/** Runs the case's call in the given form on tensors xs. */
export function call(c: GoldenCase, form: "function" | "method", xs: Tensor[]): unknown {
  const args = c.args.map((a) => decodeArg(a, xs));
  // JS drops trailing undefined positionals the same way Python drops omitted ones
  while (args.length && args[args.length - 1] === undefined) args.pop();
  if (form === "function") return ((wg as unknown as Record<string, Fn>)[c.fn])(...args);
  const [self, ...rest] = args as [Record<string, Fn>, ...unknown[]];
  return self[c.fn](...rest);
}

export const isError = (o: OutRec): o is { error: string } =>
  typeof o === "object" && !Array.isArray(o) && "error" in o;
const isTensorRec = (o: unknown): o is TensorRec =>
  typeof o === "object" && o !== null && !Array.isArray(o) && "shape" in o;

/** The differentiable outputs of a result, in cotangent order (max/min: values only). */
export function diffOutputs(out: unknown): Tensor[] {
  if (out instanceof wg.Tensor) return [out];
  if (Array.isArray(out)) return out as Tensor[];
  if (out && typeof out === "object" && "values" in out) return [(out as { values: Tensor }).values];
  return [];
}

function expectTensor(actual: unknown, rec: TensorRec, c: GoldenCase, label: string): void {
  if (!(actual instanceof wg.Tensor)) throw new Error(`${label}: expected a Tensor, got ${String(actual)}`);
  if (!sameShape(actual.shape, rec.shape)) {
    throw new Error(`${label}: shape [${actual.shape.join(", ")}] vs expected [${rec.shape.join(", ")}]`);
  }
  if (actual.dtype !== rec.dtype) throw new Error(`${label}: dtype ${actual.dtype} vs expected ${rec.dtype}`);
  const e = decodeValues(rec.values, rec.dtype);
  expectClose(readValues(actual), e, tolerance(c.fn, "fwd", rec.dtype, c.n ?? 1, e), label);
}

/** Checks a call's result against the case's expected output. */
export function expectOutput(actual: unknown, c: GoldenCase, label: string): void {
  const o = c.out;
  if (typeof o === "boolean") {
    if (actual !== o) throw new Error(`${label}: ${String(actual)} vs expected ${o}`);
  } else if (Array.isArray(o)) {
    if (!Array.isArray(actual)) throw new Error(`${label}: expected an array of ${o.length} tensors`);
    if (actual.length !== o.length) throw new Error(`${label}: ${actual.length} tensors vs expected ${o.length}`);
    o.forEach((r, k) => expectTensor(actual[k], r, c, `${label} [${k}]`));
  } else if (isTensorRec(o)) {
    expectTensor(actual, o, c, label);
  } else if (!isError(o)) {
    const a = actual as { values?: unknown; indices?: unknown };
    if (!a || typeof a !== "object") throw new Error(`${label}: expected { values, indices }`);
    expectTensor(a.values, o.values, c, `${label} values`);
    expectTensor(a.indices, o.indices, c, `${label} indices`);
  }
}

/** Elements summed into one gradient element of input k: reduction length or broadcast factor. */
function gradTerms(c: GoldenCase, k: number): number {
  const outs = Array.isArray(c.out) ? c.out : isTensorRec(c.out) ? [c.out] : [];
  const outN = outs.reduce((a, o) => a + numel(o.shape), 0) ||
    (typeof c.out === "object" && c.out && "values" in c.out && isTensorRec((c.out as { values: unknown }).values)
      ? numel((c.out as { values: TensorRec }).values.shape) : 1);
  const inN = Math.max(1, numel(c.inputs[k].shape));
  return Math.max(c.n ?? 1, Math.ceil(outN / inN), c.n !== undefined ? outN : 1);
}

/** Compares a gradient (null allowed only where the expected gradient is all zeros). */
export function expectGrad(
  g: Tensor | null | undefined, c: GoldenCase, k: number, expected: Value[], kind: "grad" | "ggrad",
): void {
  const rec = c.inputs[k];
  const e = decodeValues(expected, rec.dtype);
  const label = `${kind} of input ${k}`;
  if (g === null || g === undefined) {
    if (e.every((x) => x === 0)) return;
    throw new Error(`${label}: missing (null) but expected non-zero values`);
  }
  if (!sameShape(g.shape, rec.shape)) throw new Error(`${label}: shape [${g.shape.join(", ")}] vs input [${rec.shape.join(", ")}]`);
  if (g.dtype !== rec.dtype) throw new Error(`${label}: dtype ${g.dtype} vs input ${rec.dtype}`);
  expectClose(readValues(g), e, tolerance(c.fn, kind, rec.dtype, gradTerms(c, k), e), label);
}
