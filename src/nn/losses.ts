// Loss functions (torch.nn.functional.*_loss), composed of tensor ops so that autograd, and
// createGraph through them, need no rules of their own. Formulas follow torch 1.13's kernels
// (e.g. BCE clamps each log at -100), so values agree to float32 rounding.

import { Tensor } from "../tensor.js";
import { noGrad, isGradEnabled } from "../gradMode.js";
import { abs, log, relu, exp } from "../ops/unary.js";
import { sub, mul, maximum, where, eq, ne, logicalAnd } from "../ops/binary.js";
import { arange, full } from "../ops/creation.js";
import { DTypeError, IndexError, ShapeError, WasmgradError, formatShape } from "../errors.js";
import { DType } from "../../assembly/abi.js";
import { isFloat } from "../dtype.js";
import { broadcastShapes } from "../shape.js";
import { intArg, optTensorArg, optsArg, tensorArg } from "../validate.js";
import { show as describe } from "./show.js";
import { logSoftmax } from "./functional.js";
import { crossEntropyFused } from "./fused.js";

/** How a loss reduces over the batch: "mean" (the default), "sum" or "none" (PyTorch's reduction=). */
export type Reduction = "mean" | "sum" | "none";

function reductionOf(r: unknown, op: string): Reduction {
  if (r === undefined) return "mean";
  if (r !== "mean" && r !== "sum" && r !== "none") throw new WasmgradError(`${op}: ${describe(r)} is not a valid value for reduction ("mean", "sum" or "none")`);
  return r;
}

function reduce(loss: Tensor, r: Reduction): Tensor {
  return r === "mean" ? loss.mean() : r === "sum" ? loss.sum() : loss;
}

/** Both tensors live, the input floating point, the options an object (or left out). */
function pair(input: Tensor, target: Tensor, op: string, opts?: unknown): void {
  tensorArg(input, "input", op); tensorArg(target, "target", op);
  optsArg(opts, op, "{ reduction?: \"mean\" | \"sum\" | \"none\", ... }");
  if (!isFloat(input._dt)) throw new DTypeError(`${op}: input must be float32 or float64, got ${input.dtype}`);
}

/** pair() for the regression losses: a numeric target that broadcasts with the input. */
function regression(input: Tensor, target: Tensor, op: string, opts: unknown): void {
  pair(input, target, op, opts);
  if (target._dt === DType.Bool) throw new DTypeError(`${op}: target must be a number tensor, got bool`);
  broadcastShapes(input._shape, target._shape, op);
}

/** An optional weight tensor that broadcasts with `shape`. */
function weightOf(w: unknown, what: string, shape: readonly number[], op: string): Tensor | null {
  const t = optTensorArg(w, what, op);
  if (t) broadcastShapes(shape, t._shape, op);
  return t;
}

function sameShapes(input: Tensor, target: Tensor, op: string): void {
  const a = input._shape, b = target._shape;
  if (a.length !== b.length || a.some((s, i) => s !== b[i])) {
    throw new ShapeError(`${op}: target size ${formatShape(b)} must be the same as input size ${formatShape(a)}`);
  }
}

/** mean((input - target)^2) (torch.nn.functional.mse_loss). */
export function mseLoss(input: Tensor, target: Tensor, opts: { reduction?: Reduction } = {}): Tensor {
  regression(input, target, "mseLoss", opts);
  const r = reductionOf(opts.reduction, "mseLoss");
  const d = sub(input, target);
  return reduce(mul(d, d), r);
}

/** mean(|input - target|) (torch.nn.functional.l1_loss). */
export function l1Loss(input: Tensor, target: Tensor, opts: { reduction?: Reduction } = {}): Tensor {
  regression(input, target, "l1Loss", opts);
  return reduce(abs(sub(input, target)), reductionOf(opts.reduction, "l1Loss"));
}

/** 0.5 z^2 / beta where z = |input - target| < beta, else z - 0.5 beta (torch.nn.functional.smooth_l1_loss). */
export function smoothL1Loss(input: Tensor, target: Tensor, opts: { reduction?: Reduction; beta?: number } = {}): Tensor {
  regression(input, target, "smoothL1Loss", opts);
  const r = reductionOf(opts.reduction, "smoothL1Loss");
  const beta = opts.beta ?? 1;
  if (typeof beta !== "number" || !(beta >= 0)) throw new WasmgradError(`smoothL1Loss: beta must be a non-negative number, got ${describe(beta)}`);
  const z = abs(sub(input, target));
  if (beta === 0) return reduce(z, r);
  return reduce(where(z.lt(beta), z.mul(0.5).mul(z).div(beta), z.sub(0.5 * beta)), r);
}

