// backward(), autograd.grad() and tensor hooks: validation in TS, then the whole reverse pass in
// one call into the core (assembly/autograd/backward.ts).

import { Status, DType } from "../assembly/abi.js";
import { W, setHookRunner } from "./wasm/load.js";
import { F_REQUIRES_GRAD, F_VIEW } from "./wasm/exports.js";
import { i32, scratchIndex } from "./wasm/memory.js";
import { Tensor, h, linksOf, shapeOf, describe } from "./tensor.js";
import { gradFnName } from "./ops/spec.js";
import { sameShape } from "./shape.js";
import { AutogradError, ShapeError, DTypeError, WasmgradError, formatShape, oom } from "./errors.js";
import { retryAlloc } from "./lifetime.js";
import { to } from "./ops/convert.js";

/** Options of `backward()` (PyTorch's keyword arguments retain_graph and create_graph). */
export interface BackwardOptions {
  /** Keep the saved tensors so backward can run through this graph again. */
  retainGraph?: boolean;
  /** Record the backward pass, so gradients can be differentiated again (grads of grads). */
  createGraph?: boolean;
}

// ---- hooks --------------------------------------------------------------------------------

const hookOwners = new Map<number, Tensor>();
let hookError: unknown = null;

setHookRunner((handle: number, g: number): number => {
  const t = hookOwners.get(handle);
  const hooks = t?._links?.hooks;
  if (!t || !hooks || hooks.length === 0) return 0;
  try {
    W.retain(g);
    let cur = new Tensor(g, shapeOf(g), W.tensorDtype(g));
    let changed = false;
    for (const fn of hooks) {
      const r = fn(cur);
      if (r === undefined || r === null) continue;
      if (!(r instanceof Tensor) || r._h === 0) throw new DTypeError(`registerHook: a hook must return a Tensor or nothing, got ${describe(r)}`);
      if (!sameShape(r._shape, cur._shape)) {
        throw new ShapeError(`registerHook: hook returned a gradient of shape ${formatShape(r._shape)}; expected ${formatShape(cur._shape)}`);
      }
      cur = r;
      changed = true;
    }
    if (!changed) return 0;
    W.retain(cur._h); // the core takes over this reference
    return cur._h;
  } catch (e) {
    hookError = e;
    return -1;
  }
});

/**
 * Registers fn to run with this tensor's gradient during backward; fn may return a replacement
 * gradient. Returns a handle whose remove() unregisters it. Example: `x.registerHook((g) => g.mul(2))`.
 */
export function registerHook(t: Tensor, fn: (grad: Tensor) => Tensor | void): {
  /** Unregisters the hook. */
  remove(): void;
} {
  const th = h(t, "registerHook");
  if (typeof fn !== "function") throw new DTypeError(`registerHook: expected a function, got ${describe(fn)}`);
  if (!(W.flagsOf(th) & F_REQUIRES_GRAD)) {
    throw new AutogradError("registerHook: cannot register a hook on a tensor that doesn't require gradient");
  }
  const links = linksOf(t);
  (links.hooks ??= []).push(fn);
  hookOwners.set(th, t);
  W.setHooked(th);
  return { remove: () => { const i = links.hooks?.indexOf(fn) ?? -1; if (i >= 0) links.hooks!.splice(i, 1); } };
}

// ---- the reverse pass -----------------------------------------------------------------------

function checkRoot(t: Tensor, g: Tensor | null | undefined, op: string, index: number): number {
  const ht = h(t, op);
  if (!(W.flagsOf(ht) & F_REQUIRES_GRAD)) {
    throw new AutogradError(`${op}: element ${index} of tensors does not require grad and does not have a grad_fn`);
  }
  if (g === undefined || g === null) {
    if (t.numel() !== 1) {
      throw new AutogradError(`${op}: grad can be implicitly created only for scalar outputs; output has shape ${formatShape(t._shape)}; pass a gradient or call .sum() first`);
    }
    return 0;
  }
  const hg = h(g, op);
  if (!sameShape(g._shape, t._shape)) {
    throw new ShapeError(`${op}: gradient has shape ${formatShape(g._shape)} but the output has shape ${formatShape(t._shape)}`);
  }
  // torch casts a gradient of another dtype to the output's (recorded, so createGraph sees it)
  if (g._dt !== t._dt) return to(g, t.dtype)._h;
  return hg;
}

function flags(opts: unknown, op: string): { keep: boolean; create: boolean } {
  if (opts === undefined || opts === null) return { keep: false, create: false };
  if (typeof opts !== "object") throw new DTypeError(`${op}: options must be an object like { retainGraph: true }, got ${describe(opts)}`);
  const o = opts as BackwardOptions;
  const create = !!o.createGraph;
  // torch: retain_graph defaults to create_graph
  return { keep: o.retainGraph === undefined ? create : !!o.retainGraph, create };
}

