// im2col / col2im for one image: the patches a 2-D convolution (or pooling window) reads, laid
// out as a [C * kh * kw, OH * OW] matrix so that the convolution is one GEMM. col2im is its
// adjoint (it adds each patch element back to the pixel it came from). Out-of-image positions
// (padding) read as 0 and are skipped on the way back.

/** Geometry of a 2-D window op: sizes, strides, paddings, dilations (an i32 block of 14). */
export const G_C: i32 = 0;
export const G_H: i32 = 1;
export const G_W: i32 = 2;
export const G_KH: i32 = 3;
export const G_KW: i32 = 4;
export const G_SH: i32 = 5;
export const G_SW: i32 = 6;
export const G_PH: i32 = 7;
export const G_PW: i32 = 8;
export const G_DH: i32 = 9;
export const G_DW: i32 = 10;
export const G_OH: i32 = 11;
export const G_OW: i32 = 12;
export const G_LEN: i32 = 13;

// @ts-ignore: decorator
@inline export function geo(g: usize, i: i32): i32 { return load<i32>(g + (<usize>i << 2)); }

/** n elements from src to dst (no overlap), 16 bytes at a time. */
// @ts-ignore: decorator
@inline function copyRun(dst: usize, src: usize, n: i32, es: usize): void {
  const bytes = <usize>n << es;
  let b: usize = 0;
  for (; b + 16 <= bytes; b += 16) v128.store(dst + b, v128.load(src + b));
  for (; b < bytes; b += 4) store<u32>(dst + b, load<u32>(src + b));
}

/** dst[0..n) += src[0..n) for float32 or float64 elements, a vector at a time. */
// @ts-ignore: decorator
@inline function addRun<T>(dst: usize, src: usize, n: i32): void {
  const bytes = <usize>n << alignof<T>();
  let b: usize = 0;
  if (sizeof<T>() == 4) for (; b + 16 <= bytes; b += 16) v128.store(dst + b, f32x4.add(v128.load(dst + b), v128.load(src + b)));
  else for (; b + 16 <= bytes; b += 16) v128.store(dst + b, f64x2.add(v128.load(dst + b), v128.load(src + b)));
  for (; b < bytes; b += sizeof<T>()) store<T>(dst + b, load<T>(dst + b) + load<T>(src + b));
}

/** The outputs ox in [lo, hi) of a kernel column j read inside the row (stride 1): [pw - j*dw, W + pw - j*dw) within [0, OW). */
// @ts-ignore: decorator
@inline function runLo(pw: i32, j: i32, dw: i32, OW: i32): i32 { return min(max(pw - j * dw, 0), OW); }
// @ts-ignore: decorator
@inline function runHi(W: i32, pw: i32, j: i32, dw: i32, OW: i32, lo: i32): i32 { return max(min(W + pw - j * dw, OW), lo); }

/** col[(c*kh + i)*kw + j, oy*OW + ox] = x[c, oy*sh - ph + i*dh, ox*sw - pw + j*dw] (0 outside). */
export function im2col<T>(col: usize, x: usize, g: usize): void {
  const C = geo(g, G_C), H = geo(g, G_H), W = geo(g, G_W), kh = geo(g, G_KH), kw = geo(g, G_KW);
  const sh = geo(g, G_SH), sw = geo(g, G_SW), ph = geo(g, G_PH), pw = geo(g, G_PW);
  const dh = geo(g, G_DH), dw = geo(g, G_DW), OH = geo(g, G_OH), OW = geo(g, G_OW);
  const L = OH * OW, es = alignof<T>();
  let row = 0;
  for (let c = 0; c < C; c++) {
    const xc = x + (<usize>(c * H * W) << es);
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        const dst = col + (<usize>(row * L) << es);
        for (let oy = 0; oy < OH; oy++) {
          const y = oy * sh - ph + i * dh;
          const d = dst + (<usize>(oy * OW) << es);
          if (y < 0 || y >= H) {
            for (let ox = 0; ox < OW; ox++) store<T>(d + (<usize>ox << es), <T>0);
            continue;
          }
          const xr = xc + (<usize>(y * W) << es);
          if (sw == 1) {
            // one contiguous run of the row, padding zeros either side
            const lo = runLo(pw, j, dw, OW), hi = runHi(W, pw, j, dw, OW, lo);
            for (let ox = 0; ox < lo; ox++) store<T>(d + (<usize>ox << es), <T>0);
            copyRun(d + (<usize>lo << es), xr + (<usize>(lo - pw + j * dw) << es), hi - lo, es);
            for (let ox = hi; ox < OW; ox++) store<T>(d + (<usize>ox << es), <T>0);
            continue;
          }
          for (let ox = 0; ox < OW; ox++) {
            const xx = ox * sw - pw + j * dw;
            store<T>(d + (<usize>ox << es), xx >= 0 && xx < W ? load<T>(xr + (<usize>xx << es)) : <T>0);
          }
        }
        row++;
      }
    }
  }
}

/** The adjoint of im2col: x[c, y, x] += col[...] for every patch element that came from it. */
export function col2im<T>(x: usize, col: usize, g: usize): void {
  const C = geo(g, G_C), H = geo(g, G_H), W = geo(g, G_W), kh = geo(g, G_KH), kw = geo(g, G_KW);
  const sh = geo(g, G_SH), sw = geo(g, G_SW), ph = geo(g, G_PH), pw = geo(g, G_PW);
  const dh = geo(g, G_DH), dw = geo(g, G_DW), OH = geo(g, G_OH), OW = geo(g, G_OW);
  const L = OH * OW, es = alignof<T>();
  let row = 0;
  for (let c = 0; c < C; c++) {
    const xc = x + (<usize>(c * H * W) << es);
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        const src = col + (<usize>(row * L) << es);
        for (let oy = 0; oy < OH; oy++) {
          const y = oy * sh - ph + i * dh;
          if (y < 0 || y >= H) continue;
          const s = src + (<usize>(oy * OW) << es);
          const xr = xc + (<usize>(y * W) << es);
          if (sw == 1) {
            const lo = runLo(pw, j, dw, OW), hi = runHi(W, pw, j, dw, OW, lo);
            addRun<T>(xr + (<usize>(lo - pw + j * dw) << es), s + (<usize>lo << es), hi - lo);
            continue;
          }
          for (let ox = 0; ox < OW; ox++) {
            const xx = ox * sw - pw + j * dw;
            if (xx >= 0 && xx < W) {
              const p = xr + (<usize>xx << es);
              store<T>(p, load<T>(p) + load<T>(s + (<usize>ox << es)));
            }
          }
        }
        row++;
      }
    }
  }
}
