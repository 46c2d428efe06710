// Learning-rate schedulers (torch.optim.lr_scheduler), with torch's chainable formulas: each step()
// computes the new rate from the group's current one, so schedulers compose as in torch.

import { DTypeError, WasmgradError, safeString } from "../errors.js";
import { Optimizer, type ParamGroup } from "./optimizer.js";
import { fnArg, intArg, numberArg, optsArg, sizeArg } from "../validate.js";

type AnyOptimizer = Optimizer<{ lr: number }>;

export abstract class LRScheduler {
  optimizer: AnyOptimizer;
  baseLrs: number[];
  lastEpoch: number;
  protected stepCount = 0;
  protected lastLr: number[] = [];

  constructor(optimizer: AnyOptimizer, lastEpoch = -1) {
    const op = new.target.name || "LRScheduler";
    if (!(optimizer instanceof Optimizer)) throw new DTypeError(`${op}: ${safeString(optimizer)} is not an Optimizer`);
    intArg(lastEpoch, "lastEpoch", op, -1);
    this.optimizer = optimizer;
    const groups = optimizer.paramGroups as ParamGroup<{ lr: number }>[];
    groups.forEach((g, i) => {
      if (lastEpoch === -1) g.initialLr ??= g.lr;
      else if (g.initialLr === undefined) {
        throw new WasmgradError(`${this.constructor.name}: param 'initial_lr' is not specified in param_groups[${i}] when resuming an optimizer`);
      }
    });
    this.baseLrs = groups.map((g) => g.initialLr as number);
    this.lastEpoch = lastEpoch;
  }

  /** Runs the first step (epoch 0), as torch's constructor does; subclasses call it last. */
  protected initialStep(): void { this.step(); }

  /** The rates for lastEpoch, from the groups' current rates. */
  protected abstract getLr(): number[];

  /** The rates set by the last step(). */
  getLastLr(): number[] { return this.lastLr.slice(); }