/** Runs the core's backward over roots/grads (handles) and, for autograd.grad, inputs; throws on failure. */
function run(roots: number[], grads: number[], keep: boolean, create: boolean, inputs: number[], op: string): number[] {
  const n = roots.length, m = inputs.length;
  if (2 * n + 2 * m > 256) throw new WasmgradError(`${op}: at most ${Math.floor((256 - 2 * n) / 2)} inputs per call here, got ${m}`);
  const call = (): number => {
    const base = scratchIndex(), v = i32();
    for (let i = 0; i < n; i++) { v[base + i] = roots[i]; v[base + n + i] = grads[i]; }
    for (let i = 0; i < m; i++) v[base + 2 * n + i] = inputs[i];
    const st = W.backward(base << 2, (base + n) << 2, n, keep ? 1 : 0, create ? 1 : 0, (base + 2 * n) << 2, m);
    return st === Status.Ok ? 1 : st;
  };
  hookError = null;
  let status = call();
  if (status === Status.OutOfMemory) status = retryAlloc(() => { const s = call(); return s === Status.OutOfMemory ? 0 : s; }) || Status.OutOfMemory;
  if (status === 1) {
    const base = scratchIndex() + 2 * n + m, v = i32();
    return Array.from({ length: m }, (_, i) => v[base + i]);
  }
  throw backwardError(status, op, roots);
}

/**
 * The ints of a shape record of the core (assembly/dims.ts: ndim in the high bits of the i32 at
 * byte 4, the sizes from byte 20).
 */
function recordShape(rec: number): number[] {
  const v = i32(), at = rec >> 2;
  const nd = v[at + 1] >> 8;
  return Array.from(v.subarray(at + 5, at + 5 + nd));
}

function backwardError(status: number, op: string, roots: readonly number[]): Error {
  const name = gradFnName(W.backwardErrorInfo(0));
  if (status === Status.HookFailed) {
    const e = hookError;
    hookError = null;
    return e instanceof Error ? e : new WasmgradError(`${op}: a hook threw ${String(e)}`);
  }
  if (status === Status.FreedGraph) {
    return new AutogradError(
      `${op}: trying to backward through the graph a second time (or directly access saved tensors after they have already been freed) at ${name}. ` +
      "Saved intermediate values of the graph are freed when you call .backward(); pass { retainGraph: true } to the first backward if you need to backward through the graph a second time");
  }
  if (status === Status.VersionMismatch) {
    // torch's text: the saved tensor's type and shape, the op that made it (none for a leaf), the versions
    const cur = W.backwardErrorInfo(2), want = W.backwardErrorInfo(3), saved = W.backwardErrorInfo(8);
    const from = W.backwardErrorInfo(9);
    const type = ["torch.FloatTensor", "torch.DoubleTensor", "torch.IntTensor", "torch.BoolTensor"][W.tensorDtype(saved)];
    return new AutogradError(
      `${op}: one of the variables needed for gradient computation has been modified by an inplace operation: ` +
      `[${type} ${formatShape(shapeOf(saved))}]${from ? `, which is output 0 of ${gradFnName(from)},` : ""} ` +
      `is at version ${cur}; expected version ${want} instead${from && gradFnName(from) === name ? "" : ` (saved by ${name})`}`);
  }
  if (status === Status.InvalidGradient) {
    // slots 6 and 7 hold shape records: for an edge, the target's shape now and the shape the
    // node computed its gradient for; for a root, the root's shape now and its node's output
    const now = recordShape(W.backwardErrorInfo(6)), seen = recordShape(W.backwardErrorInfo(7));
    const atRoot = roots.some((r) => W.gradFnOf(r) === W.backwardErrorInfo(0) && sameShape(shapeOf(r), now));
    const [got, expected] = atRoot ? [now, seen] : [seen, now];
    return new ShapeError(
      `${op}: Function ${name} returned an invalid gradient at index ${W.backwardErrorInfo(1)} - got ${formatShape(got)} ` +
      `but expected shape compatible with ${formatShape(expected)} (a tensor's .data was replaced with another shape after it was used)`);
  }
  if (status === Status.GradShapeMismatch) {
    const t = W.backwardErrorInfo(4), g = W.backwardErrorInfo(5);
    return new ShapeError(
      `${op}: a tensor's .grad has shape ${formatShape(shapeOf(g))} but its gradient has shape ` +
      `${formatShape(shapeOf(t))} (its shape changed after .grad was made; set .grad = null first)`);
  }
  if (status === Status.MissingRule) {
    return new AutogradError(`${op}: the derivative for ${name} is not implemented`);
  }
  if (status === Status.Reentrant) return new AutogradError(`${op}: backward was called from inside a hook during backward`);
  if (status === Status.InternalOverlap) {
    return new ShapeError(`${op}: unsupported operation: more than one element of the written-to tensor refers to a single memory location: a .grad of shape ${formatShape(shapeOf(W.backwardErrorInfo(5)))} is an expanded view; clone() it before the backward pass`);
  }
  return oom(op);
}

