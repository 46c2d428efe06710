// 2-D pooling: max (with the indices of the chosen elements), average and adaptive average, with
// their backward products as ops of their own. Each pair is adjoint (max: scatter to indices /
// gather from indices; average: spread over the window / average over the window), so the rules
// close over each other and derivatives of any order work. Input [N, C, H, W], contiguous copies.

import { OpCode, DType, MAX_DIMS } from "../abi";
import { dataPtr, dimOf, dtypeOf, newTensor, release, numelOf } from "../tensor";
import { newNode, attach, shouldRecord, save, setAttrI, attrIPtr } from "../autograd/tape";
import { asDtype, dropAs, failed, scratch, setDim, dimAt } from "./common";
import { saved, give } from "../autograd/backward";
import { maxPool2x2F32, scatterAddF32, gatherF32 } from "../kernels/pool2x2";

// Parameter block: kh kw sh sw ph pw dh dw ceil countIncludePad divisorOverride H W OH OW
const P_LEN: i32 = 15;
const MODE_AVG: i32 = 0;
const MODE_ADAPTIVE: i32 = 1;

// @ts-ignore: decorator
@lazy const shape4: usize = memory.data(MAX_DIMS * 4, 16);
// @ts-ignore: decorator
@lazy const pb: usize = memory.data(P_LEN * 4, 16);
// @ts-ignore: decorator
@lazy const ins: usize = memory.data(16, 16);

// @ts-ignore: decorator
@inline function P(p: usize, i: i32): i32 { return load<i32>(p + (<usize>i << 2)); }

function newLike4(n: i32, c: i32, h: i32, w: i32, dt: i32): i32 {
  setDim(shape4, 0, n); setDim(shape4, 1, c); setDim(shape4, 2, h); setDim(shape4, 3, w);
  return newTensor(4, shape4, dt);
}

function record(op: i32, out: i32, a: i32, b: i32, p: usize, saveB: bool): i32 {
  store<i32>(ins, a); store<i32>(ins, b, 4);
  const node = newNode(op, 1, ins, saveB ? 1 : 0, 0, P_LEN);
  if (!node) return failed(out);
  for (let i = 0; i < P_LEN; i++) setAttrI(node, i, P(p, i));
  attach(node, out);
  if (saveB && !save(node, 0, b, false)) return failed(out);
  return out;
}

// @ts-ignore: decorator
@inline function ld(p: usize, i: i32, f64: bool): f64 { return f64 ? load<f64>(p + (<usize>i << 3)) : <f64>load<f32>(p + (<usize>i << 2)); }
// @ts-ignore: decorator
@inline function st(p: usize, i: i32, v: f64, f64: bool): void { if (f64) store<f64>(p + (<usize>i << 3), v); else store<f32>(p + (<usize>i << 2), <f32>v); }

/** Windows of 2 x 2 at stride 2 with no padding or dilation, all inside the plane (pool2x2.ts). */
function is2x2(p: usize): bool {
  return P(p, 0) == 2 && P(p, 1) == 2 && P(p, 2) == 2 && P(p, 3) == 2 && P(p, 4) == 0 && P(p, 5) == 0
    && P(p, 6) == 1 && P(p, 7) == 1 && 2 * P(p, 13) <= P(p, 11) && 2 * P(p, 14) <= P(p, 12);
}

/** max_pool2d: values and int32 indices (y * W + x within each plane, as torch). */
export function maxPool2dAt(x: i32, p: usize): i32 {
  if (!x) return 0;
  const dt = dtypeOf(x), f = dt == DType.Float64;
  const N = dimOf(x, 0), C = dimOf(x, 1), H = P(p, 11), W = P(p, 12), OH = P(p, 13), OW = P(p, 14);
  const out = newLike4(N, C, OH, OW, dt);
  const idx = out ? newLike4(N, C, OH, OW, DType.Int32) : 0;
  const px = asDtype(x, dt);
  if (!out || !idx || !px) { if (idx) release(idx); dropAs(x, dt, px); return failed(out); }
  const po = dataPtr(out), pi = dataPtr(idx);
  if (!f && is2x2(p)) maxPool2x2F32(px, po, pi, N * C, H, W, OH, OW);
  else for (let pl = 0; pl < N * C; pl++) {
    const base = pl * H * W, obase = pl * OH * OW;
    for (let oy = 0; oy < OH; oy++) for (let ox = 0; ox < OW; ox++) {
      let best: f64 = -Infinity, at = -1;
      for (let i = 0; i < P(p, 0); i++) {
        const y = oy * P(p, 2) - P(p, 4) + i * P(p, 6);
        if (y < 0 || y >= H) continue;
        for (let j = 0; j < P(p, 1); j++) {
          const xx = ox * P(p, 3) - P(p, 5) + j * P(p, 7);
          if (xx < 0 || xx >= W) continue;
          const v = ld(px, base + y * W + xx, f);
          // NaN wins, as torch's max pooling
          if (at < 0 || v > best || v != v) { best = v; at = y * W + xx; if (v != v) break; }
        }
        if (best != best) break;
      }
      st(po, obase + oy * OW + ox, best, f);
      store<i32>(pi + (<usize>(obase + oy * OW + ox) << 2), at);
    }
  }
  dropAs(x, dt, px);
  if (shouldRecord(x, 0) && !record(OpCode.MaxPool2d, out, x, idx, p, true)) { release(idx); return 0; }
  // the indices are handed back through the second result slot
  lastIndices = idx;
  return out;
}
// @ts-ignore: decorator
@lazy let lastIndices: i32 = 0;
/** The indices tensor of the last maxPool2d call (a new reference owned by the caller). */
export function maxPoolIndices(): i32 { const r = lastIndices; lastIndices = 0; return r; }

