// In-place ops (add_, sub_, mul_, div_, fill_, zero_, copy_). They write through views to the
// shared storage and bump its version counter, so backward can detect a changed saved tensor;
// a recorded write through a view gives the view's base its history (assembly/ops/copySlices.ts).

import { DType } from "../../assembly/abi.js";
import { F_REQUIRES_GRAD, F_VIEW, F_NOGRAD_VIEW, F_HAS_BASE, BK } from "../wasm/exports.js";
import { Tensor, type TensorOrScalar } from "../tensor.js";
import { isGradEnabled } from "../gradMode.js";
import { broadcastShapes, sameShape } from "../shape.js";
import { AutogradError, ShapeError, DTypeError, formatShape } from "../errors.js";
import { DTYPE_NAMES, isFloat } from "../dtype.js";
import { W, h, describe, done, scalarOf, promote2, promoteWithScalar, doneR, reclaim } from "./util.js";
import { toScalarOfDtype } from "./creation.js";
/**
 * PyTorch's rules (check_inplace) for writing in place while autograd tracks the tensor or an
 * operand: never into a leaf that requires grad or a view of one; through a view, the base gets
 * the history (CopySlices), so the view must be a window into a base it knows.
 */
export function checkInplace(self: Tensor, op: string, other?: Tensor): number {
  const hs = h(self, op);
  if (!isGradEnabled()) return hs;
  const f = W.flagsOf(hs);
  if (f & F_NOGRAD_VIEW) {
    throw new AutogradError(`${op}: a view was created in noGrad mode and is being modified in place with grad mode enabled; do the write inside noGrad() too, or take the view outside it`);
  }
  const tracked = (f & F_REQUIRES_GRAD) !== 0;
  if (!tracked && (other === undefined || !(W.flagsOf(h(other, op)) & F_REQUIRES_GRAD))) return hs;
  if (!(f & F_VIEW)) {
    if (tracked && W.isLeaf(hs)) {
      throw new AutogradError(`${op}: a leaf Variable that requires grad is being used in an in-place operation; wrap the update in noGrad() or write through .data`);
    }
    return hs;
  }
  const base = W.inplaceBase(hs);
  if (!base) {
    if (!(f & F_HAS_BASE)) {
      throw new AutogradError(`${op}: a view was created in noGrad mode and is being modified in place with grad mode enabled (its base is unknown); take the view outside noGrad(), or do the write inside it`);
    }
    throw new AutogradError(`${op}: in-place operation on a view that no longer covers its base's elements (its base's .data was replaced, or the base is not contiguous) is not supported; apply it to the base tensor or use an out-of-place op`);
  }
  if (tracked && W.isLeaf(base) && (W.flagsOf(base) & F_REQUIRES_GRAD)) {
    throw new AutogradError(`${op}: a view of a leaf Variable that requires grad is being used in an in-place operation; wrap the update in noGrad() or write through .data`);
  }
  return hs;
}

/** No element to write: torch returns the (empty) tensor unchanged; the core would see zero strides as overlap. */
function isEmpty(t: Tensor): boolean {
  for (const s of t._shape) if (s === 0) return true;
  return false;
}

function checkFits(self: Tensor, other: Tensor, op: string): void {
  const shape = broadcastShapes(self._shape, other._shape, op);
  if (!sameShape(shape, self._shape)) {
    throw new ShapeError(`${op}: output with shape ${formatShape(self._shape)} doesn't match the broadcast shape ${formatShape(shape)}`);
  }
}

/** The result dtype of self (op) other must be castable back into self's dtype, as torch checks. */
function checkCast(self: Tensor, dt: DType, op: string): void {
  const rank = (d: DType) => (d === DType.Bool ? 0 : d === DType.Int32 ? 1 : 2);
  if (rank(dt) > rank(self._dt)) {
    throw new DTypeError(`${op}: result type ${DTYPE_NAMES[dt]} can't be cast to the desired output type ${DTYPE_NAMES[self._dt]}`);
  }
}

