// nn.Module and nn.Parameter with PyTorch's registration semantics.
//
// PyTorch registers submodules, Parameters and buffers in Module.__setattr__, so `self.fc = Linear(..)`
// puts fc into an ordered table and state-dict keys come out in assignment order. JavaScript has no
// __setattr__ hook on ordinary objects, so the Module constructor returns a Proxy over the new
// object whose `defineProperty` trap sees both `this.fc = ...` in a subclass constructor and class
// fields (`fc = new nn.Linear(2, 3)`, which are defined, not assigned). Each registered value is
// kept both in the ordered tables (for namedParameters/stateDict order) and as an ordinary property
// of the target (so reading `model.fc` costs nothing: the proxy has no `get` trap). Modules
// therefore must not use `#private` fields (a Proxy fails their brand check).

import { Tensor, describe } from "../tensor.js";
import { noGrad } from "../gradMode.js";
import { W } from "../wasm/load.js";
import { oom, formatShape, AutogradError, DTypeError, ShapeError, WasmgradError } from "../errors.js";
import { isFloat } from "../dtype.js";
import { boolArg, fnArg, optsArg, tensorArg } from "../validate.js";

/** A Tensor that is a module parameter: a leaf that requires grad (torch.nn.Parameter). */
export class Parameter extends Tensor {
  /** Wraps the storage of `data` (shared, as torch does) as a leaf that requires grad. */
  constructor(data: Tensor, requiresGrad = true) {
    tensorArg(data, "data", "Parameter");
    boolArg(requiresGrad, "requiresGrad", "Parameter");
    if (requiresGrad && !isFloat(data._dt)) throw new AutogradError(`Parameter: only Tensors of floating point dtype can require gradients, got ${data.dtype}`);
    const out = W.detachOp(data._h, 1);
    if (out === 0) throw oom("Parameter", data._shape);
    super(out, data._shape, data._dt);
    if (requiresGrad) this.requiresGrad_(true);
  }

  toString(): string { return `Parameter containing:\n${super.toString()}`; }
}

type Slot<T> = Map<string, T | null>;

/** What loadStateDict found (torch's _IncompatibleKeys). */
export interface IncompatibleKeys {
  missingKeys: string[];
  unexpectedKeys: string[];
}

// Keys set by the base constructor on the target before the Proxy exists; never registered.
const INTERNAL = new Set(["_parameters", "_buffers", "_modules", "_nonPersistent", "training"]);

function typeName(v: unknown): string {
  if (v instanceof Tensor) return `Tensor (${v.dtype})`;
  return describe(v);
}

/** PyTorch's __setattr__: registers or unregisters `name` by the kind of `value`. */
function assign(m: Module, name: string, value: unknown): void {
  if (INTERNAL.has(name)) return;
  const { _parameters: P, _buffers: B, _modules: M } = m;
  if (value instanceof Parameter) {
    B.delete(name); M.delete(name); m._nonPersistent.delete(name);
    P.set(name, value);
  } else if (P.has(name)) {
    if (value !== null && value !== undefined) {
      throw new DTypeError(`${m.constructor.name}: cannot assign ${typeName(value)} as parameter '${name}' (nn.Parameter or null expected)`);
    }
    P.set(name, null);
  } else if (value instanceof Module) {
    P.delete(name); B.delete(name); m._nonPersistent.delete(name);
    M.set(name, value);
  } else if (M.has(name)) {
    if (value !== null && value !== undefined) {
      throw new DTypeError(`${m.constructor.name}: cannot assign ${typeName(value)} as child module '${name}' (nn.Module or null expected)`);
    }
    M.set(name, null);
  } else if (B.has(name)) {
    // as torch, a plain tensor becomes a buffer only through registerBuffer; afterwards assigning
    // to that name replaces the buffer
    if (value !== null && value !== undefined && !(value instanceof Tensor)) {
      throw new DTypeError(`${m.constructor.name}: cannot assign ${typeName(value)} as buffer '${name}' (Tensor or null expected)`);
    }
    B.set(name, (value as Tensor | null | undefined) ?? null);
  }
}

// No `set` trap is needed: assigning through a Proxy without one ends in the Proxy's
// [[DefineOwnProperty]] (the receiver is the Proxy), so `this.fc = ...` and class fields both come
// here, while a setter defined by a subclass still runs as written.
const handler: ProxyHandler<Module> = {
  defineProperty(target, key, desc) {
    if (typeof key === "string" && "value" in desc) assign(target, key, desc.value);
    return Reflect.defineProperty(target, key, desc);
  },
  deleteProperty(target, key) {
    if (typeof key === "string" && !INTERNAL.has(key)) {
      target._parameters.delete(key); target._buffers.delete(key); target._modules.delete(key);
      target._nonPersistent.delete(key);
    }
    return Reflect.deleteProperty(target, key);
  },
};

