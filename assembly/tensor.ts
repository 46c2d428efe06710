// The tensor table. A handle is an index into a paged array of 64-byte entries; each entry holds
// the metadata of one tensor (storage, offset, shape, strides, dtype, flags, autograd links).
// Storage records and version cells are shared by views and reference counted, so a view keeps
// its base's memory alive and in-place writes are seen by everything that shares it.
// Entries are small on purpose: in a training loop most of them belong to temporaries waiting for
// the JS garbage collector, so their size sets how often a collection must be forced.

import { alloc, free } from "./memory";
import { nodeRelease } from "./autograd/tape";

// Entry layout (bytes).
export const E_STORAGE: usize = 0; // storage record; the next free handle while the entry is free
export const E_OFFSET: usize = 4;  // element offset into the storage
const E_META: usize = 8;           // ndim (bits 0-7) | dtype (8-15) | flags (16-31)
export const E_NUMEL: usize = 12;
export const E_GRAD: usize = 16;   // handle of .grad, 0 if none
export const E_NODE: usize = 20;   // graph node that produced it, 0 for a leaf
export const E_REFS: usize = 24;
export const E_VC: usize = 28;     // version cell
// Up to INLINE_DIMS dims: shape at 32 and strides at 48. More: a pointer at 32 to a block with
// MAX_DIMS sizes then MAX_DIMS strides.
const E_DIMS: usize = 32;
const INLINE_DIMS: i32 = 4;
const WIDE_BLOCK: usize = 64;
const ENTRY_SHIFT: usize = 6; // 64 bytes

export const F_REQUIRES_GRAD: i32 = 1;
export const F_RETAINS_GRAD: i32 = 2;
/** Shares storage with another tensor through a view op that autograd recorded. */
export const F_VIEW: i32 = 4;

// Storage record: the data block, its size and its reference count.
export const S_DATA: usize = 0;
export const S_BYTES: usize = 4;
export const S_REFS: usize = 8;
// Version cell: the in-place version counter shared by a tensor and its views.
export const V_VERSION: usize = 0;
export const V_REFS: usize = 4;

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
@lazy let storageBytes: usize = 0;

// @ts-ignore: decorator
@inline export function ent(h: i32): usize {
  return <usize>load<u32>(pages + (<usize>(h >>> PAGE_SHIFT) << 2)) + (<usize>(h & (PAGE_ENTRIES - 1)) << ENTRY_SHIFT);
}
// @ts-ignore: decorator
@inline export function geti(h: i32, field: usize): i32 { return load<i32>(ent(h) + field); }
// @ts-ignore: decorator
@inline export function seti(h: i32, field: usize, v: i32): void { store<i32>(ent(h) + field, v); }
// @ts-ignore: decorator
@inline export function ndimOf(h: i32): i32 { return load<i32>(ent(h) + E_META) & 0xff; }
// @ts-ignore: decorator
@inline export function dtypeOf(h: i32): i32 { return (load<i32>(ent(h) + E_META) >> 8) & 0xff; }
// @ts-ignore: decorator
@inline export function flagsOf(h: i32): i32 { return load<i32>(ent(h) + E_META) >>> 16; }
// @ts-ignore: decorator
@inline export function numelOf(h: i32): i32 { return load<i32>(ent(h) + E_NUMEL); }
// @ts-ignore: decorator
@inline export function requiresGrad(h: i32): bool { return (flagsOf(h) & F_REQUIRES_GRAD) != 0; }
/** Address of the sizes (ndim i32s). */
// @ts-ignore: decorator
@inline export function shapePtr(h: i32): usize {
  const e = ent(h);
  return (load<i32>(e + E_META) & 0xff) <= INLINE_DIMS ? e + E_DIMS : <usize>load<u32>(e + E_DIMS);
}
/** Address of the strides (ndim i32s, in elements). */
// @ts-ignore: decorator
@inline export function stridesPtr(h: i32): usize {
  const e = ent(h);
  return (load<i32>(e + E_META) & 0xff) <= INLINE_DIMS ? e + E_DIMS + 16 : <usize>load<u32>(e + E_DIMS) + 32;
}
// @ts-ignore: decorator
@inline export function dimOf(h: i32, d: i32): i32 { return load<i32>(shapePtr(h) + (<usize>d << 2)); }
// @ts-ignore: decorator
@inline export function strideOf(h: i32, d: i32): i32 { return load<i32>(stridesPtr(h) + (<usize>d << 2)); }
// @ts-ignore: decorator
@inline export function setDim(h: i32, d: i32, v: i32): void { store<i32>(shapePtr(h) + (<usize>d << 2), v); }
// @ts-ignore: decorator
@inline export function setStride(h: i32, d: i32, v: i32): void { store<i32>(stridesPtr(h) + (<usize>d << 2), v); }
/** Address of element 0 of the tensor (storage data + offset). */
// @ts-ignore: decorator
@inline export function dataPtr(h: i32): usize {
  const e = ent(h);
  return <usize>load<i32>(<usize>load<i32>(e + E_STORAGE) + S_DATA) + (<usize>load<i32>(e + E_OFFSET) << 2);
}

