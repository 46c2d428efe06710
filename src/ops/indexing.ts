// Copying shape ops and indexing: cat, stack, indexSelect, gather, scatterAdd, indexAdd, flip,
// repeat, tril, triu, pad. Shapes, dims, dtypes and index ranges are checked here, before the
// one call into the core.

import { DType } from "../../assembly/abi.js";
import { writeScratch, i32, scratchIndex } from "../wasm/memory.js";
import { Tensor } from "../tensor.js";
import { normalizeDim, dimsMask, checkShape, numelOf } from "../shape.js";
import { ShapeError, IndexError, DTypeError, formatShape, safeString, oom } from "../errors.js";
import { promoteTypes, DTYPE_NAMES } from "../dtype.js";
import { retryAlloc } from "../lifetime.js";
import { W, h, result, describe, asMethods, intArg } from "./util.js";

declare module "../wasm/exports.js" {
  interface CoreExports {
    catOp(n: number, dim: number, dt: number): number;
    stackOp(n: number, dim: number, dt: number): number;
    gatherOp(a: number, dim: number, index: number): number;
    indexSelectOp(a: number, dim: number, index: number): number;
    scatterAddOp(self: number, dim: number, index: number, src: number): number;
    indexAddOp(self: number, dim: number, index: number, src: number): number;
    int32Range(h: number): number;
    flipOp(a: number, mask: number): number;
    repeatOp(a: number, nd: number): number;
    trilOp(a: number, k: number, upper: number): number;
    padOp(a: number, n: number, value: number): number;
  }
}

/** Most tensors one cat/stack node takes (the core keeps input counts in 8 bits). */
const MAX_INPUTS = 255;

function tensorList(ts: unknown, op: string): Tensor[] {
  if (!Array.isArray(ts)) throw new DTypeError(`${op}: expected an array of tensors, got ${describe(ts)}`);
  if (ts.length === 0) throw new ShapeError(`${op}: expected a non-empty list of tensors`);
  ts.forEach((t, i) => {
    if (!(t instanceof Tensor)) throw new DTypeError(`${op}: expected a Tensor at position ${i}, got ${describe(t)}`);
    h(t, op);
  });
  return ts as Tensor[];
}

const dtypeOfList = (ts: readonly Tensor[]): DType => ts.reduce((d, t) => promoteTypes(d, t._dt), ts[0]._dt);

/** One core call over at most MAX_INPUTS handles in scratch. */
function overList(ts: readonly Tensor[], call: () => number, shape: number[], dt: DType, op: string): Tensor {
  const go = () => (writeScratch(ts.map((t) => t._h)), call());
  return result(go(), go, shape, dt, op);
}

const legacyEmpty = (t: Tensor): boolean => t._shape.length === 1 && t._shape[0] === 0;

/** Tensors joined along an existing dim (torch.cat; dtypes promote as torch's). */
export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  const ts = tensorList(tensors, "cat");
  ts.forEach((t, i) => {
    if (t._shape.length === 0) throw new ShapeError(`cat: zero-dimensional tensor (at position ${i}) cannot be concatenated`);
  });
  const dt = dtypeOfList(ts);
  const refIdx = ts.findIndex((t) => !legacyEmpty(t));
  if (refIdx < 0) {
    normalizeDim(intArg(dim, "dim", "cat"), 1, "cat");
    return join(ts, 0, [0], dt, "cat", (n) => W.catOp(n, 0, dt));
  }
  const ref = ts[refIdx]._shape;
  const d = normalizeDim(intArg(dim, "dim", "cat"), ref.length, "cat");
  let total = 0;
  ts.forEach((t, i) => {
    if (legacyEmpty(t)) return;
    if (t._shape.length !== ref.length) {
      throw new ShapeError(`cat: tensors must have the same number of dimensions: got ${ref.length} and ${t._shape.length} (shapes ${formatShape(ref)} and ${formatShape(t._shape)} at position ${i})`);
    }
    for (let k = 0; k < ref.length; k++) {
      if (k !== d && t._shape[k] !== ref[k]) {
        throw new ShapeError(`cat: sizes of tensors must match except in dimension ${d}: expected size ${ref[k]} but got size ${t._shape[k]} for tensor number ${i} in the list (shapes ${formatShape(ref)} and ${formatShape(t._shape)})`);
      }
    }
    total += t._shape[d];
  });
  const shape = ref.slice();
  shape[d] = total;
  checkShape(shape, "cat");
  if (total > 2 ** 31 - 1) throw new ShapeError(`cat: the result's size ${total} along dim ${d} is beyond 2^31 - 1`);
  return join(ts, d, shape, dt, "cat", (n) => W.catOp(n, d, dt));
}

