// SGD with momentum, dampening, Nesterov, weight decay and maximize: torch 1.13's
// _single_tensor_sgd, one in-place op per line of it so float32 rounding matches.

import { Tensor } from "../tensor.js";
import { noGrad } from "../gradMode.js";
import { clone } from "../ops/shape.js";
import { WasmgradError, safeString } from "../errors.js";
import { optsArg } from "../validate.js";
import { Optimizer, withGrads, type ParamGroup, type Params } from "./optimizer.js";

/** SGD's hyperparameters (torch.optim.SGD's keyword arguments). */
export interface SGDOptions {
  lr: number;
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;
  maximize: boolean;
}

/** Stochastic gradient descent with momentum, dampening, Nesterov and weight decay (torch.optim.SGD): `new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 })`. */
export class SGD extends Optimizer<SGDOptions> {
  constructor(params: Params<SGDOptions>, opts: Partial<SGDOptions> & { lr: number }) {
    const o = optsArg<SGDOptions>(opts, "SGD", "{ lr: number, momentum?, dampening?, weightDecay?, nesterov?, maximize? }");
    if (typeof o.lr !== "number") throw new WasmgradError(`SGD: lr is required (a number), got ${opts === undefined ? "no options" : safeString(o.lr)}`);
    super(params, { momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false, ...o } as SGDOptions);
  }

  protected validate(g: ParamGroup<SGDOptions>): void {
    super.validate(g);
    this.nonNegative(g, "momentum", "momentum");
    this.nonNegative(g, "weightDecay", "weight_decay");
    if (typeof g.dampening !== "number" || Number.isNaN(g.dampening)) throw new WasmgradError(`SGD: Invalid dampening value: ${safeString(g.dampening)}`);
    this.flag(g, "nesterov");
    this.flag(g, "maximize");
    if (g.nesterov && (g.momentum <= 0 || g.dampening !== 0)) throw new WasmgradError("SGD: Nesterov momentum requires a momentum and zero dampening");
  }

  protected updateGroup(g: ParamGroup<SGDOptions>): void {
    const { lr, momentum, dampening, weightDecay, nesterov, maximize } = g;
    noGrad(() => {
      for (const [p, grad] of withGrads(g.params)) {
        let d: Tensor = maximize ? grad.neg() : grad;
        if (weightDecay !== 0) d = d.add(p, { alpha: weightDecay });
        const s = this.stateOf(p);
        if (momentum !== 0) {
          let buf = s.momentum_buffer as Tensor | null | undefined;
          if (!buf) s.momentum_buffer = buf = clone(d).detach();
          else buf.mul_(momentum).add_(d, { alpha: 1 - dampening });
          d = nesterov ? d.add(buf, { alpha: momentum }) : buf;
        } else {
          s.momentum_buffer = null;
        }
        p.add_(d, { alpha: -lr });
      }
    });
  }
}
