// Matrix products. float32: a GotoBLAS-style blocked GEMM. k is cut into KC-deep blocks and n
// into NC-wide ones; each KC x NC block of B is packed into 8-column panels (1 MiB, in L3), each
// MC x KC block of A into MR-row panels, and a register-blocked MR x 8 micro-kernel
// (gemm-micro.ts) sweeps them. Every output is summed the same way whatever m, n and its place
// in the tiling: within a KC block from 0 in k order, and the blocks added to C in k order.

import { packA, packB } from "./gemm-pack";
import { tile4x8, madd, maddScalar } from "./gemm-micro";
import { alloc, free } from "../memory";
import { JOB_GEMM, threadCount, runParallel, jobArg, setJobArg } from "./parallel";

// Rows of the micro-kernel's tile, and the cache blocking: a 4 x KC panel of A and a KC x 8 one
// of B (4 KiB + 8 KiB) stay in L1 while a tile is summed, an MC x KC block of A (128 KiB) in L2.
const MR: i32 = 4;
const KC: i32 = 256;
const MC: i32 = 128;
const NC: i32 = 1024;

const EDGE_BYTES: i32 = MR * 8 * 4;
// @ts-ignore: decorator
@lazy const edgeTile: usize = memory.data(EDGE_BYTES, 16);
// Products of at least this many multiply-adds are split across threads: below, a hand-off
// (tens of microseconds) costs about what the second thread saves. Measured with
// bench/threads.bench.ts, 2 threads against 1: 0.79x at 96^3 (a loss), 1.02x at 112^3, 1.18x at 128^3.
const PAR_MIN_MACS: f64 = 120 * 120 * 120;

/** Bytes of the scratchA that gemmF32 needs for an [m, k] left operand. */
export function gemmScratchA(m: i32, k: i32): usize {
  const mc = min(m, MC), kc = min(k, KC);
  return <usize>((mc + MR - 1) / MR * MR) * <usize>max(kc, 0) << 2;
}

/** Bytes of the scratchB that gemmF32 needs for a [k, n] right operand. */
export function gemmScratchB(k: i32, n: i32): usize {
  const nc = min(n, NC), kc = min(k, KC);
  return <usize>((nc + 7) >> 3 << 3) * <usize>max(kc, 0) << 2;
}

/** C block [mc, nc] at c (row pitch n floats) (+)= packed A block @ packed B block (+ the nc floats at bias, if not 0). */
function macroKernel(c: usize, n: i32, pa: usize, pb: usize, mc: i32, nc: i32, kc: i32, addC: bool, bias: usize, edge: usize): void {
  const ldc = <usize>n << 2;
  for (let jr = 0; jr < nc; jr += 8) {
    const cols = min(8, nc - jr);
    const bp = pb + (<usize>jr * <usize>kc << 2);
    for (let ir = 0; ir < mc; ir += MR) {
      const rows = min(MR, mc - ir);
      const ap = pa + (<usize>ir * <usize>kc << 2);
      const cp = c + <usize>ir * ldc + (<usize>jr << 2);
      if (rows == MR && cols == 8) { tile4x8(kc, ap, bp, cp, ldc, addC, bias ? bias + (<usize>jr << 2) : 0); continue; }
      // a partial tile is computed whole into `edge`, then its valid part added or copied
      tile4x8(kc, ap, bp, edge, 32, false);
      for (let r = 0; r < rows; r++) {
        const q = cp + <usize>r * ldc, e = edge + (<usize>r << 5);
        for (let j = 0; j < cols; j++) {
          const o = <usize>j << 2;
          let v = load<f32>(e + o);
          if (addC) v = load<f32>(q + o) + v;
          if (bias) v += load<f32>(bias + (<usize>(jr + j) << 2));
          store<f32>(q + o, v);
        }
      }
    }
  }
}

/**
 * c[m,n] (+)= A @ B where element (i, p) of A is at a + (i*rsA + p*csA) elements and (p, j) of B
 * at b + (p*rsB + j*csB); c is contiguous. Overwrites c unless `acc`. scratchA and scratchB hold
 * the packed blocks: gemmScratchA(m, k) and gemmScratchB(k, n) bytes, 16-byte aligned.
 */
export function gemmF32(c: usize, a: usize, b: usize, m: i32, k: i32, n: i32,
                        rsA: i32, csA: i32, rsB: i32, csB: i32, acc: bool, scratchA: usize, scratchB: usize): void {
  gemmF32Bias(c, a, b, m, k, n, rsA, csA, rsB, csB, acc, scratchA, scratchB, 0);
}

