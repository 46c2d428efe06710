// The tensor table. A handle is an index into a paged array of 64-byte entries; each entry holds
// the metadata of one tensor (storage, offset, shape, strides, dtype, flags, autograd links).
// Storage records and version cells are shared by views and reference counted, so a view keeps
// its base's memory alive and in-place writes are seen by everything that shares it.
// Entries are small on purpose (shapes and strides are interned records, see dims.ts): in a
// training loop most entries belong to temporaries waiting for the JS garbage collector, so their
// size sets how often a collection must be forced.

import { alloc, free, zeroBlock } from "./memory";
import { DType, MAX_NUMEL } from "./abi";
import {
  newInlineStorage, newSeparateStorage, newAliasStorage, storageRetain, storageRelease, INLINE_MAX, S_DATA, S_VERSION,
} from "./storage";
export { S_DATA, S_BYTES, S_REFS, S_VERSION, newStorage, storageRetain, storageRelease, tensorBytes } from "./storage";
import { nodeRelease } from "./autograd/tape";
import { unregisterView } from "./autograd/views";
import { intern, dimsRetain, dimsRelease, dimsNdim, contiguousStridesOf, R_DATA, R_NUMEL, KIND_SHAPE, KIND_STRIDES } from "./dims";

// Entry layout (bytes).
export const E_STORAGE: usize = 0; // storage record (also the version counter); next free handle while free
export const E_OFFSET: usize = 4;  // element offset into the storage
const E_META: usize = 8;           // ndim (bits 0-6) | contiguous (bit 7) | dtype (8-15) | flags (16-31)
const META_CONTIG: i32 = 0x80;
export const E_GRAD: usize = 12;   // handle of .grad, 0 if none
export const E_NODE: usize = 16;   // graph node that produced it, 0 for a leaf
export const E_REFS: usize = 20;
const E_SHAPE: usize = 24;         // interned shape record (dims.ts), which also holds numel
const E_STRIDES: usize = 28;       // interned strides record
const ENTRY_SHIFT: usize = 5;      // 32 bytes

export const F_REQUIRES_GRAD: i32 = 1;
export const F_RETAINS_GRAD: i32 = 2;
/** Made by a view op (view, transpose, expand, ...): shares storage with its base. */
export const F_VIEW: i32 = 4;
/** A view made in noGrad of a base that requires grad (in-place writes through it need grad off). */
export const F_NOGRAD_VIEW: i32 = 8;
/** Hooks were registered on this tensor (backward calls them through the runHooks import). */
export const F_HAS_HOOK: i32 = 16;
/** A view listed with its base (autograd/views.ts): releasing it drops that record. */
export const F_HAS_BASE: i32 = 32;
/** Views of this tensor were listed with it as their base (autograd/views.ts). */
export const F_IS_BASE: i32 = 64;

// The table is paged (1024 entries a page, never moved), so growing it copies nothing and
// leaves no dead old table behind. `pages` is the page directory.
const PAGE_SHIFT: i32 = 10;
const PAGE_ENTRIES: i32 = 1 << PAGE_SHIFT;
const MAX_PAGES: i32 = 4096; // 4M handles
// @ts-ignore: decorator
@lazy const pages: usize = memory.data(MAX_PAGES * 4, 16);
// @ts-ignore: decorator
@lazy let pageCount: i32 = 0;
// @ts-ignore: decorator
@lazy let freeHead: i32 = 0;
// @ts-ignore: decorator
@lazy let liveCount: i32 = 0;

