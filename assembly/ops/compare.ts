// Whole-tensor comparisons with a boolean answer (torch.allclose, torch.equal). Never recorded.

import { DType, MAX_DIMS } from "../abi";
import { alloc, free } from "../memory";
import { dataPtr, numelOf, dtypeOf, elemShift, release } from "../tensor";
import { C_EQ } from "../kernels/binary";
import { readStrides, broadcastShape } from "./common";
import { compare } from "./binary";
import { copyStrided } from "../kernels/layout";

// @ts-ignore: decorator
@lazy const shape: usize = memory.data(MAX_DIMS * 4, 16);
// @ts-ignore: decorator
@lazy const rs: usize = memory.data(MAX_DIMS * 4, 16);

/** torch.isclose for one pair, in T: equal, both NaN (equalNan), or finite |a - b| <= atol + |rtol * b|. */
// @ts-ignore: decorator
@inline function close<T>(a: T, b: T, rtol: T, atol: T, equalNan: bool): bool {
  if (a == b) return true;
  if (equalNan && a != a && b != b) return true;
  const d = a - b, e = d < <T>0 ? -d : d;
  const rb = rtol * b;
  return e - e == <T>0 && e <= atol + (rb < <T>0 ? -rb : rb);
}

function allClose<T>(pa: usize, pb: usize, n: i32, rtol: f64, atol: f64, equalNan: bool): bool {
  const sh = alignof<T>(), r = <T>rtol, t = <T>atol;
  for (let i = 0; i < n; i++) {
    if (!close<T>(load<T>(pa + (<usize>i << sh)), load<T>(pb + (<usize>i << sh)), r, t, equalNan)) return false;
  }
  return true;
}

/**
 * torch.allclose(a, b, rtol, atol, equal_nan) for tensors of one dtype (checked in TS) whose
 * shapes broadcast: 2 (true), 1 (false), or 0 when out of memory. Floats compare in their own precision,
 * integers in f64 (exact for int32).
 */
export function allcloseOp(a: i32, b: i32, rtol: f64, atol: f64, equalNan: bool): i32 {
  const nd = broadcastShape(shape, a, b);
  let n = 1;
  for (let d = 0; d < nd; d++) n *= load<i32>(shape + (<usize>d << 2));
  const dt = dtypeOf(a) == DType.Float32 ? DType.Float32 : DType.Float64;
  const bytes = <usize>max(n, 1) << elemShift(dt);
  const pa = alloc(bytes), pb = alloc(bytes);
  if (!pa || !pb) { if (pa) free(pa, bytes); if (pb) free(pb, bytes); return 0; }
  readStrides(rs, a, nd, shape);
  copyStrided(pa, dt, 0, dataPtr(a), dtypeOf(a), rs, nd, shape);
  readStrides(rs, b, nd, shape);
  copyStrided(pb, dt, 0, dataPtr(b), dtypeOf(b), rs, nd, shape);
  const ok = dt == DType.Float32 ? allClose<f32>(pa, pb, n, rtol, atol, equalNan) : allClose<f64>(pa, pb, n, rtol, atol, equalNan);
  free(pa, bytes); free(pb, bytes);
  return ok ? 2 : 1;
}

/** torch.equal for tensors of one shape (checked in TS), compared in dtype dt: 2 (true), 1 (false), or 0 when out of memory. */
export function equalOp(a: i32, b: i32, dt: i32): i32 {
  const eq = compare(C_EQ, a, b, dt);
  if (!eq) return 0;
  const p = dataPtr(eq), n = numelOf(eq);
  let ok = true;
  for (let i = 0; i < n && ok; i++) if (!load<u8>(p + <usize>i)) ok = false;
  release(eq);
  return ok ? 2 : 1;
}