function checkName(m: Module, name: unknown, kind: string, op: string): asserts name is string {
  if (typeof name !== "string") throw new DTypeError(`${op}: ${kind} name should be a string, got ${describe(name)}`);
  if (name === "") throw new WasmgradError(`${op}: ${kind} name can't be empty string ""`);
  if (name.includes(".")) throw new WasmgradError(`${op}: ${kind} name can't contain ".", got "${name}"`);
  if (INTERNAL.has(name)) throw new WasmgradError(`${op}: "${name}" is reserved by Module`);
}

// A declared-but-unset class field (`bias?: Parameter`) is an own property holding undefined.
function taken(m: Module, name: string): boolean {
  return name in m && (m as unknown as Record<string, unknown>)[name] !== undefined;
}

/** The { prefix, recurse } options of namedParameters / namedBuffers. */
function memberOpts(opts: unknown, op: string): [string, boolean] {
  const o = optsArg<{ prefix: string; recurse: boolean }>(opts, op, "{ prefix?: string, recurse?: boolean }");
  if (o.prefix !== undefined && typeof o.prefix !== "string") throw new DTypeError(`${op}: prefix must be a string, got ${describe(o.prefix)}`);
  return [o.prefix ?? "", boolArg(o.recurse ?? true, "recurse", op)];
}

/** Base class of all neural-network modules (torch.nn.Module). */
export class Module {
  /** @internal */ _parameters: Slot<Parameter> = new Map();
  /** @internal */ _buffers: Slot<Tensor> = new Map();
  /** @internal */ _modules: Slot<Module> = new Map();
  /** @internal */ _nonPersistent: Set<string> = new Set();
  /** Training mode (dropout active); set with train()/eval(). */
  training = true;

  constructor() {
    // see the file comment: the Proxy is what registers `this.x = ...` and class fields
    return new Proxy(this, handler);
  }

  /** The computation; subclasses override it. */
  forward(..._args: unknown[]): unknown {
    throw new WasmgradError(`${this.constructor.name}: forward() is not implemented; define forward in the subclass`);
  }

  /** Adds a parameter (or a null placeholder) under `name`. */
  registerParameter(name: string, param: Parameter | null): void {
    checkName(this, name, "parameter", "registerParameter");
    if (param !== null && !(param instanceof Parameter)) {
      throw new DTypeError(`registerParameter: cannot assign ${typeName(param)} as parameter '${name}' (nn.Parameter or null expected)`);
    }
    if (taken(this, name) && !this._parameters.has(name)) throw new WasmgradError(`registerParameter: attribute '${name}' already exists`);
    this._parameters.set(name, param);
    (this as unknown as Record<string, unknown>)[name] = param;
  }

  /** Adds a buffer: state that is not a parameter (e.g. running_mean); persistent ones go into stateDict. */
  registerBuffer(name: string, tensor: Tensor | null, opts: { persistent?: boolean } = {}): void {
    checkName(this, name, "buffer", "registerBuffer");
    if (tensor !== null && !(tensor instanceof Tensor)) {
      throw new DTypeError(`registerBuffer: cannot assign ${typeName(tensor)} as buffer '${name}' (Tensor or null expected)`);
    }
    if (taken(this, name) && !this._buffers.has(name)) throw new WasmgradError(`registerBuffer: attribute '${name}' already exists`);
    this._buffers.set(name, tensor);
    const persistent = boolArg(optsArg<{ persistent: boolean }>(opts, "registerBuffer").persistent ?? true, "persistent", "registerBuffer");
    if (!persistent) this._nonPersistent.add(name); else this._nonPersistent.delete(name);
    (this as unknown as Record<string, unknown>)[name] = tensor;
  }

  /** Adds a child module (or a null placeholder) under `name`. */
  registerModule(name: string, module: Module | null): void {
    checkName(this, name, "module", "registerModule");
    if (module !== null && !(module instanceof Module)) throw new DTypeError(`registerModule: ${typeName(module)} is not a Module subclass`);
    if (taken(this, name) && !this._modules.has(name)) throw new WasmgradError(`registerModule: attribute '${name}' already exists`);
    this._modules.set(name, module);
    (this as unknown as Record<string, unknown>)[name] = module;
  }
  /** Same as registerModule (torch's add_module). */
  addModule(name: string, module: Module | null): void { this.registerModule(name, module); }

  /** [name, module] for this module and every descendant, each module once, self first with prefix. */
  namedModules(prefix = "", memo: Set<Module> = new Set()): [string, Module][] {
    const out: [string, Module][] = [];
    if (memo.has(this)) return out;
    memo.add(this);
    out.push([prefix, this]);
    for (const [name, m] of this._modules) {
      if (m === null) continue;
      out.push(...m.namedModules(prefix === "" ? name : `${prefix}.${name}`, memo));
    }
    return out;
  }
  /** This module and every module below it (torch's modules()). */
  modules(): Module[] { return this.namedModules().map(([, m]) => m); }