function inplace(k: BK, self: Tensor, other: TensorOrScalar, name: string, alpha = 1, floatResult = false): void {
  if (typeof alpha !== "number") throw new DTypeError(`${name}: alpha must be a number, got ${describe(alpha)}`);
  if (typeof other === "number" || typeof other === "boolean") {
    const hs = checkInplace(self, name);
    let dt = promoteWithScalar(self, other);
    if (floatResult && !isFloat(dt)) dt = DType.Float32;
    checkCast(self, dt, name);
    const s = scalarOf(other, name) * alpha;
    if (isEmpty(self)) return;
    let r = W.inplaceScalarOp(k, hs, s);
    if (r === 0 && reclaim()) r = W.inplaceScalarOp(k, self._h, s);
    doneR(r, self, name);
    return;
  }
  if (!(other instanceof Tensor)) throw new DTypeError(`${name}: expected a Tensor or a number, got ${describe(other)}`);
  const hs = checkInplace(self, name, other);
  const ho = h(other, name);
  let dt = promote2(self, other);
  if (floatResult && !isFloat(dt)) dt = DType.Float32;
  checkCast(self, dt, name);
  checkFits(self, other, name);
  if (isEmpty(self)) return;
  let r = W.inplaceBinaryOp(k, hs, ho, alpha);
  if (r === 0 && reclaim()) r = W.inplaceBinaryOp(k, self._h, other._h, alpha);
  doneR(r, self, name);
}

export function add_(self: Tensor, other: TensorOrScalar, opts?: { alpha?: number }): void {
  inplace(BK.Add, self, other, "add_", opts?.alpha ?? 1);
}
export function sub_(self: Tensor, other: TensorOrScalar, opts?: { alpha?: number }): void {
  inplace(BK.Sub, self, other, "sub_", opts?.alpha ?? 1);
}
export function mul_(self: Tensor, other: TensorOrScalar): void { inplace(BK.Mul, self, other, "mul_"); }
export function div_(self: Tensor, other: TensorOrScalar): void { inplace(BK.Div, self, other, "div_", 1, true); }

/** Every element set to value (zero_ when `zero`), converted to self's dtype as torch does. */
export function fill_(self: Tensor, value: number | boolean, zero: boolean): void {
  const name = zero ? "zero_" : "fill_";
  const hs = checkInplace(self, name);
  const v = zero ? 0 : toScalarOfDtype(value, self._dt, name);
  let r = W.fillOp(hs, v, zero ? 1 : 0);
  if (r === 0 && reclaim()) r = W.fillOp(self._h, v, zero ? 1 : 0);
  doneR(r, self, name);
}

/** Copies src's values (broadcast to self's shape, converted to self's dtype) into self. */
export function copy_(self: Tensor, src: Tensor): void {
  if (!(src instanceof Tensor)) throw new DTypeError(`copy_: expected a Tensor, got ${describe(src)}`);
  const hs = checkInplace(self, "copy_", src);
  const hsrc = h(src, "copy_");
  checkFits(self, src, "copy_");
  if (isEmpty(self)) return;
  let r = W.copyOp(hs, hsrc);
  if (r === 0 && reclaim()) r = W.copyOp(self._h, src._h);
  doneR(r, self, "copy_");
}

declare module "../tensor.js" {
  interface Tensor {
    /** In-place {@link add}: writes the result into this tensor and returns it (`torch.Tensor.add_`). */
    add_(other: TensorOrScalar, opts?: { alpha?: number }): this;
    /** In-place {@link sub}: writes the result into this tensor and returns it (`torch.Tensor.sub_`). */
    sub_(other: TensorOrScalar, opts?: { alpha?: number }): this;
    /** In-place {@link mul}: writes the result into this tensor and returns it (`torch.Tensor.mul_`). */
    mul_(other: TensorOrScalar): this;
    /** In-place {@link div}: writes the result into this tensor and returns it (`torch.Tensor.div_`). */
    div_(other: TensorOrScalar): this;
    /** Fills this tensor with zeros in place (`torch.Tensor.zero_`), e.g. `w.grad!.zero_()`. */
    zero_(): this;
    /** Fills this tensor with one value in place (`torch.Tensor.fill_`). */
    fill_(value: number | boolean): this;
    /** Copies src (broadcast, converted to this dtype) into this tensor in place (`torch.Tensor.copy_`). */
    copy_(src: Tensor): this;
  }
}

export const methods = {
  add_(this: Tensor, o: TensorOrScalar, opts?: { alpha?: number }) { add_(this, o, opts); return this; },
  sub_(this: Tensor, o: TensorOrScalar, opts?: { alpha?: number }) { sub_(this, o, opts); return this; },
  mul_(this: Tensor, o: TensorOrScalar) { mul_(this, o); return this; },
  div_(this: Tensor, o: TensorOrScalar) { div_(this, o); return this; },
  zero_(this: Tensor) { fill_(this, 0, true); return this; },
  fill_(this: Tensor, v: number | boolean) { fill_(this, v, false); return this; },
  copy_(this: Tensor, src: Tensor) { copy_(this, src); return this; },
};
