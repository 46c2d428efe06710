// Elementwise binary ops with broadcasting and number operands (torch.add, mul, maximum, where,
// comparisons, ...). A number operand never becomes a tensor: it crosses into the core as an f64
// and is rounded to the result's dtype there, as PyTorch rounds a Python scalar.

import { DType } from "../../assembly/abi.js";
import { BK } from "../wasm/exports.js";
import { Tensor, type TensorOrScalar } from "../tensor.js";
import { broadcastShapes } from "../shape.js";
import { DTypeError, oom } from "../errors.js";
import { retryAlloc } from "../lifetime.js";
import { DTYPE_NAMES, isFloat } from "../dtype.js";
import { W, h, scalarOf, promote2, promoteWithScalar, floatOf, result, describe, unaryOp, type Scalar, made, reclaim, asMethods } from "./util.js";
import { UK } from "../wasm/exports.js";

const isScalar = (v: unknown): v is Scalar => typeof v === "number" || typeof v === "boolean";

function refuseBool(dt: DType, op: string, what: string): void {
  if (dt === DType.Bool) throw new DTypeError(`${op}: ${what} is not supported for bool tensors; convert with .float() or use logical ops`);
}

/**
 * a (k) b for tensors or numbers. `floatResult`: the result is floating even for integer inputs
 * (true division). `alpha` scales b for add/sub (rounded once with the sum, as torch).
 */
function arith(k: BK, a: TensorOrScalar, b: TensorOrScalar, op: string, floatResult = false, alpha = 1): Tensor {
  if (typeof alpha !== "number") throw new DTypeError(`${op}: alpha must be a number, got ${describe(alpha)}`);
  if (isScalar(b)) {
    if (isScalar(a)) throw new DTypeError(`${op}: expected at least one Tensor operand, got two numbers`);
    const ha = h(a, op);
    let dt = promoteWithScalar(a, b);
    if (floatResult) dt = floatOf(dt);
    if (dt === DType.Bool && k !== BK.Mul && k !== BK.Add) refuseBool(dt, op, "this arithmetic");
    const s = scalarOf(b, op) * alpha;
    const cdt = dt === DType.Bool ? DType.Int32 : dt;
    let out = W.binaryScalar(k, ha, s, cdt, 0);
    if (out === 0 && reclaim()) out = W.binaryScalar(k, a._h, s, cdt, 0);
    const t = made(out, a._shape, cdt, op);
    return dt === DType.Bool ? boolOf(t, op) : t;
  }
  if (isScalar(a)) {
    const hb = h(b, op);
    let dt = promoteWithScalar(b, a);
    if (floatResult) dt = floatOf(dt);
    refuseBool(dt, op, "this arithmetic");
    const s = scalarOf(a, op);
    if (k === BK.Add || k === BK.Mul) {
      if (alpha !== 1) return arith(BK.Add, mul(b, alpha), s, op);
      let out = W.binaryScalar(k, hb, s, dt, 0);
      if (out === 0 && reclaim()) out = W.binaryScalar(k, b._h, s, dt, 0);
      return made(out, b._shape, dt, op);
    }
    if (k === BK.Sub && alpha !== 1) return arith(BK.Add, mul(b, -alpha), s, op);
    if (k === BK.Div) {
      // torch computes s / x as reciprocal(x) * s (grad_fn MulBackward0)
      return mul(unaryOp(UK.Reciprocal, b, dt, "div"), s);
    }
    let out = W.binaryScalar(k, hb, s, dt, 1);
    if (out === 0 && reclaim()) out = W.binaryScalar(k, b._h, s, dt, 1);
    return made(out, b._shape, dt, op);
  }
  const ha = h(a, op), hb = h(b, op);
  let dt = promote2(a, b);
  if (floatResult) dt = floatOf(dt);
  if (dt === DType.Bool && k !== BK.Mul && k !== BK.Add && k !== BK.Max && k !== BK.Min) refuseBool(dt, op, "this arithmetic");
  const shape = broadcastShapes(a._shape, b._shape, op);
  const cdt = dt === DType.Bool ? DType.Int32 : dt;
  let tOut = W.binary(k, ha, hb, cdt, alpha);
  if (tOut === 0 && reclaim()) tOut = W.binary(k, a._h, b._h, cdt, alpha);
  const t = made(tOut, shape, cdt, op);
  return dt === DType.Bool ? boolOf(t, op) : t;
}