/** cat or stack of any number of tensors: lists longer than one node takes are joined in groups. */
function join(ts: readonly Tensor[], d: number, shape: number[], dt: DType, op: string, call: (n: number) => number): Tensor {
  if (ts.length <= MAX_INPUTS) return overList(ts, () => call(ts.length), shape, dt, op);
  const parts: Tensor[] = [];
  for (let i = 0; i < ts.length; i += MAX_INPUTS) {
    const group = ts.slice(i, i + MAX_INPUTS);
    parts.push(op === "cat" ? cat(group, d) : stack(group, d));
  }
  return cat(parts, d);
}

/** Same-shaped tensors joined along a new dim (torch.stack). */
export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  const ts = tensorList(tensors, "stack");
  const ref = ts[0]._shape;
  ts.forEach((t, i) => {
    if (t._shape.length !== ref.length || t._shape.some((s, k) => s !== ref[k])) {
      throw new ShapeError(`stack: expects each tensor to be equal size, but got ${formatShape(ref)} at entry 0 and ${formatShape(t._shape)} at entry ${i}`);
    }
  });
  const d = normalizeDim(intArg(dim, "dim", "stack"), ref.length, "stack", 1);
  const dt = dtypeOfList(ts);
  if (ts.length > MAX_INPUTS) {
    const parts: Tensor[] = [];
    for (let i = 0; i < ts.length; i += MAX_INPUTS) parts.push(stack(ts.slice(i, i + MAX_INPUTS), d));
    return cat(parts, d);
  }
  const shape = [...ref.slice(0, d), ts.length, ...ref.slice(d)];
  checkShape(shape, "stack");
  return overList(ts, () => W.stackOp(ts.length, d, dt), shape, dt, "stack");
}

function indexTensor(index: unknown, op: string): Tensor {
  if (!(index instanceof Tensor)) throw new DTypeError(`${op}: index must be a Tensor, got ${describe(index)}`);
  h(index, op);
  if (index._dt !== DType.Int32) {
    throw new DTypeError(`${op}: index must be an int32 tensor, got ${DTYPE_NAMES[index._dt]}; convert it with .int()`);
  }
  return index;
}

/** Throws unless every value of the int32 tensor is in [0, size). */
function checkRange(index: Tensor, size: number, d: number, op: string): void {
  if (numelOf(index._shape) === 0) return;
  let r = W.int32Range(index._h);
  if (r === 0) r = retryAlloc(() => W.int32Range(index._h));
  if (r !== 1) throw oom(op, index._shape);
  const v = i32(), s = scratchIndex();
  const lo = v[s], hi = v[s + 1];
  const bad = lo < 0 ? lo : hi >= size ? hi : null;
  if (bad !== null) throw new IndexError(`${op}: index ${bad} is out of bounds for dimension ${d} with size ${size}`);
}

const sizeAt = (t: Tensor, d: number): number => (t._shape.length === 0 ? 1 : t._shape[d]);

/** The slices of dim listed in a 1-d int32 index (torch.index_select). */
export function indexSelect(a: Tensor, dim: number, index: Tensor): Tensor {
  h(a, "indexSelect");
  const d = normalizeDim(intArg(dim, "dim", "indexSelect"), a._shape.length, "indexSelect");
  const ix = indexTensor(index, "indexSelect");
  if (ix._shape.length > 1) throw new IndexError(`indexSelect: index must be a vector (0 or 1 dims), got shape ${formatShape(ix._shape)}`);
  checkRange(ix, sizeAt(a, d), d, "indexSelect");
  const shape = a._shape.slice();
  if (shape.length) shape[d] = numelOf(ix._shape);
  return result(W.indexSelectOp(a._h, d, ix._h), () => W.indexSelectOp(a._h, d, ix._h), shape, a._dt, "indexSelect");
}

/** Checks index against a tensor it reads/writes along dim d (same ndim; no larger off dim d). */
function checkIndexShape(index: Tensor, t: Tensor, d: number, what: string, op: string, alsoDim: boolean): void {
  if (index._shape.length !== t._shape.length) {
    throw new ShapeError(`${op}: index must have the same number of dimensions as ${what}: index ${formatShape(index._shape)}, ${what} ${formatShape(t._shape)}`);
  }
  index._shape.forEach((s, k) => {
    if ((alsoDim || k !== d) && s > t._shape[k]) {
      throw new ShapeError(`${op}: size of index (${formatShape(index._shape)}) must not exceed that of ${what} (${formatShape(t._shape)}) at dimension ${k}${alsoDim ? "" : ` (apart from dimension ${d})`}`);
    }
  });
}

