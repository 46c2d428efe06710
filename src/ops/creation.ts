// Tensor creation (torch.tensor, zeros, ones, full, arange, rand, randn, ...).

import { DType } from "../../assembly/abi.js";
import { writeScratch, writeValues } from "../wasm/memory.js";
import { Tensor } from "../tensor.js";
import { shapeArgs, checkShape, MAX_DIMS } from "../shape.js";
import { dtypeCode, safeString, isFloat } from "../dtype.js";
import { ShapeError, DTypeError, WasmgradError } from "../errors.js";
import { Generator, genOf, fillNew, checkProbs } from "../random.js";
import { W, h, describe, result } from "./util.js";

/** Options of the creation functions (PyTorch's keyword arguments dtype= and requires_grad=). */
export interface TensorOptions {
  requiresGrad?: boolean;
  dtype?: "float32" | "float64" | "int32" | "bool";
}

type ShapeArg = number | readonly number[];
export type NestedNumbers = number | boolean | readonly NestedNumbers[];

/** Splits trailing options off varargs shapes: zeros(2, 3, { requiresGrad: true }). */
function shapeAndOpts(args: readonly (ShapeArg | TensorOptions | undefined)[], op: string): [number[], TensorOptions] {
  let opts: TensorOptions = {};
  let list = args;
  const last = args[args.length - 1];
  if (args.length > 0 && (last === undefined || (last !== null && typeof last === "object" && !Array.isArray(last) && !ArrayBuffer.isView(last)))) {
    opts = checkOpts(last as TensorOptions | undefined, op);
    list = args.slice(0, -1);
  }
  if (list.length === 0) throw new ShapeError(`${op}: expected a shape, e.g. ${op}([2, 3]) or ${op}(2, 3)`);
  return [shapeArgs(list as ShapeArg[], op), opts];
}

/** A number as int32 the way torch converts (truncation), refusing what does not fit. */
export function toInt32(v: number, op: string): number {
  const i = Math.trunc(v);
  if (!(i >= -(2 ** 31) && i <= 2 ** 31 - 1)) {
    throw new DTypeError(`${op}: value ${v} cannot be converted to type int32 without overflow`);
  }
  return i;
}

/** A number or boolean converted to what an element of dtype dt holds (bool: nonzero is true). */
export function toScalarOfDtype(v: unknown, dt: DType, op: string): number {
  if (typeof v === "boolean") return v ? 1 : 0;
  if (typeof v !== "number") throw new DTypeError(`${op}: expected a number, got ${describe(v)}`);
  if (dt === DType.Bool) return v !== 0 ? 1 : 0;
  if (dt === DType.Int32) return toInt32(v, op);
  return v;
}

/** Options must be an object (or left out). */
function checkOpts(opts: TensorOptions | undefined, op: string): TensorOptions {
  if (opts === undefined) return {};
  // a Tensor (or a typed array) is data put in the wrong place: refused before its fields are read
  if (opts === null || typeof opts !== "object" || Array.isArray(opts) || opts instanceof Tensor || ArrayBuffer.isView(opts)) {
    throw new DTypeError(`${op}: options must be an object like { requiresGrad: true, dtype: "float32" }, got ${describe(opts)}`);
  }
  return opts;
}

function make(shape: number[], opts: TensorOptions, op: string): Tensor {
  const dt = dtypeCode(opts.dtype, op);
  if (opts.requiresGrad !== undefined && typeof opts.requiresGrad !== "boolean") {
    throw new DTypeError(`${op}: requiresGrad must be a boolean, got ${describe(opts.requiresGrad)}`);
  }
  if (opts.requiresGrad && !isFloat(dt)) {
    throw new DTypeError(`${op}: only tensors of floating point dtype can require gradients, got ${DTYPE_NAME[dt]}`);
  }
  const s = shape.slice();
  writeScratch(s);
  return result(W.emptyOp(s.length, dt), () => (writeScratch(s), W.emptyOp(s.length, dt)), s, dt, op);
}

function finish(t: Tensor, opts: TensorOptions): Tensor {
  if (opts.requiresGrad) t.requiresGrad_(true);
  return t;
}

