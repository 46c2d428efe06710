// Normalisation: F.batchNorm, F.layerNorm and the BatchNorm1d / BatchNorm2d / LayerNorm modules,
// composed of core ops so that autograd (and grads of grads) need no rule of their own.

import { Tensor } from "../tensor.js";
import { noGrad } from "../gradMode.js";
import { empty, zeros, ones } from "../ops/creation.js";
import { DTypeError, ShapeError, WasmgradError, formatShape } from "../errors.js";
import { floatIn } from "./show.js";
import { MAX_SIZE, boolArg, floatDtypeArg, named, numberArg, optsArg, showList, sizeArg } from "../validate.js";
import { Module, Parameter } from "./module.js";
import { ones_, zeros_ } from "./init.js";

/**
 * Batch normalisation over dim 1 (torch.nn.functional.batch_norm). In training the batch's mean
 * and biased variance normalise x, and the running stats (when given) move by momentum toward the
 * batch mean and the unbiased variance, in place; otherwise the running stats normalise x.
 */
export function batchNorm(x: Tensor, runningMean: Tensor | null, runningVar: Tensor | null, weight: Tensor | null = null,
  bias: Tensor | null = null, training = false, momentum = 0.1, eps = 1e-5): Tensor {
  const op = "batchNorm";
  floatIn(x, op);
  boolArg(training, "training", op);
  numberArg(momentum, "momentum", op);
  numberArg(eps, "eps", op, { min: 0 });
  const s = x._shape;
  if (s.length < 2) throw new ShapeError(`${op}: expected an input of at least 2 dims [N, C, ...], got ${formatShape(s)}`);
  const C = s[1];
  for (const [t, n] of [[runningMean, "runningMean"], [runningVar, "runningVar"], [weight, "weight"], [bias, "bias"]] as const) {
    if (t === null || t === undefined) continue;
    floatIn(t, op, n);
    if (t._shape.length !== 1 || t._shape[0] !== C) throw new ShapeError(`${op}: ${n} should contain ${C} elements not ${t.numel()} (shape ${formatShape(t._shape)})`);
  }
  const bshape = s.map((d, i) => (i === 1 ? d : 1));
  const dims = s.map((_, i) => i).filter((i) => i !== 1);
  const n = x.numel() / C;
  let y: Tensor;
  if (training) {
    if (n <= 1) throw new WasmgradError(`${op}: Expected more than 1 value per channel when training, got input size ${formatShape(s)}`);
    const mean = x.mean(dims, true);
    const xc = x.sub(mean);
    const v = xc.square().mean(dims, true);
    y = xc.mul(v.add(eps).rsqrt());
    noGrad(() => {
      if (runningMean) runningMean.mul_(1 - momentum).add_(mean.detach().reshape([C]).mul(momentum));
      if (runningVar) runningVar.mul_(1 - momentum).add_(v.detach().reshape([C]).mul(momentum * n / (n - 1)));
    });
  } else {
    if (!runningMean || !runningVar) throw new WasmgradError(`${op}: running_mean and running_var must be defined in evaluation mode`);
    y = x.sub(runningMean.reshape(bshape)).mul(runningVar.reshape(bshape).add(eps).rsqrt());
  }
  if (weight) y = y.mul(weight.reshape(bshape));
  if (bias) y = y.add(bias.reshape(bshape));
  return y;
}

/** Normalises over the trailing dims normalizedShape (torch.nn.functional.layer_norm). */
export function layerNorm(x: Tensor, normalizedShape: number | readonly number[], weight: Tensor | null = null,
  bias: Tensor | null = null, eps = 1e-5): Tensor {
  const op = "layerNorm";
  floatIn(x, op);
  const ns = shapeOf(normalizedShape, op);
  numberArg(eps, "eps", op, { min: 0 });
  const s = x._shape, k = ns.length;
  if (k === 0 || k > s.length || ns.some((d, i) => d !== s[s.length - k + i])) {
    throw new ShapeError(`${op}: Given normalized_shape=${formatShape(ns)}, expected input with shape [*, ${ns.join(", ")}], but got input of size ${formatShape(s)}`);
  }
  for (const [t, n] of [[weight, "weight"], [bias, "bias"]] as const) {
    if (t === null || t === undefined) continue;
    floatIn(t, op, n);
    if (t._shape.length !== k || t._shape.some((d, i) => d !== ns[i])) throw new ShapeError(`${op}: expected ${n} of shape ${formatShape(ns)}, got ${formatShape(t._shape)}`);
  }
  const dims = ns.map((_, i) => s.length - k + i);
  const xc = x.sub(x.mean(dims, true));
  let y = xc.mul(xc.square().mean(dims, true).add(eps).rsqrt());
  if (weight) y = y.mul(weight);
  if (bias) y = y.add(bias);
  return y;
}

