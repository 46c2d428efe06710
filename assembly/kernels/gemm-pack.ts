// Packing of the float32 GEMM's operand blocks (matmul.ts) into the panel layout its micro-kernels
// stream: both operands are read through their element strides, so a transposed view is packed
// in place with no transposed copy first. Panels are padded with zeros to full width; the padded
// lanes are computed and never stored.

/**
 * A block of mc rows and kc columns (element (i, p) at src + (i*rs + p*cs) floats) as
 * ceil(mc/mr) panels of kc steps of mr floats: panel g, step p, row r at dst[(g*kc + p)*mr + r].
 */
export function packA(dst: usize, src: usize, mc: i32, kc: i32, rs: i32, cs: i32, mr: i32): void {
  const rsb = <usize>rs << 2, csb = <usize>cs << 2;
  for (let ir = 0; ir < mc; ir += mr) {
    const rows = min(mr, mc - ir);
    let d = dst + (<usize>ir * <usize>kc << 2);
    const row0 = src + <usize>ir * rsb;
    if (rows == mr && cs == 1 && (mr & 3) == 0) {
      // row-major rows: four steps of four rows at a time, transposed in registers
      let p = 0;
      for (; p + 4 <= kc; p += 4) {
        for (let r = 0; r < mr; r += 4) {
          const s = row0 + <usize>r * rsb + (<usize>p << 2);
          const x0 = v128.load(s), x1 = v128.load(s + rsb), x2 = v128.load(s + 2 * rsb), x3 = v128.load(s + 3 * rsb);
          const t0 = v128.shuffle<i32>(x0, x1, 0, 4, 1, 5), t1 = v128.shuffle<i32>(x2, x3, 0, 4, 1, 5);
          const t2 = v128.shuffle<i32>(x0, x1, 2, 6, 3, 7), t3 = v128.shuffle<i32>(x2, x3, 2, 6, 3, 7);
          const q = d + (<usize>r << 2), st = <usize>mr << 2;
          v128.store(q, v128.shuffle<i64>(t0, t1, 0, 2));
          v128.store(q + st, v128.shuffle<i64>(t0, t1, 1, 3));
          v128.store(q + 2 * st, v128.shuffle<i64>(t2, t3, 0, 2));
          v128.store(q + 3 * st, v128.shuffle<i64>(t2, t3, 1, 3));
        }
        d += <usize>(4 * mr) << 2;
      }
      for (; p < kc; p++) {
        const s = row0 + (<usize>p << 2);
        for (let r = 0; r < mr; r++) store<f32>(d + (<usize>r << 2), load<f32>(s + <usize>r * rsb));
        d += <usize>mr << 2;
      }
      continue;
    }
    if (rows == 4 && mr == 4 && rs == 1) {
      // columns contiguous (a transposed operand): each step's four rows are one load
      for (let p = 0; p < kc; p++) { v128.store(d, v128.load(row0 + <usize>p * csb)); d += 16; }
      continue;
    }
    for (let p = 0; p < kc; p++) {
      const s = row0 + <usize>p * csb;
      let r = 0;
      for (; r < rows; r++) store<f32>(d + (<usize>r << 2), load<f32>(s + <usize>r * rsb));
      for (; r < mr; r++) store<f32>(d + (<usize>r << 2), 0);
      d += <usize>mr << 2;
    }
  }
}

/**
 * A block of kc rows and nc columns (element (p, j) at src + (p*rs + j*cs) floats) as
 * ceil(nc/8) panels of kc steps of 8 floats: panel g, step p, column j at dst[(g*kc + p)*8 + j].
 */
export function packB(dst: usize, src: usize, kc: i32, nc: i32, rs: i32, cs: i32): void {
  const rsb = <usize>rs << 2, csb = <usize>cs << 2;
  for (let jr = 0; jr < nc; jr += 8) {
    const cols = min(8, nc - jr);
    let d = dst + (<usize>jr * <usize>kc << 2);
    let s = src + <usize>jr * csb;
    if (cols == 8 && cs == 1) {
      for (let p = 0; p < kc; p++) {
        v128.store(d, v128.load(s)); v128.store(d, v128.load(s, 16), 16);
        d += 32; s += rsb;
      }
    } else if (cols == 8 && rs == 1) {
      // columns contiguous (a transposed operand): eight columns of four steps each, transposed
      let p = 0;
      for (; p + 4 <= kc; p += 4) {
        for (let h = 0; h < 8; h += 4) {
          const q = s + <usize>h * csb + (<usize>p << 2);
          const x0 = v128.load(q), x1 = v128.load(q + csb), x2 = v128.load(q + 2 * csb), x3 = v128.load(q + 3 * csb);
          const t0 = v128.shuffle<i32>(x0, x1, 0, 4, 1, 5), t1 = v128.shuffle<i32>(x2, x3, 0, 4, 1, 5);
          const t2 = v128.shuffle<i32>(x0, x1, 2, 6, 3, 7), t3 = v128.shuffle<i32>(x2, x3, 2, 6, 3, 7);
          const e = d + (<usize>h << 2);
          v128.store(e, v128.shuffle<i64>(t0, t1, 0, 2));
          v128.store(e + 32, v128.shuffle<i64>(t0, t1, 1, 3));
          v128.store(e + 64, v128.shuffle<i64>(t2, t3, 0, 2));
          v128.store(e + 96, v128.shuffle<i64>(t2, t3, 1, 3));
        }
        d += 128;
      }
      for (; p < kc; p++) {
        const q = s + (<usize>p << 2);
        for (let j = 0; j < 8; j++) store<f32>(d + (<usize>j << 2), load<f32>(q + <usize>j * csb));
        d += 32;
      }
    } else {
      for (let p = 0; p < kc; p++) {
        let j = 0;
        for (; j < cols; j++) store<f32>(d + (<usize>j << 2), load<f32>(s + <usize>j * csb));
        for (; j < 8; j++) store<f32>(d + (<usize>j << 2), 0);
        d += 32; s += rsb;
      }
    }
  }
}
