// Values of a strided tensor read out a range at a time: dataSync and toArray of a view (an
// expand of 6e8 elements, a transposed matrix) copy its values through blocks of READ_CHUNK
// elements (abi.ts) instead of a contiguous copy of the whole tensor, which would double the memory the
// read needs and first touch as many fresh pages in the core as the result has in JS.

import { MAX_DIMS } from "../abi";
export { READ_CHUNK } from "../abi";
import { alloc, free } from "../memory";
import { dataPtr, ndimOf, dtypeOf, dimOf, strideOf, elemShift } from "../tensor";

// @ts-ignore: decorator
@lazy const index: usize = memory.data(MAX_DIMS * 4, 16);

/** Copies `run` elements of 2^shift bytes from src, `stride` elements apart, to dst (contiguous). */
// @ts-ignore: decorator
@inline function copyRun(dst: usize, src: usize, run: i32, stride: i64, shift: i32): void {
  if (stride == 1) { memory.copy(dst, src, <usize>run << shift); return; }
  const step = <isize>(stride << shift);
  let s = <isize>src;
  if (shift == 2) {
    for (let i = 0; i < run; i++) { store<u32>(dst + (<usize>i << 2), load<u32>(<usize>s)); s += step; }
  } else if (shift == 3) {
    for (let i = 0; i < run; i++) { store<u64>(dst + (<usize>i << 3), load<u64>(<usize>s)); s += step; }
  } else {
    for (let i = 0; i < run; i++) { store<u8>(dst + <usize>i, load<u8>(<usize>s)); s += step; }
  }
}

/**
 * A fresh block holding elements [start, start + count) of h's row-major values (the facade asks
 * for READ_CHUNK at a time), for the caller to return with freeRange; 0 if out of memory.
 */
export function readRange(h: i32, start: i32, count: i32): usize {
  const shift = elemShift(dtypeOf(h));
  const p = alloc(<usize>max(count, 1) << shift);
  if (!p || count <= 0) return p;
  const nd = ndimOf(h);
  const base = <i64>dataPtr(h);
  if (nd == 0) { copyRun(p, <usize>base, 1, 1, shift); return p; }
  // the multi-index of `start` and the element offset it lands on
  let rest = start;
  let off: i64 = 0;
  for (let d = nd - 1; d >= 0; d--) {
    const size = dimOf(h, d);
    const i = rest % size;
    rest /= size;
    store<i32>(index + (<usize>d << 2), i);
    off += <i64>i * <i64>strideOf(h, d);
  }
  const last = nd - 1;
  const inner = dimOf(h, last);
  const innerStride = <i64>strideOf(h, last);
  let done = 0;
  while (done < count) {
    const i0 = load<i32>(index + (<usize>last << 2));
    const run = min(inner - i0, count - done);
    copyRun(p + (<usize>done << shift), <usize>(base + (off << shift)), run, innerStride, shift);
    done += run;
    off += <i64>run * innerStride;
    store<i32>(index + (<usize>last << 2), i0 + run);
    // carry into the outer dims
    for (let d = last; d > 0 && load<i32>(index + (<usize>d << 2)) == dimOf(h, d); d--) {
      off -= <i64>dimOf(h, d) * <i64>strideOf(h, d);
      store<i32>(index + (<usize>d << 2), 0);
      store<i32>(index + (<usize>(d - 1) << 2), load<i32>(index + (<usize>(d - 1) << 2)) + 1);
      off += <i64>strideOf(h, d - 1);
    }
  }
  return p;
}

/** Returns a block from readRange(h, _, count). */
export function freeRange(h: i32, p: usize, count: i32): void {
  if (p) free(p, <usize>max(count, 1) << elemShift(dtypeOf(h)));
}