/** Shape and flat values of nested arrays, checking they are rectangular. */
function flattenNested(data: NestedNumbers): { shape: number[]; values: number[]; bool: boolean; int: boolean } {
  const shape: number[] = [];
  let probe: NestedNumbers = data;
  while (Array.isArray(probe)) {
    // a tensor has at most MAX_DIMS dims, so deeper (or cyclic) nesting is an error, not a hang
    if (shape.length === MAX_DIMS) throw new ShapeError(`tensor: nested arrays deeper than ${MAX_DIMS} levels (or an array that contains itself)`);
    shape.push(probe.length);
    probe = probe.length ? probe[0] : 0;
  }
  checkShape(shape, "tensor");
  const values: number[] = [];
  let bool = true, int = true;
  const walk = (v: NestedNumbers, d: number) => {
    if (d === shape.length) {
      if (typeof v === "boolean") { values.push(v ? 1 : 0); return; }
      if (typeof v !== "number") throw new DTypeError(`tensor: expected numbers or booleans, got ${describe(v)} at depth ${d}`);
      bool = false;
      if (!Number.isInteger(v)) int = false;
      values.push(v);
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[d]) {
      throw new ShapeError(`tensor: nested arrays are not rectangular: expected length ${shape[d]} at depth ${d}, got ${Array.isArray(v) ? v.length : describe(v)}`);
    }
    for (const x of v) walk(x, d + 1);
  };
  walk(data, 0);
  if (values.length === 0) bool = false;
  return { shape, values, bool, int };
}

/**
 * A tensor from a number, nested arrays, or a typed array (copied). Default dtype float32 (int32
 * for an Int32Array, bool for nested booleans); a BigInt64Array is narrowed to int32 with a range
 * check. Example: `tensor([[1, 2], [3, 4]], { requiresGrad: true })`.
 */
export function tensor(data: NestedNumbers | Float32Array | Float64Array | Int32Array | BigInt64Array | Uint8Array,
                       optsIn?: TensorOptions): Tensor {
  const opts = checkOpts(optsIn, "tensor");
  let shape: number[], values: ArrayLike<number>, dflt: TensorOptions["dtype"] = "float32";
  if (data instanceof BigInt64Array) {
    const n = new Int32Array(data.length);
    for (let i = 0; i < data.length; i++) {
      const v = data[i];
      if (v < -(2n ** 31n) || v >= 2n ** 31n) throw new DTypeError(`tensor: value ${v} at index ${i} does not fit int32 (int64 data is narrowed to int32)`);
      n[i] = Number(v);
    }
    shape = [data.length]; values = n; dflt = "int32";
  } else if (data instanceof Float32Array || data instanceof Float64Array || data instanceof Int32Array || data instanceof Uint8Array) {
    shape = [data.length];
    values = data;
    if (data instanceof Int32Array) dflt = "int32";
  } else if (typeof data === "number" || typeof data === "boolean" || Array.isArray(data)) {
    const f = flattenNested(data);
    shape = f.shape;
    values = f.values;
    if (f.bool) dflt = "bool";
  } else {
    throw new DTypeError(`tensor: expected a number, nested arrays or a typed array, got ${describe(data)}`);
  }
  checkShape(shape, "tensor");
  const t = make(shape, { ...opts, dtype: opts.dtype ?? dflt }, "tensor");
  const dt = t._dt;
  if (dt === DType.Int32) writeValues(h(t, "tensor"), values instanceof Int32Array ? values : Int32Array.from(values, (v) => toInt32(v, "tensor")), dt);
  else if (dt === DType.Bool) writeValues(h(t, "tensor"), Uint8Array.from(values, (v) => (v !== 0 ? 1 : 0)), dt);
  else writeValues(h(t, "tensor"), values, dt);
  return finish(t, opts);
}

/** A tensor of the given shape with unspecified values. */
export function empty(...args: (ShapeArg | TensorOptions)[]): Tensor {
  const [shape, opts] = shapeAndOpts(args, "empty");
  return finish(make(shape, opts, "empty"), opts);
}

function filled(shape: readonly number[], value: number | boolean, optsIn: TensorOptions | undefined, op: string): Tensor {
  const opts = checkOpts(optsIn, op);
  if (typeof value !== "number" && typeof value !== "boolean") throw new DTypeError(`${op}: fill value must be a number, got ${describe(value)}`);
  const dflt = typeof value === "boolean" ? DType.Bool : DType.Float32;
  const dt = dtypeCode(opts.dtype, op, dflt);
  const v = toScalarOfDtype(value, dt, op);
  const t = make(checkShape(shape, op), { ...opts, dtype: DTYPE_NAME[dt] }, op);
  W.fillValue(t._h, v);
  return finish(t, opts);
}
const DTYPE_NAME = ["float32", "float64", "int32", "bool"] as const;

/** A tensor filled with `value`. */
export function full(shape: readonly number[], value: number | boolean, opts: TensorOptions = {}): Tensor {
  return filled(shape, value, opts, "full");
}

/** A tensor of zeros (torch.zeros): `zeros(2, 3)`, `zeros([2, 3], { dtype: "int32" })`. */
export function zeros(...args: (ShapeArg | TensorOptions)[]): Tensor {
  const [shape, opts] = shapeAndOpts(args, "zeros");
  return filled(shape, 0, opts, "zeros");
}