  /** Direct children (each once). */
  namedChildren(): [string, Module][] {
    const seen = new Set<Module>();
    const out: [string, Module][] = [];
    for (const [name, m] of this._modules) {
      if (m !== null && !seen.has(m)) { seen.add(m); out.push([name, m]); }
    }
    return out;
  }
  /** The direct submodules (torch's children()). */
  children(): Module[] { return this.namedChildren().map(([, m]) => m); }

  private namedMembers<T>(get: (m: Module) => Slot<T>, prefix: string, recurse: boolean): [string, T][] {
    const mods: [string, Module][] = recurse ? this.namedModules(prefix) : [[prefix, this]];
    const seen = new Set<T>();
    const out: [string, T][] = [];
    for (const [mp, m] of mods) {
      for (const [k, v] of get(m)) {
        if (v === null || seen.has(v)) continue;
        seen.add(v);
        out.push([mp === "" ? k : `${mp}.${k}`, v]);
      }
    }
    return out;
  }

  /** [name, parameter] pairs (`fc1.weight`, ...), each parameter once, as torch's named_parameters. */
  namedParameters(opts: { prefix?: string; recurse?: boolean } = {}): [string, Parameter][] {
    const [prefix, recurse] = memberOpts(opts, "namedParameters");
    return this.namedMembers((m) => m._parameters, prefix, recurse);
  }
  /** The parameters, in registration order: what an optimizer takes (`new optim.SGD(model.parameters(), { lr: 0.1 })`). */
  parameters(opts: { recurse?: boolean } = {}): Parameter[] { return this.namedParameters(opts).map(([, p]) => p); }
  /** [name, buffer] pairs with dotted names, as torch's named_buffers() (e.g. BatchNorm's running_mean). */
  namedBuffers(opts: { prefix?: string; recurse?: boolean } = {}): [string, Tensor][] {
    const [prefix, recurse] = memberOpts(opts, "namedBuffers");
    return this.namedMembers((m) => m._buffers, prefix, recurse);
  }
  /** The buffers (tensors saved in the state dict that are not parameters), as torch's buffers(). */
  buffers(opts: { recurse?: boolean } = {}): Tensor[] { return this.namedBuffers(opts).map(([, b]) => b); }

  /** Sets training mode here and in every descendant; returns this. */
  train(mode = true): this {
    if (typeof mode !== "boolean") throw new DTypeError(`train: mode is expected to be a boolean, got ${describe(mode)}`);
    this.training = mode;
    for (const m of this.children()) m.train(mode);
    return this;
  }
  /** train(false). */
  eval(): this { return this.train(false); }

  /** Calls fn on every descendant (children first) and then on this module; returns this. */
  apply(fn: (m: Module) => void): this {
    fnArg(fn, "fn", "apply");
    for (const m of this.children()) m.apply(fn);
    fn(this);
    return this;
  }

  /** Sets requiresGrad on every parameter (e.g. to freeze a module); returns this. */
  requiresGrad_(flag = true): this {
    boolArg(flag, "requiresGrad", "requiresGrad_");
    for (const p of this.parameters()) p.requiresGrad_(flag);
    return this;
  }

  /** Resets the parameters' gradients: to null (default, as torch 2) or to zeros. */
  zeroGrad(opts: { setToNone?: boolean } = {}): void {
    const o = optsArg<{ setToNone: boolean }>(opts, "zeroGrad", "{ setToNone?: boolean }");
    zeroGrads(this.parameters(), boolArg(o.setToNone ?? true, "setToNone", "zeroGrad"));
  }

  /** Parameters and persistent buffers by dotted name (detached views sharing storage, as torch). */
  stateDict(opts: { prefix?: string; keepVars?: boolean } = {}): Record<string, Tensor> {
    const out: Record<string, Tensor> = {};
    const o = optsArg<{ prefix: string; keepVars: boolean }>(opts, "stateDict", "{ prefix?: string, keepVars?: boolean }");
    if (o.prefix !== undefined && typeof o.prefix !== "string") throw new DTypeError(`stateDict: prefix must be a string, got ${describe(o.prefix)}`);
    this.saveTo(out, o.prefix ?? "", boolArg(o.keepVars ?? false, "keepVars", "stateDict"));
    return out;
  }

  private saveTo(out: Record<string, Tensor>, prefix: string, keepVars: boolean): void {
    for (const [k, p] of this._parameters) if (p !== null) out[prefix + k] = keepVars ? p : p.detach();
    for (const [k, b] of this._buffers) {
      if (b !== null && !this._nonPersistent.has(k)) out[prefix + k] = keepVars ? b : b.detach();
    }
    for (const [k, m] of this._modules) if (m !== null) m.saveTo(out, `${prefix}${k}.`, keepVars);
  }