/** 0.5 z^2 where z = |input - target| < delta, else delta (z - 0.5 delta) (torch.nn.functional.huber_loss). */
export function huberLoss(input: Tensor, target: Tensor, opts: { reduction?: Reduction; delta?: number } = {}): Tensor {
  regression(input, target, "huberLoss", opts);
  const r = reductionOf(opts.reduction, "huberLoss");
  const delta = opts.delta ?? 1;
  if (typeof delta !== "number" || !(delta > 0)) throw new WasmgradError(`huberLoss: delta must be a positive number, got ${describe(delta)}`);
  const z = abs(sub(input, target));
  return reduce(where(z.lt(delta), z.mul(0.5).mul(z), z.sub(0.5 * delta).mul(delta)), r);
}

/**
 * -w (y log x + (1 - y) log(1 - x)), each log clamped at -100 (torch.nn.functional.binary_cross_entropy).
 * torch's backward is g (x - y) / max(x (1 - x), 1e-12), which is not the derivative of the clamped
 * forward (that is 0 * inf = NaN at x = 0 or 1). Both are kept: the value is the clamped forward, and
 * the gradient flows through G, whose derivative is exactly torch's formula; G enters as G - G.detach(),
 * an exact 0, so the value is untouched and createGraph differentiates G again.
 */
export function binaryCrossEntropy(input: Tensor, target: Tensor, opts: { weight?: Tensor | null; reduction?: Reduction } = {}): Tensor {
  pair(input, target, "binaryCrossEntropy", opts);
  const r = reductionOf(opts.reduction, "binaryCrossEntropy");
  sameShapes(input, target, "binaryCrossEntropy");
  if (!isFloat(target._dt)) throw new DTypeError(`binaryCrossEntropy: target must be float32 or float64, got ${target.dtype}`);
  weightOf(opts.weight, "weight", input._shape, "binaryCrossEntropy");
  for (const v of input.dataSync()) {
    if (!(v >= 0 && v <= 1)) throw new WasmgradError(`binaryCrossEntropy: all elements of input should be between 0 and 1, got ${v}`);
  }
  const value = noGrad(() => {
    const floor = full([], -100, { dtype: input.dtype === "float64" ? "float64" : "float32" });
    const logX = maximum(log(input), floor);
    const log1mX = maximum(log(input.neg().add(1)), floor);
    return target.sub(1).mul(log1mX).sub(target.mul(logX));
  });
  let loss = value;
  if (isGradEnabled() && input.requiresGrad) {
    const EPS = 1e-12;
    const x = input;
    const inside = x.mul(x.neg().add(1)).ge(EPS);
    const xs = where(inside, x, 0.5); // keeps the unused log branch finite, so its zero gradient is not NaN
    const logs = target.sub(1).mul(log(xs.neg().add(1))).sub(target.mul(log(xs)));
    const quad = x.mul(x).mul(0.5).sub(target.mul(x)).div(EPS);
    const G = where(inside, logs, quad);
    loss = G.sub(G.detach()).add(value);
  }
  if (opts.weight) loss = loss.mul(opts.weight);
  return reduce(loss, r);
}

/**
 * Sigmoid + BCE in the stable form torch uses: (1 - y) x + m + log(e^-m + e^(-x - m)), m = max(-x, 0);
 * with posWeight the log term is scaled by 1 + (posWeight - 1) y.
 */