/** Integer results of bool arithmetic turned back into bool (torch: True + True is True). */
function boolOf(t: Tensor, op: string): Tensor {
  const hb = W.castOp(t._h, DType.Bool);
  return result(hb, () => W.castOp(t._h, DType.Bool), t._shape, DType.Bool, op);
}

/** a + alpha * b, broadcasting (torch.add). Example: `add(x, y, { alpha: 2 })`. */
export function add(a: TensorOrScalar, b: TensorOrScalar, opts?: { alpha?: number }): Tensor {
  return arith(BK.Add, a, b, "add", false, opts?.alpha ?? 1);
}
/** a - alpha * b (torch.sub). */
export function sub(a: TensorOrScalar, b: TensorOrScalar, opts?: { alpha?: number }): Tensor {
  const isBool = (v: TensorOrScalar): boolean => typeof v === "boolean" || (v instanceof Tensor && v._dt === DType.Bool);
  if (isBool(a) || isBool(b)) {
    throw new DTypeError("sub: subtraction, the `-` operator, with a bool tensor is not supported; use logicalXor or convert with .float()");
  }
  return arith(BK.Sub, a, b, "sub", false, opts?.alpha ?? 1);
}
/** a * b (torch.mul). */
export function mul(a: TensorOrScalar, b: TensorOrScalar): Tensor { return arith(BK.Mul, a, b, "mul"); }
/** a / b, true division: integer inputs give float32 (torch.div). */
export function div(a: TensorOrScalar, b: TensorOrScalar): Tensor { return arith(BK.Div, a, b, "div", true); }
/** a ** b (torch.pow). */
export function pow(a: TensorOrScalar, b: TensorOrScalar): Tensor {
  if (a instanceof Tensor && !isFloat(a._dt) && typeof b === "number" && Number.isInteger(b) && b < 0) {
    throw new DTypeError(`pow: integers to negative integer powers are not allowed (${DTYPE_NAMES[a._dt]} tensor ** ${b})`);
  }
  return arith(BK.Pow, a, b, "pow");
}
/** Elementwise maximum; NaN wins (torch.maximum). */
export function maximum(a: Tensor, b: Tensor): Tensor { tensors2(a, b, "maximum"); return arith(BK.Max, a, b, "maximum"); }
/** Elementwise minimum; NaN wins (torch.minimum). */
export function minimum(a: Tensor, b: Tensor): Tensor { tensors2(a, b, "minimum"); return arith(BK.Min, a, b, "minimum"); }
/** atan2(a, b) elementwise (torch.atan2). */
export function atan2(a: Tensor, b: Tensor): Tensor { tensors2(a, b, "atan2"); return arith(BK.Atan2, a, b, "atan2", true); }

function tensors2(a: unknown, b: unknown, op: string): void {
  if (!(a instanceof Tensor)) throw new DTypeError(`${op}: expected a Tensor, got ${describe(a)}`);
  if (!(b instanceof Tensor)) throw new DTypeError(`${op}: expected a Tensor as the second argument, got ${describe(b)}`);
}

// ---- comparisons and logic (no gradient; bool results) -----------------------------------

function compareOp(k: BK, a: TensorOrScalar, b: TensorOrScalar, op: string): Tensor {
  if (isScalar(b)) {
    const ha = h(a as Tensor, op);
    const at = a as Tensor;
    const dt = promoteWithScalar(at, b);
    const s = scalarOf(b, op);
    let out = W.binaryScalar(k, ha, s, dt, 0);
    if (out === 0 && reclaim()) out = W.binaryScalar(k, at._h, s, dt, 0);
    return made(out, at._shape, DType.Bool, op);
  }
  if (isScalar(a)) return compareOp(flipped(k), b, a, op);
  const ha = h(a, op), hb = h(b, op);
  const dt = promote2(a, b);
  const shape = broadcastShapes(a._shape, b._shape, op);
  let out = W.compare(k, ha, hb, dt);
  if (out === 0 && reclaim()) out = W.compare(k, a._h, b._h, dt);
  return made(out, shape, DType.Bool, op);
}
function flipped(k: BK): BK {
  return k === BK.Lt ? BK.Gt : k === BK.Gt ? BK.Lt : k === BK.Le ? BK.Ge : k === BK.Ge ? BK.Le : k;
}

