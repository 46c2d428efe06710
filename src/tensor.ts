// The Tensor class: a handle into the WASM tensor table plus the shape (kept on the JS side so
// shape checks cost no boundary crossing). Methods are thin: each forwards to its op function.

import { W } from "./wasm/load.js";
import { F_REQUIRES_GRAD } from "./wasm/exports.js";
import { readValues } from "./wasm/memory.js";
import { track, dispose as disposeTensor, disposedError, type Owned } from "./lifetime.js";
import { AutogradError, ShapeError, DTypeError, formatShape, oom } from "./errors.js";
import { DTYPE_NAMES, type DTypeName } from "./dtype.js";
import { gradFnName } from "./gradFn.js";
import { formatTensor } from "./format.js";
import { sameShape } from "./shape.js";
import * as ew from "./ops/elementwise.js";
import * as red from "./ops/reduce.js";
import * as la from "./ops/linalg.js";
import * as vw from "./ops/views.js";
import * as ip from "./ops/inplace.js";
import * as creation from "./ops/creation.js";
import { backward, shapeOf, type BackwardOptions } from "./autograd.js";

// `using t = ...` needs Symbol.dispose (Node 20 lacks it); the same well-known symbol as TS uses.
const symDispose: symbol = (Symbol as { dispose?: symbol }).dispose ?? Symbol.for("Symbol.dispose");
if (!(Symbol as { dispose?: symbol }).dispose) Object.defineProperty(Symbol, "dispose", { value: symDispose });

export type TensorOrScalar = Tensor | number;
type ShapeArg = number | readonly number[];

export class Tensor implements Owned {
  /** @internal handle in the WASM tensor table (0 once disposed) */
  _h: number;
  /** @internal */
  _chunk: Owned["_chunk"] = null;
  /** @internal */
  _slot = 0;
  /** @internal dtype code (0 float32, 1 int32, 2 bool) */
  _dt: number;
  /** @internal wrappers cached by .grad and .data; created on first use (most tensors never need it) */
  _links: Links | null = null;
  /** Sizes of the dims. Treat as read-only. */
  shape: number[];

  /** @internal Use tensor(), zeros(), ... to make tensors. */
  constructor(h: number, shape: number[], dt: number) {
    this._h = h;
    this.shape = shape;
    this._dt = dt;
    let n = 1;
    for (let i = 0; i < shape.length; i++) n *= shape[i];
    track(this, n);
  }

  // ---- properties -------------------------------------------------------------------------

  get dtype(): DTypeName { return DTYPE_NAMES[this._dt]; }
  get ndim(): number { return this.shape.length; }
  dim(): number { return this.shape.length; }
  numel(): number {
    let n = 1;
    for (const s of this.shape) n *= s;
    return n;
  }
  /** The shape, or the size of one dim (negative dims count from the end). */
  size(): number[];
  size(dim: number): number;
  size(dim?: number): number[] | number {
    if (dim === undefined) return this.shape.slice();
    return this.shape[vw.dimIndex(this, dim, "size")];
  }

  get requiresGrad(): boolean { return (W.flagsOf(h(this, "requiresGrad")) & F_REQUIRES_GRAD) !== 0; }
  set requiresGrad(flag: boolean) { this.requiresGrad_(flag); }

