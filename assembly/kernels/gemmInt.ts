// Integer matrix products (int32, wrapping as PyTorch's int32 arithmetic does): plain loops, each
// output summed in p order. Strides in elements, as gemmF32's.

/** c[m,n] (+)= A @ B for int32, element (i, p) of A at a + (i*rsA + p*csA), (p, j) of B at b + (p*rsB + j*csB). */
export function gemmI32(c: usize, a: usize, b: usize, m: i32, k: i32, n: i32,
                        rsA: i32, csA: i32, rsB: i32, csB: i32, acc: bool): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s: i32 = 0;
      for (let p = 0; p < k; p++) {
        s += load<i32>(a + (<usize>(i * rsA + p * csA) << 2)) * load<i32>(b + (<usize>(p * rsB + j * csB) << 2));
      }
      const o = c + (<usize>(i * n + j) << 2);
      store<i32>(o, acc ? load<i32>(o) + s : s);
    }
  }
}