// @ts-ignore: decorator
@inline export function ent(h: i32): usize {
  return <usize>load<u32>(pages + (<usize>(h >>> PAGE_SHIFT) << 2)) + (<usize>(h & (PAGE_ENTRIES - 1)) << ENTRY_SHIFT);
}
// @ts-ignore: decorator
@inline export function geti(h: i32, field: usize): i32 { return load<i32>(ent(h) + field); }
// @ts-ignore: decorator
@inline export function seti(h: i32, field: usize, v: i32): void { store<i32>(ent(h) + field, v); }
// @ts-ignore: decorator
@inline export function ndimOf(h: i32): i32 { return load<i32>(ent(h) + E_META) & 0x7f; }
// @ts-ignore: decorator
@inline export function dtypeOf(h: i32): i32 { return (load<i32>(ent(h) + E_META) >> 8) & 0xff; }
// @ts-ignore: decorator
@inline export function flagsOf(h: i32): i32 { return load<i32>(ent(h) + E_META) >>> 16; }
// @ts-ignore: decorator
@inline export function numelOf(h: i32): i32 { return load<i32>(<usize>load<u32>(ent(h) + E_SHAPE) + R_NUMEL); }
// @ts-ignore: decorator
@inline export function requiresGrad(h: i32): bool { return (flagsOf(h) & F_REQUIRES_GRAD) != 0; }
/** Address of the sizes (ndim i32s). */
// @ts-ignore: decorator
@inline export function shapePtr(h: i32): usize { return <usize>load<u32>(ent(h) + E_SHAPE) + R_DATA; }
/** Address of the strides (ndim i32s, in elements). */
// @ts-ignore: decorator
@inline export function stridesPtr(h: i32): usize { return <usize>load<u32>(ent(h) + E_STRIDES) + R_DATA; }
/** The interned shape record (for graph nodes, which share it). */
// @ts-ignore: decorator
@inline export function shapeRec(h: i32): usize { return <usize>load<u32>(ent(h) + E_SHAPE); }
// @ts-ignore: decorator
@inline export function dimOf(h: i32, d: i32): i32 { return load<i32>(shapePtr(h) + (<usize>d << 2)); }
// @ts-ignore: decorator
@inline export function strideOf(h: i32, d: i32): i32 { return load<i32>(stridesPtr(h) + (<usize>d << 2)); }
/** log2 of the element size of a dtype (float32 and int32: 2, float64: 3, bool: 0). */
// @ts-ignore: decorator
@inline export function elemShift(dtype: i32): i32 { return dtype == DType.Float64 ? 3 : dtype == DType.Bool ? 0 : 2; }
/** Address of element 0 of the tensor (storage data + offset). */
// @ts-ignore: decorator
@inline export function dataPtr(h: i32): usize {
  const e = ent(h);
  const shift = elemShift((load<i32>(e + E_META) >> 8) & 0xff);
  return <usize>load<u32>(<usize>load<u32>(e + E_STORAGE) + S_DATA) + (<usize>load<i32>(e + E_OFFSET) << shift);
}
/** Bytes of h's elements if they were contiguous. */
// @ts-ignore: decorator
@inline export function byteSize(h: i32): usize { return bytesFor(numelOf(h), dtypeOf(h)); }
/**
 * Bytes of n elements of dtype dt, saturated at SIZE_LIMIT: a size past 4 GiB would wrap in 32
 * bits and allocate a tiny block; saturated, the allocation fails and the op reports out of memory.
 */
// @ts-ignore: decorator
@inline export function bytesFor(n: i32, dt: i32): usize {
  const b = <u64><u32>n << <u64>elemShift(dt);
  return b > <u64>SIZE_LIMIT ? SIZE_LIMIT : <usize>b;
}
/** Larger than any block the allocator can hand out (its memory ends below 4 GiB). */
export const SIZE_LIMIT: usize = 0xfffffff0;

export function setFlags(h: i32, flags: i32): void {
  const e = ent(h);
  store<i32>(e + E_META, (load<i32>(e + E_META) & 0xffff) | (flags << 16));
}
export function setDtype(h: i32, dtype: i32): void {
  const e = ent(h);
  store<i32>(e + E_META, (load<i32>(e + E_META) & ~0xff00) | (dtype << 8));
}

/**
 * Gives h the shape record `shape` and strides record `strides`, taking over one reference to
 * each (0 strides: contiguous). Returns false when out of memory (then h is unchanged and the
 * references are dropped).
 */
function setRecs(h: i32, shape: usize, strides: usize): bool {
  const rowMajor = contiguousStridesOf(shape);
  if (!rowMajor) { dimsRelease(shape); if (strides) dimsRelease(strides); return false; }
  if (!strides) {
    strides = rowMajor;
    dimsRetain(strides);
  }
  const e = ent(h);
  const oldShape = <usize>load<u32>(e + E_SHAPE), oldStrides = <usize>load<u32>(e + E_STRIDES);
  store<u32>(e + E_SHAPE, <u32>shape);
  store<u32>(e + E_STRIDES, <u32>strides);
  const nd = dimsNdim(shape);
  const contig = strides == rowMajor || denseRowMajor(nd, shape + R_DATA, strides + R_DATA);
  store<i32>(e + E_META, (load<i32>(e + E_META) & ~0xff) | nd | (contig ? META_CONTIG : 0));
  if (oldShape) dimsRelease(oldShape);
  if (oldStrides) dimsRelease(oldStrides);
  return true;
}

/** Sets h's dims to nd sizes at `shape` and nd strides at `strides` (0: contiguous). */
export function setDims(h: i32, nd: i32, shape: usize, strides: usize): bool {
  const sr = intern(KIND_SHAPE, nd, shape);
  if (!sr) return false;
  let tr: usize = 0;
  if (strides) {
    tr = intern(KIND_STRIDES, nd, strides);
    if (!tr) { dimsRelease(sr); return false; }
  }
  return setRecs(h, sr, tr);
}

