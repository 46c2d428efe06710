// Matrix products on contiguous row-major f32 matrices.

import { f4 } from "../simd";


/**
 * c[m,n] (+)= a[m,k] @ b[k,n]. Overwrites c unless `acc`. The core is a 4x8 register block:
 * eight f32x4 accumulators, one broadcast of a per row and two loads of b per k step. Each output
 * is summed in k order, so results are deterministic run to run.
 */
export function gemm(c: usize, a: usize, b: usize, m: i32, k: i32, n: i32, acc: bool): void {
  let i = 0;
  for (; i + 4 <= m; i += 4) {
    const a0 = a + f4(i * k), a1 = a0 + f4(k), a2 = a1 + f4(k), a3 = a2 + f4(k);
    let j = 0;
    for (; j + 8 <= n; j += 8) {
      let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
      let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
      let pb = b + f4(j);
      for (let p = 0; p < k; p++) {
        const b0 = v128.load(pb), b1 = v128.load(pb, 16);
        const o = f4(p);
        let s = f32x4.splat(load<f32>(a0 + o));
        c00 = f32x4.add(c00, f32x4.mul(s, b0)); c01 = f32x4.add(c01, f32x4.mul(s, b1));
        s = f32x4.splat(load<f32>(a1 + o));
        c10 = f32x4.add(c10, f32x4.mul(s, b0)); c11 = f32x4.add(c11, f32x4.mul(s, b1));
        s = f32x4.splat(load<f32>(a2 + o));
        c20 = f32x4.add(c20, f32x4.mul(s, b0)); c21 = f32x4.add(c21, f32x4.mul(s, b1));
        s = f32x4.splat(load<f32>(a3 + o));
        c30 = f32x4.add(c30, f32x4.mul(s, b0)); c31 = f32x4.add(c31, f32x4.mul(s, b1));
        pb += f4(n);
      }
      const r0 = c + f4(i * n + j), r1 = r0 + f4(n), r2 = r1 + f4(n), r3 = r2 + f4(n);
      if (acc) {
        c00 = f32x4.add(c00, v128.load(r0)); c01 = f32x4.add(c01, v128.load(r0, 16));
        c10 = f32x4.add(c10, v128.load(r1)); c11 = f32x4.add(c11, v128.load(r1, 16));
        c20 = f32x4.add(c20, v128.load(r2)); c21 = f32x4.add(c21, v128.load(r2, 16));
        c30 = f32x4.add(c30, v128.load(r3)); c31 = f32x4.add(c31, v128.load(r3, 16));
      }
      v128.store(r0, c00); v128.store(r0, c01, 16);
      v128.store(r1, c10); v128.store(r1, c11, 16);
      v128.store(r2, c20); v128.store(r2, c21, 16);
      v128.store(r3, c30); v128.store(r3, c31, 16);
    }
    if (j < n) rowsTail(c, a, b, i, i + 4, j, k, n, acc);
  }
  if (i < m) rowsTail(c, a, b, i, m, 0, k, n, acc);
}

/** Rows [i0, i1), columns [j0, n) of gemm: one row at a time, 4 columns per f32x4. */
function rowsTail(c: usize, a: usize, b: usize, i0: i32, i1: i32, j0: i32, k: i32, n: i32, acc: bool): void {
  for (let i = i0; i < i1; i++) {
    const ar = a + f4(i * k), cr = c + f4(i * n);
    let j = j0;
    for (; j + 4 <= n; j += 4) {
      let s = f32x4.splat(0);
      let pb = b + f4(j);
      for (let p = 0; p < k; p++) {
        s = f32x4.add(s, f32x4.mul(f32x4.splat(load<f32>(ar + f4(p))), v128.load(pb)));
        pb += f4(n);
      }
      if (acc) s = f32x4.add(s, v128.load(cr + f4(j)));
      v128.store(cr + f4(j), s);
    }
    for (; j < n; j++) {
      let s: f32 = 0;
      for (let p = 0; p < k; p++) s += load<f32>(ar + f4(p)) * load<f32>(b + f4(p * n + j));
      if (acc) s += load<f32>(cr + f4(j));
      store<f32>(cr + f4(j), s);
    }
  }
}

/** Writes the transpose of a[r,c] (contiguous) into t[c,r]. */
export function transpose2d(t: usize, a: usize, r: i32, c: i32): void {
  for (let i = 0; i < r; i++) {
    const ar = a + f4(i * c);
    for (let j = 0; j < c; j++) store<f32>(t + f4(j * r + i), load<f32>(ar + f4(j)));
  }
}

/**
 * c[m,n] (+)= A @ B where element (i, p) of A is at a + (i*rsA + p*csA) elements and (p, j) of B
 * at b + (p*rsB + j*csB); c is contiguous. Operands that are not row-major (transposed views,
 * the backward shapes A^T B and A B^T) are packed into row-major blocks first.
 */
export function gemmF32(c: usize, a: usize, b: usize, m: i32, k: i32, n: i32,
                        rsA: i32, csA: i32, rsB: i32, csB: i32, acc: bool, scratchA: usize, scratchB: usize): void {
  let pa = a, pb = b;
  if (!(csA == 1 && rsA == k)) { pack(scratchA, a, m, k, rsA, csA); pa = scratchA; }
  if (!(csB == 1 && rsB == n)) { pack(scratchB, b, k, n, rsB, csB); pb = scratchB; }
  gemm(c, pa, pb, m, k, n, acc);
}

/** dst[r, c] (row-major) = src element (i*rs + j*cs). */
export function pack(dst: usize, src: usize, r: i32, c: i32, rs: i32, cs: i32): void {
  for (let i = 0; i < r; i++) {
    const row = src + (<usize>(i * rs) << 2), d = dst + (<usize>(i * c) << 2);
    if (cs == 1) memory.copy(d, row, <usize>c << 2);
    else for (let j = 0; j < c; j++) store<f32>(d + (<usize>j << 2), load<f32>(row + (<usize>(j * cs) << 2)));
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
