// N-d iteration over strided operands: copies (materialising views and broadcasts), broadcast
// binary ops, and sums over a set of dims. Strides are in elements and may be 0 (broadcast).
// Dims are first coalesced (merging neighbours that are contiguous in every operand), so the
// common cases run as one long SIMD row.

import { MAX_DIMS } from "../abi";
import { f4, hsum, addInto, fillF32 } from "../simd";
import { binaryKernel, MODE_VV, MODE_VS, MODE_SV } from "./binary";

// Coalesced dims: sizes and the strides of up to two operands.
// @ts-ignore: decorator
@lazy const cShape: usize = memory.data(MAX_DIMS * 4, 16);
// @ts-ignore: decorator
@lazy const cA: usize = memory.data(MAX_DIMS * 4, 16);
// @ts-ignore: decorator
@lazy const cB: usize = memory.data(MAX_DIMS * 4, 16);
// @ts-ignore: decorator
@lazy const reduceOutStrides: usize = memory.data(MAX_DIMS * 4, 16);
// @ts-ignore: decorator
@lazy const reduceInStrides: usize = memory.data(MAX_DIMS * 4, 16);
// @ts-ignore: decorator
@lazy const counters: usize = memory.data(MAX_DIMS * 4, 16);

// @ts-ignore: decorator
@inline function at(p: usize, d: i32): i32 { return load<i32>(p + (<usize>d << 2)); }
// @ts-ignore: decorator
@inline function put(p: usize, d: i32, v: i32): void { store<i32>(p + (<usize>d << 2), v); }

/**
 * Coalesces `ndim` dims of `shape` with operand strides `sa` and `sb` (sb may be 0: one operand)
 * into cShape/cA/cB and returns the new dim count (0 for a single element).
 */
function coalesce(ndim: i32, shape: usize, sa: usize, sb: usize): i32 {
  let nd = 0;
  for (let d = 0; d < ndim; d++) {
    const size = at(shape, d);
    if (size == 1) continue;
    const a = at(sa, d), b = sb ? at(sb, d) : 0;
    if (nd > 0) {
      const ps = at(cShape, nd - 1);
      if (at(cA, nd - 1) == a * size && at(cB, nd - 1) == b * size) {
        put(cShape, nd - 1, ps * size); put(cA, nd - 1, a); put(cB, nd - 1, b);
        continue;
      }
    }
    put(cShape, nd, size); put(cA, nd, a); put(cB, nd, b);
    nd++;
  }
  return nd;
}

/** Number of rows (product of all coalesced dims but the last). */
function rowsOf(nd: i32): i32 {
  let r = 1;
  for (let d = 0; d < nd - 1; d++) r *= at(cShape, d);
  return r;
}

// Element offsets of the current row in operands A and B.
// @ts-ignore: decorator
@lazy let offA: i32 = 0;
// @ts-ignore: decorator
@lazy let offB: i32 = 0;
/** Advances the outer-dim counters by one row, updating offA/offB. */
function nextRow(nd: i32): void {
  for (let d = nd - 2; d >= 0; d--) {
    const c = at(counters, d) + 1;
    offA += at(cA, d); offB += at(cB, d);
    if (c < at(cShape, d)) { put(counters, d, c); return; }
    put(counters, d, 0);
    offA -= at(cA, d) * at(cShape, d); offB -= at(cB, d) * at(cShape, d);
  }
}

function startRows(): void {
  memory.fill(counters, 0, MAX_DIMS * 4);
  offA = 0; offB = 0;
}

/** dst (contiguous, `shape`) = src read through `strides` (elements, 0 = broadcast). */
export function stridedCopy(dst: usize, src: usize, ndim: i32, shape: usize, strides: usize): void {
  const nd = coalesce(ndim, shape, strides, 0);
  if (nd == 0) { store<f32>(dst, load<f32>(src)); return; }
  const n = at(cShape, nd - 1), s = at(cA, nd - 1);
  const rows = rowsOf(nd);
  startRows();
  for (let r = 0; r < rows; r++) {
    const p = src + f4(offA);
    if (s == 1) memory.copy(dst, p, <usize>n << 2);
    else if (s == 0) fillF32(dst, load<f32>(p), n);
    else for (let i = 0; i < n; i++) store<f32>(dst + f4(i), load<f32>(p + f4(i * s)));
    dst += f4(n);
    nextRow(nd);
  }
}