/** a == b elementwise, as a bool tensor (torch.eq); `eq(t, 0)`. */
export const eq = (a: TensorOrScalar, b: TensorOrScalar): Tensor => compareOp(BK.Eq, a, b, "eq");
/** a != b elementwise, as a bool tensor (torch.ne). */
export const ne = (a: TensorOrScalar, b: TensorOrScalar): Tensor => compareOp(BK.Ne, a, b, "ne");
/** a < b elementwise, as a bool tensor (torch.lt). */
export const lt = (a: TensorOrScalar, b: TensorOrScalar): Tensor => compareOp(BK.Lt, a, b, "lt");
/** a <= b elementwise, as a bool tensor (torch.le). */
export const le = (a: TensorOrScalar, b: TensorOrScalar): Tensor => compareOp(BK.Le, a, b, "le");
/** a > b elementwise, as a bool tensor (torch.gt). */
export const gt = (a: TensorOrScalar, b: TensorOrScalar): Tensor => compareOp(BK.Gt, a, b, "gt");
/** a >= b elementwise, as a bool tensor (torch.ge). */
export const ge = (a: TensorOrScalar, b: TensorOrScalar): Tensor => compareOp(BK.Ge, a, b, "ge");
/** Elementwise logical and of the truth values (nonzero is true), as bool (torch.logical_and). */
export const logicalAnd = (a: TensorOrScalar, b: TensorOrScalar): Tensor => compareOp(BK.And, a, b, "logicalAnd");
/** Elementwise logical or of the truth values, as bool (torch.logical_or). */
export const logicalOr = (a: TensorOrScalar, b: TensorOrScalar): Tensor => compareOp(BK.Or, a, b, "logicalOr");
/** Elementwise logical xor of the truth values, as bool (torch.logical_xor). */
export const logicalXor = (a: TensorOrScalar, b: TensorOrScalar): Tensor => compareOp(BK.Xor, a, b, "logicalXor");

/** where(cond, a, b): elements of a where cond is true, else of b, broadcasting all three. */
export function where(cond: Tensor, a: TensorOrScalar, b: TensorOrScalar): Tensor {
  const hc = h(cond, "where");
  if (cond._dt !== DType.Bool) throw new DTypeError(`where: condition must be a bool tensor, got ${DTYPE_NAMES[cond._dt]}`);
  const ta = isScalar(a) ? null : a, tb = isScalar(b) ? null : b;
  // an operand that is neither is refused before promotion reads its dtype
  for (const t of [ta, tb]) if (t !== null && !(t instanceof Tensor)) scalarOf(t, "where");
  if (ta) h(ta, "where");
  if (tb) h(tb, "where");
  let dt: DType;
  if (ta && tb) dt = promote2(ta, tb);
  else if (ta) dt = promoteWithScalar(ta, b as Scalar);
  else if (tb) dt = promoteWithScalar(tb, a as Scalar);
  else dt = typeof a === "number" && !Number.isInteger(a) || typeof b === "number" && !Number.isInteger(b) ? DType.Float32 : DType.Int32;
  const A = ta ?? scalarTensor(scalarOf(a, "where"), dt);
  const B = tb ?? scalarTensor(scalarOf(b, "where"), dt);
  const ha = h(A, "where"), hb = h(B, "where");
  const shape = broadcastShapes(broadcastShapes(cond._shape, A._shape, "where"), B._shape, "where");
  let out = W.where(hc, ha, hb, dt);
  if (out === 0 && reclaim()) out = W.where(cond._h, A._h, B._h, dt);
  return made(out, shape, dt, "where");
}

declare module "../wasm/exports.js" {
  interface CoreExports {
    allcloseOp(a: number, b: number, rtol: number, atol: number, equalNan: number): number;
    equalOp(a: number, b: number, dt: number): number;
  }
}

/** A core answer of 2 (true), 1 (false) or 0 (out of memory, after a collection and retry). */
function answer(r: number, again: () => number, op: string): boolean {
  if (r === 0) r = retryAlloc(again);
  if (r === 0) throw oom(op);
  return r === 2;
}

