// Interned int vectors for shapes and strides. Tensors and graph nodes refer to a shared,
// reference-counted record instead of carrying MAX_DIMS ints each: a training loop uses a handful
// of distinct shapes, so this keeps entries and nodes small (they dominate the memory of
// temporaries that wait for the JS garbage collector).

import { alloc, free } from "./memory";

// Record layout: refs, kind | ndim << 8, hash-chain next, the contiguous-strides record of a
// shape (0 until asked), the product of the ints (a shape's numel), then ndim i32s.
const R_REFS: usize = 0;
const R_META: usize = 4;
const R_NEXT: usize = 8;
const R_CONTIG: usize = 12;
export const R_NUMEL: usize = 16;
export const R_DATA: usize = 20;

export const KIND_SHAPE: i32 = 0;
export const KIND_STRIDES: i32 = 1;

// @ts-ignore: decorator
@lazy let buckets: usize = 0;
// @ts-ignore: decorator
@lazy let bucketCount: i32 = 0;
// @ts-ignore: decorator
@lazy let recordCount: i32 = 0;

// @ts-ignore: decorator
@inline function recBytes(nd: i32): usize { return R_DATA + (<usize>nd << 2); }
// @ts-ignore: decorator
@inline export function dimsNdim(rec: usize): i32 { return load<i32>(rec + R_META) >> 8; }
// @ts-ignore: decorator
@inline export function dimsData(rec: usize): usize { return rec + R_DATA; }

function hashOf(kind: i32, nd: i32, p: usize): u32 {
  let h: u32 = 2166136261 ^ <u32>(kind | (nd << 8));
  for (let d = 0; d < nd; d++) h = (h ^ load<u32>(p + (<usize>d << 2))) * 16777619;
  return h;
}

function rehash(count: i32): bool {
  const nb = alloc(<usize>count << 2);
  if (!nb) return false;
  memory.fill(nb, 0, <usize>count << 2);
  for (let b = 0; b < bucketCount; b++) {
    let r = <usize>load<u32>(buckets + (<usize>b << 2));
    while (r) {
      const next = <usize>load<u32>(r + R_NEXT);
      const slot = nb + (<usize>(hashOf(load<i32>(r + R_META) & 0xff, dimsNdim(r), r + R_DATA) & <u32>(count - 1)) << 2);
      store<u32>(r + R_NEXT, load<u32>(slot));
      store<u32>(slot, <u32>r);
      r = next;
    }
  }
  if (buckets) free(buckets, <usize>bucketCount << 2);
  buckets = nb;
  bucketCount = count;
  return true;
}

/** The record holding the nd ints at p (kind keeps shapes and strides apart), with one more reference; 0 if out of memory. */
export function intern(kind: i32, nd: i32, p: usize): usize {
  if (!bucketCount && !rehash(256)) return 0;
  const h = hashOf(kind, nd, p);
  const meta = kind | (nd << 8);
  let slot = buckets + (<usize>(h & <u32>(bucketCount - 1)) << 2);
  for (let r = <usize>load<u32>(slot); r; r = <usize>load<u32>(r + R_NEXT)) {
    if (load<i32>(r + R_META) != meta) continue;
    let d = 0;
    while (d < nd && load<i32>(r + R_DATA + (<usize>d << 2)) == load<i32>(p + (<usize>d << 2))) d++;
    if (d == nd) { store<i32>(r + R_REFS, load<i32>(r + R_REFS) + 1); return r; }
  }
  if (recordCount >= bucketCount * 2) {
    if (!rehash(bucketCount * 4)) return 0;
    slot = buckets + (<usize>(h & <u32>(bucketCount - 1)) << 2);
  }
  const r = alloc(recBytes(nd));
  if (!r) return 0;
  store<i32>(r + R_REFS, 1);
  store<i32>(r + R_META, meta);
  store<u32>(r + R_CONTIG, 0);
  let n = 1;
  for (let d = 0; d < nd; d++) n *= load<i32>(p + (<usize>d << 2));
  store<i32>(r + R_NUMEL, n);
  for (let d = 0; d < nd; d++) store<i32>(r + R_DATA + (<usize>d << 2), load<i32>(p + (<usize>d << 2)));
  store<u32>(r + R_NEXT, load<u32>(slot));
  store<u32>(slot, <u32>r);
  recordCount++;
  return r;
}

export function dimsRetain(rec: usize): void { store<i32>(rec + R_REFS, load<i32>(rec + R_REFS) + 1); }

// @ts-ignore: decorator
@inline export function dimsRelease(rec: usize): void {
  // inline: a tensor's release drops two references, and the record rarely goes with them
  const refs = load<i32>(rec + R_REFS) - 1;
  if (refs) store<i32>(rec + R_REFS, refs);
  else dimsFree(rec);
}
function dimsFree(rec: usize): void {
  const nd = dimsNdim(rec);
  let slot = buckets + (<usize>(hashOf(load<i32>(rec + R_META) & 0xff, nd, rec + R_DATA) & <u32>(bucketCount - 1)) << 2);
  while (<usize>load<u32>(slot) != rec) slot = <usize>load<u32>(slot) + R_NEXT;
  store<u32>(slot, load<u32>(rec + R_NEXT));
  recordCount--;
  const contig = <usize>load<u32>(rec + R_CONTIG);
  free(rec, recBytes(nd));
  if (!contig) return;
  const refs = load<i32>(contig + R_REFS) - 1; // dimsRelease, which cannot inline into itself
  if (refs) store<i32>(contig + R_REFS, refs);
  else dimsFree(contig);
}

// @ts-ignore: decorator
@lazy const stridesTmp: usize = memory.data(64, 16);

/** The (interned) row-major strides of shape record `shape`, without a new reference; 0 if out of memory. */
export function contiguousStridesOf(shape: usize): usize {
  let c = <usize>load<u32>(shape + R_CONTIG);
  if (c) return c;
  const nd = dimsNdim(shape);
  let s = 1;
  for (let d = nd - 1; d >= 0; d--) {
    store<i32>(stridesTmp + (<usize>d << 2), s);
    s *= load<i32>(shape + R_DATA + (<usize>d << 2));
  }
  c = intern(KIND_STRIDES, nd, stridesTmp);
  if (c) store<u32>(shape + R_CONTIG, <u32>c); // the shape record holds this reference
  return c;
}