/** normalizedShape: a size or a list of sizes. */
function shapeOf(v: unknown, op: string): number[] {
  const ok = (d: unknown): d is number => typeof d === "number" && Number.isInteger(d) && d >= 0 && d <= MAX_SIZE;
  const ns = ok(v) ? [v] : Array.isArray(v) && v.length <= 64 && v.every(ok) ? v.slice() : null;
  if (ns === null) throw new DTypeError(`${op}: normalizedShape must be a non-negative integer or a list of them, got ${showList(v)}`);
  return ns;
}

export interface BatchNormOptions {
  eps?: number; momentum?: number | null; affine?: boolean; trackRunningStats?: boolean; dtype?: "float32" | "float64";
}

/** torch's _BatchNorm: affine weight/bias, buffers running_mean, running_var, num_batches_tracked (int32). */
abstract class BatchNormBase extends Module {
  numFeatures: number;
  eps: number;
  momentum: number | null;
  affine: boolean;
  trackRunningStats: boolean;
  weight!: Parameter | null;
  bias!: Parameter | null;
  declare running_mean: Tensor | null;
  declare running_var: Tensor | null;
  declare num_batches_tracked: Tensor | null;

  constructor(op: string, numFeatures: number, optsIn: BatchNormOptions) {
    super();
    this.numFeatures = sizeArg(numFeatures, "numFeatures", op, 1);
    const opts = optsArg<BatchNormOptions>(optsIn, op, "{ eps?, momentum?, affine?, trackRunningStats?, dtype? }");
    this.eps = numberArg(opts.eps ?? 1e-5, "eps", op, { min: 0 });
    this.momentum = opts.momentum === undefined ? 0.1 : opts.momentum === null ? null : numberArg(opts.momentum, "momentum", op);
    this.affine = boolArg(opts.affine ?? true, "affine", op);
    this.trackRunningStats = boolArg(opts.trackRunningStats ?? true, "trackRunningStats", op);
    const dtype = floatDtypeArg(opts.dtype, op);
    named(op, () => this.allocate(numFeatures, dtype));
  }

  private allocate(numFeatures: number, dtype: "float32" | "float64"): void {
    if (this.affine) {
      this.weight = new Parameter(empty([numFeatures], { dtype }));
      this.bias = new Parameter(empty([numFeatures], { dtype }));
    } else {
      this.registerParameter("weight", null);
      this.registerParameter("bias", null);
    }
    if (this.trackRunningStats) {
      this.registerBuffer("running_mean", zeros([numFeatures], { dtype }));
      this.registerBuffer("running_var", ones([numFeatures], { dtype }));
      this.registerBuffer("num_batches_tracked", zeros([], { dtype: "int32" }));
    } else {
      this.registerBuffer("running_mean", null);
      this.registerBuffer("running_var", null);
      this.registerBuffer("num_batches_tracked", null);
    }
    this.resetParameters();
  }

  /** Sets running_mean to 0, running_var to 1 and num_batches_tracked to 0 (torch's reset_running_stats()). */
  resetRunningStats(): void {
    if (!this.trackRunningStats) return;
    noGrad(() => { this.running_mean!.zero_(); this.running_var!.fill_(1); this.num_batches_tracked!.zero_(); });
  }

  /** Resets the running statistics and sets weight to 1 and bias to 0 (torch's reset_parameters()). */
  resetParameters(): void {
    this.resetRunningStats();
    if (this.affine) { ones_(this.weight!); zeros_(this.bias!); }
  }

