// Elementwise unary ops (torch.exp, log, tanh, relu, ...). Integer and bool inputs of ops with a
// floating result are computed in float32, as PyTorch does; neg/abs/sign/relu keep int32.

import { DType } from "../../assembly/abi.js";
import { UK } from "../wasm/exports.js";
import { Tensor } from "../tensor.js";
import { DTypeError } from "../errors.js";
import { DTYPE_NAMES, isFloat } from "../dtype.js";
import { checkInplace } from "./inplace.js";
import { broadcastShapes } from "../shape.js";
import { W, h, floatOf, unaryOp, result, done, describe, checkAccepts, promote2, promoteWithScalar, made, reclaim, doneR, asMethods } from "./util.js";
import { pow } from "./binary.js";

declare module "../wasm/exports.js" {
  interface CoreExports {
    unaryP(k: number, a: number, dt: number, p0: number, p1: number): number;
    classify(k: number, a: number): number;
    clampInplace(self: number, lo: number, hi: number): number;
    clampT(a: number, lo: number, hi: number, dt: number): number;
  }
}

/** Kernel codes of the core's extra unary kernels. */
const enum UM {
  Rsqrt = 16, Log1p = 17, Expm1 = 18, Sin = 19, Cos = 20, Gelu = 21, GeluTanh = 22, Silu = 23,
  LeakyRelu = 24, Softplus = 25, Clamp = 26, IsNan = 27, IsFinite = 28,
}

/** An op whose result is floating (integers computed in float32). */
function floating(k: number, op: string) {
  return (a: Tensor): Tensor => {
    h(a, op);
    return unaryOp(k, a, floatOf(a._dt), op);
  };
}
/** An op that keeps int32 (bool refused, as torch). */
function sameType(k: UK, op: string) {
  return (a: Tensor): Tensor => {
    h(a, op);
    if (a._dt === DType.Bool) throw new DTypeError(`${op}: not implemented for bool tensors (got ${DTYPE_NAMES[a._dt]}); convert with .int() or .float()`);
    return unaryOp(k, a, a._dt, op);
  };
}

/** -a (torch.neg). */
export const neg = sameType(UK.Neg, "neg");
/** e ** a (torch.exp). */
export const exp = floating(UK.Exp, "exp");
/** Natural logarithm (torch.log). */
export const log = floating(UK.Log, "log");
/** Square root (torch.sqrt). */
export const sqrt = floating(UK.Sqrt, "sqrt");
/** |a| (torch.abs). */
export const abs = sameType(UK.Abs, "abs");
/** max(a, 0); NaN stays NaN (torch.relu). */
export const relu = sameType(UK.Relu, "relu");
/** 1 / (1 + e ** -a) (torch.sigmoid). */
export const sigmoid = floating(UK.Sigmoid, "sigmoid");
/** Hyperbolic tangent (torch.tanh). */
export const tanh = floating(UK.Tanh, "tanh");
/** 1 / a (torch.reciprocal). */
export const reciprocal = floating(UK.Reciprocal, "reciprocal");
/** -1, 0 or 1 by the sign of a (torch.sign). */
export const sign = sameType(UK.Sign, "sign");
/** 1 / sqrt(a) (torch.rsqrt). */
export const rsqrt = floating(UM.Rsqrt, "rsqrt");
/** log(1 + a), accurate for small a (torch.log1p). */
export const log1p = floating(UM.Log1p, "log1p");
/** e ** a - 1, accurate for small a (torch.expm1). */
export const expm1 = floating(UM.Expm1, "expm1");
/** Sine (torch.sin). */
export const sin = floating(UM.Sin, "sin");
/** Cosine (torch.cos). */
export const cos = floating(UM.Cos, "cos");

/** f(a; p0, p1) for a float-only op with parameters. */
function floatOnly(k: UM, a: Tensor, op: string, p0 = 0, p1 = 0): Tensor {
  const ha = h(a, op);
  checkAccepts(a, "float", op);
  let out = W.unaryP(k, ha, a._dt, p0, p1);
  if (out === 0 && reclaim()) out = W.unaryP(k, a._h, a._dt, p0, p1);
  return made(out, a._shape, a._dt, op);
}

function optionsOf(opts: unknown, op: string, keys: string[]): Record<string, unknown> {
  if (opts === undefined || opts === null) return {};
  if (typeof opts !== "object" || Array.isArray(opts)) throw new DTypeError(`${op}: options must be an object, got ${describe(opts)}`);
  for (const k of Object.keys(opts)) {
    if (!keys.includes(k)) throw new DTypeError(`${op}: unknown option "${k}" (expected ${keys.map((x) => `"${x}"`).join(" or ")})`);
  }
  return opts as Record<string, unknown>;
}

function numberOpt(v: unknown, dflt: number, op: string, what: string): number {
  if (v === undefined) return dflt;
  if (typeof v !== "number") throw new DTypeError(`${op}: ${what} must be a number, got ${describe(v)}`);
  return v;
}