/**
 * Whether |a - b| <= atol + rtol * |b| everywhere, with broadcasting (torch.allclose); infinities
 * must match exactly, NaN counts as equal only with `equalNan`. Example: `allclose(a, b, { atol: 1e-6 })`.
 */
export function allclose(a: Tensor, b: Tensor, opts?: { rtol?: number; atol?: number; equalNan?: boolean }): boolean {
  const ha = h(a, "allclose"), hb = h(b, "allclose");
  const rtol = opts?.rtol ?? 1e-5, atol = opts?.atol ?? 1e-8, equalNan = opts?.equalNan ?? false;
  if (typeof rtol !== "number" || typeof atol !== "number") {
    throw new DTypeError(`allclose: rtol and atol must be numbers, got ${describe(rtol)} and ${describe(atol)}`);
  }
  if (a._dt !== b._dt) throw new DTypeError(`allclose: both tensors must have one dtype, got ${DTYPE_NAMES[a._dt]} and ${DTYPE_NAMES[b._dt]}`);
  broadcastShapes(a._shape, b._shape, "allclose");
  const en = equalNan ? 1 : 0;
  return answer(W.allcloseOp(ha, hb, rtol, atol, en), () => W.allcloseOp(a._h, b._h, rtol, atol, en), "allclose");
}

/** Whether a and b have the same shape and equal elements (torch.equal; dtypes are promoted, NaN is unequal). */
export function equal(a: Tensor, b: Tensor): boolean {
  const ha = h(a, "equal"), hb = h(b, "equal");
  if (a._shape.length !== b._shape.length || a._shape.some((d, i) => d !== b._shape[i])) return false;
  const dt = promote2(a, b);
  return answer(W.equalOp(ha, hb, dt), () => W.equalOp(a._h, b._h, dt), "equal");
}

/** A 0-dim tensor holding v (for number operands of multi-input ops). */
export function scalarTensor(v: number, dt: DType): Tensor {
  const out = W.emptyOp(0, dt);
  const t = result(out, () => W.emptyOp(0, dt), [], dt, "tensor");
  W.fillValue(t._h, v);
  return t;
}

declare module "../tensor.js" {
  interface Tensor {
    /** {@inheritDoc add} */
    add(other: TensorOrScalar, opts?: { alpha?: number }): Tensor;
    /** {@inheritDoc sub} */
    sub(other: TensorOrScalar, opts?: { alpha?: number }): Tensor;
    /** {@inheritDoc mul} */
    mul(other: TensorOrScalar): Tensor;
    /** {@inheritDoc div} */
    div(other: TensorOrScalar): Tensor;
    /** {@inheritDoc pow} */
    pow(exponent: TensorOrScalar): Tensor;
    /** {@inheritDoc maximum} */
    maximum(other: Tensor): Tensor;
    /** {@inheritDoc minimum} */
    minimum(other: Tensor): Tensor;
    /** {@inheritDoc atan2} */
    atan2(other: Tensor): Tensor;
    /** {@inheritDoc eq} */
    eq(other: TensorOrScalar): Tensor;
    /** {@inheritDoc ne} */
    ne(other: TensorOrScalar): Tensor;
    /** {@inheritDoc lt} */
    lt(other: TensorOrScalar): Tensor;
    /** {@inheritDoc le} */
    le(other: TensorOrScalar): Tensor;
    /** {@inheritDoc gt} */
    gt(other: TensorOrScalar): Tensor;
    /** {@inheritDoc ge} */
    ge(other: TensorOrScalar): Tensor;
    /** {@inheritDoc logicalAnd} */
    logicalAnd(other: TensorOrScalar): Tensor;
    /** {@inheritDoc logicalOr} */
    logicalOr(other: TensorOrScalar): Tensor;
    /** {@inheritDoc logicalXor} */
    logicalXor(other: TensorOrScalar): Tensor;
    /** {@inheritDoc allclose} */
    allclose(other: Tensor, opts?: { rtol?: number; atol?: number; equalNan?: boolean }): boolean;
    /** {@inheritDoc equal} */
    equal(other: Tensor): boolean;
  }
}

export const methods = asMethods({ add, sub, mul, div, pow, maximum, minimum, atan2, eq, ne, lt, le, gt, ge, logicalAnd, logicalOr, logicalXor, allclose, equal });
