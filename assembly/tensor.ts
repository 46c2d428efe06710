// The tensor table. A handle is an index into a growable array of fixed-size entries; each entry
// holds the metadata of one tensor (storage, offset, shape, strides, dtype, autograd links).
// Storage records and version cells are shared by views and reference counted, so a view keeps
// its base's memory alive and in-place writes are seen by everything that shares it.

import { MAX_DIMS, DType } from "./abi";
import { alloc, free } from "./memory";
import { nodeRelease } from "./autograd/tape";

// Entry layout (bytes).
export const E_STORAGE: usize = 0;
export const E_OFFSET: usize = 4;
export const E_NDIM: usize = 8;
export const E_NUMEL: usize = 12;
export const E_DTYPE: usize = 16;
export const E_FLAGS: usize = 20;
export const E_GRAD: usize = 24;
export const E_NODE: usize = 28;
export const E_REFS: usize = 32;
export const E_VC: usize = 36;
export const E_NEXTFREE: usize = 40;
export const E_SHAPE: usize = 48;
export const E_STRIDES: usize = 80;
const ENTRY_SHIFT: usize = 7; // 128 bytes

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
@inline export function ent(h: i32): usize {
  return <usize>load<u32>(pages + (<usize>(h >>> PAGE_SHIFT) << 2)) + (<usize>(h & (PAGE_ENTRIES - 1)) << ENTRY_SHIFT);
}
// @ts-ignore: decorator
@inline export function geti(h: i32, field: usize): i32 { return load<i32>(ent(h) + field); }
// @ts-ignore: decorator
@inline export function seti(h: i32, field: usize, v: i32): void { store<i32>(ent(h) + field, v); }
// @ts-ignore: decorator
@inline export function ndimOf(h: i32): i32 { return load<i32>(ent(h) + E_NDIM); }
// @ts-ignore: decorator
@inline export function numelOf(h: i32): i32 { return load<i32>(ent(h) + E_NUMEL); }
// @ts-ignore: decorator
@inline export function shapePtr(h: i32): usize { return ent(h) + E_SHAPE; }
// @ts-ignore: decorator
@inline export function stridesPtr(h: i32): usize { return ent(h) + E_STRIDES; }
// @ts-ignore: decorator
@inline export function dimOf(h: i32, d: i32): i32 { return load<i32>(ent(h) + E_SHAPE + (<usize>d << 2)); }
// @ts-ignore: decorator
@inline export function flagsOf(h: i32): i32 { return load<i32>(ent(h) + E_FLAGS); }
// @ts-ignore: decorator
@inline export function requiresGrad(h: i32): bool { return (flagsOf(h) & F_REQUIRES_GRAD) != 0; }
/** Address of element 0 of the tensor (storage data + offset). */
// @ts-ignore: decorator
@inline export function dataPtr(h: i32): usize {
  const e = ent(h);
  return <usize>load<i32>(<usize>load<i32>(e + E_STORAGE) + S_DATA) + (<usize>load<i32>(e + E_OFFSET) << 2);
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
    store<i32>(ent(i) + E_NEXTFREE, freeHead);
    freeHead = i;
  }
  return true;
}

/** A fresh entry with refcount 1 and no storage; 0 when out of memory. */
function newEntry(): i32 {
  if (!freeHead && !growTable()) return 0;
  const h = freeHead;
  const e = ent(h);
  freeHead = load<i32>(e + E_NEXTFREE);
  memory.fill(e, 0, 48);
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
  return s;
}

export function storageRetain(s: usize): void { store<i32>(s + S_REFS, load<i32>(s + S_REFS) + 1); }
export function storageRelease(s: usize): void {
  const r = load<i32>(s + S_REFS) - 1;
  if (r) { store<i32>(s + S_REFS, r); return; }
  free(<usize>load<i32>(s + S_DATA), <usize>load<i32>(s + S_BYTES));
  free(s, 12);
}

/** Writes contiguous (row-major) strides for the entry's shape and returns numel. */
export function setContiguous(h: i32): i32 {
  const e = ent(h);
  const nd = load<i32>(e + E_NDIM);
  let n = 1;
  for (let d = nd - 1; d >= 0; d--) {
    store<i32>(e + E_STRIDES + (<usize>d << 2), n);
    n *= load<i32>(e + E_SHAPE + (<usize>d << 2));
  }
  store<i32>(e + E_NUMEL, n);
  return n;
}

