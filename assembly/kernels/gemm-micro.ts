// The register-blocked micro-kernel of the float32 GEMM (matmul.ts): a 4 x 8 tile of C from
// packed panels, A's 4 values of a k step broadcast one at a time (load32_splat) against two
// f32x4 of B's 8. Eight accumulators, two B vectors, the broadcast and a product fit x86-64's 16
// vector registers; 5x8, 6x8 and 8x8 tiles measured ~40% slower under V8 (their accumulators
// spill). Each accumulator starts at 0 and adds its k steps in order (mul then add, no fused
// multiply-add), so an output's value does not depend on where its tile falls.

/** The 4x8 tile at c (row pitch ldc bytes) from kc steps of packed panels pa (4 floats a step) and pb (8). */
export function tile4x8(kc: i32, pa: usize, pb: usize, c: usize, ldc: usize, addC: bool): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  for (let p = 0; p < kc; p++) {
    let b0 = v128.load(pb, 0), b1 = v128.load(pb, 16);
    let s = v128.load32_splat(pa, 0);
    c00 = f32x4.add(c00, f32x4.mul(s, b0)); c01 = f32x4.add(c01, f32x4.mul(s, b1));
    s = v128.load32_splat(pa, 4);
    c10 = f32x4.add(c10, f32x4.mul(s, b0)); c11 = f32x4.add(c11, f32x4.mul(s, b1));
    s = v128.load32_splat(pa, 8);
    c20 = f32x4.add(c20, f32x4.mul(s, b0)); c21 = f32x4.add(c21, f32x4.mul(s, b1));
    s = v128.load32_splat(pa, 12);
    c30 = f32x4.add(c30, f32x4.mul(s, b0)); c31 = f32x4.add(c31, f32x4.mul(s, b1));
    pa += 16; pb += 32;
  }
  let q = c;
  if (addC) { c00 = f32x4.add(v128.load(q), c00); c01 = f32x4.add(v128.load(q, 16), c01); }
  v128.store(q, c00); v128.store(q, c01, 16);
  q += ldc;
  if (addC) { c10 = f32x4.add(v128.load(q), c10); c11 = f32x4.add(v128.load(q, 16), c11); }
  v128.store(q, c10); v128.store(q, c11, 16);
  q += ldc;
  if (addC) { c20 = f32x4.add(v128.load(q), c20); c21 = f32x4.add(v128.load(q, 16), c21); }
  v128.store(q, c20); v128.store(q, c21, 16);
  q += ldc;
  if (addC) { c30 = f32x4.add(v128.load(q), c30); c31 = f32x4.add(v128.load(q, 16), c31); }
  v128.store(q, c30); v128.store(q, c31, 16);
}