/** Copies the shape and strides of src into dst. */
export function copyDims(dst: i32, src: i32): bool {
  const es = ent(src), ed = ent(dst);
  const sr = <usize>load<u32>(es + E_SHAPE), tr = <usize>load<u32>(es + E_STRIDES);
  dimsRetain(sr);
  dimsRetain(tr);
  // the same records mean the same ndim and contiguity: copy them instead of recomputing
  const os = <usize>load<u32>(ed + E_SHAPE), ot = <usize>load<u32>(ed + E_STRIDES);
  store<u32>(ed + E_SHAPE, <u32>sr);
  store<u32>(ed + E_STRIDES, <u32>tr);
  store<i32>(ed + E_META, (load<i32>(ed + E_META) & ~0xff) | (load<i32>(es + E_META) & 0xff));
  if (os) dimsRelease(os);
  if (ot) dimsRelease(ot);
  return true;
}

/** Count of live entries. */
export function liveTensors(): i32 { return liveCount; }

function growTable(): bool {
  if (pageCount == MAX_PAGES) return false;
  const page = alloc(<usize>PAGE_ENTRIES << ENTRY_SHIFT);
  if (!page) return false;
  store<u32>(pages + (<usize>pageCount << 2), <u32>page);
  const base = pageCount << PAGE_SHIFT;
  pageCount++;
  // Thread the new slots onto the free list, lowest first (handle 0 stays the null handle).
  const first = base ? base : 1;
  for (let i = base + PAGE_ENTRIES - 1; i >= first; i--) {
    store<i32>(ent(i) + E_STORAGE, freeHead);
    freeHead = i;
  }
  return true;
}

/** A fresh entry with refcount 1, no storage and no dims yet; 0 when out of memory. */
function newEntry(): i32 {
  if (!freeHead && !growTable()) return 0;
  const h = freeHead;
  const e = ent(h);
  freeHead = load<i32>(e + E_STORAGE);
  zeroBlock(e, <usize>1 << ENTRY_SHIFT);
  store<i32>(e + E_REFS, 1);
  liveCount++;
  return h;
}

/** Makes h's strides the row-major ones of its shape. */
export function setContiguous(h: i32): bool {
  const sr = shapeRec(h);
  dimsRetain(sr);
  return setRecs(h, sr, 0);
}

/** True when two elements share memory (a size > 1 dim with stride 0, as expand makes). */
export function hasOverlap(h: i32): bool {
  if (numelOf(h) == 0) return false; // no elements, nothing shared (row-major strides of [3, 0] are [0, 1])
  const sp = shapePtr(h), st = stridesPtr(h);
  for (let d = ndimOf(h) - 1; d >= 0; d--) {
    if (load<i32>(st + (<usize>d << 2)) == 0 && load<i32>(sp + (<usize>d << 2)) > 1) return true;
  }
  return false;
}

/** True when strides make the elements dense in row-major order (size-1 dims may have any stride). */
function denseRowMajor(nd: i32, sp: usize, st: usize): bool {
  let n = 1;
  for (let d = nd - 1; d >= 0; d--) {
    const size = load<i32>(sp + (<usize>d << 2));
    if (size != 1 && load<i32>(st + (<usize>d << 2)) != n) return false;
    n *= size;
  }
  return true;
}

/** True when the entry's elements are dense in row-major order (kept as a bit by setRecs). */
// @ts-ignore: decorator
@inline export function isContiguous(h: i32): bool { return (load<i32>(ent(h) + E_META) & META_CONTIG) != 0; }

/** A contiguous tensor with shape record `shape` (one reference taken over) over fresh storage. */
function newTensorRec(shape: usize, dtype: i32): i32 {
  const nd = dimsNdim(shape);
  let n: u64 = 1;
  for (let d = 0; d < nd; d++) {
    n *= <u64>load<i32>(shape + R_DATA + (<usize>d << 2));
    if (n > <u64>MAX_NUMEL) { dimsRelease(shape); return 0; }
  }
  return tensorOver(shape, dtype, n);
}

/**
 * newTensorRec for a record some live tensor already has: its element count was checked when
 * that tensor was made, so the record's own count is used (the loop above is on every op's path).
 */
function newTensorKnown(shape: usize, dtype: i32): i32 {
  return tensorOver(shape, dtype, <u64><u32>load<i32>(shape + R_NUMEL));
}

function tensorOver(shape: usize, dtype: i32, n: u64): i32 {
  const bytes = n << elemShift(dtype);
  if (bytes > 0xfff00000) { dimsRelease(shape); return 0; }
  // Small tensors keep data and record in one block; larger ones get a block of their own, so a
  // power-of-two size is not pushed into the next size class by the 16-byte header.
  const s = bytes <= INLINE_MAX ? newInlineStorage(<usize>bytes, 1) : newSeparateStorage(<usize>bytes);
  if (!s) { dimsRelease(shape); return 0; }
  return entryOver(s, shape, dtype);
}

