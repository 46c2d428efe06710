// backward(): validation in TS, then the whole reverse pass in one call into the core.

import { Status, OpCode } from "../assembly/abi.js";
import { W } from "./wasm/load.js";
import { F_REQUIRES_GRAD } from "./wasm/exports.js";
import { Tensor, h } from "./tensor.js";
import { gradFnName } from "./gradFn.js";
import { sameShape } from "./shape.js";
import { AutogradError, ShapeError, WasmgradError, formatShape, oom } from "./errors.js";

const VIEW_OPS = new Set<number>([
  OpCode.View, OpCode.Transpose, OpCode.T, OpCode.Expand, OpCode.Unsqueeze, OpCode.Squeeze, OpCode.SqueezeDim,
]);

export interface BackwardOptions {
  /** Keep the saved tensors so backward can run through this graph again. */
  retainGraph?: boolean;
  /** Record the backward pass for higher-order gradients (not supported yet). */
  createGraph?: boolean;
}

/** Accumulates d(t)/d(leaf) * gradient into every leaf's .grad (see Tensor.backward). */
export function backward(t: Tensor, gradient?: Tensor | null, opts?: BackwardOptions): void {
  const ht = h(t, "backward");
  if (opts?.createGraph) {
    throw new WasmgradError("backward: createGraph (gradients of gradients) is not supported yet");
  }
  if (!(W.flagsOf(ht) & F_REQUIRES_GRAD)) {
    throw new AutogradError("backward: element 0 of tensors does not require grad and does not have a grad_fn");
  }
  let hg = 0;
  if (gradient === undefined || gradient === null) {
    if (t.numel() !== 1) {
      throw new AutogradError(`backward: grad can be implicitly created only for scalar outputs; output has shape ${formatShape(t.shape)}; pass a gradient or call .sum() first`);
    }
  } else {
    hg = h(gradient, "backward");
    if (!sameShape(gradient.shape, t.shape)) {
      throw new ShapeError(`backward: gradient has shape ${formatShape(gradient.shape)} but the output has shape ${formatShape(t.shape)}`);
    }
    if (gradient._dt !== 0) throw new AutogradError(`backward: gradient must be float32, got ${gradient.dtype}`);
  }
  const status = W.backward(ht, hg, opts?.retainGraph ? 1 : 0);
  if (status === Status.Ok) return;
  const op = gradFnName(W.backwardErrorInfo(0));
  if (status === Status.FreedGraph) {
    throw new AutogradError(
      `backward: trying to backward through the graph a second time (or directly access saved tensors after they have already been freed) at ${op}. ` +
      "Saved intermediate values of the graph are freed when you call .backward(); pass { retainGraph: true } to the first backward if you need to backward through the graph a second time");
  }
  if (status === Status.VersionMismatch) {
    const cur = W.backwardErrorInfo(2), want = W.backwardErrorInfo(3);
    const viewHint = VIEW_OPS.has(W.backwardErrorInfo(0))
      ? "; the base of a view was changed in place after the view was taken (use the view's values before, or clone() it)"
      : "";
    throw new AutogradError(
      `backward: one of the variables needed for gradient computation has been modified by an inplace operation: ` +
      `a tensor saved by ${op} is at version ${cur}; expected version ${want} instead${viewHint}`);
  }
  if (status === Status.InvalidGradient) {
    const given = infoShape(1), want = infoShape(10);
    throw new ShapeError(
      `backward: Function ${op} returned an invalid gradient at index ${W.backwardErrorInfo(19)} - got ` +
      `${formatShape(given)} but expected shape compatible with ${formatShape(want)} ` +
      "(a tensor's .data was replaced with another shape after it was computed)");
  }
  if (status === Status.GradShapeMismatch) {
    const t = W.backwardErrorInfo(0), g = W.backwardErrorInfo(1);
    throw new ShapeError(
      `backward: a tensor's .grad has shape ${formatShape(shapeOf(g))} but its gradient has shape ` +
      `${formatShape(shapeOf(t))} (its shape changed after .grad was made; set .grad = null first)`);
  }
  throw oom("backward");
}

function infoShape(at: number): number[] {
  return Array.from({ length: W.backwardErrorInfo(at) }, (_, d) => W.backwardErrorInfo(at + 1 + d));
}

/** The shape of a handle, read from the core (for tensors the facade holds no wrapper of). */
export function shapeOf(handle: number): number[] {
  return Array.from({ length: W.tensorNdim(handle) }, (_, d) => W.tensorDim(handle, d));
}
