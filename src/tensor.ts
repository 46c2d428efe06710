// The Tensor class: a handle into the WASM tensor table plus the shape and dtype (kept on the JS
// side so shape checks cost no boundary crossing). Its operations are installed on the prototype
// by src/methods.ts from the op modules (declaration merging gives them their types there), so
// this file imports no op module and no op module needs anything here but the class.

import { W } from "./wasm/load.js";
import { F_REQUIRES_GRAD } from "./wasm/exports.js";
import { readValues } from "./wasm/memory.js";
import { track, dispose as disposeTensor, disposedError, retryAlloc, type Owned } from "./lifetime.js";
import { AutogradError, ShapeError, DTypeError, OutOfMemoryError, formatShape, oom, safeString } from "./errors.js";
import { DTYPE_NAMES, isFloat, type DTypeName } from "./dtype.js";
import { gradFnName } from "./ops/spec.js";
import { formatTensor } from "./format.js";
import { sameShape } from "./shape.js";
import { DType } from "../assembly/abi.js";

// `using t = ...` needs Symbol.dispose (Node 20 lacks it); the same well-known symbol as TS uses.
if (!(Symbol as { dispose?: symbol }).dispose) Object.defineProperty(Symbol, "dispose", { value: Symbol.for("Symbol.dispose") });

// The published types use Symbol.dispose, which lib ES2022 (without esnext.disposable or @types/node)
// does not declare; the same declarations as TypeScript's lib.esnext.disposable, which merge with it.
declare global {
  interface SymbolConstructor { readonly dispose: unique symbol }
  interface Disposable { [Symbol.dispose](): void }
}

/** An op operand: a tensor, or a number or boolean (a Python scalar, rounded to the tensor's dtype). */
export type TensorOrScalar = Tensor | number | boolean;
/** Numbers or booleans nested in arrays, as `tensor()` takes and `toArray()` returns (Python's nested lists). */
export type NestedArray = number | boolean | NestedArray[];

/** Wrappers a tensor caches: its .grad, its .data view, and the tensor it is the .data of. */
interface Links {
  grad: Tensor | null;
  dataView: Tensor | null;
  aliasOf: Tensor | null;
  hooks: Array<(g: Tensor) => Tensor | void | undefined> | null;
}

/**
 * An n-dimensional array on the WASM core with autograd, as torch.Tensor. Made by `tensor()`, `zeros()`, `randn()`, ...; ops are methods and functions (`a.mul(b)`, `mul(a, b)`).
 *
 * Example: `const w = tensor([1.0], { requiresGrad: true }); mul(2, w).sum().backward(); w.grad!.item() // 2`
 */
export class Tensor {
  /** @internal handle in the WASM tensor table (0 once disposed) */
  _h: number;
  /** @internal */
  _chunk: Owned["_chunk"] = null;
  /** @internal */
  _slot = 0;
  /** @internal dtype code (DType) */
  _dt: DType;
  /** @internal sizes; never mutated after construction (the public `shape` is a copy) */
  _shape: number[];
  /** @internal wrappers cached by .grad and .data, and hooks; created on first use */
  _links: Links | null = null;

  /** @internal Use tensor(), zeros(), ... to make tensors. */
  constructor(h: number, shape: number[], dt: DType) {
    this._h = h;
    this._shape = shape;
    this._dt = dt;
    let n = 1;
    for (let i = 0; i < shape.length; i++) n *= shape[i];
    track(this, n * (dt === DType.Float64 ? 8 : dt === DType.Bool ? 1 : 4));
  }

  // ---- properties -------------------------------------------------------------------------

  /** Sizes of the dims (a copy: changing it never changes the tensor). */
  get shape(): number[] { return this._shape.slice(); }
  /** The element type name (torch's dtype): "float32", "float64", "int32" or "bool". */
  get dtype(): DTypeName { return DTYPE_NAMES[this._dt]; }
  /** The number of dims (torch's ndim). */
  get ndim(): number { return this._shape.length; }
  /** The number of dims (torch's dim()). */
  dim(): number { return this._shape.length; }
  /** The number of elements (torch's numel()). */
  numel(): number {
    let n = 1;
    for (const s of this._shape) n *= s;
    return n;
  }

  /** Whether backward computes a gradient for this tensor (PyTorch's requires_grad). */
  get requiresGrad(): boolean { return (W.flagsOf(h(this, "requiresGrad")) & F_REQUIRES_GRAD) !== 0; }
  /** Sets requires_grad; only leaves may change it, as in PyTorch (`w.requiresGrad = true`). */
  set requiresGrad(flag: boolean) { this.requiresGrad_(flag); }