/**
 * A contiguous entry over storage record s (its reference taken over), shaped by record `shape`
 * (taken over). Every op's output is made here, so the fresh entry's fields are written directly
 * rather than through setRecs' general case (it is zeroed, and its strides are the row-major ones).
 */
function entryOver(s: usize, shape: usize, dtype: i32): i32 {
  const rowMajor = contiguousStridesOf(shape);
  const h = rowMajor ? newEntry() : 0;
  if (!h) { storageRelease(s); dimsRelease(shape); return 0; }
  dimsRetain(rowMajor);
  const e = ent(h);
  store<i32>(e + E_STORAGE, <i32>s);
  store<u32>(e + E_SHAPE, <u32>shape);
  store<u32>(e + E_STRIDES, <u32>rowMajor);
  store<i32>(e + E_META, dimsNdim(shape) | META_CONTIG | (dtype << 8));
  return h;
}

/**
 * A contiguous tensor of the given shape (ndim dims read from `shape`) over fresh storage,
 * contents undefined; 0 when out of memory (nothing is left allocated).
 */
export function newTensor(ndim: i32, shape: usize, dtype: i32): i32 {
  const sr = intern(KIND_SHAPE, ndim, shape);
  return sr ? newTensorRec(sr, dtype) : 0;
}

/** A contiguous tensor of `dtype` shaped like `like` (sharing its shape record: no hashing). */
// @ts-ignore: decorator
@inline export function newTensorLike(like: i32, dtype: i32): i32 {
  const sr = shapeRec(like);
  dimsRetain(sr);
  return newTensorKnown(sr, dtype);
}

/** A contiguous tensor of `dtype` with interned shape record `rec` (a reference is taken). */
export function newTensorOfRec(rec: usize, dtype: i32): i32 {
  dimsRetain(rec);
  return newTensorRec(rec, dtype);
}

/**
 * A view of `src`: same data, offset and dtype; dims are set by the caller afterwards.
 * `shareVersion`: views and detach() share the storage record and so the version counter;
 * false (`.data`): an alias record with a counter of its own.
 */
export function newView(src: i32, shareVersion: bool): i32 {
  let s = <usize>geti(src, E_STORAGE);
  if (shareVersion) storageRetain(s);
  else {
    s = newAliasStorage(s);
    if (!s) return 0;
  }
  const h = newEntry();
  if (!h) { storageRelease(s); return 0; }
  const e = ent(h);
  store<i32>(e + E_STORAGE, <i32>s);
  store<i32>(e + E_OFFSET, geti(src, E_OFFSET));
  setDtype(h, dtypeOf(src));
  return h;
}

export function retain(h: i32): void { seti(h, E_REFS, geti(h, E_REFS) + 1); }

/** Drops one reference; the last one frees the entry, its storage share, grad and graph node. */
export function release(h: i32): void {
  if (!h) return; // a failed op's 0 result: nothing to release
  const e = ent(h);
  const r = load<i32>(e + E_REFS) - 1;
  if (r > 0) { store<i32>(e + E_REFS, r); return; }
  const s = <usize>load<i32>(e + E_STORAGE);
  const g = load<i32>(e + E_GRAD);
  const node = <usize>load<i32>(e + E_NODE);
  const sr = <usize>load<u32>(e + E_SHAPE), tr = <usize>load<u32>(e + E_STRIDES);
  const based = (load<i32>(e + E_META) >>> 16) & F_HAS_BASE;
  store<i32>(e + E_REFS, 0);
  store<i32>(e + E_STORAGE, freeHead);
  freeHead = h;
  liveCount--;
  if (s) storageRelease(s);
  if (sr) dimsRelease(sr);
  if (tr) dimsRelease(tr);
  if (g) release(g);
  if (node) nodeRelease(node, h);
  if (based) unregisterView(h);
}

/** Bumps the version counter shared by `h` and its views (after an in-place write). */
export function bumpVersion(h: i32): void {
  const s = <usize>geti(h, E_STORAGE);
  store<i32>(s + S_VERSION, load<i32>(s + S_VERSION) + 1);
}


/** Replaces the metadata and storage of `dst` by those of `src` (the `.data = src` setter). */
export function setData(dst: i32, src: i32): bool {
  if (!copyDims(dst, src)) return false;
  const s = <usize>geti(src, E_STORAGE);
  storageRetain(s);
  storageRelease(<usize>geti(dst, E_STORAGE));
  seti(dst, E_STORAGE, <i32>s);
  seti(dst, E_OFFSET, geti(src, E_OFFSET));
  setDtype(dst, dtypeOf(src));
  return true;
}
