// Layers and containers: Linear, Sequential, ModuleList, activations, Flatten, Dropout, Identity.

import { Tensor } from "../tensor.js";
import { empty } from "../ops/creation.js";
import { DTypeError, IndexError, WasmgradError } from "../errors.js";
import { show as describe } from "./show.js";
import { boolArg, dimArg, floatDtypeArg, named, numberArg, oneOf, optsArg, probArg, sizeArg, listArg } from "../validate.js";
import { Module, Parameter } from "./module.js";
import { kaimingUniform_, uniform_, calculateFanInAndFanOut } from "./init.js";
import * as F from "./functional.js";

/** y = x W^T + b (torch.nn.Linear), initialised as torch: kaiming-uniform weight, then the bias. */
export class Linear extends Module {
  inFeatures: number;
  outFeatures: number;
  weight!: Parameter;
  bias!: Parameter | null;

  constructor(inFeatures: number, outFeatures: number, opts: { bias?: boolean; dtype?: "float32" | "float64" } = {}) {
    super();
    const op = "Linear";
    this.inFeatures = sizeArg(inFeatures, "inFeatures", op);
    this.outFeatures = sizeArg(outFeatures, "outFeatures", op);
    const o = optsArg<{ bias: boolean; dtype: string }>(opts, op, "{ bias?: boolean, dtype?: \"float32\" | \"float64\" }");
    const bias = boolArg(o.bias ?? true, "bias", op);
    const dtype = floatDtypeArg(o.dtype, op);
    named(op, () => {
      this.weight = new Parameter(empty([outFeatures, inFeatures], { dtype }));
      if (bias) this.bias = new Parameter(empty([outFeatures], { dtype }));
      else this.registerParameter("bias", null);
      this.resetParameters();
    });
  }

  /** torch's reset_parameters: weight ~ U(±1/sqrt(in)) via kaiming_uniform_(a=sqrt(5)), then bias ~ U(±1/sqrt(in)). */
  resetParameters(): void {
    kaimingUniform_(this.weight, { a: Math.sqrt(5) });
    if (this.bias) {
      const [fanIn] = calculateFanInAndFanOut(this.weight);
      const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
      uniform_(this.bias, -bound, bound);
    }
  }

  forward(x: Tensor): Tensor { return F.linear(x, this.weight, this.bias); }
  /** The constructor arguments shown when the module is printed (torch's extra_repr()). */
  extraRepr(): string { return `in_features=${this.inFeatures}, out_features=${this.outFeatures}, bias=${this.bias ? "True" : "False"}`; }
}

/** Modules applied in order; children named "0", "1", ... (or by the keys of one object). */
export class Sequential extends Module {
  constructor(...mods: (Module | Record<string, Module>)[]) {
    super();
    if (mods.length === 1 && !(mods[0] instanceof Module) && typeof mods[0] === "object" && mods[0] !== null && !Array.isArray(mods[0])) {
      for (const [k, m] of Object.entries(mods[0])) {
        if (!(m instanceof Module)) throw new DTypeError(`Sequential: ${JSON.stringify(k)} is not a Module (got ${describe(m)})`);
        named("Sequential", () => this.registerModule(k, m));
      }
    } else {
      mods.forEach((m, i) => {
        if (!(m instanceof Module)) throw new DTypeError(`Sequential: argument ${i} is not a Module (got ${describe(m)})`);
        this.registerModule(String(i), m);
      });
    }
  }
  /** The number of modules (Python's len()). */
  get length(): number { return this._modules.size; }
  /** The i-th module (negative counts from the end). */
  at(i: number): Module {
    const list = [...this._modules.values()];
    const j = typeof i !== "number" ? NaN : i < 0 ? i + list.length : i;
    if (!Number.isInteger(j) || j < 0 || j >= list.length) throw new IndexError(`Sequential: index ${describe(i)} is out of range for ${list.length} modules`);
    return list[j] as Module;
  }
  /** Adds a module at the end; returns this. */
  append(m: Module): this { this.registerModule(String(this._modules.size), m); return this; }
  /** The modules in order (`for (const m of seq)`). */
  [Symbol.iterator](): Iterator<Module> { return ([...this._modules.values()].filter((m) => m !== null) as Module[])[Symbol.iterator](); }
  /**
   * Runs the modules in order, each on the previous one's output. Typed for the usual chain of
   * tensor layers; a chain ending in a module that returns something else (an RNN's
   * `[output, h]`) gives that value: cast it as the last module's forward types it.
   */
  forward(x: Tensor): Tensor {
    let y: unknown = x;
    for (const m of this._modules.values()) if (m !== null) y = m.forward(y);
    return y as Tensor;
  }
}