  /** Sets requires_grad on a leaf tensor; returns this. */
  requiresGrad_(flag = true): this {
    const th = h(this, "requiresGrad_");
    if (typeof flag !== "boolean") throw new DTypeError(`requiresGrad_: expected a boolean, got ${typeof flag}`);
    if (!W.isLeaf(th)) {
      if (flag) return this;
      throw new AutogradError("requiresGrad_: you can only change requires_grad flags of leaf variables; use t.detach() for a tensor without history");
    }
    if (flag && !isFloat(this._dt)) throw new DTypeError(`requiresGrad_: only tensors of floating point dtype can require gradients, got ${this.dtype}`);
    W.setRequiresGrad(th, flag ? 1 : 0);
    return this;
  }

  /** True for tensors not made by a recorded op (PyTorch's is_leaf). */
  get isLeaf(): boolean { return W.isLeaf(h(this, "isLeaf")) !== 0; }

  /** The op that produced this tensor (`{ name: "MulBackward0" }`), or null for a leaf. */
  get gradFn(): { name: string } | null {
    const code = W.gradFnOf(h(this, "gradFn"));
    return code === 0 ? null : { name: gradFnName(code) };
  }

  /** The accumulated gradient: null before the first backward (and for non-leaves without retainGrad). */
  get grad(): Tensor | null {
    const gh = W.gradOf(h(this, "grad"));
    if (gh === 0) return null;
    const links = linksOf(this);
    const cached = links.grad;
    if (cached !== null && cached._h === gh) return cached;
    W.retain(gh);
    return (links.grad = new Tensor(gh, shapeOf(gh), W.tensorDtype(gh)));
  }
  /** Replaces the accumulated gradient (null clears it, as `w.grad = None`). */
  set grad(g: Tensor | null) {
    const th = h(this, "grad");
    if (g === null || g === undefined) {
      W.setGrad(th, 0);
    } else {
      const gh = h(g, "grad");
      if (gh === th) throw new AutogradError("grad: can't assign a tensor as its own grad");
      if (!sameShape(g._shape, this._shape)) {
        throw new ShapeError(`grad: assigned grad has shape ${formatShape(g._shape)} but the tensor has shape ${formatShape(this._shape)}`);
      }
      if (g._dt !== this._dt) throw new DTypeError(`grad: assigned grad has dtype ${g.dtype} but the tensor has dtype ${this.dtype}`);
      W.setGrad(th, gh);
    }
    if (this._links !== null) this._links.grad = null;
  }

  /** A tensor sharing this one's storage, without autograd history (assigning replaces the values). */
  get data(): Tensor {
    const th = h(this, "data");
    // Reading .data in a loop (`w.grad.data.zero_()`) reuses one view instead of making a
    // tensor per read; a view that was disposed or given requires_grad is not reused.
    const c = this._links?.dataView ?? null;
    if (c !== null && c._h !== 0 && (W.flagsOf(c._h) & F_REQUIRES_GRAD) === 0) return c;
    let out = W.detachOp(th, 0);
    if (out === 0) out = retryAlloc(() => W.detachOp(th, 0));
    if (out === 0) throw oom("data");
    return cacheData(this, new Tensor(out, this._shape, this._dt));
  }
  /** Replaces the values without autograd history, as `w.data = ...` in PyTorch (same shape and dtype). */
  set data(src: Tensor) {
    const sh = h(src, "data");
    const th = h(this, "data");
    if (!isFloat(src._dt) && (W.flagsOf(th) & F_REQUIRES_GRAD) !== 0) {
      throw new DTypeError(`data: data set to a tensor that requires gradients must be floating point, got ${src.dtype}`);
    }
    if (!W.setDataOp(th, sh) && !retryAlloc(() => W.setDataOp(th, sh))) throw oom("data");
    this._shape = src._shape;
    this._dt = src._dt;
    const links = this._links;
    if (links !== null) {
      // this tensor no longer aliases the storage it was the .data of, nor is its old view current
      if (links.aliasOf !== null) { linksOf(links.aliasOf).dataView = null; links.aliasOf = null; }
      if (links.dataView !== null) { linksOf(links.dataView).aliasOf = null; links.dataView = null; }
    }
    // `w.data = t`: t now shares w's storage and has no history, so it can serve as w.data
    if ((src._links?.aliasOf ?? null) === null && (W.flagsOf(sh) & F_REQUIRES_GRAD) === 0 && src !== this) cacheData(this, src);
  }

  // ---- reading values ---------------------------------------------------------------------

  /** The value of a one-element tensor (booleans as 0/1). */
  item(): number {
    const th = h(this, "item");
    const n = this.numel();
    if (n !== 1) throw new ShapeError(`item: a Tensor with ${n} elements cannot be converted to Scalar (shape ${formatShape(this._shape)})`);
    return W.itemOp(th);
  }

