// RMSprop and Adagrad: torch 1.13's _single_tensor_rmsprop / _single_tensor_adagrad step by step.

import { Tensor } from "../tensor.js";
import { noGrad } from "../gradMode.js";
import { persist } from "../scopes.js";
import { zerosLike, full } from "../ops/creation.js";
import { WasmgradError } from "../errors.js";
import { named, optsArg } from "../validate.js";
import { Optimizer, withGrads, type ParamGroup, type Params } from "./optimizer.js";

/** RMSprop's hyperparameters (torch.optim.RMSprop's keyword arguments). */
export interface RMSpropOptions {
  lr: number;
  alpha: number;
  eps: number;
  weightDecay: number;
  momentum: number;
  centered: boolean;
  maximize: boolean;
}

/** RMSprop (torch.optim.RMSprop): `new optim.RMSprop(params, { lr: 0.01, alpha: 0.99 })`. */
export class RMSprop extends Optimizer<RMSpropOptions> {
  constructor(params: Params<RMSpropOptions>, opts: Partial<RMSpropOptions> = {}) {
    super(params, { lr: 1e-2, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false, maximize: false,
      ...optsArg(opts, "RMSprop", "{ lr?, alpha?, eps?, weightDecay?, momentum?, centered?, maximize? }") });
  }

  protected validate(g: ParamGroup<RMSpropOptions>): void {
    super.validate(g);
    this.nonNegative(g, "eps", "epsilon");
    this.nonNegative(g, "momentum", "momentum");
    this.nonNegative(g, "weightDecay", "weight_decay");
    this.nonNegative(g, "alpha", "alpha");
    this.flag(g, "centered");
    this.flag(g, "maximize");
  }

  protected updateGroup(g: ParamGroup<RMSpropOptions>): void {
    const { lr, alpha, eps, weightDecay, momentum, centered, maximize } = g;
    noGrad(() => {
      for (const [p, g0] of withGrads(g.params)) {
        const s = this.stateOf(p);
        if (s.step === undefined) {
          s.step = 0;
          s.square_avg = zerosLike(p);
          if (momentum > 0) s.momentum_buffer = zerosLike(p);
          if (centered) s.grad_avg = zerosLike(p);
        }
        s.step = (s.step as number) + 1;
        let grad: Tensor = maximize ? g0.neg() : g0;
        if (weightDecay !== 0) grad = grad.add(p, { alpha: weightDecay });
        const sq = s.square_avg as Tensor;
        sq.mul_(alpha).add_(grad.mul(1 - alpha).mul(grad));
        let avg: Tensor;
        if (centered) {
          const ga = s.grad_avg as Tensor;
          ga.mul_(alpha).add_(grad, { alpha: 1 - alpha });
          avg = sq.add(ga.neg().mul(ga)).sqrt();
        } else {
          avg = sq.sqrt();
        }
        avg.add_(eps);
        if (momentum > 0) {
          const buf = s.momentum_buffer as Tensor;
          buf.mul_(momentum).add_(grad.div(avg));
          p.add_(buf, { alpha: -lr });
        } else {
          p.add_(grad.mul(-lr).div(avg));
        }
      }
    });
  }
}

/** Adagrad's hyperparameters (torch.optim.Adagrad's keyword arguments). */
export interface AdagradOptions {
  lr: number;
  lrDecay: number;
  weightDecay: number;
  initialAccumulatorValue: number;
  eps: number;
  maximize: boolean;
}

/** Adagrad (torch.optim.Adagrad). */
export class Adagrad extends Optimizer<AdagradOptions> {
  constructor(params: Params<AdagradOptions>, opts: Partial<AdagradOptions> = {}) {
    super(params, { lr: 1e-2, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10, maximize: false,
      ...optsArg(opts, "Adagrad", "{ lr?, lrDecay?, weightDecay?, initialAccumulatorValue?, eps?, maximize? }") });
    // as torch, the state exists from the start: step 0 and sum = initialAccumulatorValue
    named("Adagrad", () => {
      for (const grp of this.paramGroups) {
        for (const p of grp.params) {
          const s = this.stateOf(p);
          s.step = 0;
          s.sum = full(p.shape, grp.initialAccumulatorValue, { dtype: p.dtype === "float64" ? "float64" : "float32" });
          persist(s.sum);
        }
      }
    });
  }

  protected validate(g: ParamGroup<AdagradOptions>): void {
    super.validate(g);
    this.nonNegative(g, "lrDecay", "lr_decay");
    this.nonNegative(g, "weightDecay", "weight_decay");
    this.nonNegative(g, "initialAccumulatorValue", "initial_accumulator_value");
    if (!Number.isFinite(g.initialAccumulatorValue)) throw new WasmgradError(`Adagrad: Invalid initial_accumulator_value value: ${g.initialAccumulatorValue}`);
    this.nonNegative(g, "eps", "epsilon");
    this.flag(g, "maximize");
  }

  protected updateGroup(g: ParamGroup<AdagradOptions>): void {
    const { lr, lrDecay, weightDecay, eps, maximize } = g;
    noGrad(() => {
      for (const [p, g0] of withGrads(g.params)) {
        const s = this.stateOf(p);
        const step = (s.step as number ?? 0) + 1;
        s.step = step;
        let grad: Tensor = maximize ? g0.neg() : g0;
        if (weightDecay !== 0) grad = grad.add(p, { alpha: weightDecay });
        const clr = lr / (1 + (step - 1) * lrDecay);
        const sum = s.sum as Tensor;
        sum.add_(grad.mul(grad));
        const std = sum.sqrt().add_(eps);
        p.add_(grad.mul(-clr).div(std));
      }
    });
  }
}