export function binaryCrossEntropyWithLogits(input: Tensor, target: Tensor,
  opts: { weight?: Tensor | null; posWeight?: Tensor | null; reduction?: Reduction } = {}): Tensor {
  pair(input, target, "binaryCrossEntropyWithLogits", opts);
  const r = reductionOf(opts.reduction, "binaryCrossEntropyWithLogits");
  sameShapes(input, target, "binaryCrossEntropyWithLogits");
  if (!isFloat(target._dt)) throw new DTypeError(`binaryCrossEntropyWithLogits: target must be float32 or float64, got ${target.dtype}`);
  weightOf(opts.weight, "weight", input._shape, "binaryCrossEntropyWithLogits");
  weightOf(opts.posWeight, "posWeight", input._shape, "binaryCrossEntropyWithLogits");
  const maxVal = relu(input.neg());
  const lse = log(exp(maxVal.neg()).add(exp(input.neg().sub(maxVal))));
  const oneMinusY = target.neg().add(1);
  let loss: Tensor;
  if (opts.posWeight) {
    const logWeight = opts.posWeight.sub(1).mul(target).add(1);
    loss = oneMinusY.mul(input).add(logWeight.mul(lse.add(maxVal)));
  } else {
    loss = oneMinusY.mul(input).add(maxVal).add(lse);
  }
  if (opts.weight) loss = loss.mul(opts.weight);
  return reduce(loss, r);
}

/** A float tensor of the input's dtype (class weights). */
function floatIn(w: unknown, what: string, op: string, input: Tensor): Tensor {
  const t = tensorArg(w, what, op);
  if (t._dt !== input._dt) throw new DTypeError(`${op}: expected ${what} of dtype ${input.dtype}, like the input, got ${t.dtype}`);
  return t;
}

/** Options of `F.nllLoss` (PyTorch's weight=, ignore_index=, reduction=). */
export interface NllOpts { weight?: Tensor | null; ignoreIndex?: number; reduction?: Reduction }

/** Broadcasts a [C] vector along the class dim of an input of rank nd. */
function alongClasses(v: Tensor, nd: number, cd: number): Tensor {
  const shape = new Array<number>(nd).fill(1);
  shape[cd] = v._shape[0];
  return v.reshape(shape);
}

/**
 * The pieces nll_loss needs: picked[i] = input[i, t_i], w[i] = weight[t_i] (0 where ignored), valid.
 * Selection is where(onehot(t) & valid, input, 0) summed over the class dim, so its gradient is the
 * scatter torch's NllLossBackward does.
 */
function nllParts(input: Tensor, target: Tensor, o: NllOpts, op: string) {
  const { nd, cd, C } = checkTargets(input, target, o, op);
  const tu = target.unsqueeze(cd);
  const valid = ne(target, o.ignoreIndex ?? -100);
  const mask = logicalAnd(eq(tu, alongClasses(arange(C, undefined, 1, { dtype: "int32" }), nd, cd)), valid.unsqueeze(cd));
  const picked = where(mask, input, 0).sum(cd);
  const w = o.weight ? where(mask, alongClasses(o.weight, nd, cd), 0).sum(cd) : valid.to(input.dtype);
  return { picked, w, valid, cd, C, nd };
}

/** Checks class-index targets against the input (dtype, shape, range) and the class weights' shape. */
function checkTargets(input: Tensor, target: Tensor, o: NllOpts, op: string) {
  if (target.dtype !== "int32") throw new DTypeError(`${op}: expected target of dtype int32 (class indices), got ${target.dtype}`);
  const nd = input.ndim;
  if (nd < 1) throw new ShapeError(`${op}: input must have at least 1 dim, got shape ${formatShape(input._shape)}`);
  const cd = nd === 1 ? 0 : 1;
  const C = input._shape[cd];
  const want = input._shape.filter((_, i) => i !== cd);
  const ts = target._shape;
  if (ts.length !== want.length || ts.some((s, i) => s !== want[i])) {
    throw new ShapeError(`${op}: expected target of shape ${formatShape(want)} for input of shape ${formatShape(input._shape)}, got ${formatShape(ts)}`);
  }
  const ignore = intArg(o.ignoreIndex ?? -100, "ignoreIndex", op, -(2 ** 31));
  if (o.weight !== undefined && o.weight !== null) floatIn(o.weight, "weight", op, input);
  for (const t of target.dataSync()) {
    if (t !== ignore && (t < 0 || t >= C)) throw new IndexError(`${op}: Target ${t} is out of bounds (${C} classes).`);
  }
  if (o.weight && (o.weight.ndim !== 1 || o.weight._shape[0] !== C)) {
    throw new ShapeError(`${op}: weight tensor should be defined either for all ${C} classes or no classes but got weight tensor of shape: ${formatShape(o.weight._shape)}`);
  }
  return { nd, cd, C };
}

