// In-place ops (add_, sub_, mul_, div_, fill_, zero_, copy_). They write through views to the
// shared storage and bump its version counter, so backward can detect a changed saved tensor.

import { OpCode, Status } from "../../assembly/abi.js";
import { W } from "../wasm/load.js";
import { F_REQUIRES_GRAD, F_VIEW, F_NOGRAD_VIEW } from "../wasm/exports.js";
import { Tensor, h, checkFloat, describe, type TensorOrScalar } from "../tensor.js";
import { isGradEnabled } from "../gradMode.js";
import { broadcastShapes, sameShape } from "../shape.js";
import { AutogradError, ShapeError, DTypeError, formatShape, oom } from "../errors.js";
import { toInt32 } from "./creation.js";

/** PyTorch's rules for writing in place into a tensor that autograd tracks. */
function checkInplace(self: Tensor, op: string, other?: Tensor): number {
  const hs = h(self, op);
  if (isGradEnabled()) {
    const f = W.flagsOf(hs);
    if (f & F_NOGRAD_VIEW) {
      throw new AutogradError(`${op}: a view was created in noGrad mode and is being modified in place with grad mode enabled; do the write inside noGrad() too, or take the view outside it`);
    }
    if (f & F_REQUIRES_GRAD) {
      if (W.isLeaf(hs)) {
        throw new AutogradError(`${op}: a leaf Variable that requires grad is being used in an in-place operation; wrap the update in noGrad() or write through .data`);
      }
      if (f & F_VIEW) {
        throw new AutogradError(`${op}: in-place operation on a view of a tensor that requires grad is not supported; apply it to the base tensor or use an out-of-place op`);
      }
    } else if ((f & F_VIEW) && other !== undefined && (W.flagsOf(h(other, op)) & F_REQUIRES_GRAD)) {
      throw new AutogradError(`${op}: in-place operation on a view with an operand that requires grad is not supported (the base would need the history); apply it to the base tensor or use an out-of-place op`);
    }
  }
  return hs;
}

/** Turns an in-place call's result code into the right error. */
function done(r: number, self: Tensor, op: string): void {
  if (r === 1) return;
  if (r === Status.InternalOverlap) {
    throw new ShapeError(`${op}: unsupported operation: more than one element of the written-to tensor refers to a single memory location (shape ${formatShape(self.shape)}, e.g. from expand()); clone() it first`);
  }
  throw oom(op, self.shape);
}

function checkFits(self: Tensor, other: Tensor, op: string): void {
  const shape = broadcastShapes(self.shape, other.shape, op);
  if (!sameShape(shape, self.shape)) {
    throw new ShapeError(`${op}: output with shape ${formatShape(self.shape)} doesn't match the broadcast shape ${formatShape(shape)}`);
  }
}

function inplace(op: OpCode, sop: OpCode, self: Tensor, other: TensorOrScalar, name: string, alpha = 1): void {
  if (typeof alpha !== "number") throw new DTypeError(`${name}: alpha must be a number, got ${describe(alpha)}`);
  if (typeof other === "number") {
    const hs = checkInplace(self, name);
    checkFloat(self, name);
    const s = alpha === 1 ? other : Math.fround(Math.fround(alpha) * Math.fround(other));
    done(W.inplaceScalarOp(sop, hs, s), self, name);
    return;
  }
  if (!(other instanceof Tensor)) throw new DTypeError(`${name}: expected a Tensor or a number, got ${describe(other)}`);
  const hs = checkInplace(self, name, other);
  const ho = h(other, name);
  checkFloat(self, name);
  checkFloat(other, name);
  checkFits(self, other, name);
  done(W.inplaceBinaryOp(op, hs, ho, alpha), self, name);
}

export function add_(self: Tensor, other: TensorOrScalar, opts?: { alpha?: number }): void {
  inplace(OpCode.Add, OpCode.AddScalar, self, other, "add_", opts?.alpha ?? 1);
}
export function sub_(self: Tensor, other: TensorOrScalar, opts?: { alpha?: number }): void {
  inplace(OpCode.Sub, OpCode.SubScalar, self, other, "sub_", opts?.alpha ?? 1);
}
export function mul_(self: Tensor, other: TensorOrScalar): void {
  inplace(OpCode.Mul, OpCode.MulScalar, self, other, "mul_");
}
export function div_(self: Tensor, other: TensorOrScalar): void {
  inplace(OpCode.Div, OpCode.DivScalar, self, other, "div_");
}

/** Every element set to value (zero_ when `zero`). */
export function fill_(self: Tensor, value: number, zero: boolean): void {
  const name = zero ? "zero_" : "fill_";
  if (typeof value !== "number") throw new DTypeError(`fill_: expected a number, got ${describe(value)}`);
  const hs = checkInplace(self, name);
  if (self._dt !== 0) toInt32(value, name);
  done(W.fillOp(hs, value, zero ? 1 : 0), self, name);
}

/** Copies src's values (broadcast to self's shape) into self. */
export function copy_(self: Tensor, src: Tensor): void {
  const hs = checkInplace(self, "copy_", src);
  const hsrc = h(src, "copy_");
  if (self._dt !== src._dt) throw new DTypeError(`copy_: dtypes differ (${self.dtype} <- ${src.dtype}); convert first`);
  checkFits(self, src, "copy_");
  done(W.copyOp(hs, hsrc), self, "copy_");
}