  /** A copy of the values in row-major order as float32. */
  toFloat32Array(): Float32Array {
    const v = readValues(h(this, "toFloat32Array"), this.numel(), this._dt, "toFloat32Array");
    return v instanceof Float32Array ? v : Float32Array.from(v);
  }
  /** A copy of the values in row-major order, typed by dtype (bool as Uint8Array). */
  dataSync(): Float32Array | Float64Array | Int32Array | Uint8Array { return readValues(h(this, "dataSync"), this.numel(), this._dt, "dataSync"); }

  /** The values as nested arrays (a number for a 0-dim tensor; booleans for bool). */
  toArray(): NestedArray {
    const flat = readValues(h(this, "toArray"), this.numel(), this._dt, "toArray");
    const bool = this._dt === DType.Bool;
    const shape = this._shape;
    const build = (d: number, off: number): NestedArray => {
      if (d === shape.length) return bool ? flat[off] !== 0 : flat[off];
      let stride = 1;
      for (let k = d + 1; k < shape.length; k++) stride *= shape[k];
      const out: NestedArray[] = [];
      for (let i = 0; i < shape[d]; i++) out.push(build(d + 1, off + i * stride));
      return out;
    };
    return build(0, 0);
  }

  /** PyTorch's print layout, e.g. `tensor([1., 2.], requires_grad=True)`. */
  toString(): string {
    if (!isLive(this)) return this._h === 0 ? "tensor(<disposed>)" : "tensor(<not a tensor made by wasmgrad>)";
    let vals;
    try {
      vals = readValues(this._h, this.numel(), this._dt, "toString");
    } catch (e) {
      // toString also builds error messages, which must not fail in turn
      if (e instanceof OutOfMemoryError) return `tensor(<out of memory reading the values>, size=(${this._shape.join(", ")}))`;
      throw e;
    }
    const suffix: string[] = [];
    const fn = this.gradFn;
    if (fn) suffix.push(`grad_fn=<${fn.name}>`);
    else if (this.requiresGrad) suffix.push("requires_grad=True");
    return formatTensor(vals, this._shape, this.dtype, suffix);
  }

  /** Node's console.log uses this. */
  [Symbol.for("nodejs.util.inspect.custom")](): string { return this.toString(); }

  // ---- lifetime ---------------------------------------------------------------------------

  /** Frees the WASM storage now (if nothing else uses it); later use of this tensor throws. */
  dispose(): void { disposeTensor(this); }
  /** `using t = ...` disposes at the end of the block. */
  [Symbol.dispose](): void { disposeTensor(this); }
  /** True once dispose() ran. */
  get isDisposed(): boolean { return this._h === 0; }
}

function cacheData(base: Tensor, view: Tensor): Tensor {
  linksOf(base).dataView = view;
  linksOf(view).aliasOf = base;
  return view;
}

/** @internal */
export function linksOf(t: Tensor): Links {
  return t._links ?? (t._links = { grad: null, dataView: null, aliasOf: null, hooks: null });
}

/** The handle of t, or a clear error if t is not a live Tensor. */
export function h(t: Tensor, op: string): number {
  if (!(t instanceof Tensor)) throw new DTypeError(`${op}: expected a Tensor, got ${describe(t)}`);
  const th = t._h;
  if (th === 0 && Array.isArray(t._shape)) throw disposedError(op);
  // Object.create(Tensor.prototype) passes instanceof but has no handle of its own
  if (!isLive(t)) throw new DTypeError(`${op}: expected a Tensor, got an object that is not a tensor made by wasmgrad`);
  return th;
}

/** A real, undisposed tensor: a positive integer handle and a shape array. */
function isLive(t: Tensor): boolean {
  const th = t._h;
  return typeof th === "number" && Number.isInteger(th) && th > 0 && Array.isArray(t._shape);
}

export function describe(v: unknown): string {
  if (v === null) return "null";
  if (v === undefined) return "undefined";
  if (Array.isArray(v)) return "an array (wrap it with tensor())";
  if (ArrayBuffer.isView(v)) return `${safeString(v)} (wrap it with tensor())`;
  if (typeof v === "object") return safeString(v);
  return typeof v;
}

/** Wraps a handle returned by the core (0 means the core ran out of memory). */
export function wrap(out: number, shape: number[], dt: DType, op: string): Tensor {
  if (out <= 0) throw oom(op, shape);
  return new Tensor(out, shape, dt);
}

/** The shape of a handle, read from the core (for tensors the facade holds no wrapper of). */
export function shapeOf(handle: number): number[] {
  const nd = W.tensorNdim(handle);
  const s = new Array<number>(nd);
  for (let d = 0; d < nd; d++) s[d] = W.tensorDim(handle, d);
  return s;
}