export function setFlags(h: i32, flags: i32): void {
  const e = ent(h);
  store<i32>(e + E_META, (load<i32>(e + E_META) & 0xffff) | (flags << 16));
}
export function setDtype(h: i32, dtype: i32): void {
  const e = ent(h);
  store<i32>(e + E_META, (load<i32>(e + E_META) & ~0xff00) | (dtype << 8));
}

/** Sets the dim count, moving the dims to or from a separate block across INLINE_DIMS. Dims are left undefined. */
export function setNdim(h: i32, nd: i32): bool {
  const e = ent(h);
  const meta = load<i32>(e + E_META);
  const old = meta & 0xff;
  if (old > INLINE_DIMS && nd <= INLINE_DIMS) free(<usize>load<u32>(e + E_DIMS), WIDE_BLOCK);
  else if (old <= INLINE_DIMS && nd > INLINE_DIMS) {
    const block = alloc(WIDE_BLOCK);
    if (!block) return false;
    store<u32>(e + E_DIMS, <u32>block);
  }
  store<i32>(e + E_META, (meta & ~0xff) | nd);
  return true;
}

/** Copies ndim, sizes, strides and numel of src into dst. */
export function copyDims(dst: i32, src: i32): bool {
  const nd = ndimOf(src);
  if (!setNdim(dst, nd)) return false;
  memory.copy(shapePtr(dst), shapePtr(src), <usize>nd << 2);
  memory.copy(stridesPtr(dst), stridesPtr(src), <usize>nd << 2);
  seti(dst, E_NUMEL, numelOf(src));
  return true;
}

/** Count of live entries. */
export function liveTensors(): i32 { return liveCount; }
/** Bytes of tensor data in live storages. */
export function tensorBytes(): usize { return storageBytes; }

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

/** A fresh entry with refcount 1, no storage and 0 dims; 0 when out of memory. */
function newEntry(): i32 {
  if (!freeHead && !growTable()) return 0;
  const h = freeHead;
  const e = ent(h);
  freeHead = load<i32>(e + E_STORAGE);
  memory.fill(e, 0, E_DIMS);
  store<i32>(e + E_REFS, 1);
  liveCount++;
  return h;
}

/** A version cell with refcount 1; 0 when out of memory. */
export function newVersionCell(): usize {
  const vc = alloc(8);
  if (!vc) return 0;
  store<i32>(vc + V_VERSION, 0);
  store<i32>(vc + V_REFS, 1);
  return vc;
}

export function vcRetain(vc: usize): void { store<i32>(vc + V_REFS, load<i32>(vc + V_REFS) + 1); }
export function vcRelease(vc: usize): void {
  const r = load<i32>(vc + V_REFS) - 1;
  if (r) store<i32>(vc + V_REFS, r); else free(vc, 8);
}

/** A storage record owning `bytes` at `data`; 0 when out of memory. */
export function newStorage(data: usize, bytes: i32): usize {
  const s = alloc(12);
  if (!s) return 0;
  store<i32>(s + S_DATA, <i32>data);
  store<i32>(s + S_BYTES, bytes);
  store<i32>(s + S_REFS, 1);
  storageBytes += <usize>bytes;
  return s;
}

export function storageRetain(s: usize): void { store<i32>(s + S_REFS, load<i32>(s + S_REFS) + 1); }
export function storageRelease(s: usize): void {
  const r = load<i32>(s + S_REFS) - 1;
  if (r) { store<i32>(s + S_REFS, r); return; }
  storageBytes -= <usize>load<i32>(s + S_BYTES);
  free(<usize>load<i32>(s + S_DATA), <usize>load<i32>(s + S_BYTES));
  free(s, 12);
}

/** Writes contiguous (row-major) strides for the entry's shape and returns numel. */
export function setContiguous(h: i32): i32 {
  const nd = ndimOf(h);
  const sp = shapePtr(h), st = stridesPtr(h);
  let n = 1;
  for (let d = nd - 1; d >= 0; d--) {
    store<i32>(st + (<usize>d << 2), n);
    n *= load<i32>(sp + (<usize>d << 2));
  }
  seti(h, E_NUMEL, n);
  return n;
}