/** out[n, c, H, W] = g scattered (added) to the positions in idx (maxPool2d's backward). */
export function maxPoolScatter(g: i32, idx: i32, p: usize): i32 {
  if (!g || !idx) return 0;
  const dt = dtypeOf(g), f = dt == DType.Float64;
  const N = dimOf(g, 0), C = dimOf(g, 1), H = P(p, 11), W = P(p, 12), L = P(p, 13) * P(p, 14);
  const out = newLike4(N, C, H, W, dt);
  const pg = asDtype(g, dt);
  if (!out || !pg) { dropAs(g, dt, pg); return failed(out); }
  const po = dataPtr(out), pi = dataPtr(idx);
  memory.fill(po, 0, <usize>numelOf(out) << (f ? 3 : 2));
  if (!f) scatterAddF32(po, pg, pi, N * C, H * W, L);
  else for (let pl = 0; pl < N * C; pl++) for (let i = 0; i < L; i++) {
    const at = load<i32>(pi + (<usize>(pl * L + i) << 2));
    if (at >= 0) st(po, pl * H * W + at, ld(po, pl * H * W + at, f) + ld(pg, pl * L + i, f), f);
  }
  dropAs(g, dt, pg);
  if (!shouldRecord(g, 0)) return out;
  return record(OpCode.MaxPool2dBackward, out, g, idx, p, true);
}

/** out[n, c, i] = c[n, c, idx[n, c, i]]: the adjoint of maxPoolScatter. */
export function poolGather(c: i32, idx: i32, p: usize): i32 {
  if (!c || !idx) return 0;
  const dt = dtypeOf(c), f = dt == DType.Float64;
  const N = dimOf(c, 0), C = dimOf(c, 1), H = P(p, 11), W = P(p, 12), L = P(p, 13) * P(p, 14);
  const out = newLike4(N, C, P(p, 13), P(p, 14), dt);
  const pc = asDtype(c, dt);
  if (!out || !pc) { dropAs(c, dt, pc); return failed(out); }
  const po = dataPtr(out), pi = dataPtr(idx);
  if (!f) gatherF32(po, pc, pi, N * C, H * W, L);
  else for (let pl = 0; pl < N * C; pl++) for (let i = 0; i < L; i++) {
    const at = load<i32>(pi + (<usize>(pl * L + i) << 2));
    st(po, pl * L + i, at >= 0 ? ld(pc, pl * H * W + at, f) : 0, f);
  }
  dropAs(c, dt, pc);
  if (!shouldRecord(c, 0)) return out;
  return record(OpCode.PoolGather, out, c, idx, p, true);
}

// ---- average pooling ---------------------------------------------------------------------

// Window of output (oy, ox): rows [y0, y1), cols [x0, x1) and the divisor.
// @ts-ignore: decorator
@lazy let y0: i32 = 0;
// @ts-ignore: decorator
@lazy let y1: i32 = 0;
// @ts-ignore: decorator
@lazy let x0: i32 = 0;
// @ts-ignore: decorator
@lazy let x1: i32 = 0;
// @ts-ignore: decorator
@lazy let divisor: f64 = 1;

function window(mode: i32, p: usize, oy: i32, ox: i32): void {
  const H = P(p, 11), W = P(p, 12);
  if (mode == MODE_ADAPTIVE) {
    const OH = P(p, 13), OW = P(p, 14);
    y0 = (oy * H) / OH; y1 = ((oy + 1) * H + OH - 1) / OH;
    x0 = (ox * W) / OW; x1 = ((ox + 1) * W + OW - 1) / OW;
    divisor = <f64>((y1 - y0) * (x1 - x0));
    return;
  }
  // torch's avg_pool2d: the window may run into the padding (counted when countIncludePad) and,
  // in ceil mode, past it (never counted)
  let hs = oy * P(p, 2) - P(p, 4), ws = ox * P(p, 3) - P(p, 5);
  let he = min(hs + P(p, 0), H + P(p, 4)), we = min(ws + P(p, 1), W + P(p, 5));
  const poolSize = (he - hs) * (we - ws);
  hs = max(hs, 0); ws = max(ws, 0); he = min(he, H); we = min(we, W);
  y0 = hs; y1 = he; x0 = ws; x1 = we;
  const divOverride = P(p, 10);
  divisor = divOverride ? <f64>divOverride : P(p, 9) ? <f64>poolSize : <f64>((he - hs) * (we - ws));
}

