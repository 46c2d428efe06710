// Tensor creation (torch.tensor, zeros, ones, full, arange, rand, randn, ...).

import { DType } from "../../assembly/abi.js";
import { W } from "../wasm/load.js";
import { writeScratch, writeValues } from "../wasm/memory.js";
import { Tensor, wrap, h, describe } from "../tensor.js";
import { shapeArgs, checkShape } from "../shape.js";
import { dtypeCode } from "../dtype.js";
import { ShapeError, DTypeError } from "../errors.js";

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
  if (args.length > 0 && (last === undefined || (last !== null && typeof last === "object" && !Array.isArray(last)))) {
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

/** Options must be an object (or left out). */
function checkOpts(opts: TensorOptions | undefined, op: string): TensorOptions {
  if (opts === undefined) return {};
  if (opts === null || typeof opts !== "object" || Array.isArray(opts)) {
    throw new DTypeError(`${op}: options must be an object like { requiresGrad: true, dtype: "float32" }, got ${describe(opts)}`);
  }
  return opts;
}

function make(shape: number[], opts: TensorOptions, op: string): Tensor {
  const dt = dtypeCode(opts.dtype, op);
  writeScratch(shape);
  return wrap(W.emptyOp(shape.length, dt), shape, dt, op);
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
    shape.push(probe.length);
    probe = probe.length ? probe[0] : 0;
  }
  const values: number[] = [];
  let bool = true, int = true;
  const walk = (v: NestedNumbers, d: number) => {
    if (d === shape.length) {
      if (typeof v === "boolean") { values.push(v ? 1 : 0); return; }
      if (typeof v !== "number") throw new DTypeError(`tensor: expected numbers, got ${describe(v)} at depth ${d}`);
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
 * A tensor from a number, nested arrays, or a typed array (copied). Default dtype float32
 * (int32 for an Int32Array, bool for nested booleans). Example: `tensor([[1, 2], [3, 4]], { requiresGrad: true })`.
 */
export function tensor(data: NestedNumbers | Float32Array | Float64Array | Int32Array, optsIn?: TensorOptions): Tensor {
  const opts = checkOpts(optsIn, "tensor");
  let shape: number[], values: ArrayLike<number>, dflt: TensorOptions["dtype"] = "float32";
  if (data instanceof Float32Array || data instanceof Float64Array || data instanceof Int32Array) {
    shape = [data.length];
    values = data;
    if (data instanceof Int32Array) dflt = "int32";
  } else {
    const f = flattenNested(data);
    shape = f.shape;
    values = f.values;
    if (f.bool) dflt = "bool";
  }
  checkShape(shape, "tensor");
  const t = make(shape, { ...opts, dtype: opts.dtype ?? dflt }, "tensor");
  const dt = t._dt;
  if (dt === DType.Float32 && !(values instanceof Float32Array) && values instanceof Int32Array) {
    writeValues(h(t, "tensor"), Float32Array.from(values), false);
  } else if (dt !== DType.Float32 && !(values instanceof Int32Array)) {
    writeValues(h(t, "tensor"), Int32Array.from(values as ArrayLike<number>, (v) => (dt === DType.Bool ? (v ? 1 : 0) : toInt32(v, "tensor"))), true);
  } else {
    writeValues(h(t, "tensor"), values, dt !== DType.Float32);
  }
  return finish(t, opts);
}

/** A tensor of the given shape with unspecified values. */
export function empty(...args: (ShapeArg | TensorOptions)[]): Tensor {
  const [shape, opts] = shapeAndOpts(args, "empty");
  return finish(make(shape, opts, "empty"), opts);
}

function filled(shape: readonly number[], value: number, optsIn: TensorOptions | undefined, op: string): Tensor {
  const opts = checkOpts(optsIn, op);
  if (typeof value !== "number") throw new DTypeError(`${op}: fill value must be a number, got ${describe(value)}`);
  const t = make(checkShape(shape, op), opts, op);
  W.rawFill(t._h, value);
  return finish(t, opts);
}

/** A tensor filled with `value`. */
export function full(shape: readonly number[], value: number, opts: TensorOptions = {}): Tensor {
  return filled(shape, value, opts, "full");
}

export function zeros(...args: (ShapeArg | TensorOptions)[]): Tensor {
  const [shape, opts] = shapeAndOpts(args, "zeros");
  return filled(shape, 0, opts, "zeros");
}

export function ones(...args: (ShapeArg | TensorOptions)[]): Tensor {
  const [shape, opts] = shapeAndOpts(args, "ones");
  return filled(shape, 1, opts, "ones");
}

export function zerosLike(t: Tensor, opts: TensorOptions = {}): Tensor {
  h(t, "zerosLike");
  return filled(t.shape, 0, { dtype: t.dtype, ...opts }, "zerosLike");
}

export function onesLike(t: Tensor, opts: TensorOptions = {}): Tensor {
  h(t, "onesLike");
  return filled(t.shape, 1, { dtype: t.dtype, ...opts }, "onesLike");
}

/** Values start, start + step, ... below end (torch.arange; `arange(n)` is 0..n-1). */
export function arange(start: number, end?: number, step = 1, opts: TensorOptions = {}): Tensor {
  if (end === undefined) { end = start; start = 0; }
  for (const [k, v] of [["start", start], ["end", end], ["step", step]] as const) {
    if (typeof v !== "number" || !Number.isFinite(v)) throw new DTypeError(`arange: ${k} must be a finite number, got ${String(v)}`);
  }
  if (step === 0) throw new ShapeError("arange: step must be nonzero");
  if ((end - start) / step < 0) {
    throw new ShapeError(`arange: upper bound and larger bound inconsistent with step sign (start ${start}, end ${end}, step ${step})`);
  }
  const n = Math.ceil((end - start) / step);
  const t = make([n], opts, "arange");
  W.arangeFill(t._h, start, step);
  return finish(t, opts);
}

/** `steps` values evenly spaced from start to end inclusive (torch.linspace). */
export function linspace(start: number, end: number, steps: number, opts: TensorOptions = {}): Tensor {
  for (const [k, v] of [["start", start], ["end", end]] as const) {
    if (typeof v !== "number" || !Number.isFinite(v)) throw new DTypeError(`linspace: ${k} must be a finite number, got ${String(v)}`);
  }
  if (!Number.isInteger(steps) || steps < 0) throw new ShapeError(`linspace: number of steps must be non-negative, got ${steps}`);
  checkShape([steps], "linspace");
  const values = new Float32Array(steps);
  const step = steps > 1 ? (end - start) / (steps - 1) : 0;
  // torch fills the first half from start and the second half from end
  const half = Math.floor(steps / 2);
  for (let i = 0; i < steps; i++) values[i] = i < half ? start + step * i : end - step * (steps - 1 - i);
  return tensor(values, opts);
}

/** Identity matrix n x m (torch.eye). */
export function eye(n: number, m = n, opts: TensorOptions = {}): Tensor {
  const t = filled([n, m], 0, { ...opts, requiresGrad: false }, "eye");
  const values = new Float32Array(n * m);
  for (let i = 0; i < Math.min(n, m); i++) values[i * m + i] = 1;
  writeValues(t._h, values, t._dt !== DType.Float32);
  return finish(t, opts);
}

function random(kind: number, a: number, b: number, args: (ShapeArg | TensorOptions)[], op: string): Tensor {
  const [shape, opts] = shapeAndOpts(args, op);
  if (kind !== 2 && dtypeCode(opts.dtype, op) !== DType.Float32) {
    throw new DTypeError(`${op}: samples are floating point; dtype ${opts.dtype} is not supported (use randint for integers)`);
  }
  const t = make(shape, opts, op);
  W.randomFill(t._h, kind, a, b);
  return finish(t, opts);
}

/** Uniform samples in [0, 1). */
export function rand(...args: (ShapeArg | TensorOptions)[]): Tensor { return random(0, 0, 1, args, "rand"); }
/** Standard normal samples. */
export function randn(...args: (ShapeArg | TensorOptions)[]): Tensor { return random(1, 0, 1, args, "randn"); }
/** Integers uniform in [low, high) as int32. */
export function randint(low: number, high: number, shape: readonly number[], opts: TensorOptions = {}): Tensor {
  if (!(Number.isInteger(low) && Number.isInteger(high)) || high <= low) {
    throw new ShapeError(`randint: expected integers low < high, got low=${low}, high=${high}`);
  }
  if (low < -(2 ** 31) || high > 2 ** 31) {
    throw new DTypeError(`randint: the range [${low}, ${high}) does not fit int32 (the values are int32)`);
  }
  return random(2, low, high, [shape as number[], { dtype: "int32", ...opts }], "randint");
}

export function randnLike(t: Tensor, opts: TensorOptions = {}): Tensor {
  h(t, "randnLike");
  return randn(t.shape, opts);
}

/** Seeds the generator behind rand/randn/randint: the same seed gives the same numbers. */
export function manualSeed(seed: number): void {
  if (!Number.isFinite(seed)) throw new DTypeError(`manualSeed: seed must be a finite number, got ${seed}`);
  const s = Math.trunc(seed);
  W.seedRandom(s >>> 0, Math.floor(s / 4294967296) >>> 0);
}
