// The register-blocked micro-kernel of the float32 GEMM (matmul.ts): a 4 x 8 tile of C from
// packed panels, A's 4 values of a k step broadcast one at a time (load32_splat) against two
// f32x4 of B's 8. Eight accumulators, two B vectors, the broadcast and a product fit x86-64's 16
// vector registers. Measured under V8 (bench/kernels.bench.ts and a kernel-only harness), 5x8,
// 6x8 and 8x8 tiles ran ~40-50% slower than 4x8 (their accumulators spill), so did 4x8 with k
// unrolled by 2 or 4, and broadcasting A by shuffling one loaded vector ran ~10% slower than
// load32_splat. Each accumulator starts at 0 and adds its k steps in order, so an output's value
// does not depend on where its tile falls: with mul then add in the plain build, with
// f32x4.relaxed_madd (one fused multiply-add where the engine has it, ~20% faster) in the
// relaxed-SIMD build. `madd` is the one place that choice is made; every float32 GEMM path uses it.

/** c + a * b: fused (relaxed_madd) in the relaxed-SIMD build, a product then a sum otherwise. */
// @ts-ignore: decorator
@inline export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}

/** s + x * y for one float32, rounded as one lane of `madd`. */
// @ts-ignore: decorator
@inline export function maddScalar(x: f32, y: f32, s: f32): f32 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.extract_lane(madd(f32x4.splat(x), f32x4.splat(y), f32x4.splat(s)), 0);
  return s + x * y;
}

/**
 * The 4x8 tile at c (row pitch ldc bytes) from kc steps of packed panels pa (4 floats a step) and
 * pb (8): the sum, plus c's old values when addC, plus the 8 floats at `bias` (one per column, the
 * same for every row) when bias != 0, in that order.
 */
export function tile4x8(kc: i32, pa: usize, pb: usize, c: usize, ldc: usize, addC: bool, bias: usize = 0): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(pb, 0), b1 = v128.load(pb, 16);
    let s = v128.load32_splat(pa, 0);
    c00 = madd(s, b0, c00); c01 = madd(s, b1, c01);
    s = v128.load32_splat(pa, 4);
    c10 = madd(s, b0, c10); c11 = madd(s, b1, c11);
    s = v128.load32_splat(pa, 8);
    c20 = madd(s, b0, c20); c21 = madd(s, b1, c21);
    s = v128.load32_splat(pa, 12);
    c30 = madd(s, b0, c30); c31 = madd(s, b1, c31);
    pa += 16; pb += 32;
  }
  let q = c;
  if (addC) {
    c00 = f32x4.add(v128.load(q), c00); c01 = f32x4.add(v128.load(q, 16), c01);
    c10 = f32x4.add(v128.load(q + ldc), c10); c11 = f32x4.add(v128.load(q + ldc, 16), c11);
    c20 = f32x4.add(v128.load(q + 2 * ldc), c20); c21 = f32x4.add(v128.load(q + 2 * ldc, 16), c21);
    c30 = f32x4.add(v128.load(q + 3 * ldc), c30); c31 = f32x4.add(v128.load(q + 3 * ldc, 16), c31);
  }
  if (bias) {
    const v0 = v128.load(bias), v1 = v128.load(bias, 16);
    c00 = f32x4.add(c00, v0); c01 = f32x4.add(c01, v1);
    c10 = f32x4.add(c10, v0); c11 = f32x4.add(c11, v1);
    c20 = f32x4.add(c20, v0); c21 = f32x4.add(c21, v1);
    c30 = f32x4.add(c30, v0); c31 = f32x4.add(c31, v1);
  }
  v128.store(q, c00); v128.store(q, c01, 16);
  q += ldc;
  v128.store(q, c10); v128.store(q, c11, 16);
  q += ldc;
  v128.store(q, c20); v128.store(q, c21, 16);
  q += ldc;
  v128.store(q, c30); v128.store(q, c31, 16);
}