/** out[i][j] = a[i][index[i][j]] for dim 1, and so on (torch.gather); out has index's shape. */
export function gather(a: Tensor, dim: number, index: Tensor): Tensor {
  h(a, "gather");
  const d = normalizeDim(intArg(dim, "dim", "gather"), a._shape.length, "gather");
  const ix = indexTensor(index, "gather");
  checkIndexShape(ix, a, d, "input", "gather", false);
  checkRange(ix, sizeAt(a, d), d, "gather");
  return result(W.gatherOp(a._h, d, ix._h), () => W.gatherOp(a._h, d, ix._h), ix._shape.slice(), a._dt, "gather");
}

function sameDtype(self: Tensor, src: Tensor, op: string): void {
  if (self._dt !== src._dt) {
    throw new DTypeError(`${op}: expected self and src to have the same dtype, got ${DTYPE_NAMES[self._dt]} and ${DTYPE_NAMES[src._dt]}`);
  }
}

/** self + src added at the positions index gives along dim (torch.scatter_add; out of place). */
export function scatterAdd(self: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
  h(self, "scatterAdd");
  const d = normalizeDim(intArg(dim, "dim", "scatterAdd"), self._shape.length, "scatterAdd");
  const ix = indexTensor(index, "scatterAdd");
  if (!(src instanceof Tensor)) throw new DTypeError(`scatterAdd: src must be a Tensor, got ${describe(src)}`);
  h(src, "scatterAdd");
  sameDtype(self, src, "scatterAdd");
  checkIndexShape(ix, self, d, "self", "scatterAdd", false);
  checkIndexShape(ix, src, d, "src", "scatterAdd", true);
  checkRange(ix, sizeAt(self, d), d, "scatterAdd");
  return result(W.scatterAddOp(self._h, d, ix._h, src._h), () => W.scatterAddOp(self._h, d, ix._h, src._h),
    self._shape.slice(), self._dt, "scatterAdd");
}

/** self + src, src's slices along dim added at the positions a 1-d index lists (torch.index_add). */
export function indexAdd(self: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
  h(self, "indexAdd");
  const d = normalizeDim(intArg(dim, "dim", "indexAdd"), self._shape.length, "indexAdd");
  const ix = indexTensor(index, "indexAdd");
  if (ix._shape.length > 1) throw new IndexError(`indexAdd: index must be a vector (0 or 1 dims), got shape ${formatShape(ix._shape)}`);
  if (!(src instanceof Tensor)) throw new DTypeError(`indexAdd: src must be a Tensor, got ${describe(src)}`);
  h(src, "indexAdd");
  sameDtype(self, src, "indexAdd");
  const want = self._shape.slice();
  if (want.length) want[d] = numelOf(ix._shape);
  if (src._shape.length !== want.length || src._shape.some((s, k) => s !== want[k])) {
    throw new ShapeError(`indexAdd: src must have shape ${formatShape(want)} (self ${formatShape(self._shape)} with dim ${d} of the index's length), got ${formatShape(src._shape)}`);
  }
  checkRange(ix, sizeAt(self, d), d, "indexAdd");
  return result(W.indexAddOp(self._h, d, ix._h, src._h), () => W.indexAddOp(self._h, d, ix._h, src._h),
    self._shape.slice(), self._dt, "indexAdd");
}

type DimsArg = number | readonly number[];
const flat = (args: readonly DimsArg[]): number[] =>
  args.length === 1 && Array.isArray(args[0]) ? (args[0] as number[]).slice() : (args as number[]);

/** The listed dims reversed (a copy, as torch.flip). */
export function flip(a: Tensor, ...dims: DimsArg[]): Tensor {
  h(a, "flip");
  const mask = dimsMask(flat(dims), a._shape.length, "flip");
  return result(W.flipOp(a._h, mask), () => W.flipOp(a._h, mask), a._shape.slice(), a._dt, "flip");
}

/** Tiled reps[d] times along each dim (torch.repeat; more reps than dims add leading dims). */
export function repeat(a: Tensor, ...repsIn: DimsArg[]): Tensor {
  h(a, "repeat");
  const reps = flat(repsIn);
  const nd = a._shape.length;
  if (reps.length < nd) {
    throw new ShapeError(`repeat: number of dimensions of repeat dims (${reps.length}) can not be smaller than number of dimensions of tensor (${nd}, shape ${formatShape(a._shape)})`);
  }
  reps.forEach((r) => {
    if (typeof r !== "number" || !Number.isInteger(r) || r < 0) throw new ShapeError(`repeat: repeats must be non-negative integers, got ${formatShape(reps)}`);
  });
  const shape = reps.map((r, d) => r * (d - (reps.length - nd) >= 0 ? a._shape[d - (reps.length - nd)] : 1));
  checkShape(shape, "repeat");
  // sizes and repeats cross to the core as int32 (a size may be huge when another one is 0)
  if (reps.some((r, d) => r > 2 ** 31 - 1 || shape[d] > 2 ** 31 - 1)) {
    throw new ShapeError(`repeat: repeats ${formatShape(reps)} give sizes ${formatShape(shape)} beyond 2^31 - 1`);
  }
  const go = () => (writeScratch(reps), W.repeatOp(a._h, reps.length));
  return result(go(), go, shape, a._dt, "repeat");
}