/** A list of modules registered as children "0", "1", ... (torch.nn.ModuleList). */
export class ModuleList extends Module {
  constructor(mods: Iterable<Module> = []) {
    super();
    for (const m of listArg(mods, "modules", "ModuleList")) this.append(m as Module);
  }
  /** The number of modules (Python's len()). */
  get length(): number { return this._modules.size; }
  /** The i-th module (negative i counts from the end), as `seq[i]`. */
  at(i: number): Module {
    const n = this._modules.size;
    const j = typeof i !== "number" ? NaN : i < 0 ? i + n : i;
    if (!Number.isInteger(j) || j < 0 || j >= n) throw new IndexError(`ModuleList: index ${describe(i)} is out of range for ${n} modules`);
    return this._modules.get(String(j)) as Module;
  }
  /** Adds a module at the end; returns this. */
  append(m: Module): this {
    if (!(m instanceof Module)) throw new DTypeError(`ModuleList: ${describe(m)} is not a Module`);
    this.registerModule(String(this._modules.size), m);
    return this;
  }
  /** Appends every module of mods; returns this. */
  extend(mods: Iterable<Module>): this { for (const m of listArg(mods, "modules", "ModuleList")) this.append(m as Module); return this; }
  /** The modules in order (`for (const m of seq)`). */
  [Symbol.iterator](): Iterator<Module> { return ([...this._modules.values()] as Module[])[Symbol.iterator](); }
  forward(): unknown { throw new WasmgradError("ModuleList: a ModuleList has no forward(); call its modules"); }
}

export class ReLU extends Module { forward(x: Tensor): Tensor { return F.relu(x); } }
export class Sigmoid extends Module { forward(x: Tensor): Tensor { return F.sigmoid(x); } }
export class Tanh extends Module { forward(x: Tensor): Tensor { return F.tanh(x); } }
export class SiLU extends Module { forward(x: Tensor): Tensor { return F.silu(x); } }
export class Identity extends Module { forward(x: Tensor): Tensor { return x; } }

export class GELU extends Module {
  approximate: "none" | "tanh";
  constructor(opts: { approximate?: "none" | "tanh" } = {}) {
    super();
    this.approximate = oneOf(optsArg<{ approximate: string }>(opts, "GELU").approximate ?? "none", ["none", "tanh"] as const, "approximate", "GELU");
  }
  forward(x: Tensor): Tensor { return F.gelu(x, { approximate: this.approximate }); }
  /** The constructor arguments shown when the module is printed (torch's extra_repr()). */
  extraRepr(): string { return `approximate='${this.approximate}'`; }
}

export class Softmax extends Module {
  dim: number;
  constructor(dim: number) { super(); this.dim = dimArg(dim, "dim", "Softmax"); }
  forward(x: Tensor): Tensor { return F.softmax(x, this.dim); }
  /** The constructor arguments shown when the module is printed (torch's extra_repr()). */
  extraRepr(): string { return `dim=${this.dim}`; }
}

export class LogSoftmax extends Module {
  dim: number;
  constructor(dim: number) { super(); this.dim = dimArg(dim, "dim", "LogSoftmax"); }
  forward(x: Tensor): Tensor { return F.logSoftmax(x, this.dim); }
  /** The constructor arguments shown when the module is printed (torch's extra_repr()). */
  extraRepr(): string { return `dim=${this.dim}`; }
}

/** Flattens dims startDim..endDim (default 1..-1, keeping the batch dim). */
export class Flatten extends Module {
  startDim: number;
  endDim: number;
  constructor(startDim = 1, endDim = -1) {
    super();
    this.startDim = dimArg(startDim, "startDim", "Flatten");
    this.endDim = dimArg(endDim, "endDim", "Flatten");
  }
  forward(x: Tensor): Tensor { return x.flatten(this.startDim, this.endDim); }
  /** The constructor arguments shown when the module is printed (torch's extra_repr()). */
  extraRepr(): string { return `start_dim=${this.startDim}, end_dim=${this.endDim}`; }
}

/** Zeroes elements with probability p in training mode (identity in eval mode). */
export class Dropout extends Module {
  p: number;
  constructor(p = 0.5) {
    super();
    this.p = probArg(p, "dropout probability", "Dropout");
  }
  forward(x: Tensor): Tensor { return F.dropout(x, this.p, this.training); }
  /** The constructor arguments shown when the module is printed (torch's extra_repr()). */
  extraRepr(): string { return `p=${this.p}, inplace=False`; }
}

export class LeakyReLU extends Module {
  negativeSlope: number;
  constructor(negativeSlope = 0.01) { super(); this.negativeSlope = numberArg(negativeSlope, "negativeSlope", "LeakyReLU", { finite: false }); }
  forward(x: Tensor): Tensor { return F.leakyRelu(x, this.negativeSlope); }
  /** The constructor arguments shown when the module is printed (torch's extra_repr()). */
  extraRepr(): string { return `negative_slope=${this.negativeSlope}`; }
}

export class Softplus extends Module {
  beta: number;
  threshold: number;
  constructor(opts: { beta?: number; threshold?: number } = {}) {
    super();
    const o = optsArg<{ beta: number; threshold: number }>(opts, "Softplus", "{ beta?: number, threshold?: number }");
    this.beta = numberArg(o.beta ?? 1, "beta", "Softplus");
    this.threshold = numberArg(o.threshold ?? 20, "threshold", "Softplus", { finite: false });
  }
  forward(x: Tensor): Tensor { return F.softplus(x, { beta: this.beta, threshold: this.threshold }); }
  /** The constructor arguments shown when the module is printed (torch's extra_repr()). */
  extraRepr(): string { return `beta=${this.beta}, threshold=${this.threshold}`; }
}