/**
 * gemmF32 with a fused bias: c[m,n] (+)= A @ B + bias, where element (i, p) of A is at a + (i*rsA + p*csA) elements and
 * (p, j) of B at b + (p*rsB + j*csB); c is contiguous. Overwrites c unless `acc`. `bias`, when not
 * 0, is n contiguous floats added to every row after the product (and after c's old values): the
 * same value as adding it in a pass of its own. scratchA and scratchB hold the packed blocks:
 * gemmScratchA(m, k) and gemmScratchB(k, n) bytes, 16-byte aligned.
 */
export function gemmF32Bias(c: usize, a: usize, b: usize, m: i32, k: i32, n: i32,
                            rsA: i32, csA: i32, rsB: i32, csB: i32, acc: bool, scratchA: usize, scratchB: usize,
                            bias: usize): void {
  if (m <= 0 || n <= 0) return;
  if (k <= 0) {
    if (!acc) memory.fill(c, 0, <usize>m * <usize>n << 2);
    if (bias) addBias(c, bias, m, n);
    return;
  }
  // a single column or row would fill an eighth or a quarter of each tile: read it in place
  if (n == 1) { columnTimes(c, a, b, m, k, rsA, csA, rsB, acc, bias); return; }
  if (m == 1) { rowTimes(c, a, b, k, n, csA, rsB, csB, acc, bias); return; }
  if (threadCount() > 1 && <f64>m * <f64>n * <f64>k >= PAR_MIN_MACS
    && gemmParallel(c, a, b, m, k, n, rsA, csA, rsB, csB, acc, bias)) return;
  blocked(c, n, a, b, m, k, n, rsA, csA, rsB, csB, acc, scratchA, scratchB, edgeTile, bias);
}

/** The blocked product of c[m, n] (row pitch ldc floats) through the packed tiles. */
function blocked(c: usize, ldc: i32, a: usize, b: usize, m: i32, k: i32, n: i32, rsA: i32, csA: i32, rsB: i32, csB: i32,
                 acc: bool, scratchA: usize, scratchB: usize, edge: usize, bias: usize): void {
  for (let jc = 0; jc < n; jc += NC) {
    const nc = min(NC, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = min(KC, k - pc);
      const addC = acc || pc > 0;
      // the bias goes in with the last k block, after the sum
      const bj = bias && pc + kc >= k ? bias + (<usize>jc << 2) : 0;
      packB(scratchB, b + (<usize>pc * <usize>rsB + <usize>jc * <usize>csB << 2), kc, nc, rsB, csB);
      for (let ic = 0; ic < m; ic += MC) {
        const mc = min(MC, m - ic);
        packA(scratchA, a + (<usize>ic * <usize>rsA + <usize>pc * <usize>csA << 2), mc, kc, rsA, csA, MR);
        macroKernel(c + (<usize>ic * <usize>ldc + <usize>jc << 2), ldc, scratchA, scratchB, mc, nc, kc, addC, bj, edge);
      }
    }
  }
}

// The job's arguments: c, a, b, m, k, n, rsA, csA, rsB, csB, acc, scratch, bytes per slot, rows?,
// panel width, scratchA bytes, scratchB bytes, slots, bias.
/**
 * Splits the product into panels of whole tiles, rows of C when m >= n and columns otherwise; each
 * output is summed exactly as in the single-threaded product, whatever panel it falls in. False
 * (nothing done) when the per-thread scratch cannot be had.
 */
function gemmParallel(c: usize, a: usize, b: usize, m: i32, k: i32, n: i32, rsA: i32, csA: i32, rsB: i32, csB: i32,
                      acc: bool, bias: usize): bool {
  const t = threadCount(), rows = m >= n;
  const len = rows ? m : n, unit = rows ? MR : 8;
  // two panels per thread, so a thread that lags (the machine is shared) holds back less
  const chunk = ((len + 2 * t - 1) / (2 * t) + unit - 1) / unit * unit;
  const tasks = (len + chunk - 1) / chunk;
  if (tasks < 2) return false;
  const sa = gemmScratchA(rows ? chunk : m, k), sb = gemmScratchB(k, rows ? n : chunk);
  const per = (sa + sb + <usize>EDGE_BYTES + 15) & ~15;
  const bytes = per * <usize>t;
  const scratch = alloc(bytes);
  if (!scratch) return false;
  setJobArg(0, <i32>c); setJobArg(1, <i32>a); setJobArg(2, <i32>b);
  setJobArg(3, m); setJobArg(4, k); setJobArg(5, n);
  setJobArg(6, rsA); setJobArg(7, csA); setJobArg(8, rsB); setJobArg(9, csB);
  setJobArg(10, <i32>acc); setJobArg(11, <i32>scratch); setJobArg(12, <i32>per); setJobArg(13, <i32>rows);
  setJobArg(14, chunk); setJobArg(15, <i32>sa); setJobArg(16, <i32>sb); setJobArg(17, t); setJobArg(18, <i32>bias);
  runParallel(JOB_GEMM, tasks);
  free(scratch, bytes);
  return true;
}

