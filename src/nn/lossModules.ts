// Loss modules: thin wrappers over losses.ts. As in torch, a class weight (and BCEWithLogits'
// pos_weight) is a buffer, so it appears in stateDict. Options are checked when the module is
// made, as torch checks them in the constructor.

import { Tensor } from "../tensor.js";
import { Module } from "./module.js";
import * as L from "./losses.js";
import type { Reduction } from "./losses.js";
import { intArg, numberArg, oneOf, optTensorArg, optsArg, probArg } from "../validate.js";

const REDUCTIONS = ["mean", "sum", "none"] as const;

/** The options object of a loss module, with its reduction checked. */
function lossOpts<O extends { reduction?: Reduction }>(opts: unknown, op: string): Partial<O> & { reduction: Reduction } {
  const o = optsArg<O>(opts, op, "{ reduction?: \"mean\" | \"sum\" | \"none\" }");
  return { ...o, reduction: oneOf(o.reduction ?? "mean", REDUCTIONS, "reduction", op) };
}

abstract class Loss extends Module {
  reduction: Reduction;
  constructor(reduction: Reduction = "mean") { super(); this.reduction = reduction; }
  abstract forward(input: Tensor, target: Tensor): Tensor;
}

abstract class WeightedLoss extends Loss {
  declare weight: Tensor | null;
  constructor(weight: Tensor | null, reduction?: Reduction) {
    super(reduction);
    this.registerBuffer("weight", weight);
  }
}

/** Mean squared error module (torch.nn.MSELoss): `new nn.MSELoss().forward(pred, target)`. */
export class MSELoss extends Loss {
  constructor(opts: { reduction?: Reduction } = {}) { super(lossOpts(opts, "MSELoss").reduction); }
  /** The loss of input against target, reduced as the module's reduction says. */
  forward(input: Tensor, target: Tensor): Tensor { return L.mseLoss(input, target, { reduction: this.reduction }); }
}

/** Mean absolute error module (torch.nn.L1Loss). */
export class L1Loss extends Loss {
  constructor(opts: { reduction?: Reduction } = {}) { super(lossOpts(opts, "L1Loss").reduction); }
  /** The loss of input against target, reduced as the module's reduction says. */
  forward(input: Tensor, target: Tensor): Tensor { return L.l1Loss(input, target, { reduction: this.reduction }); }
}

/** Smooth L1 loss module with threshold beta (torch.nn.SmoothL1Loss). */
export class SmoothL1Loss extends Loss {
  beta: number;
  constructor(opts: { reduction?: Reduction; beta?: number } = {}) {
    const o = lossOpts<{ reduction?: Reduction; beta?: number }>(opts, "SmoothL1Loss");
    super(o.reduction);
    this.beta = numberArg(o.beta ?? 1, "beta", "SmoothL1Loss", { min: 0 });
  }
  /** The loss of input against target, reduced as the module's reduction says. */
  forward(input: Tensor, target: Tensor): Tensor { return L.smoothL1Loss(input, target, { reduction: this.reduction, beta: this.beta }); }
}

/** Huber loss module with threshold delta (torch.nn.HuberLoss). */
export class HuberLoss extends Loss {
  delta: number;
  constructor(opts: { reduction?: Reduction; delta?: number } = {}) {
    const o = lossOpts<{ reduction?: Reduction; delta?: number }>(opts, "HuberLoss");
    super(o.reduction);
    this.delta = numberArg(o.delta ?? 1, "delta", "HuberLoss", { above: 0 });
  }
  /** The loss of input against target, reduced as the module's reduction says. */
  forward(input: Tensor, target: Tensor): Tensor { return L.huberLoss(input, target, { reduction: this.reduction, delta: this.delta }); }
}

/** Binary cross entropy on probabilities (torch.nn.BCELoss). */
export class BCELoss extends WeightedLoss {
  constructor(opts: { weight?: Tensor | null; reduction?: Reduction } = {}) {
    const o = lossOpts<{ weight?: Tensor | null; reduction?: Reduction }>(opts, "BCELoss");
    super(optTensorArg(o.weight, "weight", "BCELoss"), o.reduction);
  }
  /** The loss of input against target, reduced as the module's reduction says. */
  forward(input: Tensor, target: Tensor): Tensor {
    return L.binaryCrossEntropy(input, target, { weight: this.weight, reduction: this.reduction });
  }
}

/** Binary cross entropy on logits, with pos_weight (torch.nn.BCEWithLogitsLoss). */
export class BCEWithLogitsLoss extends Loss {
  declare weight: Tensor | null;
  declare pos_weight: Tensor | null;
  constructor(opts: { weight?: Tensor | null; posWeight?: Tensor | null; reduction?: Reduction } = {}) {
    const op = "BCEWithLogitsLoss";
    const o = lossOpts<{ weight?: Tensor | null; posWeight?: Tensor | null; reduction?: Reduction }>(opts, op);
    super(o.reduction);
    this.registerBuffer("weight", optTensorArg(o.weight, "weight", op));
    this.registerBuffer("pos_weight", optTensorArg(o.posWeight, "posWeight", op));
  }
  /** The loss of input against target, reduced as the module's reduction says. */
  forward(input: Tensor, target: Tensor): Tensor {
    return L.binaryCrossEntropyWithLogits(input, target, { weight: this.weight, posWeight: this.pos_weight, reduction: this.reduction });
  }
}

/** Negative log likelihood of log-probabilities and int32 class indices (torch.nn.NLLLoss). */
export class NLLLoss extends WeightedLoss {
  ignoreIndex: number;
  constructor(opts: { weight?: Tensor | null; ignoreIndex?: number; reduction?: Reduction } = {}) {
    const o = lossOpts<{ weight?: Tensor | null; ignoreIndex?: number; reduction?: Reduction }>(opts, "NLLLoss");
    super(optTensorArg(o.weight, "weight", "NLLLoss"), o.reduction);
    this.ignoreIndex = intArg(o.ignoreIndex ?? -100, "ignoreIndex", "NLLLoss", -(2 ** 31));
  }
  /** The loss of input against target, reduced as the module's reduction says. */
  forward(input: Tensor, target: Tensor): Tensor {
    return L.nllLoss(input, target, { weight: this.weight, ignoreIndex: this.ignoreIndex, reduction: this.reduction });
  }
}

/** Cross entropy of logits and int32 class indices or class probabilities (torch.nn.CrossEntropyLoss). */
export class CrossEntropyLoss extends WeightedLoss {
  ignoreIndex: number;
  labelSmoothing: number;
  constructor(opts: L.CrossEntropyOpts = {}) {
    const op = "CrossEntropyLoss";
    const o = lossOpts<L.CrossEntropyOpts>(opts, op);
    super(optTensorArg(o.weight, "weight", op), o.reduction);
    this.ignoreIndex = intArg(o.ignoreIndex ?? -100, "ignoreIndex", op, -(2 ** 31));
    this.labelSmoothing = probArg(o.labelSmoothing ?? 0, "labelSmoothing", op);
  }
  /** The loss of input against target, reduced as the module's reduction says. */
  forward(input: Tensor, target: Tensor): Tensor {
    return L.crossEntropy(input, target, {
      weight: this.weight, ignoreIndex: this.ignoreIndex, reduction: this.reduction, labelSmoothing: this.labelSmoothing,
    });
  }
}
