// The Optimizer base (torch.optim.Optimizer): parameter groups with per-group options, per-parameter
// state, zeroGrad, and stateDict/loadStateDict in torch's layout (state keyed by the parameter's
// index across all groups, param_groups holding the options and those indices).

import { Tensor, h, shapeOf } from "../tensor.js";
import { W } from "../wasm/load.js";
import { tidyKeeping } from "../lifetime.js";
import { persist } from "../scopes.js";
import { enableGrad } from "../gradMode.js";
import { clone } from "../ops/shape.js";
import { full } from "../ops/creation.js";
import { DTypeError, WasmgradError } from "../errors.js";
import { show as describe } from "../nn/show.js";
import { isFloat } from "../dtype.js";
import { boolArg, fnArg, listArg, optsArg, tensorArg } from "../validate.js";
import { zeroGrads } from "../nn/module.js";

/** One parameter's optimizer state (e.g. Adam's exp_avg), as in torch's state_dict(). */
export type ParamState = Record<string, Tensor | number | null>;
/** A parameter group: its parameters and its hyperparameters (torch's param_groups entries). */
export type ParamGroup<O> = O & { params: Tensor[]; initialLr?: number };
/** A parameter group as given to a constructor: params and any hyperparameters that differ from the defaults. */
export type ParamGroupSpec<O> = Partial<O> & { params: Iterable<Tensor> };
/** What an optimizer takes: tensors (`model.parameters()`) or parameter groups. */
export type Params<O> = Iterable<Tensor> | Iterable<ParamGroupSpec<O>>;

/** An optimizer's state dict, as torch's: per-parameter state and the groups' hyperparameters. */
export interface OptimizerStateDict {
  state: Record<number, ParamState>;
  param_groups: Array<Record<string, unknown> & { params: number[] }>;
}

/** Base class of the optimizers (torch.optim.Optimizer): `zeroGrad()`, `step()`, `stateDict()`, `loadStateDict()`, `addParamGroup()`. */
export class Optimizer<O extends { lr: number } = { lr: number }> {
  defaults: O;
  paramGroups: ParamGroup<O>[] = [];
  /** Per-parameter state (exp_avg, momentum_buffer, step, ...), created by step(). */
  state: Map<Tensor, ParamState> = new Map();
  protected readonly name: string;

  /** The optimiser's name in messages is its class's (Adam, SGD, ...). */
  constructor(params: Params<O>, defaults: O) {
    const name = new.target.name || "Optimizer";
    this.name = name;
    this.defaults = optsArg<O>(defaults, name, "{ lr: number, ... }") as O;
    if (params instanceof Tensor) throw new DTypeError(`${name}: params argument given to the optimizer should be an iterable of Tensors or objects, but got a Tensor`);
    const list = listArg(params, "params", name);
    if (list.length === 0) throw new WasmgradError(`${name}: optimizer got an empty parameter list`);
    const groups = (list[0] instanceof Tensor ? [{ params: list }] : list) as ParamGroupSpec<O>[];
    for (const g of groups) this.addParamGroup(g);
  }

  /** Adds a group of parameters with its own options (the defaults fill the rest). */
  addParamGroup(spec: ParamGroupSpec<O>): void {
    if (spec === null || typeof spec !== "object" || spec instanceof Tensor || !("params" in spec)) {
      throw new DTypeError(`${this.name}: a param group must be an object with params, got ${describe(spec)}`);
    }
    const params = (spec.params instanceof Tensor ? [spec.params] : listArg(spec.params, "params", this.name)) as Tensor[];
    for (const p of params) {
      if (!(p instanceof Tensor)) throw new DTypeError(`${this.name}: optimizer can only optimize Tensors, but one of the params is ${describe(p)}`);
      tensorArg(p, "a parameter", this.name);
      if (!p.isLeaf) throw new WasmgradError(`${this.name}: can't optimize a non-leaf Tensor`);
      if (!isFloat(p._dt)) throw new DTypeError(`${this.name}: can only optimize floating point Tensors, got ${p.dtype}`);
    }
    if (new Set(params).size !== params.length) {
      console.warn(`${this.name}: optimizer contains a parameter group with duplicate parameters; in future, this will cause an error`);
    }
    const seen = new Set(this.paramGroups.flatMap((g) => g.params));
    if (params.some((p) => seen.has(p))) throw new WasmgradError(`${this.name}: some parameters appear in more than one parameter group`);
    const group = { ...this.defaults, ...spec, params } as ParamGroup<O>;
    this.validate(group);
    this.paramGroups.push(group);
  }

  /** Checks a group's options (torch's "Invalid learning rate: -1" and friends). */
  protected validate(g: ParamGroup<O>): void {
    if (typeof g.lr !== "number" || !(g.lr >= 0)) throw new WasmgradError(`${this.name}: Invalid learning rate: ${describe(g.lr)}`);
  }

  /** A number option of a group that must be >= 0 (torch's "Invalid epsilon value: -1"). */
  protected nonNegative(g: ParamGroup<O>, key: keyof O & string, label: string): void {
    const v = (g as Record<string, unknown>)[key];
    if (typeof v !== "number" || !(v >= 0)) throw new WasmgradError(`${this.name}: Invalid ${label} value: ${describe(v)}`);
  }

  /** A boolean option of a group. */
  protected flag(g: ParamGroup<O>, key: keyof O & string): void {
    boolArg((g as Record<string, unknown>)[key], key, this.name);
  }

