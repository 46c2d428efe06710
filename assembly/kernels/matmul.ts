// Matrix products. float32: a GotoBLAS-style blocked GEMM. k is cut into KC-deep blocks and n
// into NC-wide ones; each KC x NC block of B is packed into 8-column panels (1 MiB, in L3), each
// MC x KC block of A into MR-row panels, and a register-blocked MR x 8 micro-kernel
// (gemm-micro.ts) sweeps them (the blocking: gemm-blocked.ts; the split across threads:
// gemm-parallel.ts). Every output is summed the same way whatever m, n and its place in the
// tiling: within a KC block from 0 in k order, and the blocks added to C in k order. This file:
// the entry points, the one-row and one-column products, and float64.

import { madd, maddScalar } from "./gemm-micro";
import { KC, edgeTile, blocked } from "./gemm-blocked";
import { gemmParallel, PAR_MIN_MACS } from "./gemm-parallel";
import { threadCount } from "./parallel";

export { gemmScratchA, gemmScratchB } from "./gemm-blocked";

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
