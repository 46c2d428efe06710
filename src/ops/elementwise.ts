// Elementwise arithmetic with broadcasting and number operands (torch.add, mul, exp, ...).
// A number operand never becomes a tensor: it is passed to the core as an f32 scalar, which is
// also how PyTorch rounds a Python float against a float32 tensor.

import { OpCode } from "../../assembly/abi.js";
import { W } from "../wasm/load.js";
import { Tensor, h, wrap, checkFloat, describe, type TensorOrScalar } from "../tensor.js";
import { broadcastShapes } from "../shape.js";
import { DTypeError } from "../errors.js";

function scalarArg(v: number, op: string): number {
  if (typeof v !== "number") throw new DTypeError(`${op}: expected a Tensor or a number, got ${describe(v)}`);
  return v;
}

/** alpha * other, rounded as torch does (both to float32, then the float32 product). */
function scaled(other: number, alpha: number): number {
  return alpha === 1 ? other : Math.fround(Math.fround(alpha) * Math.fround(other));
}

/**
 * a (op) b where either side may be a number. `sop`: tensor (op) number; `rop`: number (op) tensor
 * (the same code for commutative ops).
 */
function arith(op: OpCode, sop: OpCode, rop: OpCode, a: TensorOrScalar, b: TensorOrScalar, name: string, alpha = 1): Tensor {
  if (typeof b === "number") {
    const at = a as Tensor;
    const ha = h(at, name);
    checkFloat(at, name);
    const s = op === OpCode.Add || op === OpCode.Sub ? scaled(b, alpha) : b;
    return wrap(W.scalarOp(sop, ha, s), at.shape, 0, name);
  }
  if (typeof a === "number") {
    const hb = h(b, name);
    checkFloat(b, name);
    if (op === OpCode.Sub && alpha !== 1) {
      // a - alpha * b: there is no scalar form with alpha; make it b * -alpha + a
      return arith(OpCode.Add, OpCode.AddScalar, OpCode.AddScalar, mul(b, -alpha), a, name);
    }
    return wrap(W.scalarOp(rop, hb, a), b.shape, 0, name);
  }
  const ha = h(a, name), hb = h(b, name);
  checkFloat(a, name);
  checkFloat(b, name);
  const shape = broadcastShapes(a.shape, b.shape, name);
  return wrap(W.binaryOp(op, ha, hb, alpha), shape, 0, name);
}

/** a + alpha * b, broadcasting (torch.add). */
export function add(a: TensorOrScalar, b: TensorOrScalar, opts?: { alpha?: number }): Tensor {
  const alpha = opts?.alpha ?? 1;
  if (typeof a === "number" && typeof b !== "number" && alpha !== 1) return add(mul(b, alpha), a);
  return arith(OpCode.Add, OpCode.AddScalar, OpCode.AddScalar, a, b, "add", scalarArg(alpha, "add"));
}
/** a - alpha * b (torch.sub). */
export function sub(a: TensorOrScalar, b: TensorOrScalar, opts?: { alpha?: number }): Tensor {
  return arith(OpCode.Sub, OpCode.SubScalar, OpCode.RSubScalar, a, b, "sub", scalarArg(opts?.alpha ?? 1, "sub"));
}
/** a * b (torch.mul). */
export function mul(a: TensorOrScalar, b: TensorOrScalar): Tensor {
  return arith(OpCode.Mul, OpCode.MulScalar, OpCode.MulScalar, a, b, "mul");
}
/** a / b, true division (torch.div). */
export function div(a: TensorOrScalar, b: TensorOrScalar): Tensor {
  return arith(OpCode.Div, OpCode.DivScalar, OpCode.RDivScalar, a, b, "div");
}
/** a ** b (torch.pow). */
export function pow(a: TensorOrScalar, b: TensorOrScalar): Tensor {
  return arith(OpCode.Pow, OpCode.PowScalar, OpCode.RPowScalar, a, b, "pow");
}

function unary(op: OpCode, a: Tensor, name: string): Tensor {
  const ha = h(a, name);
  checkFloat(a, name);
  return wrap(W.unaryOp(op, ha), a.shape, 0, name);
}

export const neg = (a: Tensor): Tensor => unary(OpCode.Neg, a, "neg");
export const exp = (a: Tensor): Tensor => unary(OpCode.Exp, a, "exp");
export const log = (a: Tensor): Tensor => unary(OpCode.Log, a, "log");
export const sqrt = (a: Tensor): Tensor => unary(OpCode.Sqrt, a, "sqrt");
export const abs = (a: Tensor): Tensor => unary(OpCode.Abs, a, "abs");
export const relu = (a: Tensor): Tensor => unary(OpCode.Relu, a, "relu");
export const sigmoid = (a: Tensor): Tensor => unary(OpCode.Sigmoid, a, "sigmoid");
export const tanh = (a: Tensor): Tensor => unary(OpCode.Tanh, a, "tanh");
/** a * a (torch.square, which PyTorch records as pow(a, 2)). */
export const square = (a: Tensor): Tensor => arith(OpCode.Pow, OpCode.PowScalar, OpCode.RPowScalar, a, 2, "square");