/**
 * out (contiguous, `shape`) = a (op) b, each operand read through its strides. An operand's
 * innermost coalesced stride must be 1 or 0 (callers materialise other layouts first).
 */
export function binaryStrided(op: i32, out: usize, ndim: i32, shape: usize,
                              a: usize, sa: usize, b: usize, sb: usize): void {
  const nd = coalesce(ndim, shape, sa, sb);
  if (nd == 0) { binaryKernel(op, out, a, b, 1, MODE_VV); return; }
  const n = at(cShape, nd - 1);
  const ia = at(cA, nd - 1), ib = at(cB, nd - 1);
  const mode = ia == 0 ? (ib == 0 ? MODE_VS : MODE_SV) : (ib == 0 ? MODE_VS : MODE_VV);
  const rows = rowsOf(nd);
  startRows();
  for (let r = 0; r < rows; r++) {
    if (ia == 0 && ib == 0) {
      // both broadcast along the row: one value, then fill
      binaryKernel(op, out, a + f4(offA), b + f4(offB), 1, MODE_VV);
      fillF32(out, load<f32>(out), n);
    } else binaryKernel(op, out, a + f4(offA), b + f4(offB), n, mode);
    out += f4(n);
    nextRow(nd);
  }
}

/** Sum of n contiguous f32 values (four SIMD accumulators, then lanes in order). */
export function sumKernel(a: usize, n: i32): f32 {
  let acc0 = f32x4.splat(0), acc1 = f32x4.splat(0), acc2 = f32x4.splat(0), acc3 = f32x4.splat(0);
  let i = 0;
  for (; i + 16 <= n; i += 16) {
    const p = a + f4(i);
    acc0 = f32x4.add(acc0, v128.load(p));
    acc1 = f32x4.add(acc1, v128.load(p, 16));
    acc2 = f32x4.add(acc2, v128.load(p, 32));
    acc3 = f32x4.add(acc3, v128.load(p, 48));
  }
  for (; i + 4 <= n; i += 4) acc0 = f32x4.add(acc0, v128.load(a + f4(i)));
  let s = hsum(f32x4.add(f32x4.add(acc0, acc1), f32x4.add(acc2, acc3)));
  for (; i < n; i++) s += load<f32>(a + f4(i));
  return s;
}

/**
 * out[keepdim shape] = sum of `a` (contiguous, `shape`) over the dims whose bit is set in `mask`.
 * Overwrites out.
 */
export function reduceSumKernel(out: usize, a: usize, ndim: i32, shape: usize, mask: i32): void {
  // Operand A is the output (stride 0 on reduced dims), operand B the contiguous input.
  let so = 1, si = 1, outN = 1;
  for (let d = ndim - 1; d >= 0; d--) {
    const size = at(shape, d);
    if ((mask >> d) & 1) { put(reduceOutStrides, d, 0); }
    else { put(reduceOutStrides, d, so); so *= size; outN *= size; }
    put(reduceInStrides, d, si);
    si *= size;
  }
  fillF32(out, 0, outN);
  if (si == 0) return;
  const nd = coalesce(ndim, shape, reduceOutStrides, reduceInStrides);
  if (nd == 0) { store<f32>(out, load<f32>(a)); return; }
  const n = at(cShape, nd - 1);
  const reduceInner = at(cA, nd - 1) == 0;
  const rows = rowsOf(nd);
  startRows();
  for (let r = 0; r < rows; r++) {
    const po = out + f4(offA), pi = a + f4(offB);
    if (reduceInner) store<f32>(po, load<f32>(po) + sumKernel(pi, n));
    else addInto(po, pi, n);
    nextRow(nd);
  }
}