/** -weight[t] * input[t] per sample, ignoring ignoreIndex (torch.nn.functional.nll_loss). */
export function nllLoss(input: Tensor, target: Tensor, opts: NllOpts = {}): Tensor {
  pair(input, target, "nllLoss", opts);
  const r = reductionOf(opts.reduction, "nllLoss");
  return nllFrom(nllParts(input, target, opts, "nllLoss"), r);
}

function nllFrom(p: { picked: Tensor; w: Tensor }, r: Reduction): Tensor {
  // 0 - x keeps ignored entries at +0, as torch's kernel writes them
  const loss = sub(0, p.picked.mul(p.w));
  if (r === "none") return loss;
  const total = loss.sum();
  return r === "sum" ? total : total.div(p.w.sum());
}

/** Options of `F.crossEntropy`: those of `F.nllLoss` and label_smoothing. */
export interface CrossEntropyOpts extends NllOpts { labelSmoothing?: number }

/**
 * logSoftmax + nllLoss over the class dim (dim 1, or 0 for one sample), with class indices (int32)
 * or class probabilities (a float target of the input's shape), labelSmoothing and weight as torch.
 */
export function crossEntropy(input: Tensor, target: Tensor, opts: CrossEntropyOpts = {}): Tensor {
  pair(input, target, "crossEntropy", opts);
  const r = reductionOf(opts.reduction, "crossEntropy");
  const ls = opts.labelSmoothing ?? 0;
  if (typeof ls !== "number" || !(ls >= 0 && ls <= 1)) throw new WasmgradError(`crossEntropy: labelSmoothing must be between 0.0 and 1.0, got ${describe(ls)}`);
  const nd = input.ndim;
  if (nd < 1) throw new ShapeError(`crossEntropy: input must have at least 1 dim, got shape ${formatShape(input._shape)}`);
  const cd = nd === 1 ? 0 : 1;
  const C = input._shape[cd];
  const probs = target.dtype !== "int32";
  if (opts.weight !== undefined && opts.weight !== null) {
    const w = floatIn(opts.weight, "weight", "crossEntropy", input);
    if (w.ndim !== 1 || w._shape[0] !== C) {
      throw new ShapeError(`crossEntropy: weight tensor should be defined either for all ${C} classes or no classes but got weight tensor of shape: ${formatShape(w._shape)}`);
    }
  }
  if (probs) {
    sameShapes(input, target, "crossEntropy");
    if (target.dtype === "bool") throw new DTypeError("crossEntropy: expected class indices (int32) or class probabilities (float), got bool");
  }
  const ignore = opts.ignoreIndex ?? -100;
  if (!probs && nd === 2 && !opts.weight && (input.dtype === "float32" || input.dtype === "float64") &&
      Number.isInteger(ignore) && Math.abs(ignore) < 2 ** 31) {
    // the common case in one kernel each way (softmax, the picked log-probability, smoothing)
    checkTargets(input, target, opts, "crossEntropy");
    return crossEntropyFused(input, target, ignore, ls, r);
  }
  const lp = logSoftmax(input, cd);
  if (probs) {
    const t = ls > 0 ? target.mul(1 - ls).add(ls / C) : target;
    let prod = lp.mul(t);
    if (opts.weight) prod = prod.mul(alongClasses(opts.weight, nd, cd));
    if (r === "none") return prod.sum(cd).neg();
    if (r === "sum") return prod.sum().neg();
    return prod.sum().neg().div(input.numel() / C);
  }
  const parts = nllParts(lp, target, opts, "crossEntropy");
  const nll = nllFrom(parts, r);
  if (ls === 0) return nll;
  let smooth = opts.weight ? lp.mul(alongClasses(opts.weight, nd, cd)).sum(cd) : lp.sum(cd);
  smooth = where(parts.valid, smooth.neg(), 0);
  let ret: Tensor;
  if (r === "none") ret = smooth;
  else if (r === "sum") ret = smooth.sum();
  else ret = smooth.sum().div(opts.weight ? parts.w.sum() : parts.valid.to(input.dtype).sum());
  return nll.mul(1 - ls).add(ret.mul(ls / C));
}