/** Task t of a JOB_GEMM: one panel of rows or columns of C, on pool slot `slot`'s scratch. */
export function gemmTask(t: i32, slot: i32): void {
  const c = <usize>jobArg(0), a = <usize>jobArg(1), b = <usize>jobArg(2);
  const m = jobArg(3), k = jobArg(4), n = jobArg(5);
  const rsA = jobArg(6), csA = jobArg(7), rsB = jobArg(8), csB = jobArg(9);
  const acc = jobArg(10) != 0, rows = jobArg(13) != 0, chunk = jobArg(14), bias = <usize>jobArg(18);
  const s = <usize>jobArg(11) + <usize>(slot % jobArg(17)) * <usize>jobArg(12);
  const pa = s, pb = s + <usize>jobArg(15), pe = pb + <usize>jobArg(16);
  const start = t * chunk;
  if (rows) {
    const mt = min(chunk, m - start);
    blocked(c + (<usize>start * <usize>n << 2), n, a + (<usize>start * <usize>rsA << 2), b, mt, k, n,
      rsA, csA, rsB, csB, acc, pa, pb, pe, bias);
  } else {
    const nt = min(chunk, n - start);
    blocked(c + (<usize>start << 2), n, a, b + (<usize>start * <usize>csB << 2), m, k, nt,
      rsA, csA, rsB, csB, acc, pa, pb, pe, bias ? bias + (<usize>start << 2) : 0);
  }
}

/** Adds the n floats at bias to each of the m contiguous rows at c. */
function addBias(c: usize, bias: usize, m: i32, n: i32): void {
  for (let i = 0; i < m; i++) {
    const q = c + (<usize>i * <usize>n << 2);
    for (let j = 0; j < n; j++) { const o = <usize>j << 2; store<f32>(q + o, load<f32>(q + o) + load<f32>(bias + o)); }
  }
}

/** gemmF32 for n == 1, summing as the tiles do: per KC block from 0 in k order, blocks added to c. */
function columnTimes(c: usize, a: usize, b: usize, m: i32, k: i32, rsA: i32, csA: i32, rsB: i32, acc: bool, bias: usize): void {
  const rsa = <usize>rsA << 2, csa = <usize>csA << 2, rsb = <usize>rsB << 2;
  for (let pc = 0; pc < k; pc += KC) {
    const kc = min(KC, k - pc), addC = acc || pc > 0;
    const bv: f32 = bias && pc + kc >= k ? load<f32>(bias) : 0;
    const a0 = a + <usize>pc * csa, b0 = b + <usize>pc * rsb;
    let i = 0;
    // four rows at a time: four independent sums (one per lane where the sums are fused)
    for (; i + 4 <= m; i += 4) {
      let s0: f32 = 0, s1: f32 = 0, s2: f32 = 0, s3: f32 = 0;
      let pa = a0 + <usize>i * rsa, pb = b0;
      if (ASC_FEATURE_RELAXED_SIMD) {
        let s = f32x4.splat(0);
        for (let p = 0; p < kc; p++) {
          let x = f32x4.splat(load<f32>(pa));
          x = f32x4.replace_lane(x, 1, load<f32>(pa + rsa));
          x = f32x4.replace_lane(x, 2, load<f32>(pa + 2 * rsa));
          x = f32x4.replace_lane(x, 3, load<f32>(pa + 3 * rsa));
          s = madd(x, v128.load32_splat(pb), s);
          pa += csa; pb += rsb;
        }
        s0 = f32x4.extract_lane(s, 0); s1 = f32x4.extract_lane(s, 1); s2 = f32x4.extract_lane(s, 2); s3 = f32x4.extract_lane(s, 3);
      } else {
        for (let p = 0; p < kc; p++) {
          const v = load<f32>(pb);
          s0 += load<f32>(pa) * v; s1 += load<f32>(pa + rsa) * v;
          s2 += load<f32>(pa + 2 * rsa) * v; s3 += load<f32>(pa + 3 * rsa) * v;
          pa += csa; pb += rsb;
        }
      }
      const q = c + (<usize>i << 2);
      if (addC) { s0 = load<f32>(q) + s0; s1 = load<f32>(q, 4) + s1; s2 = load<f32>(q, 8) + s2; s3 = load<f32>(q, 12) + s3; }
      if (bias) { s0 += bv; s1 += bv; s2 += bv; s3 += bv; }
      store<f32>(q, s0); store<f32>(q, s1, 4); store<f32>(q, s2, 8); store<f32>(q, s3, 12);
    }
    for (; i < m; i++) {
      let s: f32 = 0;
      let pa = a0 + <usize>i * rsa, pb = b0;
      for (let p = 0; p < kc; p++) { s = maddScalar(load<f32>(pa), load<f32>(pb), s); pa += csa; pb += rsb; }
      const q = c + (<usize>i << 2);
      if (addC) s = load<f32>(q) + s;
      if (bias) s += bv;
      store<f32>(q, s);
    }
  }
}

