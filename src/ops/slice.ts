// Windows of one dim, as views: narrow, slice (with a step), select, split, chunk, unbind and
// integer indexing. Each is a view over the same storage, so in-place writes through it reach the base.

import { OpCode } from "../../assembly/abi.js";
import { Tensor } from "../tensor.js";
import { normalizeDim } from "../shape.js";
import { IndexError, ShapeError, formatShape, safeString } from "../errors.js";
import { W, h, made, reclaim, asMethods, intArg } from "./util.js";

declare module "../wasm/exports.js" {
  interface CoreExports {
    sliceOp(a: number, dim: number, start: number, len: number, step: number, op: number): number;
    selectOp(a: number, dim: number, index: number, op: number): number;
  }
}

function windowDim(a: Tensor, dim: unknown, op: string): number {
  h(a, op);
  if (a._shape.length === 0) throw new IndexError(`${op}: cannot be applied to a 0-dim tensor`);
  return normalizeDim(intArg(dim, "dim", op), a._shape.length, op);
}

/** View of `len` elements of dim from start, every step (validated). */
function window(a: Tensor, d: number, start: number, len: number, step: number, op: number, name: string): Tensor {
  const shape = a._shape.slice();
  shape[d] = len;
  let out = W.sliceOp(a._h, d, start, len, step, op);
  if (out === 0 && reclaim()) out = W.sliceOp(a._h, d, start, len, step, op);
  return made(out, shape, a._dt, name);
}

/** Elements start .. start + length - 1 of dim (a view; start may be negative; torch.narrow). */
export function narrow(a: Tensor, dim: number, start: number, length: number): Tensor {
  const d = windowDim(a, dim, "narrow");
  const size = a._shape[d];
  let s = intArg(start, "start", "narrow");
  const n = intArg(length, "length", "narrow");
  if (s < -size || s > size) throw new IndexError(`narrow: start ${start} out of range for dimension ${d} of size ${size} (expected to be in range of [${-size}, ${size}])`);
  if (s < 0) s += size;
  if (n < 0 || s + n > size) throw new IndexError(`narrow: start (${s}) + length (${n}) exceeds dimension size (${size}) of shape ${formatShape(a._shape)}`);
  return window(a, d, s, n, 1, OpCode.Slice, "narrow");
}

/** a[start:end:step] along dim, with Python's clamping (a view; torch's slicing). */
export function slice(a: Tensor, dim: number, start?: number | null, end?: number | null, step = 1): Tensor {
  const d = windowDim(a, dim, "slice");
  const size = a._shape[d];
  const st = intArg(step, "step", "slice");
  if (st <= 0) throw new IndexError(`slice: step must be greater than zero, got ${st}`);
  const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + size : v, 0), size);
  const s = start === undefined || start === null ? 0 : clamp(intArg(start, "start", "slice"));
  const e = Math.max(s, end === undefined || end === null ? size : clamp(intArg(end, "end", "slice")));
  return window(a, d, s, Math.ceil((e - s) / st), st, OpCode.Slice, "slice");
}

function selectAs(a: Tensor, d: number, i: number, op: number, name: string): Tensor {
  const shape = [...a._shape.slice(0, d), ...a._shape.slice(d + 1)];
  let out = W.selectOp(a._h, d, i, op);
  if (out === 0 && reclaim()) out = W.selectOp(a._h, d, i, op);
  return made(out, shape, a._dt, name);
}

/** Position `index` of dim, without that dim (a view; negative indices count from the end). */
export function select(a: Tensor, dim: number, index: number): Tensor {
  const d = windowDim(a, dim, "select");
  const size = a._shape[d];
  const i = intArg(index, "index", "select");
  if (i < -size || i >= size) throw new IndexError(`select: index ${i} out of range for tensor of size ${formatShape(a._shape)} at dimension ${d}`);
  return selectAs(a, d, i < 0 ? i + size : i, OpCode.Select, "select");
}

