// Max pooling's common case: float32, 2 x 2 windows, stride 2, no padding or dilation, every
// window inside the plane (what `maxPool2d(x, 2)` is in nearly every CNN). Four outputs at a time:
// the even and odd columns of two input rows are split with shuffles and compared lane-wise. The
// result and the indices are exactly the general loop's (pool.ts): the first maximum in window
// order (row 0 left, right, row 1 left, right), and the first NaN wins and stops the window.

/** po[plane, oy, ox] = max of each window of px, pi = its index y * W + x within the plane. */
export function maxPool2x2F32(px: usize, po: usize, pi: usize, planes: i32, H: i32, W: i32, OH: i32, OW: i32): void {
  const step = i32x4.splat(8);
  for (let pl = 0; pl < planes; pl++) {
    const inPlane = px + (<usize>pl * <usize>H * <usize>W << 2);
    let o = <usize>pl * <usize>OH * <usize>OW;
    for (let oy = 0; oy < OH; oy++) {
      const y = 2 * oy;
      const r0 = inPlane + (<usize>y * <usize>W << 2), r1 = r0 + (<usize>W << 2);
      let ox = 0;
      // indices of the four window corners for outputs ox .. ox+3
      let i0 = i32x4.add(i32x4.splat(y * W), i32x4(0, 2, 4, 6));
      for (; ox + 4 <= OW; ox += 4) {
        const q = <usize>ox << 3;
        const u0 = v128.load(r0 + q), u1 = v128.load(r0 + q, 16);
        const w0 = v128.load(r1 + q), w1 = v128.load(r1 + q, 16);
        const a = v128.shuffle<f32>(u0, u1, 0, 2, 4, 6), b = v128.shuffle<f32>(u0, u1, 1, 3, 5, 7);
        const c = v128.shuffle<f32>(w0, w1, 0, 2, 4, 6), d = v128.shuffle<f32>(w0, w1, 1, 3, 5, 7);
        let m = a, at = i0;
        // a later corner is taken where it is larger or NaN, unless a NaN was already taken
        let take = v128.and(f32x4.eq(m, m), v128.or(f32x4.gt(b, m), f32x4.ne(b, b)));
        m = v128.bitselect(b, m, take); at = v128.bitselect(i32x4.add(i0, i32x4.splat(1)), at, take);
        take = v128.and(f32x4.eq(m, m), v128.or(f32x4.gt(c, m), f32x4.ne(c, c)));
        m = v128.bitselect(c, m, take); at = v128.bitselect(i32x4.add(i0, i32x4.splat(W)), at, take);
        take = v128.and(f32x4.eq(m, m), v128.or(f32x4.gt(d, m), f32x4.ne(d, d)));
        m = v128.bitselect(d, m, take); at = v128.bitselect(i32x4.add(i0, i32x4.splat(W + 1)), at, take);
        v128.store(po + (o << 2), m);
        v128.store(pi + (o << 2), at);
        o += 4;
        i0 = i32x4.add(i0, step);
      }
      for (; ox < OW; ox++) {
        const x = 2 * ox, k = <usize>x << 2;
        let best = load<f32>(r0 + k), at = y * W + x;
        if (best == best) {
          const b = load<f32>(r0 + k, 4);
          if (b > best || b != b) { best = b; at = y * W + x + 1; }
        }
        if (best == best) {
          const c = load<f32>(r1 + k);
          if (c > best || c != c) { best = c; at = (y + 1) * W + x; }
        }
        if (best == best) {
          const d = load<f32>(r1 + k, 4);
          if (d > best || d != d) { best = d; at = (y + 1) * W + x + 1; }
        }
        store<f32>(po + (o << 2), best);
        store<i32>(pi + (o << 2), at);
        o++;
      }
    }
  }
}

/** po (zeroed, planes of L = H * W floats) += pg scattered to the indices pi (planes of n floats): max pooling's backward. */
export function scatterAddF32(po: usize, pg: usize, pi: usize, planes: i32, L: i32, n: i32): void {
  for (let pl = 0; pl < planes; pl++) {
    const out = po + (<usize>pl * <usize>L << 2);
    const g = pg + (<usize>pl * <usize>n << 2), ix = pi + (<usize>pl * <usize>n << 2);
    for (let i = 0; i < n; i++) {
      const at = load<i32>(ix + (<usize>i << 2));
      if (at >= 0) {
        const q = out + (<usize>at << 2);
        store<f32>(q, load<f32>(q) + load<f32>(g + (<usize>i << 2)));
      }
    }
  }
}

/** po[plane, i] = pc[plane, pi[plane, i]] (0 where the index is -1): the adjoint of scatterAddF32. */
export function gatherF32(po: usize, pc: usize, pi: usize, planes: i32, L: i32, n: i32): void {
  for (let pl = 0; pl < planes; pl++) {
    const src = pc + (<usize>pl * <usize>L << 2);
    const o = po + (<usize>pl * <usize>n << 2), ix = pi + (<usize>pl * <usize>n << 2);
    for (let i = 0; i < n; i++) {
      const at = load<i32>(ix + (<usize>i << 2));
      store<f32>(o + (<usize>i << 2), at >= 0 ? load<f32>(src + (<usize>at << 2)) : 0);
    }
  }
}