/**
 * Gaussian error linear unit, x * Phi(x) (torch.nn.functional.gelu); `approximate: "tanh"` uses
 * 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))). Example: `gelu(x, { approximate: "tanh" })`.
 */
export function gelu(a: Tensor, opts?: { approximate?: "none" | "tanh" }): Tensor {
  const o = optionsOf(opts, "gelu", ["approximate"]);
  const ap = o.approximate ?? "none";
  if (ap !== "none" && ap !== "tanh") {
    throw new DTypeError(`gelu: approximate must be "none" or "tanh", got ${typeof ap === "string" ? JSON.stringify(ap) : describe(ap)}`);
  }
  return ap === "tanh" ? floatOnly(UM.GeluTanh, a, "gelu", 1) : floatOnly(UM.Gelu, a, "gelu");
}
/** x * sigmoid(x) (torch.nn.functional.silu). */
export function silu(a: Tensor): Tensor { return floatOnly(UM.Silu, a, "silu"); }
/** x for x > 0, else slope * x (torch.nn.functional.leaky_relu, slope 0.01 by default). */
export function leakyRelu(a: Tensor, negativeSlope = 0.01): Tensor {
  const slope = numberOpt(negativeSlope, 0.01, "leakyRelu", "negativeSlope");
  return floatOnly(UM.LeakyRelu, a, "leakyRelu", slope);
}
/**
 * log(1 + e ** (beta x)) / beta, and x itself where beta x > threshold (torch.nn.functional.softplus).
 * Example: `softplus(x, { beta: 2 })`.
 */
export function softplus(a: Tensor, opts?: { beta?: number; threshold?: number }): Tensor {
  const o = optionsOf(opts, "softplus", ["beta", "threshold"]);
  const beta = numberOpt(o.beta, 1, "softplus", "beta"), threshold = numberOpt(o.threshold, 20, "softplus", "threshold");
  return floatOnly(UM.Softplus, a, "softplus", beta, threshold);
}

/** isnan(a): true where a is NaN (torch.isnan; integers: all false). */
export function isnan(a: Tensor): Tensor {
  const ha = h(a, "isnan");
  let out = W.classify(UM.IsNan, ha);
  if (out === 0 && reclaim()) out = W.classify(UM.IsNan, a._h);
  return made(out, a._shape, DType.Bool, "isnan");
}
/** isfinite(a): true where a is neither infinite nor NaN (torch.isfinite; integers: all true). */
export function isfinite(a: Tensor): Tensor {
  const ha = h(a, "isfinite");
  let out = W.classify(UM.IsFinite, ha);
  if (out === 0 && reclaim()) out = W.classify(UM.IsFinite, a._h);
  return made(out, a._shape, DType.Bool, "isfinite");
}

type Bound = number | Tensor | null | undefined;

/** The bounds as numbers (-inf / inf when absent) and the result dtype, for number bounds. */
function numberBounds(a: Tensor, min: Bound, max: Bound, op: string): { lo: number; hi: number; dt: DType } {
  let dt = a._dt;
  for (const [v, what] of [[min, "min"], [max, "max"]] as const) {
    if (v === null || v === undefined) continue;
    if (typeof v !== "number") throw new DTypeError(`${op}: ${what} must be a number or a Tensor, got ${describe(v)}`);
    const sd = promoteWithScalar(a, v);
    if (rank(sd) > rank(dt)) dt = sd;
  }
  return { lo: (min as number | null) ?? -Infinity, hi: (max as number | null) ?? Infinity, dt };
}
const rank = (d: DType): number => (d === DType.Bool ? 0 : d === DType.Int32 ? 1 : d === DType.Float32 ? 2 : 3);

function checkBoundsGiven(min: Bound, max: Bound, op: string): void {
  if ((min === null || min === undefined) && (max === null || max === undefined)) {
    throw new DTypeError(`${op}: at least one of min or max must be given (both are missing)`);
  }
  const tMin = min instanceof Tensor, tMax = max instanceof Tensor;
  if ((tMin && typeof max === "number") || (tMax && typeof min === "number")) {
    throw new DTypeError(`${op}: min and max must both be numbers or both be tensors, got ${describe(min)} and ${describe(max)}`);
  }
}

/**
 * a limited to [min, max] elementwise (torch.clamp); either bound may be missing (null), and both
 * may be tensors, broadcast with a. NaN stays NaN. Example: `x.clamp(-1, 1)`, `x.clamp(null, 0)`.
 */