  /** Sets requires_grad on a leaf tensor; returns this. */
  requiresGrad_(flag = true): this {
    const th = h(this, "requiresGrad_");
    if (!W.isLeaf(th)) {
      if (flag) return this;
      throw new AutogradError("requiresGrad_: you can only change requires_grad flags of leaf variables; use t.detach() for a tensor without history");
    }
    if (flag && this._dt !== 0) throw new DTypeError(`requiresGrad_: only tensors of floating point dtype can require gradients, got ${this.dtype}`);
    W.setRequiresGrad(th, flag ? 1 : 0);
    return this;
  }

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
    // the grad keeps the shape it was made with, even if .data gave this tensor another since
    const shape = sameShape(shapeOf(gh), this.shape) ? this.shape : shapeOf(gh);
    return (links.grad = new Tensor(gh, shape, 0));
  }
  set grad(g: Tensor | null) {
    const th = h(this, "grad");
    if (g === null || g === undefined) {
      W.setGrad(th, 0);
    } else {
      const gh = h(g, "grad");
      if (gh === th) throw new AutogradError("grad: can't assign a tensor as its own grad");
      if (!sameShape(g.shape, this.shape)) {
        throw new ShapeError(`grad: assigned grad has shape ${formatShape(g.shape)} but the tensor has shape ${formatShape(this.shape)}`);
      }
      if (g._dt !== 0) throw new DTypeError(`grad: assigned grad must be float32, got ${g.dtype}`);
      W.setGrad(th, W.isContiguous(gh) ? gh : h(vw.contiguous(g), "grad"));
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
    const out = W.detachOp(th, 0);
    if (out === 0) throw oom("data");
    return this.cacheData(new Tensor(out, this.shape, this._dt));
  }
  set data(src: Tensor) {
    const sh = h(src, "data");
    if (!W.setDataOp(h(this, "data"), sh)) throw oom("data");
    this.shape = src.shape;
    this._dt = src._dt;
    const links = this._links;
    if (links !== null) {
      // this tensor no longer aliases the storage it was the .data of, nor is its old view current
      if (links.aliasOf !== null) { linksOf(links.aliasOf).dataView = null; links.aliasOf = null; }
      if (links.dataView !== null) { linksOf(links.dataView).aliasOf = null; links.dataView = null; }
    }
    // `w.data = t`: t now shares w's storage and has no history, so it can serve as w.data
    if ((src._links?.aliasOf ?? null) === null && (W.flagsOf(sh) & F_REQUIRES_GRAD) === 0 && src !== this) this.cacheData(src);
  }

  private cacheData(view: Tensor): Tensor {
    linksOf(this).dataView = view;
    linksOf(view).aliasOf = this;
    return view;
  }

  // ---- autograd ---------------------------------------------------------------------------

  /** Computes gradients of this tensor w.r.t. the leaves of its graph (see API.md, Autograd). */
  backward(gradient?: Tensor | null, opts?: BackwardOptions): void { backward(this, gradient, opts); }
  /** Makes backward() fill .grad of this non-leaf tensor too. */
  retainGrad(): void { W.retainGrad(h(this, "retainGrad")); }
  /** A tensor sharing storage (and in-place version counter) with no history. */
  detach(): Tensor { return vw.detach(this); }
  /** Drops this tensor's history in place and makes it a leaf that does not require grad. */
  detach_(): this { vw.detachInPlace(this); return this; }

  // ---- arithmetic -------------------------------------------------------------------------

  add(other: TensorOrScalar, opts?: { alpha?: number }): Tensor { return ew.add(this, other, opts); }
  sub(other: TensorOrScalar, opts?: { alpha?: number }): Tensor { return ew.sub(this, other, opts); }
  mul(other: TensorOrScalar): Tensor { return ew.mul(this, other); }
  div(other: TensorOrScalar): Tensor { return ew.div(this, other); }
  pow(exponent: TensorOrScalar): Tensor { return ew.pow(this, exponent); }
  neg(): Tensor { return ew.neg(this); }
  exp(): Tensor { return ew.exp(this); }
  log(): Tensor { return ew.log(this); }
  sqrt(): Tensor { return ew.sqrt(this); }
  abs(): Tensor { return ew.abs(this); }
  relu(): Tensor { return ew.relu(this); }
  sigmoid(): Tensor { return ew.sigmoid(this); }
  tanh(): Tensor { return ew.tanh(this); }
  square(): Tensor { return ew.square(this); }

  // ---- reductions and products ------------------------------------------------------------

  sum(dim?: number | number[] | null, keepdim = false): Tensor { return red.sum(this, dim, keepdim); }
  mean(dim?: number | number[] | null, keepdim = false): Tensor { return red.mean(this, dim, keepdim); }
  matmul(other: Tensor): Tensor { return la.matmul(this, other); }
  mm(other: Tensor): Tensor { return la.mm(this, other); }

  // ---- shape ------------------------------------------------------------------------------

  reshape(...shape: ShapeArg[]): Tensor { return vw.reshape(this, ...shape); }
  view(...shape: ShapeArg[]): Tensor { return vw.view(this, ...shape); }
  flatten(startDim = 0, endDim = -1): Tensor { return vw.flatten(this, startDim, endDim); }
  transpose(dim0: number, dim1: number): Tensor { return vw.transpose(this, dim0, dim1); }
  t(): Tensor { return vw.t(this); }
  unsqueeze(dim: number): Tensor { return vw.unsqueeze(this, dim); }
  squeeze(dim?: number): Tensor { return vw.squeeze(this, dim); }
  expand(...shape: ShapeArg[]): Tensor { return vw.expand(this, ...shape); }
  expandAs(other: Tensor): Tensor { return vw.expand(this, other.shape); }
  contiguous(): Tensor { return vw.contiguous(this); }
  clone(): Tensor { return vw.clone(this); }

  // ---- in place ---------------------------------------------------------------------------

  add_(other: TensorOrScalar, opts?: { alpha?: number }): this { ip.add_(this, other, opts); return this; }
  sub_(other: TensorOrScalar, opts?: { alpha?: number }): this { ip.sub_(this, other, opts); return this; }
  mul_(other: TensorOrScalar): this { ip.mul_(this, other); return this; }
  div_(other: TensorOrScalar): this { ip.div_(this, other); return this; }
  zero_(): this { ip.fill_(this, 0, true); return this; }
  fill_(value: number): this { ip.fill_(this, value, false); return this; }
  copy_(src: Tensor): this { ip.copy_(this, src); return this; }

  /** A float32 copy (this tensor if it is float32 already), like torch's .float(). */
  float(): Tensor {
    h(this, "float");
    if (this._dt === 0) return this;
    return creation.tensor(this.toFloat32Array(), {}).reshape(this.shape);
  }

  // ---- reading values ---------------------------------------------------------------------

  /** The value of a one-element tensor. */
  item(): number {
    const th = h(this, "item");
    const n = this.numel();
    if (n !== 1) throw new ShapeError(`item: a Tensor with ${n} elements cannot be converted to Scalar (shape ${formatShape(this.shape)})`);
    return W.itemOp(th);
  }

  /** A copy of the values in row-major order (float32 tensors; integers for int32/bool). */
  toFloat32Array(): Float32Array {
    const v = readValues(h(this, "toFloat32Array"), this.numel(), this._dt !== 0);
    return v instanceof Float32Array ? v : Float32Array.from(v);
  }
  /** A copy of the values in row-major order (typed by dtype). */
  dataSync(): Float32Array | Int32Array { return readValues(h(this, "dataSync"), this.numel(), this._dt !== 0); }

  /** The values as nested arrays (a number for a 0-dim tensor; booleans for bool). */
  toArray(): NestedArray {
    const flat = readValues(h(this, "toArray"), this.numel(), this._dt !== 0);
    const bool = this._dt === 2;
    const build = (d: number, off: number): NestedArray => {
      if (d === this.shape.length) return bool ? flat[off] !== 0 : flat[off];
      const stride = this.shape.slice(d + 1).reduce((a, b) => a * b, 1);
      const out: NestedArray[] = [];
      for (let i = 0; i < this.shape[d]; i++) out.push(build(d + 1, off + i * stride));
      return out;
    };
    return build(0, 0);
  }

  /** PyTorch's print layout, e.g. `tensor([1., 2.], requires_grad=True)`. */
  toString(): string {
    if (this._h === 0) return "tensor(<disposed>)";
    const vals = readValues(this._h, this.numel(), this._dt !== 0);
    const suffix: string[] = [];
    const fn = this.gradFn;
    if (fn) suffix.push(`grad_fn=<${fn.name}>`);
    else if (this.requiresGrad) suffix.push("requires_grad=True");
    return formatTensor(vals, this.shape, this.dtype, suffix);
  }

  /** Node's console.log uses this. */
  [Symbol.for("nodejs.util.inspect.custom")](): string { return this.toString(); }

  // ---- lifetime ---------------------------------------------------------------------------

  /** Frees the WASM storage now (if nothing else uses it); later use of this tensor throws. */
  dispose(): void { disposeTensor(this); }
  /** `using t = ...` disposes at the end of the block. */
  [symDispose](): void { disposeTensor(this); }
  /** True once dispose() ran. */
  get isDisposed(): boolean { return this._h === 0; }
}