/** Average pooling (mode avg or adaptive): the mean over each window. */
export function avgPoolAt(mode: i32, x: i32, p: usize): i32 {
  if (!x) return 0;
  const dt = dtypeOf(x), f = dt == DType.Float64;
  const N = dimOf(x, 0), C = dimOf(x, 1), H = P(p, 11), W = P(p, 12), OH = P(p, 13), OW = P(p, 14);
  const out = newLike4(N, C, OH, OW, dt);
  const px = asDtype(x, dt);
  if (!out || !px) { dropAs(x, dt, px); return failed(out); }
  const po = dataPtr(out);
  for (let oy = 0; oy < OH; oy++) for (let ox = 0; ox < OW; ox++) {
    window(mode, p, oy, ox);
    for (let pl = 0; pl < N * C; pl++) {
      let s: f64 = 0;
      const base = pl * H * W;
      for (let y = y0; y < y1; y++) for (let xx = x0; xx < x1; xx++) s += ld(px, base + y * W + xx, f);
      st(po, pl * OH * OW + oy * OW + ox, s / divisor, f);
    }
  }
  dropAs(x, dt, px);
  if (!shouldRecord(x, 0)) return out;
  return record(mode == MODE_AVG ? OpCode.AvgPool2d : OpCode.AdaptiveAvgPool2d, out, x, 0, p, false);
}

/** The adjoint of avgPoolAt: each output gradient spread evenly over its window. */
export function avgPoolBackwardAt(mode: i32, g: i32, p: usize): i32 {
  if (!g) return 0;
  const dt = dtypeOf(g), f = dt == DType.Float64;
  const N = dimOf(g, 0), C = dimOf(g, 1), H = P(p, 11), W = P(p, 12), OH = P(p, 13), OW = P(p, 14);
  const out = newLike4(N, C, H, W, dt);
  const pg = asDtype(g, dt);
  if (!out || !pg) { dropAs(g, dt, pg); return failed(out); }
  const po = dataPtr(out);
  memory.fill(po, 0, <usize>numelOf(out) << (f ? 3 : 2));
  for (let oy = 0; oy < OH; oy++) for (let ox = 0; ox < OW; ox++) {
    window(mode, p, oy, ox);
    for (let pl = 0; pl < N * C; pl++) {
      const v = ld(pg, pl * OH * OW + oy * OW + ox, f) / divisor;
      const base = pl * H * W;
      for (let y = y0; y < y1; y++) for (let xx = x0; xx < x1; xx++) st(po, base + y * W + xx, ld(po, base + y * W + xx, f) + v, f);
    }
  }
  dropAs(g, dt, pg);
  if (!shouldRecord(g, 0)) return out;
  return record(mode == MODE_AVG ? OpCode.AvgPool2dBackward : OpCode.AdaptiveAvgPool2dBackward, out, g, 0, p, false);
}

// ABI forms: the parameter block is in scratch[0..15)
export function maxPool2dOp(x: i32): i32 { memory.copy(pb, scratch, <usize>P_LEN << 2); return maxPool2dAt(x, pb); }
export function avgPool2dOp(x: i32, adaptive: bool): i32 {
  memory.copy(pb, scratch, <usize>P_LEN << 2);
  return avgPoolAt(adaptive ? MODE_ADAPTIVE : MODE_AVG, x, pb);
}

/** Backward rules of this family; false if `op` is not one of its node kinds. */
export function poolRule(node: usize, op: i32, g: i32): bool {
  const p = attrIPtr(node);
  switch (op) {
    case OpCode.MaxPool2d: give(node, 0, maxPoolScatter(g, saved(node, 0), p)); return true;
    case OpCode.MaxPool2dBackward: give(node, 0, poolGather(g, saved(node, 0), p)); return true;
    case OpCode.PoolGather: give(node, 0, maxPoolScatter(g, saved(node, 0), p)); return true;
    case OpCode.AvgPool2d: give(node, 0, avgPoolBackwardAt(MODE_AVG, g, p)); return true;
    case OpCode.AvgPool2dBackward: give(node, 0, avgPoolAt(MODE_AVG, g, p)); return true;
    case OpCode.AdaptiveAvgPool2d: give(node, 0, avgPoolBackwardAt(MODE_ADAPTIVE, g, p)); return true;
    case OpCode.AdaptiveAvgPool2dBackward: give(node, 0, avgPoolAt(MODE_ADAPTIVE, g, p)); return true;
    default: return false;
  }
}

