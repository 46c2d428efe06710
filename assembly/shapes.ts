// Shape arithmetic on i32 arrays in linear memory (dims, strides in elements).

// @ts-ignore: decorator
@inline export function dimAt(p: usize, d: i32): i32 { return load<i32>(p + (<usize>d << 2)); }
// @ts-ignore: decorator
@inline export function setDim(p: usize, d: i32, v: i32): void { store<i32>(p + (<usize>d << 2), v); }

export function numelOfShape(ndim: i32, shape: usize): i32 {
  let n = 1;
  for (let d = 0; d < ndim; d++) n *= dimAt(shape, d);
  return n;
}

export function sameShape(n1: i32, s1: usize, n2: i32, s2: usize): bool {
  if (n1 != n2) return false;
  for (let d = 0; d < n1; d++) if (dimAt(s1, d) != dimAt(s2, d)) return false;
  return true;
}

/** Broadcast result of two shapes into dst; returns its ndim (inputs were validated in TS). */
export function broadcastShape(dst: usize, n1: i32, s1: usize, n2: i32, s2: usize): i32 {
  const nd = max(n1, n2);
  for (let d = 0; d < nd; d++) {
    const i1 = d - (nd - n1), i2 = d - (nd - n2);
    const a = i1 >= 0 ? dimAt(s1, i1) : 1;
    const b = i2 >= 0 ? dimAt(s2, i2) : 1;
    setDim(dst, d, a == 1 ? b : a);
  }
  return nd;
}

/** Row-major strides of a contiguous tensor of `shape`. */
export function contiguousStrides(dst: usize, ndim: i32, shape: usize): void {
  let s = 1;
  for (let d = ndim - 1; d >= 0; d--) { setDim(dst, d, s); s *= dimAt(shape, d); }
}

/**
 * Strides that read a contiguous array of shape `inShape` as if broadcast to `outShape`
 * (aligned on the right; 0 on dims the input lacks or has as 1 where out is larger).
 */
export function broadcastStrides(dst: usize, outNdim: i32, outShape: usize, inNdim: i32, inShape: usize): void {
  let s = 1;
  for (let d = outNdim - 1; d >= 0; d--) {
    const id = d - (outNdim - inNdim);
    const size = id >= 0 ? dimAt(inShape, id) : 1;
    setDim(dst, d, size == 1 && dimAt(outShape, d) != 1 ? 0 : (id >= 0 ? s : 0));
    s *= size;
  }
}

/**
 * Bit mask of the dims of `outShape` that must be summed to reduce a tensor of that shape to
 * `inShape` (leading extra dims, and dims where the input has 1). Used to undo broadcasting.
 */
export function sumToMask(outNdim: i32, outShape: usize, inNdim: i32, inShape: usize): i32 {
  let mask = 0;
  for (let d = 0; d < outNdim; d++) {
    const id = d - (outNdim - inNdim);
    if (id < 0 || (dimAt(inShape, id) == 1 && dimAt(outShape, d) != 1)) mask |= 1 << d;
  }
  return mask;
}
