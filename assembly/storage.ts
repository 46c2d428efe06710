// Storage records: the data of a tensor, shared by the tensor, its views and detach() and
// reference counted, with the in-place version counter beside it. Bytes held by live records are
// counted here (memory().bytes).

import { alloc, free } from "./memory";

// Storage record: the data, its size in bytes, a reference count and the in-place version counter
// shared by a tensor, its views and detach() (as PyTorch's). A fresh tensor's data sits right after
// its 16-byte record (one block). `.data` gets an alias record: the same data, a version counter of
// its own (PyTorch's .data does not share it), bytes = ALIAS and a reference to the owner at +16.
export const S_DATA: usize = 0;
export const S_BYTES: usize = 4;
export const S_REFS: usize = 8;
export const S_VERSION: usize = 12;
const S_HEADER: usize = 16;
const S_OWNER: usize = 16;
const ALIAS: u32 = 0xffffffff;
// S_BYTES of a record whose data sits in its own block: INLINE | bytes (bytes <= INLINE_MAX).
// Separately allocated data has S_BYTES < INLINE. (Comparing the data address with the record's
// end is not enough: a separately allocated buffer can land right there.)
const INLINE: u32 = 0xffffe000;
/** Largest data size kept in the storage record's own block. */
export const INLINE_MAX: u64 = 4096;

// @ts-ignore: decorator
@lazy let storageBytes: usize = 0;
/** Bytes of tensor data in live storages (f64: exact up to 4 GiB from JS). */
export function tensorBytes(): f64 { return <f64>storageBytes; }

/** A storage record for a data block allocated elsewhere, with `refs` references; 0 when out of memory. */
export function newStorage(data: usize, bytes: usize, refs: i32): usize {
  const s = alloc(S_HEADER);
  if (!s) return 0;
  store<i32>(s + S_DATA, <i32>data);
  store<u32>(s + S_BYTES, <u32>bytes);
  store<i32>(s + S_REFS, refs);
  store<i32>(s + S_VERSION, 0);
  storageBytes += bytes;
  return s;
}

/** A storage record with `bytes` of data in the same block, with `refs` references; 0 when out of memory. */
export function newInlineStorage(bytes: usize, refs: i32): usize {
  const s = alloc(S_HEADER + bytes);
  if (!s) return 0;
  store<i32>(s + S_DATA, <i32>(s + S_HEADER));
  store<u32>(s + S_BYTES, <u32>bytes | INLINE);
  store<i32>(s + S_REFS, refs);
  store<i32>(s + S_VERSION, 0);
  storageBytes += bytes;
  return s;
}

/** An alias record of storage s (same data, own version counter) with one reference; 0 when out of memory. */
export function newAliasStorage(s: usize): usize {
  const a = alloc(S_OWNER + 4);
  if (!a) return 0;
  store<i32>(a + S_DATA, load<i32>(s + S_DATA));
  store<u32>(a + S_BYTES, ALIAS);
  store<i32>(a + S_REFS, 1);
  store<i32>(a + S_VERSION, 0);
  store<u32>(a + S_OWNER, <u32>s);
  storageRetain(s);
  return a;
}

export function storageRetain(s: usize): void { store<i32>(s + S_REFS, load<i32>(s + S_REFS) + 1); }
// @ts-ignore: decorator
@inline export function storageRelease(s: usize): void {
  // inline: a record shared by views, detach() or .data counts down with no call; freeing is one
  const r = load<i32>(s + S_REFS) - 1;
  if (r) store<i32>(s + S_REFS, r);
  else storageFree(s);
}
function storageFree(s: usize): void {
  const data = <usize>load<u32>(s + S_DATA), bytes = load<u32>(s + S_BYTES);
  if (bytes == ALIAS) {
    const owner = <usize>load<u32>(s + S_OWNER);
    free(s, S_OWNER + 4);
    const r = load<i32>(owner + S_REFS) - 1; // storageRelease, which cannot inline into itself
    if (r) store<i32>(owner + S_REFS, r);
    else storageFree(owner);
    return;
  }
  if (bytes >= INLINE) {
    const size = <usize>(bytes & ~INLINE);
    storageBytes -= size;
    free(s, S_HEADER + size);
    return;
  }
  storageBytes -= <usize>bytes;
  if (data) free(data, <usize>bytes);
  free(s, S_HEADER);
}

/** A storage record with a separately allocated data block of `bytes`; 0 when out of memory. */
export function newSeparateStorage(bytes: usize): usize {
  const data = alloc(bytes);
  if (!data) return 0;
  const s = newStorage(data, bytes, 1);
  if (!s) free(data, bytes);
  return s;
}