/** True when the entry's elements are dense in row-major order. */
export function isContiguous(h: i32): bool {
  const e = ent(h);
  let n = 1;
  for (let d = load<i32>(e + E_NDIM) - 1; d >= 0; d--) {
    const size = load<i32>(e + E_SHAPE + (<usize>d << 2));
    if (size != 1 && load<i32>(e + E_STRIDES + (<usize>d << 2)) != n) return false;
    n *= size;
  }
  return true;
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
  const s = newStorage(data, <i32>bytes);
  if (!s) { free(data, bytes); return 0; }
  const vc = newVersionCell();
  if (!vc) { storageRelease(s); return 0; }
  const h = newEntry();
  if (!h) { storageRelease(s); vcRelease(vc); return 0; }
  const e = ent(h);
  store<i32>(e + E_STORAGE, <i32>s);
  store<i32>(e + E_VC, <i32>vc);
  store<i32>(e + E_NDIM, ndim);
  store<i32>(e + E_DTYPE, dtype);
  memory.copy(e + E_SHAPE, shape, <usize>ndim << 2);
  setContiguous(h);
  return h;
}

/** A contiguous float32 tensor shaped like `like`. */
export function newTensorLike(like: i32): i32 {
  return newTensor(ndimOf(like), shapePtr(like), DType.Float32);
}

/**
 * A tensor wrapping an existing data block (ownership moves to the new storage).
 * Used to turn a gradient buffer computed in backward into a tensor without copying.
 */
export function adoptBuffer(data: usize, ndim: i32, shape: usize): i32 {
  let n = 1;
  for (let d = 0; d < ndim; d++) n *= load<i32>(shape + (<usize>d << 2));
  const s = newStorage(data, n << 2);
  if (!s) return 0;
  const vc = newVersionCell();
  if (!vc) { free(s, 12); return 0; }
  const h = newEntry();
  if (!h) { free(s, 12); vcRelease(vc); return 0; }
  const e = ent(h);
  store<i32>(e + E_STORAGE, <i32>s);
  store<i32>(e + E_VC, <i32>vc);
  store<i32>(e + E_NDIM, ndim);
  memory.copy(e + E_SHAPE, shape, <usize>ndim << 2);
  setContiguous(h);
  return h;
}

/**
 * A view of `src`: same storage, new shape/strides/offset given by the caller afterwards.
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
  store<i32>(e + E_DTYPE, geti(src, E_DTYPE));
  return h;
}

export function retain(h: i32): void { seti(h, E_REFS, geti(h, E_REFS) + 1); }

/** Drops one reference; the last one frees the entry, its storage share, grad and graph node. */
export function release(h: i32): void {
  const e = ent(h);
  const r = load<i32>(e + E_REFS) - 1;
  if (r > 0) { store<i32>(e + E_REFS, r); return; }
  store<i32>(e + E_REFS, 0);
  storageRelease(<usize>load<i32>(e + E_STORAGE));
  vcRelease(<usize>load<i32>(e + E_VC));
  const g = load<i32>(e + E_GRAD);
  const node = <usize>load<i32>(e + E_NODE);
  store<i32>(e + E_NEXTFREE, freeHead);
  freeHead = h;
  liveCount--;
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
export function setData(dst: i32, src: i32): void {
  const s = <usize>geti(src, E_STORAGE);
  storageRetain(s);
  storageRelease(<usize>geti(dst, E_STORAGE));
  const d = ent(dst), e = ent(src);
  store<i32>(d + E_STORAGE, <i32>s);
  store<i32>(d + E_OFFSET, load<i32>(e + E_OFFSET));
  store<i32>(d + E_NDIM, load<i32>(e + E_NDIM));
  store<i32>(d + E_NUMEL, load<i32>(e + E_NUMEL));
  store<i32>(d + E_DTYPE, load<i32>(e + E_DTYPE));
  memory.copy(d + E_SHAPE, e + E_SHAPE, <usize>MAX_DIMS << 3);
}