export function clamp(a: Tensor, min?: Bound, max?: Bound): Tensor {
  const ha = h(a, "clamp");
  checkBoundsGiven(min, max, "clamp");
  if (min instanceof Tensor || max instanceof Tensor) {
    const lo = min instanceof Tensor ? min : null, hi = max instanceof Tensor ? max : null;
    const hl = lo ? h(lo, "clamp") : 0, hh = hi ? h(hi, "clamp") : 0;
    let dt = a._dt;
    for (const b of [lo, hi]) {
      if (!b) continue;
      const bd = promote2(a, b);
      if (rank(bd) > rank(dt)) dt = bd;
    }
    if (dt === DType.Bool) throw new DTypeError("clamp: not implemented for bool tensors; convert with .int() or .float()");
    let shape = a._shape;
    for (const b of [lo, hi]) if (b) shape = broadcastShapes(shape, b._shape, "clamp");
    let out = W.clampT(ha, hl, hh, dt);
    if (out === 0 && reclaim()) out = W.clampT(a._h, lo ? lo._h : 0, hi ? hi._h : 0, dt);
    return made(out, shape, dt, "clamp");
  }
  const { lo, hi, dt } = numberBounds(a, min, max, "clamp");
  if (dt === DType.Bool) throw new DTypeError("clamp: not implemented for bool tensors; convert with .int() or .float()");
  let out = W.unaryP(UM.Clamp, ha, dt, lo, hi);
  if (out === 0 && reclaim()) out = W.unaryP(UM.Clamp, a._h, dt, lo, hi);
  return made(out, a._shape, dt, "clamp");
}

/** clamp in place with number bounds (torch.Tensor.clamp_); returns self. */
export function clamp_(self: Tensor, min?: Bound, max?: Bound): Tensor {
  h(self, "clamp_");
  checkBoundsGiven(min, max, "clamp_");
  if (min instanceof Tensor || max instanceof Tensor) {
    throw new DTypeError("clamp_: tensor bounds are not supported in place; use clamp(), which takes them");
  }
  const { lo, hi, dt } = numberBounds(self, min, max, "clamp_");
  if (self._dt === DType.Bool) throw new DTypeError("clamp_: not implemented for bool tensors; convert with .int() or .float()");
  if (rank(dt) > rank(self._dt)) {
    throw new DTypeError(`clamp_: result type ${DTYPE_NAMES[dt]} can't be cast to the desired output type ${DTYPE_NAMES[self._dt]}`);
  }
  const hs = checkInplace(self, "clamp_");
  let r = W.clampInplace(hs, lo, hi);
  if (r === 0 && reclaim()) r = W.clampInplace(self._h, lo, hi);
  doneR(r, self, "clamp_");
  return self;
}

/** a * a (torch.square, which PyTorch records as pow(a, 2)). */
export function square(a: Tensor): Tensor {
  h(a, "square");
  return pow(a, 2);
}

declare module "../tensor.js" {
  interface Tensor {
    /** {@inheritDoc neg} */
    neg(): Tensor;
    /** {@inheritDoc exp} */
    exp(): Tensor;
    /** {@inheritDoc log} */
    log(): Tensor;
    /** {@inheritDoc sqrt} */
    sqrt(): Tensor;
    /** {@inheritDoc abs} */
    abs(): Tensor;
    /** {@inheritDoc relu} */
    relu(): Tensor;
    /** {@inheritDoc sigmoid} */
    sigmoid(): Tensor;
    /** {@inheritDoc tanh} */
    tanh(): Tensor;
    /** {@inheritDoc reciprocal} */
    reciprocal(): Tensor;
    /** {@inheritDoc sign} */
    sign(): Tensor;
    /** {@inheritDoc square} */
    square(): Tensor;
    /** {@inheritDoc rsqrt} */
    rsqrt(): Tensor;
    /** {@inheritDoc log1p} */
    log1p(): Tensor;
    /** {@inheritDoc expm1} */
    expm1(): Tensor;
    /** {@inheritDoc sin} */
    sin(): Tensor;
    /** {@inheritDoc cos} */
    cos(): Tensor;
    /** {@inheritDoc gelu} */
    gelu(opts?: { approximate?: "none" | "tanh" }): Tensor;
    /** {@inheritDoc silu} */
    silu(): Tensor;
    /** {@inheritDoc leakyRelu} */
    leakyRelu(negativeSlope?: number): Tensor;
    /** {@inheritDoc softplus} */
    softplus(opts?: { beta?: number; threshold?: number }): Tensor;
    /** {@inheritDoc clamp} */
    clamp(min?: number | Tensor | null, max?: number | Tensor | null): Tensor;
    /** In-place {@link clamp}: writes the result into this tensor and returns it (`torch.Tensor.clamp_`). */
    clamp_(min?: number | null, max?: number | null): this;
    /** {@inheritDoc isnan} */
    isnan(): Tensor;
    /** {@inheritDoc isfinite} */
    isfinite(): Tensor;
  }
}

export const methods = asMethods({ neg, exp, log, sqrt, abs, relu, sigmoid, tanh, reciprocal, sign, square, rsqrt, log1p, expm1, sin, cos, gelu, silu, leakyRelu, softplus, clamp, clamp_, isnan, isfinite });
