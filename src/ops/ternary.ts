// Elementwise ops of up to three tensors broadcast together (torch.masked_fill, torch.lerp).

import { DType } from "../../assembly/abi.js";
import { Tensor } from "../tensor.js";
import { broadcastShapes } from "../shape.js";
import { DTypeError, ShapeError } from "../errors.js";
import { DTYPE_NAMES, isFloat } from "../dtype.js";
import { W, h, result, describe, checkAccepts, made, reclaim, asMethods } from "./util.js";

declare module "../wasm/exports.js" {
  interface CoreExports {
    maskedFill(self: number, mask: number, value: number, v: number): number;
    lerp(a: number, b: number, w: number, ws: number, dt: number): number;
  }
}

/**
 * a with `value` written where `mask` is true (torch.masked_fill); mask is a bool tensor that
 * broadcasts with a, value a number or a 0-dim tensor (then it gets a gradient too).
 * Example: `scores.maskedFill(pad, -Infinity)`.
 */
export function maskedFill(a: Tensor, mask: Tensor, value: number | boolean | Tensor): Tensor {
  const ha = h(a, "maskedFill");
  const hm = h(mask, "maskedFill");
  if (mask._dt !== DType.Bool) {
    throw new DTypeError(`maskedFill: mask must be a bool tensor, got ${DTYPE_NAMES[mask._dt]}; make one with a comparison such as x.gt(0)`);
  }
  const shape = broadcastShapes(a._shape, mask._shape, "maskedFill");
  if (value instanceof Tensor) {
    const hv = h(value, "maskedFill");
    if (value._shape.length !== 0) {
      throw new ShapeError(`maskedFill: value must be a number or a 0-dimensional tensor, got a tensor with ${value._shape.length} dimension(s)`);
    }
    let out = W.maskedFill(ha, hm, hv, 0);
    if (out === 0 && reclaim()) out = W.maskedFill(a._h, mask._h, value._h, 0);
    return made(out, shape, a._dt, "maskedFill");
  }
  if (typeof value !== "number" && typeof value !== "boolean") {
    throw new DTypeError(`maskedFill: value must be a number, a boolean or a 0-dimensional tensor, got ${describe(value)}`);
  }
  const v = typeof value === "boolean" ? (value ? 1 : 0) : value;
  if (!isFloat(a._dt) && !Number.isFinite(v)) {
    throw new DTypeError(`maskedFill: value ${v} cannot be converted to ${DTYPE_NAMES[a._dt]} without overflow`);
  }
  let out = W.maskedFill(ha, hm, 0, v);
  if (out === 0 && reclaim()) out = W.maskedFill(a._h, mask._h, 0, v);
  return made(out, shape, a._dt, "maskedFill");
}

/**
 * a + weight * (end - a) (torch.lerp), broadcasting a, end and a tensor weight; float tensors of
 * one dtype. Example: `lerp(a, b, 0.25)`.
 */
export function lerp(a: Tensor, end: Tensor, weight: number | Tensor): Tensor {
  const ha = h(a, "lerp");
  const he = h(end, "lerp");
  checkAccepts(a, "float", "lerp");
  if (end._dt !== a._dt) throw new DTypeError(`lerp: expected dtype ${DTYPE_NAMES[a._dt]} for end but got dtype ${DTYPE_NAMES[end._dt]}`);
  let shape = broadcastShapes(a._shape, end._shape, "lerp");
  const dt = a._dt;
  if (weight instanceof Tensor) {
    const hw = h(weight, "lerp");
    if (weight._dt !== a._dt) {
      throw new DTypeError(`lerp: expected dtype ${DTYPE_NAMES[a._dt]} for weight but got dtype ${DTYPE_NAMES[weight._dt]}`);
    }
    shape = broadcastShapes(shape, weight._shape, "lerp");
    let out = W.lerp(ha, he, hw, 0, dt);
    if (out === 0 && reclaim()) out = W.lerp(a._h, end._h, weight._h, 0, dt);
    return made(out, shape, dt, "lerp");
  }
  if (typeof weight !== "number") throw new DTypeError(`lerp: weight must be a number or a Tensor, got ${describe(weight)}`);
  let out = W.lerp(ha, he, 0, weight, dt);
  if (out === 0 && reclaim()) out = W.lerp(a._h, end._h, 0, weight, dt);
  return made(out, shape, dt, "lerp");
}

declare module "../tensor.js" {
  interface Tensor {
    /** {@inheritDoc maskedFill} */
    maskedFill(mask: Tensor, value: number | boolean | Tensor): Tensor;
    /** {@inheritDoc lerp} */
    lerp(end: Tensor, weight: number | Tensor): Tensor;
  }
}

export const methods = asMethods({ maskedFill, lerp });