/** A tensor of ones (torch.ones): `ones(2, 3, { requiresGrad: true })`. */
export function ones(...args: (ShapeArg | TensorOptions)[]): Tensor {
  const [shape, opts] = shapeAndOpts(args, "ones");
  return filled(shape, 1, opts, "ones");
}

/** Zeros with t's shape and dtype unless opts say otherwise (torch.zeros_like). */
export function zerosLike(t: Tensor, opts: TensorOptions = {}): Tensor {
  h(t, "zerosLike");
  return filled(t._shape, 0, { dtype: t.dtype, ...checkOpts(opts, "zerosLike") }, "zerosLike");
}

/** Ones with t's shape and dtype unless opts say otherwise (torch.ones_like). */
export function onesLike(t: Tensor, opts: TensorOptions = {}): Tensor {
  h(t, "onesLike");
  return filled(t._shape, 1, { dtype: t.dtype, ...checkOpts(opts, "onesLike") }, "onesLike");
}

/** Values start, start + step, ... below end (torch.arange; `arange(n)` is 0..n-1). */
export function arange(start: number, end?: number, step = 1, opts: TensorOptions = {}): Tensor {
  if (end === undefined) { end = start; start = 0; }
  for (const [k, v] of [["start", start], ["end", end], ["step", step]] as const) {
    if (typeof v !== "number" || !Number.isFinite(v)) throw new DTypeError(`arange: ${k} must be a finite number, got ${safeString(v)}`);
  }
  if (step === 0) throw new ShapeError("arange: step must be nonzero");
  if ((end - start) / step < 0) {
    throw new ShapeError(`arange: upper bound and larger bound inconsistent with step sign (start ${start}, end ${end}, step ${step})`);
  }
  const n = Math.ceil((end - start) / step);
  checkShape([n], "arange");
  // integers give int32 (torch: int64), anything else the default float
  const integral = Number.isInteger(start) && Number.isInteger(end) && Number.isInteger(step);
  const o = { ...opts, dtype: opts.dtype ?? (integral ? "int32" as const : "float32" as const) };
  const t = make([n], o, "arange");
  W.arangeFill(t._h, start, step);
  return finish(t, o);
}

/** `steps` values evenly spaced from start to end inclusive (torch.linspace). */
export function linspace(start: number, end: number, steps: number, opts: TensorOptions = {}): Tensor {
  for (const [k, v] of [["start", start], ["end", end]] as const) {
    if (typeof v !== "number" || !Number.isFinite(v)) throw new DTypeError(`linspace: ${k} must be a finite number, got ${safeString(v)}`);
  }
  if (!Number.isInteger(steps) || steps < 0) throw new ShapeError(`linspace: number of steps must be a non-negative integer, got ${safeString(steps)}`);
  checkShape([steps], "linspace");
  const values = new Float64Array(steps);
  const step = steps > 1 ? (end - start) / (steps - 1) : 0;
  // torch fills the first half from start and the second half from end
  const half = Math.floor(steps / 2);
  for (let i = 0; i < steps; i++) values[i] = steps === 1 ? start : i < half ? start + step * i : end - step * (steps - 1 - i);
  return tensor(values, checkOpts(opts, "linspace"));
}

/** Identity matrix n x m (torch.eye). */
export function eye(n: number, m?: number | TensorOptions, opts: TensorOptions = {}): Tensor {
  if (typeof m === "object" && m !== null) { opts = checkOpts(m, "eye"); m = undefined; }
  else opts = checkOpts(opts, "eye");
  const cols = m ?? n;
  const t = filled([n, cols as number], 0, { ...opts, requiresGrad: false }, "eye");
  const values = new Float64Array(n * (cols as number));
  for (let i = 0; i < Math.min(n, cols as number); i++) values[i * (cols as number) + i] = 1;
  writeValues(t._h, t._dt === DType.Bool ? Uint8Array.from(values) : t._dt === DType.Int32 ? Int32Array.from(values) : values, t._dt);
  return finish(t, opts);
}

/** Options of the random creation functions: those of `tensor()` and a `Generator` (torch's generator=). */
export interface RandomOptions extends TensorOptions { generator?: Generator }

function floatSamples(args: (ShapeArg | RandomOptions)[], op: string, kind: "uniform" | "normal"): Tensor {
  const [shape, opts] = shapeAndOpts(args, op) as [number[], RandomOptions];
  if (!isFloat(dtypeCode(opts.dtype, op))) {
    throw new DTypeError(`${op}: samples are floating point; dtype ${safeString(opts.dtype)} is not supported (use randint for integers)`);
  }
  const g = genOf(opts, op);
  const t = make(shape, opts, op);
  return finish(fillNew(t, kind, 0, 1, g), opts);
}