  /** Clears (default) or zeroes every parameter's gradient. */
  zeroGrad(opts: { setToNone?: boolean } = {}): void {
    const o = optsArg<{ setToNone: boolean }>(opts, `${this.name}.zeroGrad`, "{ setToNone?: boolean }");
    zeroGrads(this.paramGroups.flatMap((g) => g.params), boolArg(o.setToNone ?? true, "setToNone", `${this.name}.zeroGrad`));
  }

  /** One update; with a closure, re-evaluates the loss first (with grad enabled) and returns it. */
  step(closure?: () => Tensor | number): Tensor | number | undefined {
    if (closure !== undefined && closure !== null) fnArg(closure, "closure", `${this.name}.step`);
    const loss = closure ? enableGrad(closure) : undefined;
    // The update's temporaries (gradient handles, `grad.neg()`, `d.add(p)`, ...) are released when
    // it ends, and only the state it stored survives: left to the GC they would hold a model's
    // worth of memory per step, and zeroGrad() can free the gradients at once only when no
    // wrapper of them is left waiting for a collection. The state outlives this scope and any
    // tidy() the caller runs step() in.
    for (const g of this.paramGroups) tidyKeeping(() => { this.updateGroup(g); return g.params.map((p) => this.state.get(p)); });
    return loss;
  }

  /** The update of one group; each optimiser defines it. */
  protected updateGroup(_g: ParamGroup<O>): void {
    throw new WasmgradError(`${this.name}: step() is not implemented; a subclass of Optimizer defines updateGroup`);
  }

  protected stateOf(p: Tensor): ParamState {
    let s = this.state.get(p);
    if (!s) this.state.set(p, (s = {}));
    return s;
  }

  /** { state: { [index]: {...} }, param_groups: [{ ...options, params: [indices] }] } as torch. */
  stateDict(): OptimizerStateDict {
    let index = 0;
    const ids = new Map<Tensor, number>();
    const param_groups = this.paramGroups.map((g) => {
      const { params, ...opts } = g;
      return { ...opts, params: params.map((p) => { if (!ids.has(p)) ids.set(p, index++); return ids.get(p)!; }) };
    });
    const state: Record<number, ParamState> = {};
    for (const [p, s] of this.state) {
      const i = ids.get(p);
      if (i === undefined) continue;
      const out: ParamState = {};
      // torch 1.13 keeps `step` as a float32 0-dim tensor
      for (const [k, v] of Object.entries(s)) out[k] = k === "step" && typeof v === "number" ? full([], v) : v;
      state[i] = out;
    }
    return { state, param_groups };
  }

  /** Restores options and state saved by stateDict() (tensors are copied and cast to each parameter's dtype). */
  loadStateDict(sd: OptimizerStateDict): void {
    if (!sd || typeof sd !== "object" || !Array.isArray(sd.param_groups) || sd.state === null || typeof sd.state !== "object" ||
        !sd.param_groups.every((g) => g !== null && typeof g === "object" && Array.isArray(g.params))) {
      throw new DTypeError(`${this.name}: loadStateDict: expected { state, param_groups }, got ${describe(sd)}`);
    }
    if (sd.param_groups.length !== this.paramGroups.length) {
      throw new WasmgradError(`${this.name}: loadStateDict: loaded state dict has a different number of parameter groups (${sd.param_groups.length} vs ${this.paramGroups.length})`);
    }
    this.paramGroups.forEach((g, i) => {
      if (sd.param_groups[i].params.length !== g.params.length) {
        throw new WasmgradError(`${this.name}: loadStateDict: loaded state dict contains a parameter group that doesn't match the size of optimizer's group (${sd.param_groups[i].params.length} vs ${g.params.length})`);
      }
    });
    const byId = new Map<number, Tensor>();
    this.paramGroups.forEach((g, i) => sd.param_groups[i].params.forEach((id, j) => byId.set(id, g.params[j])));
    const state = new Map<Tensor, ParamState>();
    for (const [k, s] of Object.entries(sd.state)) {
      const p = byId.get(Number(k));
      if (!p) continue;
      const out: ParamState = {};
      for (const [name, v] of Object.entries(s)) {
        if (v instanceof Tensor) out[name] = name === "step" ? v.item() : clone(v.dtype === p.dtype ? v : v.to(p.dtype)).detach();
        else out[name] = v;
      }
      // loaded state outlives a tidy() the load runs in, as state made by step() does
      for (const v of Object.values(out)) if (v instanceof Tensor) persist(v);
      state.set(p, out);
    }
    this.state = state;
    this.paramGroups = this.paramGroups.map((g, i) => {
      const { params: _ids, ...opts } = sd.param_groups[i];
      return { ...g, ...opts, params: g.params } as ParamGroup<O>;
    });
  }
}

/** The gradients of a group's parameters that have one, with the parameters. */
export function withGrads(params: Tensor[]): [Tensor, Tensor][] {
  const out: [Tensor, Tensor][] = [];
  for (const p of params) {
    // a wrapper of its own, not p.grad's cached one, so that step()'s scope releases it
    const gh = W.gradOf(h(p, "step"));
    if (gh === 0) continue;
    W.retain(gh);
    out.push([p, new Tensor(gh, shapeOf(gh), W.tensorDtype(gh))]);
  }
  return out;
}
