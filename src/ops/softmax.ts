// softmax, logSoftmax and cumsum along one dim (torch.softmax, log_softmax, cumsum).

import { DType } from "../../assembly/abi.js";
import { Tensor } from "../tensor.js";
import { DTypeError, IndexError } from "../errors.js";
import { DTYPE_NAMES, isFloat } from "../dtype.js";
import { W, h, result, made, reclaim, asMethods } from "./util.js";
import { normalizeDim } from "../shape.js";
import { to } from "./convert.js";

declare module "../wasm/exports.js" {
  interface CoreExports {
    softmaxOp(a: number, dim: number, log: number): number;
    softmaxBackwardOp(g: number, y: number, dim: number, log: number): number;
    cumsumOp(a: number, dim: number, dt: number, reverse: number): number;
  }
}

function dimOf(a: Tensor, dim: unknown, op: string): number {
  if (dim === undefined || dim === null) throw new IndexError(`${op}: dim must be given`);
  return normalizeDim(dim, a._shape.length, op);
}

function soft(a: Tensor, dim: number, log: boolean, op: string): Tensor {
  const ha = h(a, op);
  const d = dimOf(a, dim, op);
  if (!isFloat(a._dt)) {
    throw new DTypeError(`${op}: expected a floating point tensor (float32 or float64), got ${DTYPE_NAMES[a._dt]}; convert it with .float()`);
  }
  const l = log ? 1 : 0;
  let out = W.softmaxOp(ha, d, l);
  if (out === 0 && reclaim()) out = W.softmaxOp(a._h, d, l);
  return made(out, a._shape.slice(), a._dt, op);
}

/** exp(x) / sum(exp(x)) along `dim`, stable for large inputs. Example: `logits.softmax(-1)`. */
export function softmax(a: Tensor, dim: number): Tensor { return soft(a, dim, false, "softmax"); }
/** log(softmax(x)) along `dim`, computed as x - max - log(sum(exp(x - max))). */
export function logSoftmax(a: Tensor, dim: number): Tensor { return soft(a, dim, true, "logSoftmax"); }

/** Cumulative sum along `dim`; integer and bool inputs give int32 (torch: int64). */
export function cumsum(a: Tensor, dim: number, opts?: { dtype?: "float32" | "float64" }): Tensor {
  const ha = h(a, "cumsum");
  const d = dimOf(a, dim, "cumsum");
  let dt = opts?.dtype === "float64" ? DType.Float64 : opts?.dtype === "float32" ? DType.Float32 : a._dt;
  if (!isFloat(dt)) dt = DType.Int32;
  let src = a, hs = ha;
  if (dt !== a._dt && isFloat(dt)) { src = to(a, DTYPE_NAMES[dt], "cumsum"); hs = src._h; }
  let out = W.cumsumOp(hs, d, dt, 0);
  if (out === 0 && reclaim()) out = W.cumsumOp(src._h, d, dt, 0);
  return made(out, a._shape.slice(), dt, "cumsum");
}

declare module "../tensor.js" {
  interface Tensor {
    /** {@inheritDoc softmax} */
    softmax(dim: number): Tensor;
    /** {@inheritDoc logSoftmax} */
    logSoftmax(dim: number): Tensor;
    /** {@inheritDoc cumsum} */
    cumsum(dim: number, opts?: { dtype?: "float32" | "float64" }): Tensor;
  }
}

export const methods = asMethods({ softmax, logSoftmax, cumsum });