/** Uniform samples in [0, 1), torch.rand's numbers for the same seed: `rand(2, 3, { generator })`. */
export function rand(...args: (ShapeArg | RandomOptions)[]): Tensor { return floatSamples(args, "rand", "uniform"); }
/** Standard normal samples, torch.randn's numbers for the same seed. */
export function randn(...args: (ShapeArg | RandomOptions)[]): Tensor { return floatSamples(args, "randn", "normal"); }

/**
 * Integers uniform in [low, high) (int32 unless opts.dtype says otherwise), drawn as torch.randint
 * draws them; `randint(high, shape)` starts at 0.
 */
export function randint(low: number, high: number | readonly number[], shape?: readonly number[] | RandomOptions,
                        opts: RandomOptions = {}): Tensor {
  if (Array.isArray(high)) {
    if (shape !== undefined && (typeof shape !== "object" || Array.isArray(shape))) throw new DTypeError(`randint: options must be an object, got ${describe(shape)}`);
    opts = (shape as RandomOptions | undefined) ?? {};
    shape = high as readonly number[];
    high = low;
    low = 0;
  }
  if (!Array.isArray(shape)) throw new ShapeError(`randint: expected a shape array, e.g. randint(0, 10, [2, 3]), got ${describe(shape)}`);
  const hi = high as number;
  if (!(Number.isInteger(low) && Number.isInteger(hi))) throw new DTypeError(`randint: low and high must be integers, got low=${safeString(low)}, high=${safeString(hi)}`);
  if (hi <= low) throw new WasmgradError(`randint: random_ expects 'from' to be less than 'to', but got from=${low} >= to=${hi}`);
  const o = checkOpts(opts, "randint") as RandomOptions;
  const dt = dtypeCode(o.dtype, "randint", DType.Int32);
  if (dt === DType.Bool) throw new DTypeError(`randint: dtype bool is not supported (use int32, float32 or float64)`);
  if (dt === DType.Int32 && (low < -(2 ** 31) || hi > 2 ** 31)) {
    throw new DTypeError(`randint: the range [${low}, ${hi}) does not fit int32 (the values are int32)`);
  }
  if (hi - low > 2 ** 32) throw new DTypeError(`randint: ranges wider than 2^32 are not supported, got [${low}, ${hi})`);
  const g = genOf(o, "randint");
  const t = make(checkShape(shape, "randint"), { ...o, dtype: DTYPE_NAME[dt] }, "randint");
  W.randintFill(t._h, g, low, hi - low);
  return finish(t, o);
}

/** A random permutation of 0..n-1 as int32, torch.randperm's order for the same seed. */
export function randperm(n: number, opts: RandomOptions = {}): Tensor {
  if (typeof n !== "number" || !Number.isInteger(n)) throw new DTypeError(`randperm: n must be an integer, got ${safeString(n)}`);
  if (n < 0) throw new ShapeError(`randperm: Trying to create tensor with negative dimension ${n}: [${n}]`);
  const o = checkOpts(opts, "randperm") as RandomOptions;
  checkShape([n], "randperm");
  if (o.dtype !== undefined && o.dtype !== "int32") throw new DTypeError(`randperm: dtype ${safeString(o.dtype)} is not supported (the values are int32)`);
  const g = genOf(o, "randperm");
  const t = make([n], { ...o, dtype: "int32" }, "randperm");
  W.randpermFill(t._h, g);
  return finish(t, { ...o, requiresGrad: false });
}

/** 1 with probability p[i], else 0, in p's dtype (torch.bernoulli): p holds float32 or float64 probabilities. */
export function bernoulli(p: Tensor, opts: { generator?: Generator } = {}): Tensor {
  const hp = checkProbs(p, "bernoulli");
  const g = genOf(checkOpts(opts as TensorOptions, "bernoulli") as RandomOptions, "bernoulli");
  return result(W.bernoulliOp(hp, g), () => W.bernoulliOp(p._h, g), p._shape.slice(), p._dt, "bernoulli");
}

function likeOpts(t: Tensor, opts: RandomOptions, op: string): RandomOptions {
  h(t, op);
  return { dtype: t.dtype === "float64" ? "float64" : "float32", ...checkOpts(opts, op) };
}
/** Standard normal samples shaped like t (its dtype when floating point). */
export function randnLike(t: Tensor, opts: RandomOptions = {}): Tensor {
  const o = likeOpts(t, opts, "randnLike");
  return floatSamples([t._shape, o], "randnLike", "normal");
}
/** Uniform [0, 1) samples shaped like t (its dtype when floating point). */
export function randLike(t: Tensor, opts: RandomOptions = {}): Tensor {
  const o = likeOpts(t, opts, "randLike");
  return floatSamples([t._shape, o], "randLike", "uniform");
}

export { manualSeed, initialSeed, seed, Generator } from "../random.js";
