// Adam and AdamW: torch 1.13's _single_tensor_adam / _single_tensor_adamw step by step. addcmul_
// (self + v * t1 * t2) and addcdiv_ (self + v * t1 / t2) are written as the same products in the
// same order, each rounded to float32 as torch's kernels round them.

import { Tensor } from "../tensor.js";
import { noGrad } from "../gradMode.js";
import { zerosLike } from "../ops/creation.js";
import { maximum } from "../ops/binary.js";
import { WasmgradError, safeString } from "../errors.js";
import { optsArg, showList } from "../validate.js";

const LIKE = "{ lr?, betas?, eps?, weightDecay?, amsgrad?, maximize? }";
import { Optimizer, withGrads, type ParamGroup, type Params } from "./optimizer.js";

/** Adam's and AdamW's hyperparameters (torch.optim.Adam's keyword arguments). */
export interface AdamOptions {
  lr: number;
  betas: [number, number];
  eps: number;
  weightDecay: number;
  amsgrad: boolean;
  maximize: boolean;
}

class AdamBase extends Optimizer<AdamOptions> {
  private readonly decoupled: boolean;

  constructor(params: Params<AdamOptions>, opts: Partial<AdamOptions>, decoupled: boolean, name: string) {
    super(params, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: decoupled ? 1e-2 : 0, amsgrad: false, maximize: false, ...optsArg(opts, name, LIKE) });
    this.decoupled = decoupled;
  }

  protected validate(g: ParamGroup<AdamOptions>): void {
    super.validate(g);
    this.nonNegative(g, "eps", "epsilon");
    const betas: unknown = g.betas;
    if (!Array.isArray(betas) || betas.length !== 2) throw new WasmgradError(`${this.name}: betas must be a pair [beta1, beta2], got ${showList(betas)}`);
    betas.forEach((b: unknown, i) => {
      if (typeof b !== "number" || !(b >= 0 && b < 1)) throw new WasmgradError(`${this.name}: Invalid beta parameter at index ${i}: ${safeString(b)}`);
    });
    this.nonNegative(g, "weightDecay", "weight_decay");
    this.flag(g, "amsgrad");
    this.flag(g, "maximize");
  }

  protected updateGroup(g: ParamGroup<AdamOptions>): void {
    const { lr, eps, weightDecay, amsgrad, maximize } = g;
    const [beta1, beta2] = g.betas;
    noGrad(() => {
      for (const [p, g0] of withGrads(g.params)) {
        const s = this.stateOf(p);
        if (s.step === undefined) {
          s.step = 0;
          s.exp_avg = zerosLike(p);
          s.exp_avg_sq = zerosLike(p);
          if (amsgrad) s.max_exp_avg_sq = zerosLike(p);
        }
        let grad: Tensor = maximize ? g0.neg() : g0;
        const step = (s.step as number) + 1;
        s.step = step;
        if (this.decoupled) p.mul_(1 - lr * weightDecay);
        else if (weightDecay !== 0) grad = grad.add(p, { alpha: weightDecay });
        const expAvg = s.exp_avg as Tensor, expAvgSq = s.exp_avg_sq as Tensor;
        expAvg.mul_(beta1).add_(grad, { alpha: 1 - beta1 });
        expAvgSq.mul_(beta2).add_(grad.mul(1 - beta2).mul(grad));
        const bc1 = 1 - beta1 ** step;
        const bc2Sqrt = Math.sqrt(1 - beta2 ** step);
        const stepSize = lr / bc1;
        let denom: Tensor;
        if (amsgrad) {
          const maxSq = s.max_exp_avg_sq as Tensor;
          maxSq.copy_(maximum(maxSq, expAvgSq));
          denom = maxSq.sqrt().div(bc2Sqrt).add_(eps);
        } else {
          denom = expAvgSq.sqrt().div(bc2Sqrt).add_(eps);
        }
        p.add_(expAvg.mul(-stepSize).div(denom));
      }
    });
  }
}

/** Adam (torch.optim.Adam): L2 weight decay added to the gradient. */
export class Adam extends AdamBase {
  constructor(params: Params<AdamOptions>, opts: Partial<AdamOptions> = {}) { super(params, opts, false, "Adam"); }
}

/** AdamW (torch.optim.AdamW): decoupled weight decay, param *= 1 - lr * weightDecay (default 1e-2). */
export class AdamW extends AdamBase {
  constructor(params: Params<AdamOptions>, opts: Partial<AdamOptions> = {}) { super(params, opts, true, "AdamW"); }
}
