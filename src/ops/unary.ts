// Elementwise unary ops (torch.exp, log, tanh, relu, ...). Integer and bool inputs of ops with a
// floating result are computed in float32, as PyTorch does; neg/abs/sign/relu keep int32.

import { DType } from "../../assembly/abi.js";
import { UK } from "../wasm/exports.js";
import { Tensor } from "../tensor.js";
import { DTypeError } from "../errors.js";
import { DTYPE_NAMES } from "../dtype.js";
import { h, floatOf, unaryOp } from "./util.js";
import { pow } from "./binary.js";

/** An op whose result is floating (integers computed in float32). */
function floating(k: UK, op: string) {
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
/** a * a (torch.square, which PyTorch records as pow(a, 2)). */
export function square(a: Tensor): Tensor {
  h(a, "square");
  return pow(a, 2);
}

declare module "../tensor.js" {
  interface Tensor {
    neg(): Tensor; exp(): Tensor; log(): Tensor; sqrt(): Tensor; abs(): Tensor; relu(): Tensor;
    sigmoid(): Tensor; tanh(): Tensor; reciprocal(): Tensor; sign(): Tensor; square(): Tensor;
  }
}

export const methods = {
  neg(this: Tensor) { return neg(this); },
  exp(this: Tensor) { return exp(this); },
  log(this: Tensor) { return log(this); },
  sqrt(this: Tensor) { return sqrt(this); },
  abs(this: Tensor) { return abs(this); },
  relu(this: Tensor) { return relu(this); },
  sigmoid(this: Tensor) { return sigmoid(this); },
  tanh(this: Tensor) { return tanh(this); },
  reciprocal(this: Tensor) { return reciprocal(this); },
  sign(this: Tensor) { return sign(this); },
  square(this: Tensor) { return square(this); },
};