/** True when the entry's elements are dense in row-major order. */
export function isContiguous(h: i32): bool {
  const sp = shapePtr(h), st = stridesPtr(h);
  let n = 1;
  for (let d = ndimOf(h) - 1; d >= 0; d--) {
    const size = load<i32>(sp + (<usize>d << 2));
    if (size != 1 && load<i32>(st + (<usize>d << 2)) != n) return false;
    n *= size;
  }
  return true;
}

/** A new entry over storage s (taken over) and version cell vc (taken over), shaped `shape`. */
function entryOver(s: usize, vc: usize, ndim: i32, shape: usize, dtype: i32): i32 {
  const h = newEntry();
  if (!h) return 0;
  if (!setNdim(h, ndim)) { release(h); return 0; }
  const e = ent(h);
  store<i32>(e + E_STORAGE, <i32>s);
  store<i32>(e + E_VC, <i32>vc);
  setDtype(h, dtype);
  memory.copy(shapePtr(h), shape, <usize>ndim << 2);
  setContiguous(h);
  return h;
}

/**
 * A contiguous tensor of the given shape (ndim dims read from `shape`) over fresh storage,
 * contents undefined; 0 when out of memory (nothing is left allocated).
 */
export function newTensor(ndim: i32, shape: usize, dtype: i32): i32 {
  let n: usize = 1;
  for (let d = 0; d < ndim; d++) n *= <usize>load<i32>(shape + (<usize>d << 2));
  if (n > 0x1fffffff) return 0;
  const bytes = n << 2;
  const data = alloc(bytes);
  if (!data) return 0;
  return adopt(data, <i32>bytes, ndim, shape, dtype);
}

function adopt(data: usize, bytes: i32, ndim: i32, shape: usize, dtype: i32): i32 {
  const s = newStorage(data, bytes);
  if (!s) { free(data, bytes); return 0; }
  const vc = newVersionCell();
  if (!vc) { storageRelease(s); return 0; }
  const h = entryOver(s, vc, ndim, shape, dtype);
  if (!h) { storageRelease(s); vcRelease(vc); }
  return h;
}

/** A contiguous float32 tensor shaped like `like`. */
export function newTensorLike(like: i32): i32 {
  return newTensor(ndimOf(like), shapePtr(like), 0);
}

/**
 * A float32 tensor owning an existing data block of numel(shape) values (no copy). Used to turn a
 * gradient buffer computed in backward into a tensor. On failure the block is freed.
 */
export function adoptBuffer(data: usize, ndim: i32, shape: usize): i32 {
  let n = 1;
  for (let d = 0; d < ndim; d++) n *= load<i32>(shape + (<usize>d << 2));
  return adopt(data, n << 2, ndim, shape, 0);
}

/**
 * A view of `src`: same storage, offset and dtype; dims are set by the caller afterwards.
 * `shareVersion`: detach()/views share the version counter; `.data` gets its own (as PyTorch).
 */
export function newView(src: i32, shareVersion: bool): i32 {
  let vc = <usize>geti(src, E_VC);
  if (shareVersion) vcRetain(vc);
  else {
    vc = newVersionCell();
    if (!vc) return 0;
  }
  const h = newEntry();
  if (!h) { vcRelease(vc); return 0; }
  const s = <usize>geti(src, E_STORAGE);
  storageRetain(s);
  const e = ent(h);
  store<i32>(e + E_STORAGE, <i32>s);
  store<i32>(e + E_VC, <i32>vc);
  store<i32>(e + E_OFFSET, geti(src, E_OFFSET));
  setDtype(h, dtypeOf(src));
  return h;
}

export function retain(h: i32): void { seti(h, E_REFS, geti(h, E_REFS) + 1); }

/** Drops one reference; the last one frees the entry, its storage share, grad and graph node. */
export function release(h: i32): void {
  const e = ent(h);
  const r = load<i32>(e + E_REFS) - 1;
  if (r > 0) { store<i32>(e + E_REFS, r); return; }
  const s = <usize>load<i32>(e + E_STORAGE);
  const vc = <usize>load<i32>(e + E_VC);
  const g = load<i32>(e + E_GRAD);
  const node = <usize>load<i32>(e + E_NODE);
  setNdim(h, 0);
  store<i32>(e + E_REFS, 0);
  store<i32>(e + E_STORAGE, freeHead);
  freeHead = h;
  liveCount--;
  if (s) storageRelease(s);
  if (vc) vcRelease(vc);
  if (g) release(g);
  if (node) nodeRelease(node, h);
}

/** Bumps the version counter shared by `h` and its views (after an in-place write). */
export function bumpVersion(h: i32): void {
  const vc = <usize>geti(h, E_VC);
  store<i32>(vc + V_VERSION, load<i32>(vc + V_VERSION) + 1);
}

export function versionOf(h: i32): i32 { return load<i32>(<usize>geti(h, E_VC) + V_VERSION); }

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