export type NestedArray = number | boolean | NestedArray[];

/** Wrappers a tensor caches: its .grad, its .data view, and the tensor it is the .data of. */
interface Links {
  grad: Tensor | null;
  dataView: Tensor | null;
  aliasOf: Tensor | null;
}

function linksOf(t: Tensor): Links {
  return t._links ?? (t._links = { grad: null, dataView: null, aliasOf: null });
}

/** The handle of t, or a clear error if t is not a live Tensor. */
export function h(t: Tensor, op: string): number {
  if (!(t instanceof Tensor)) throw new DTypeError(`${op}: expected a Tensor, got ${describe(t)}`);
  const th = t._h;
  if (th === 0) throw disposedError(op);
  return th;
}

export function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array (wrap it with tensor())";
  if (ArrayBuffer.isView(v)) return `a ${v.constructor.name} (wrap it with tensor())`;
  return typeof v === "object" ? (v as object).constructor?.name ?? "object" : typeof v;
}

/** Wraps a handle returned by the core (0 means the core ran out of memory). */
export function wrap(out: number, shape: number[], dt: number, op: string): Tensor {
  if (out === 0) throw oom(op, shape);
  return new Tensor(out, shape, dt);
}

/** Only float32 tensors take part in arithmetic here. */
export function checkFloat(t: Tensor, op: string): void {
  if (t._dt !== 0) throw new DTypeError(`${op}: expected a float32 tensor, got ${t.dtype}; convert it with .float()`);
}

