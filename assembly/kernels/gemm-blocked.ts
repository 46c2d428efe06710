// The blocking of the float32 GEMM (matmul.ts), shared by its one-thread and split paths
// (gemm-parallel.ts): block sizes, the packed-operand scratch, and the loops over KC x NC blocks
// of B and MC x KC blocks of A that feed the micro-kernel (gemm-micro.ts).

import { packA, packB } from "./gemm-pack";
import { tile4x8 } from "./gemm-micro";

// Rows of the micro-kernel's tile, and the cache blocking: a 4 x KC panel of A and a KC x 8 one
// of B (4 KiB + 8 KiB) stay in L1 while a tile is summed, an MC x KC block of A (128 KiB) in L2.
export const MR: i32 = 4;
export const KC: i32 = 256;
export const MC: i32 = 128;
export const NC: i32 = 1024;

export const EDGE_BYTES: i32 = MR * 8 * 4;
// @ts-ignore: decorator
@lazy export const edgeTile: usize = memory.data(EDGE_BYTES, 16);
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
export function macroKernel(c: usize, n: i32, pa: usize, pb: usize, mc: i32, nc: i32, kc: i32, addC: bool, bias: usize, edge: usize): void {
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
 * The blocked product of c[m, n] (row pitch ldc floats) through the packed tiles. Each MC x KC
 * block of A and KC x NC block of B is packed into scratchA / scratchB as it comes, unless
 * `packedA` / `packedB` is not 0: then that operand is already packed whole there (as
 * gemm-parallel.ts's pack tasks write it: packedAFloats / packedBFloats) and its pointer, strides
 * and scratch are not read. The blocks and their order are the same either way.
 */
export function blocked(c: usize, ldc: i32, a: usize, b: usize, m: i32, k: i32, n: i32, rsA: i32, csA: i32, rsB: i32, csB: i32,
                        acc: bool, scratchA: usize, scratchB: usize, edge: usize, bias: usize,
                        packedA: usize = 0, packedB: usize = 0): void {
  for (let jc = 0; jc < n; jc += NC) {
    const nc = min(NC, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = min(KC, k - pc);
      const addC = acc || pc > 0;
      // the bias goes in with the last k block, after the sum
      const bj = bias && pc + kc >= k ? bias + (<usize>jc << 2) : 0;
      let pb = scratchB;
      if (packedB) pb = packedB + (packedBAt(k, n, jc, pc) << 2);
      else packB(scratchB, b + (<usize>pc * <usize>rsB + <usize>jc * <usize>csB << 2), kc, nc, rsB, csB);
      for (let ic = 0; ic < m; ic += MC) {
        const mc = min(MC, m - ic);
        let pa = scratchA;
        if (packedA) pa = packedA + (packedAAt(m, k, ic, pc) << 2);
        else packA(scratchA, a + (<usize>ic * <usize>rsA + <usize>pc * <usize>csA << 2), mc, kc, rsA, csA, MR);
        macroKernel(c + (<usize>ic * <usize>ldc + <usize>jc << 2), ldc, pa, pb, mc, nc, kc, addC, bj, edge);
      }
    }
  }
}

/** `len` rounded up to whole blocks of `block` and, in the last one, to whole panels of `unit`. */
// @ts-ignore: decorator
@inline function wholePanels(len: i32, block: i32, unit: i32): i32 {
  const full = len / block * block;
  return full + (len - full + unit - 1) / unit * unit;
}

/**
 * Floats of A[m, k] packed whole: every MC x KC block, each padded to whole MR-row panels. In f64:
 * an expanded operand (stride 0) can be far larger than the memory it reads.
 */
export function packedAFloats(m: i32, k: i32): f64 { return <f64>k * <f64>wholePanels(m, MC, MR); }

/** Floats of B[k, n] packed whole: every KC x NC block, each padded to whole 8-column panels (f64, as above). */
export function packedBFloats(k: i32, n: i32): f64 { return <f64>k * <f64>wholePanels(n, NC, 8); }

/** Offset (floats) of block (ic, pc) in A packed whole: earlier row blocks, then earlier k blocks of this one. */
export function packedAAt(m: i32, k: i32, ic: i32, pc: i32): usize {
  return <usize>ic * <usize>k + <usize>pc * <usize>((min(MC, m - ic) + MR - 1) / MR * MR);
}

/** Offset (floats) of block (jc, pc) in B packed whole: earlier column blocks, then earlier k blocks of this one. */
export function packedBAt(k: i32, n: i32, jc: i32, pc: i32): usize {
  return <usize>jc * <usize>k + <usize>pc * <usize>((min(NC, n - jc) + 7) >> 3 << 3);
}
