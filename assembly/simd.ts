// Small SIMD helpers shared by the kernels.

/** Sum of the four lanes of an f32x4, in lane order ((l0 + l1) + l2) + l3. */
// @ts-ignore: decorator
@inline export function hsum(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3);
}

/** Byte offset of element i of an f32 array. */
// @ts-ignore: decorator
@inline export function f4(i: i32): usize { return <usize>i << 2; }

/** dst[i] += src[i] for i < n. */
export function addInto(dst: usize, src: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = f4(i);
    v128.store(dst + o, f32x4.add(v128.load(dst + o), v128.load(src + o)));
  }
  for (; i < n; i++) {
    const o = f4(i);
    store<f32>(dst + o, load<f32>(dst + o) + load<f32>(src + o));
  }
}

/** dst[i] = v for i < n. */
export function fillF32(dst: usize, v: f32, n: i32): void {
  const s = f32x4.splat(v);
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(dst + f4(i), s);
  for (; i < n; i++) store<f32>(dst + f4(i), v);
}