/** gemmF32 for m == 1, summing as the tiles do; B's rows are read eight columns at a time when contiguous. */
function rowTimes(c: usize, a: usize, b: usize, k: i32, n: i32, csA: i32, rsB: i32, csB: i32, acc: bool, bias: usize): void {
  const csa = <usize>csA << 2, rsb = <usize>rsB << 2, csb = <usize>csB << 2;
  for (let pc = 0; pc < k; pc += KC) {
    const kc = min(KC, k - pc), addC = acc || pc > 0;
    const bj = bias && pc + kc >= k ? bias : 0;
    const a0 = a + <usize>pc * csa, b0 = b + <usize>pc * rsb;
    let j = 0;
    if (csB == 1) {
      for (; j + 8 <= n; j += 8) {
        let s0 = f32x4.splat(0), s1 = f32x4.splat(0);
        let pa = a0, pb = b0 + (<usize>j << 2);
        for (let p = 0; p < kc; p++) {
          const v = v128.load32_splat(pa);
          s0 = madd(v, v128.load(pb), s0); s1 = madd(v, v128.load(pb, 16), s1);
          pa += csa; pb += rsb;
        }
        const q = c + (<usize>j << 2);
        if (addC) { s0 = f32x4.add(v128.load(q), s0); s1 = f32x4.add(v128.load(q, 16), s1); }
        if (bj) { s0 = f32x4.add(s0, v128.load(bj + (<usize>j << 2))); s1 = f32x4.add(s1, v128.load(bj + (<usize>j << 2), 16)); }
        v128.store(q, s0); v128.store(q, s1, 16);
      }
    }
    for (; j < n; j++) {
      let s: f32 = 0;
      let pa = a0, pb = b0 + <usize>j * csb;
      for (let p = 0; p < kc; p++) { s = maddScalar(load<f32>(pa), load<f32>(pb), s); pa += csa; pb += rsb; }
      const q = c + (<usize>j << 2);
      if (addC) s = load<f32>(q) + s;
      if (bj) s += load<f32>(bj + (<usize>j << 2));
      store<f32>(q, s);
    }
  }
}

/** Writes the transpose of a[r,c] (contiguous) into t[c,r]. */
export function transpose2d(t: usize, a: usize, r: i32, c: i32): void {
  for (let i = 0; i < r; i++) {
    const ar = a + (<usize>(i * c) << 2);
    for (let j = 0; j < c; j++) store<f32>(t + (<usize>(j * r + i) << 2), load<f32>(ar + (<usize>j << 2)));
  }
}

/** The same product in float64 (plain loops; each output summed in p order). */
export function gemmF64(c: usize, a: usize, b: usize, m: i32, k: i32, n: i32,
                        rsA: i32, csA: i32, rsB: i32, csB: i32, acc: bool): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s: f64 = 0;
      for (let p = 0; p < k; p++) {
        s += load<f64>(a + (<usize>(i * rsA + p * csA) << 3)) * load<f64>(b + (<usize>(p * rsB + j * csB) << 3));
      }
      const o = c + (<usize>(i * n + j) << 3);
      store<f64>(o, acc ? load<f64>(o) + s : s);
    }
  }
}