/** Accumulates d(t)/d(leaf) * gradient into every leaf's .grad. */
export function backward(t: Tensor, gradient?: Tensor | null, opts?: BackwardOptions): void {
  const hg = checkRoot(t, gradient, "backward", 0);
  if (opts === undefined && hg === 0) {
    // the common call, l.backward(): one root, the implicit gradient, no options; one core call
    hookError = null;
    const st = W.backwardRoot(t._h);
    if (st === Status.Ok) return;
    if (st !== Status.OutOfMemory) throw backwardError(st, "backward", [t._h]);
  }
  const { keep, create } = flags(opts, "backward");
  run([t._h], [hg], keep, create, [], "backward");
}

/** Options of `autograd.grad()` (torch.autograd.grad's keyword arguments). */
export interface GradOptions extends BackwardOptions {
  /** Gradients of the outputs (default: ones for one-element outputs). */
  gradOutputs?: Tensor | (Tensor | null)[] | null;
  /** Return null for inputs the outputs do not depend on instead of throwing. */
  allowUnused?: boolean;
}

/**
 * The gradients of outputs w.r.t. inputs, without touching any .grad (torch.autograd.grad).
 * Example: `const [dx] = autograd.grad(y, [x], { createGraph: true })`.
 */
export function grad(outputs: Tensor | Tensor[], inputs: Tensor | Tensor[], opts?: GradOptions): (Tensor | null)[] {
  const outs = Array.isArray(outputs) ? outputs : [outputs];
  const ins = Array.isArray(inputs) ? inputs : [inputs];
  if (outs.length === 0) throw new AutogradError("grad: outputs must not be empty");
  if (ins.length === 0) throw new AutogradError("grad: inputs must not be empty");
  const gos = opts?.gradOutputs;
  const goList = gos === undefined || gos === null ? [] : Array.isArray(gos) ? gos : [gos];
  if (goList.length !== 0 && goList.length !== outs.length) {
    throw new AutogradError(`grad: got ${goList.length} gradOutputs for ${outs.length} outputs`);
  }
  const grads = outs.map((o, i) => checkRoot(o, goList[i] ?? null, "grad", i));
  const hin = ins.map((x, i) => {
    const hx = h(x, "grad");
    if (!(W.flagsOf(hx) & F_REQUIRES_GRAD)) throw new AutogradError(`grad: input ${i} does not require grad`);
    return hx;
  });
  const { keep, create } = flags(opts, "grad");
  // an input listed twice gets the same gradient each time (as torch): the core sees it once
  const uniq = [...new Set(hin)];
  const res = run(outs.map((o) => o._h), grads, keep, create, uniq, "grad");
  const byHandle = new Map<number, Tensor | null>();
  uniq.forEach((hx, k) => {
    const g = res[k];
    byHandle.set(hx, g === 0 ? null : new Tensor(g, shapeOf(g), W.tensorDtype(g) as DType));
  });
  return hin.map((hx, i) => {
    const g = byHandle.get(hx) ?? null;
    if (g === null && !opts?.allowUnused) {
      for (const t of byHandle.values()) t?.dispose();
      throw new AutogradError(`grad: one of the differentiated tensors (input ${i}) appears to not have been used in the graph; pass { allowUnused: true } if this is the desired behavior`);
    }
    return g;
  });
}

/** A Tensor's view flags, for the autograd checks of in-place ops. */
export function isView(t: Tensor): boolean { return (W.flagsOf(h(t, "isView")) & F_VIEW) !== 0; }

declare module "./wasm/exports.js" {
  interface CoreExports { backwardRoot(root: number): number }
}

declare module "./tensor.js" {
  interface Tensor {
    /** Computes gradients of this tensor w.r.t. the leaves of its graph, accumulating into their .grad. */
    backward(gradient?: Tensor | null, opts?: BackwardOptions): void;
    /** Makes backward() fill .grad of this non-leaf tensor too. */
    retainGrad(): void;
    /** Runs fn with this tensor's gradient during backward (it may return a replacement). */
    registerHook(fn: (grad: Tensor) => Tensor | void): {
      /** Unregisters the hook. */
      remove(): void;
    };
  }
}

export const methods = {
  backward(this: Tensor, g?: Tensor | null, o?: BackwardOptions) { backward(this, g, o); },
  retainGrad(this: Tensor) {
    const th = h(this, "retainGrad");
    if (!(W.flagsOf(th) & F_REQUIRES_GRAD)) throw new AutogradError("retainGrad: can't retain_grad on Tensor that has requires_grad=False");
    if (!W.isLeaf(th)) W.retainGrad(th);
  },
  registerHook(this: Tensor, fn: (g: Tensor) => Tensor | void) { return registerHook(this, fn); },
};