/** Pieces of dim: each of splitSize elements (the last may be shorter), or of the listed sizes (views). */
export function split(a: Tensor, splitSize: number | readonly number[], dim = 0): Tensor[] {
  const d = windowDim(a, dim, "split");
  const size = a._shape[d];
  if (Array.isArray(splitSize)) {
    const sizes = splitSize.map((v) => intArg(v, "split sizes", "split"));
    if (sizes.some((v) => v < 0)) throw new ShapeError(`split: split sizes must be non-negative, got ${formatShape(sizes)}`);
    const total = sizes.reduce((x, y) => x + y, 0);
    if (total !== size) throw new ShapeError(`split: split sizes ${formatShape(sizes)} must sum exactly to ${size} (the size of dim ${d} of ${formatShape(a._shape)}), but sum to ${total}`);
    let off = 0;
    return sizes.map((n) => { const t = window(a, d, off, n, 1, OpCode.SplitWithSizes, "split"); off += n; return t; });
  }
  const ss = intArg(splitSize, "split size", "split");
  if (ss < 0) throw new ShapeError(`split: split size must be non-negative, got ${ss}`);
  if (ss === 0 && size !== 0) throw new ShapeError(`split: split size can only be 0 if dimension size is 0, but got dimension size of ${size}`);
  const pieces = ss === 0 ? 1 : Math.max(Math.ceil(size / ss), 1);
  const out: Tensor[] = [];
  for (let k = 0; k < pieces; k++) out.push(window(a, d, k * ss, Math.min(ss, size - k * ss), 1, OpCode.Split, "split"));
  return out;
}

/** At most n pieces of dim of equal size (the last may be shorter), as torch.chunk (views). */
export function chunk(a: Tensor, chunks: number, dim = 0): Tensor[] {
  const d = windowDim(a, dim, "chunk");
  const n = intArg(chunks, "chunks", "chunk");
  if (n <= 0) throw new ShapeError(`chunk: expects chunks to be greater than 0, got ${n}`);
  const size = a._shape[d];
  if (size === 0) {
    // torch makes n empty chunks here (and runs out of memory for huge n)
    if (n > MAX_EMPTY_CHUNKS) throw new ShapeError(`chunk: ${n} chunks of an empty dim are more than the ${MAX_EMPTY_CHUNKS} supported`);
    return Array.from({ length: n }, () => window(a, d, 0, 0, 1, OpCode.Split, "chunk"));
  }
  return split(a, Math.ceil(size / n), d);
}

const MAX_EMPTY_CHUNKS = 1 << 16;

/** Every position of dim, each without that dim (views; torch.unbind). */
export function unbind(a: Tensor, dim = 0): Tensor[] {
  const d = windowDim(a, dim, "unbind");
  return Array.from({ length: a._shape[d] }, (_, i) => selectAs(a, d, i, OpCode.Unbind, "unbind"));
}

/** Integer indexing, a[i, j, ...]: one select per index on the leading dims (views). */
export function index(a: Tensor, ...indices: number[]): Tensor {
  h(a, "index");
  if (indices.length > a._shape.length) {
    throw new IndexError(`index: too many indices for tensor of dimension ${a._shape.length} (got ${indices.length})`);
  }
  let t = a;
  indices.forEach((i, k) => {
    const size = t._shape[0];
    const v = intArg(i, "index", "index");
    if (v < -size || v >= size) throw new IndexError(`index: index ${v} is out of bounds for dimension ${k} with size ${size}`);
    t = selectAs(t, 0, v < 0 ? v + size : v, OpCode.Select, "index");
  });
  return t;
}

declare module "../tensor.js" {
  interface Tensor {
    /** {@inheritDoc narrow} */
    narrow(dim: number, start: number, length: number): Tensor;
    /** {@inheritDoc slice} */
    slice(dim: number, start?: number | null, end?: number | null, step?: number): Tensor;
    /** {@inheritDoc select} */
    select(dim: number, index: number): Tensor;
    /** {@inheritDoc split} */
    split(splitSize: number | readonly number[], dim?: number): Tensor[];
    /** {@inheritDoc chunk} */
    chunk(chunks: number, dim?: number): Tensor[];
    /** {@inheritDoc unbind} */
    unbind(dim?: number): Tensor[];
    /** Integer indexing: t.index(0, -1) is PyTorch's t[0, -1] (a view). */
    index(...indices: number[]): Tensor;
  }
}

export const methods = asMethods({ narrow, slice, select, split, chunk, unbind, index });