  private localState(): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [k, p] of this._parameters) if (p !== null) out.push([k, p]);
    for (const [k, b] of this._buffers) if (b !== null && !this._nonPersistent.has(k)) out.push([k, b]);
    return out;
  }

  /**
   * Copies values from a state dict into the parameters and buffers. Missing and unexpected keys
   * are errors when strict (the default) and are returned either way; a shape mismatch is always
   * an error. Everything is checked before anything is copied, so a failed load changes nothing.
   */
  loadStateDict(sd: Record<string, Tensor> | Map<string, Tensor>, opts: { strict?: boolean } = {}): IncompatibleKeys {
    const strict = boolArg(optsArg<{ strict: boolean }>(opts, "loadStateDict", "{ strict?: boolean }").strict ?? true, "strict", "loadStateDict");
    if (sd === null || typeof sd !== "object" || sd instanceof Tensor) throw new DTypeError(`loadStateDict: expected a state dict (an object of tensors), got ${describe(sd)}`);
    const entries: Map<string, unknown> = sd instanceof Map ? sd : new Map(Object.entries(sd));
    const missingKeys: string[] = [], unexpectedKeys: string[] = [], errors: string[] = [];
    const copies: [Tensor, Tensor][] = [];
    const visit = (m: Module, prefix: string): void => {
      const local = m.localState();
      const localNames = new Set(local.map(([k]) => k));
      for (const [k, dst] of local) {
        const key = prefix + k;
        if (!entries.has(key)) { missingKeys.push(key); continue; }
        const src = entries.get(key);
        if (!(src instanceof Tensor)) {
          errors.push(`While copying the parameter named "${key}", expected a Tensor from the state dict but received ${describe(src)}`);
          continue;
        }
        if (src.ndim !== dst.ndim || src._shape.some((s, i) => s !== dst._shape[i])) {
          errors.push(`size mismatch for ${key}: copying a param with shape ${formatShape(src._shape)} from checkpoint, the shape in current model is ${formatShape(dst._shape)}.`);
          continue;
        }
        copies.push([dst, src]);
      }
      for (const key of entries.keys()) {
        if (!key.startsWith(prefix)) continue;
        const first = key.slice(prefix.length).split(".", 1)[0];
        if (!m._modules.has(first) && !localNames.has(first)) unexpectedKeys.push(key);
      }
      for (const [k, child] of m._modules) if (child !== null) visit(child, `${prefix}${k}.`);
    };
    visit(this, "");
    if (strict) {
      if (unexpectedKeys.length) errors.unshift(`Unexpected key(s) in state_dict: ${unexpectedKeys.map((k) => `"${k}"`).join(", ")}. `);
      if (missingKeys.length) errors.unshift(`Missing key(s) in state_dict: ${missingKeys.map((k) => `"${k}"`).join(", ")}. `);
    }
    if (errors.length) {
      const Err = errors.some((e) => e.startsWith("size mismatch")) ? ShapeError : WasmgradError;
      throw new Err(`loadStateDict: Error(s) in loading state_dict for ${this.constructor.name}:\n\t${errors.join("\n\t")}`);
    }
    noGrad(() => { for (const [dst, src] of copies) dst.copy_(src); });
    return { missingKeys, unexpectedKeys };
  }

  /** Extra text inside this module's repr, e.g. `in_features=2, out_features=3, bias=True`. */
  extraRepr(): string { return ""; }

  /** PyTorch's module repr: the class name with its children indented. */
  toString(): string {
    const lines: string[] = [];
    for (const [k, m] of this._modules) lines.push(`(${k}): ${m === null ? "None" : m.toString().replace(/\n/g, "\n  ")}`);
    const extra = this.extraRepr();
    if (lines.length === 0) return `${this.constructor.name}(${extra})`;
    return `${this.constructor.name}(${extra ? `\n  ${extra}` : ""}\n  ${lines.join("\n  ")}\n)`;
  }
  [Symbol.for("nodejs.util.inspect.custom")](): string { return this.toString(); }
}

/** Clears (setToNone) or zeroes the gradients of the given tensors, as torch's zero_grad. */
export function zeroGrads(params: Iterable<Tensor>, setToNone: boolean): void {
  for (const p of params) {
    // clearing goes by handle: reading p.grad first would make a wrapper that holds the old
    // gradient's memory until the next garbage collection
    if (setToNone) { if (p._h === 0 || W.gradOf(p._h) !== 0) p.grad = null; continue; }
    const g = p.grad;
    if (g === null) continue;
    if (g.gradFn !== null) g.detach_(); else if (g.requiresGrad) g.requiresGrad_(false);
    noGrad(() => g.zero_());
  }
}