  /** Advances one epoch and writes the new rates into the optimizer's groups. */
  step(): void {
    this.stepCount++;
    this.lastEpoch++;
    const lrs = this.getLr();
    this.optimizer.paramGroups.forEach((g, i) => { g.lr = lrs[i]; });
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  protected get lrs(): number[] { return this.optimizer.paramGroups.map((g) => g.lr); }

  /** Every attribute but the optimizer, under torch's names. */
  stateDict(): Record<string, unknown> {
    return { ...this.options(), base_lrs: this.baseLrs.slice(), last_epoch: this.lastEpoch, _step_count: this.stepCount, _last_lr: this.lastLr.slice() };
  }

  loadStateDict(sd: Record<string, unknown>): void {
    if (sd === null || typeof sd !== "object") throw new DTypeError(`${this.constructor.name}.loadStateDict: expected a state dict (an object), got ${safeString(sd)}`);
    if (Array.isArray(sd.base_lrs)) this.baseLrs = (sd.base_lrs as number[]).slice();
    if (typeof sd.last_epoch === "number") this.lastEpoch = sd.last_epoch;
    if (typeof sd._step_count === "number") this.stepCount = sd._step_count;
    if (Array.isArray(sd._last_lr)) this.lastLr = (sd._last_lr as number[]).slice();
    this.loadOptions(sd);
  }

  protected options(): Record<string, unknown> { return {}; }
  protected loadOptions(_sd: Record<string, unknown>): void {}
}

/** lr * gamma every stepSize epochs. */
export class StepLR extends LRScheduler {
  stepSize: number;
  gamma: number;
  constructor(optimizer: AnyOptimizer, stepSize: number, opts: { gamma?: number; lastEpoch?: number } = {}) {
    const o = optsArg<{ gamma: number; lastEpoch: number }>(opts, "StepLR", "{ gamma?, lastEpoch? }");
    super(optimizer, o.lastEpoch ?? -1);
    this.stepSize = sizeArg(stepSize, "stepSize", "StepLR", 1);
    this.gamma = numberArg(o.gamma ?? 0.1, "gamma", "StepLR");
    this.initialStep();
  }
  protected getLr(): number[] {
    if (this.lastEpoch === 0 || this.lastEpoch % this.stepSize !== 0) return this.lrs;
    return this.lrs.map((lr) => lr * this.gamma);
  }
  protected options() { return { step_size: this.stepSize, gamma: this.gamma }; }
  protected loadOptions(sd: Record<string, unknown>) {
    if (typeof sd.step_size === "number") this.stepSize = sd.step_size;
    if (typeof sd.gamma === "number") this.gamma = sd.gamma;
  }
}

/** lr * gamma every epoch. */
export class ExponentialLR extends LRScheduler {
  gamma: number;
  constructor(optimizer: AnyOptimizer, gamma: number, opts: { lastEpoch?: number } = {}) {
    const o = optsArg<{ lastEpoch: number }>(opts, "ExponentialLR", "{ lastEpoch? }");
    super(optimizer, o.lastEpoch ?? -1);
    this.gamma = numberArg(gamma, "gamma", "ExponentialLR");
    this.initialStep();
  }
  protected getLr(): number[] {
    if (this.lastEpoch === 0) return this.lrs;
    return this.lrs.map((lr) => lr * this.gamma);
  }
  protected options() { return { gamma: this.gamma }; }
  protected loadOptions(sd: Record<string, unknown>) { if (typeof sd.gamma === "number") this.gamma = sd.gamma; }
}

/** Cosine from the base rate down to etaMin over tMax epochs (torch's recursive form). */
export class CosineAnnealingLR extends LRScheduler {
  tMax: number;
  etaMin: number;
  constructor(optimizer: AnyOptimizer, tMax: number, opts: { etaMin?: number; lastEpoch?: number } = {}) {
    const o = optsArg<{ etaMin: number; lastEpoch: number }>(opts, "CosineAnnealingLR", "{ etaMin?, lastEpoch? }");
    super(optimizer, o.lastEpoch ?? -1);
    this.tMax = sizeArg(tMax, "tMax", "CosineAnnealingLR", 1);
    this.etaMin = numberArg(o.etaMin ?? 0, "etaMin", "CosineAnnealingLR");
    this.initialStep();
  }
  protected getLr(): number[] {
    const { lastEpoch: e, tMax: T, etaMin } = this;
    if (e === 0) return this.lrs;
    if (this.stepCount === 1 && e > 0) {
      return this.baseLrs.map((b) => etaMin + (b - etaMin) * (1 + Math.cos((e * Math.PI) / T)) / 2);
    }
    if ((e - 1 - T) % (2 * T) === 0) {
      return this.lrs.map((lr, i) => lr + (this.baseLrs[i] - etaMin) * (1 - Math.cos(Math.PI / T)) / 2);
    }
    return this.lrs.map((lr) => (1 + Math.cos((Math.PI * e) / T)) / (1 + Math.cos((Math.PI * (e - 1)) / T)) * (lr - etaMin) + etaMin);
  }
  protected options() { return { T_max: this.tMax, eta_min: this.etaMin }; }
  protected loadOptions(sd: Record<string, unknown>) {
    if (typeof sd.T_max === "number") this.tMax = sd.T_max;
    if (typeof sd.eta_min === "number") this.etaMin = sd.eta_min;
  }
}

/** base lr * lrLambda(epoch) (one function, or one per group). */
export class LambdaLR extends LRScheduler {
  lrLambdas: ((epoch: number) => number)[];
  constructor(optimizer: AnyOptimizer, lrLambda: ((epoch: number) => number) | ((epoch: number) => number)[], opts: { lastEpoch?: number } = {}) {
    const o = optsArg<{ lastEpoch: number }>(opts, "LambdaLR", "{ lastEpoch? }");
    super(optimizer, o.lastEpoch ?? -1);
    const n = optimizer.paramGroups.length;
    if (Array.isArray(lrLambda)) {
      if (lrLambda.length !== n) throw new WasmgradError(`LambdaLR: expected ${n} lr_lambdas, but got ${lrLambda.length}`);
      lrLambda.forEach((f, i) => fnArg(f, `lrLambda[${i}]`, "LambdaLR"));
      this.lrLambdas = lrLambda.slice();
    } else {
      this.lrLambdas = new Array(n).fill(fnArg(lrLambda, "lrLambda", "LambdaLR"));
    }
    this.initialStep();
  }
  protected getLr(): number[] {
    return this.baseLrs.map((b, i) => {
      const f: unknown = this.lrLambdas[i](this.lastEpoch);
      if (typeof f !== "number") throw new DTypeError(`LambdaLR: lrLambda must return a number, got ${safeString(f)}`);
      return b * f;
    });
  }
}
