// Reductions over contiguous arrays: sums of everything and over a set of dims. Sums of float32
// run in four f32x4 accumulators, then lanes in order, so results are deterministic run to run.

import { MAX_DIMS } from "../abi";
import { zeroBlock } from "../memory";

// @ts-ignore: decorator
@inline function at(p: usize, d: i32): i32 { return load<i32>(p + (<usize>d << 2)); }

/**
 * Sum of n contiguous f32 values. Blocks of BLOCK values are summed in four f32x4 accumulators
 * (lanes then added in order), and the block sums in f64: a float32 running sum stops growing
 * once it is 2^24 times its terms, which long sums reach (PyTorch sums in a cascade for the same
 * reason). Deterministic: the order depends only on n.
 */
export function sumF32(a: usize, n: i32): f32 {
  let total: f64 = 0;
  for (let start = 0; start < n; start += BLOCK) {
    total += <f64>sumBlock(a + (<usize>start << 2), min(BLOCK, n - start));
  }
  return <f32>total;
}
const BLOCK: i32 = 1024;
/** Values per block of sumF32 (kernels/parallelOps.ts splits sums at these blocks). */
export const SUM_BLOCK: i32 = BLOCK;

/** Sum of n <= SUM_BLOCK contiguous f32 values, as one block of sumF32. */
export function sumBlock(a: usize, n: i32): f32 {
  let acc0 = f32x4.splat(0), acc1 = f32x4.splat(0), acc2 = f32x4.splat(0), acc3 = f32x4.splat(0);
  let i = 0;
  for (; i + 16 <= n; i += 16) {
    const p = a + (<usize>i << 2);
    acc0 = f32x4.add(acc0, v128.load(p));
    acc1 = f32x4.add(acc1, v128.load(p, 16));
    acc2 = f32x4.add(acc2, v128.load(p, 32));
    acc3 = f32x4.add(acc3, v128.load(p, 48));
  }
  for (; i + 4 <= n; i += 4) acc0 = f32x4.add(acc0, v128.load(a + (<usize>i << 2)));
  const v = f32x4.add(f32x4.add(acc0, acc1), f32x4.add(acc2, acc3));
  let s = f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3);
  for (; i < n; i++) s += load<f32>(a + (<usize>i << 2));
  return s;
}

/** Sum of n contiguous values of T (f64 or i32, which wraps as PyTorch's int32 sums do). */
export function sumOf<T>(a: usize, n: i32): T {
  let s: T = <T>0;
  const sh = alignof<T>();
  for (let i = 0; i < n; i++) s += load<T>(a + (<usize>i << sh));
  return s;
}

// @ts-ignore: decorator
@lazy const inStrides: usize = memory.data(MAX_DIMS * 4, 16);
// @ts-ignore: decorator
@lazy const idx: usize = memory.data(MAX_DIMS * 4, 16);

/**
 * The reduced dims are one run [first, last] followed by kept dims only (a bias gradient's
 * `g.sum(0)`, a mean over the batch): out[a, :] = the rows in[a, r, :] added in increasing r, a
 * vector at a time. Each output sees the same additions in the same order as the general walk
 * below, so the values are identical. False when the dims do not have that shape (out untouched).
 */
function leadingRows<T>(out: usize, a: usize, ndim: i32, shape: usize, mask: i32): bool {
  let last = ndim - 1;
  while (last >= 0 && !((mask >> last) & 1)) last--;
  if (last < 0) return false;
  let first = last;
  while (first > 0 && ((mask >> (first - 1)) & 1)) first--;
  if (mask & ((1 << first) - 1)) return false;
  let A = 1, R = 1, K = 1;
  for (let k = 0; k < first; k++) A *= at(shape, k);
  for (let k = first; k <= last; k++) R *= at(shape, k);
  for (let k = last + 1; k < ndim; k++) K *= at(shape, k);
  const sh = alignof<T>();
  for (let o = 0; o < A; o++) {
    const po = out + (<usize>(o * K) << sh);
    for (let r = 0; r < R; r++) {
      const pr = a + ((<usize>(o * R + r) * <usize>K) << sh);
      let i = 0;
      if (isFloat<T>() && sizeof<T>() == 4) {
        for (; i + 4 <= K; i += 4) {
          const q = <usize>i << 2;
          v128.store(po + q, f32x4.add(v128.load(po + q), v128.load(pr + q)));
        }
      } else if (isFloat<T>()) {
        for (; i + 2 <= K; i += 2) {
          const q = <usize>i << 3;
          v128.store(po + q, f64x2.add(v128.load(po + q), v128.load(pr + q)));
        }
      }
      for (; i < K; i++) {
        const q = <usize>i << sh;
        store<T>(po + q, load<T>(po + q) + load<T>(pr + q));
      }
    }
  }
  return true;
}

/**
 * out[keepdim shape] = sum of `a` (contiguous, `shape`, element type T) over the dims whose bit is
 * set in `mask`. Overwrites out. Each output sums its inputs in increasing index order along the
 * reduced dims (blocks of contiguous reduced elements use the SIMD sum for f32).
 */
export function reduceSum<T>(out: usize, a: usize, ndim: i32, shape: usize, mask: i32): void {
  const sh = alignof<T>();
  // split the dims: inner reduced run (contiguous), and the rest
  let inner = 1, d = ndim - 1;
  while (d >= 0 && ((mask >> d) & 1)) { inner *= at(shape, d); d--; }
  let outN = 1, total = 1;
  for (let k = 0; k < ndim; k++) { total *= at(shape, k); if (!((mask >> k) & 1)) outN *= at(shape, k); }
  for (let o = 0; o < outN; o++) store<T>(out + (<usize>o << sh), <T>0);
  if (total == 0) return;
  if (inner == 1 && leadingRows<T>(out, a, ndim, shape, mask)) return;
  let s = 1;
  for (let k = ndim - 1; k >= 0; k--) { store<i32>(inStrides + (<usize>k << 2), s); s *= at(shape, k); }
  // walk the input in blocks of `inner` elements; find each block's output index
  const blocks = total / (inner ? inner : 1);
  zeroBlock(idx, MAX_DIMS * 4);
  for (let b = 0; b < blocks; b++) {
    // output offset of this block: row-major over the kept dims
    let o = 0;
    for (let k = 0; k <= d; k++) if (!((mask >> k) & 1)) o = o * at(shape, k) + at(idx, k);
    const p = a + (<usize>(b * inner) << sh);
    let v: T;
    if (isFloat<T>() && sizeof<T>() == 4) v = <T>sumF32(p, inner);
    else v = sumOf<T>(p, inner);
    store<T>(out + (<usize>o << sh), load<T>(out + (<usize>o << sh)) + v);
    // advance the block index over dims [0, d]
    for (let k = d; k >= 0; k--) {
      const c = at(idx, k) + 1;
      if (c < at(shape, k)) { store<i32>(idx + (<usize>k << 2), c); break; }
      store<i32>(idx + (<usize>k << 2), 0);
    }
  }
}