function triangle(a: Tensor, k: number, upper: boolean): Tensor {
  const op = upper ? "triu" : "tril";
  h(a, op);
  if (a._shape.length < 2) throw new ShapeError(`${op}: input tensor must have at least 2 dimensions, got shape ${formatShape(a._shape)}`);
  // beyond the matrix size every diagonal gives the same result; clamping keeps k an int32
  const lim = a._shape[a._shape.length - 1] + a._shape[a._shape.length - 2] + 1;
  const kk = Math.max(-lim, Math.min(lim, intArg(k, "diagonal", op)));
  const u = upper ? 1 : 0;
  return result(W.trilOp(a._h, kk, u), () => W.trilOp(a._h, kk, u), a._shape.slice(), a._dt, op);
}
/** The lower triangle of each matrix (last two dims), from diagonal k down; the rest zero. */
export function tril(a: Tensor, k = 0): Tensor { return triangle(a, k, false); }
/** The upper triangle of each matrix (last two dims), from diagonal k up; the rest zero. */
export function triu(a: Tensor, k = 0): Tensor { return triangle(a, k, true); }

/**
 * Constant padding (torch.nn.functional.pad): pads = [left, right] for the last dim, then the
 * one before, ...; negative pads crop. `value` fills the new elements.
 * @example pad(x, [1, 1], 0) // one zero on each side of the last dim
 */
export function pad(a: Tensor, pads: readonly number[], value: number | { mode?: string; value?: number } = 0): Tensor {
  h(a, "pad");
  let v = 0;
  if (typeof value === "object" && value !== null) {
    if (value.mode !== undefined && value.mode !== "constant") throw new ShapeError(`pad: only mode "constant" is supported, got ${safeString(value.mode)}`);
    v = value.value ?? 0;
  } else v = value as number;
  if (typeof v !== "number" && typeof v !== "boolean") throw new DTypeError(`pad: value must be a number, got ${describe(v)}`);
  if (!Array.isArray(pads)) throw new ShapeError(`pad: pads must be an array of integers, got ${describe(pads)}`);
  pads.forEach((p) => {
    // the core takes pads as int32; larger ones could only give a shape checkShape refuses anyway
    if (Math.abs(intArg(p, "each pad", "pad")) > 2 ** 31 - 1) throw new ShapeError(`pad: pad ${p} out of range`);
  });
  if (pads.length % 2 !== 0) throw new ShapeError(`pad: padding length must be divisible by 2, got ${pads.length} (${formatShape(pads)})`);
  const nd = a._shape.length;
  if (pads.length / 2 > nd) throw new ShapeError(`pad: padding length too large: ${pads.length} pads for a tensor of ${nd} dims (shape ${formatShape(a._shape)})`);
  const shape = a._shape.slice();
  for (let j = 0; j < pads.length / 2; j++) {
    const d = nd - 1 - j;
    shape[d] = a._shape[d] + pads[2 * j] + pads[2 * j + 1];
    if (shape[d] < 0) {
      throw new ShapeError(`pad: the input size ${a._shape[d]} of dim ${d}, plus padding ${pads[2 * j]} and ${pads[2 * j + 1]}, resulted in a negative output size ${shape[d]}`);
    }
  }
  checkShape(shape, "pad");
  const vv = Number(v);
  const go = () => (writeScratch(pads), W.padOp(a._h, pads.length, vv));
  return result(go(), go, shape, a._dt, "pad");
}

declare module "../tensor.js" {
  interface Tensor {
    /** {@inheritDoc indexSelect} */
    indexSelect(dim: number, index: Tensor): Tensor;
    /** {@inheritDoc gather} */
    gather(dim: number, index: Tensor): Tensor;
    /** {@inheritDoc scatterAdd} */
    scatterAdd(dim: number, index: Tensor, src: Tensor): Tensor;
    /** {@inheritDoc indexAdd} */
    indexAdd(dim: number, index: Tensor, src: Tensor): Tensor;
    /** {@inheritDoc flip} */
    flip(...dims: DimsArg[]): Tensor;
    /** {@inheritDoc repeat} */
    repeat(...reps: DimsArg[]): Tensor;
    /** {@inheritDoc tril} */
    tril(k?: number): Tensor;
    /** {@inheritDoc triu} */
    triu(k?: number): Tensor;
  }
}

export const methods = asMethods({ indexSelect, gather, scatterAdd, indexAdd, flip, repeat, tril, triu });