  protected abstract checkInput(x: Tensor): void;

  forward(x: Tensor): Tensor {
    floatIn(x, this.constructor.name);
    this.checkInput(x);
    let factor = this.momentum ?? 0;
    if (this.training && this.trackRunningStats && this.num_batches_tracked) {
      noGrad(() => this.num_batches_tracked!.add_(1));
      // momentum null: a cumulative moving average, 1 / batches seen
      factor = this.momentum === null ? 1 / this.num_batches_tracked.item() : this.momentum;
    }
    const bnTraining = this.training || (this.running_mean === null && this.running_var === null);
    const useStats = !this.training || this.trackRunningStats;
    return batchNorm(x, useStats ? this.running_mean : null, useStats ? this.running_var : null,
      this.weight, this.bias, bnTraining, factor, this.eps);
  }

  /** The constructor arguments shown when the module is printed (torch's extra_repr()). */
  extraRepr(): string {
    const b = (v: boolean): string => (v ? "True" : "False");
    return `${this.numFeatures}, eps=${this.eps}, momentum=${this.momentum ?? "None"}, affine=${b(this.affine)}, track_running_stats=${b(this.trackRunningStats)}`;
  }
}

/** Batch normalisation of [N, C] or [N, C, L] inputs (torch.nn.BatchNorm1d). */
export class BatchNorm1d extends BatchNormBase {
  constructor(numFeatures: number, opts: BatchNormOptions = {}) { super("BatchNorm1d", numFeatures, opts); }
  protected checkInput(x: Tensor): void {
    if (x.ndim !== 2 && x.ndim !== 3) throw new ShapeError(`BatchNorm1d: expected 2D or 3D input (got ${x.ndim}D input)`);
  }
}

/** Batch normalisation of [N, C, H, W] inputs (torch.nn.BatchNorm2d). */
export class BatchNorm2d extends BatchNormBase {
  constructor(numFeatures: number, opts: BatchNormOptions = {}) { super("BatchNorm2d", numFeatures, opts); }
  protected checkInput(x: Tensor): void {
    if (x.ndim !== 4) throw new ShapeError(`BatchNorm2d: expected 4D input (got ${x.ndim}D input)`);
  }
}

/** Layer normalisation over the trailing normalizedShape dims (torch.nn.LayerNorm). */
export class LayerNorm extends Module {
  normalizedShape: number[];
  eps: number;
  elementwiseAffine: boolean;
  weight!: Parameter | null;
  bias!: Parameter | null;
  constructor(normalizedShape: number | readonly number[], opts: { eps?: number; elementwiseAffine?: boolean; dtype?: "float32" | "float64" } = {}) {
    super();
    const op = "LayerNorm";
    const ns = shapeOf(normalizedShape, op);
    const o = optsArg<{ eps: number; elementwiseAffine: boolean; dtype: string }>(opts, op, "{ eps?, elementwiseAffine?, dtype? }");
    this.normalizedShape = ns;
    this.eps = numberArg(o.eps ?? 1e-5, "eps", op, { min: 0 });
    this.elementwiseAffine = boolArg(o.elementwiseAffine ?? true, "elementwiseAffine", op);
    const dtype = floatDtypeArg(o.dtype, op);
    named(op, () => {
      if (this.elementwiseAffine) {
        this.weight = new Parameter(ones(ns, { dtype }));
        this.bias = new Parameter(zeros(ns, { dtype }));
      } else {
        this.registerParameter("weight", null);
        this.registerParameter("bias", null);
      }
    });
  }
  forward(x: Tensor): Tensor { return layerNorm(x, this.normalizedShape, this.weight, this.bias, this.eps); }
  /** The constructor arguments shown when the module is printed (torch's extra_repr()). */
  extraRepr(): string {
    return `(${this.normalizedShape.join(", ")}${this.normalizedShape.length === 1 ? "," : ""}), eps=${this.eps}, elementwise_affine=${this.elementwiseAffine ? "True" : "False"}`;
  }
}
