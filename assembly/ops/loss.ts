// Fused softmax cross-entropy (class-index targets, logits [N, C]): the loss in one pass over the
// logits (CrossEntropy, NllLossBackward0 as torch names the loss's node) and its gradient as one
// op of its own (CrossEntropyBackward). The backward op's rule is written with softmax, its
// backward and elementwise ops, so gradients of gradients work to any order.
// Attributes of both nodes: f[0] label smoothing; i[0] ignore index, i[1] reduction (RED_*).

import { OpCode, DType, MAX_DIMS } from "../abi";
import { dataPtr, dimOf, dtypeOf, newTensor, release } from "../tensor";
import { newNode, attach, save, shouldRecord, setAttrF, setAttrI, attrF, attrI } from "../autograd/tape";
import { saved, give, needs } from "../autograd/backward";
import {
  crossEntropyRows, crossEntropyBackRows, smoothTargets, rowWeights, RED_NONE,
} from "../kernels/loss";
import { asDtype, dropAs, failed, setDim } from "./common";
import { softmaxOp, softmaxBackwardOp } from "./softmax";
import { mul, sub } from "./binary";
import { sumOp } from "./reduce";
import { unsqueezeOp } from "./shape";

// @ts-ignore: decorator
@lazy const shp: usize = memory.data(MAX_DIMS * 4, 16);
// @ts-ignore: decorator
@lazy const ins: usize = memory.data(16, 16);

function recordLoss(op: i32, out: i32, a: i32, b: i32, x: i32, t: i32, ignore: i32, ls: f64, red: i32): i32 {
  store<i32>(ins, a); store<i32>(ins, b, 4);
  const nIn = b ? 2 : 1, nSaved = b ? 3 : 2;
  const node = newNode(op, nIn, ins, nSaved, 1, 2);
  if (!node) return failed(out);
  setAttrF(node, 0, ls); setAttrI(node, 0, ignore); setAttrI(node, 1, red);
  attach(node, out);
  // CrossEntropy saves x, t; its backward op g, x, t
  let s = 0;
  if (b && !save(node, s++, a, false)) return failed(out);
  if (!save(node, s++, x, false) || !save(node, s, t, false)) return failed(out);
  return out;
}

/**
 * cross_entropy(x[N, C], t[N]) for float x and int32 class indices t (checked in range by the
 * facade), reduction RED_NONE ([N] out), RED_MEAN or RED_SUM (a 0-d out).
 */
export function crossEntropyOp(x: i32, t: i32, ignore: i32, ls: f64, red: i32): i32 {
  if (!x || !t) return 0;
  const dt = dtypeOf(x), N = dimOf(x, 0), C = dimOf(x, 1);
  setDim(shp, 0, N);
  const out = newTensor(red == RED_NONE ? 1 : 0, shp, dt);
  if (!out) return 0;
  const px = asDtype(x, dt), pt = asDtype(t, DType.Int32);
  if (!px || !pt) { dropAs(x, dt, px); dropAs(t, DType.Int32, pt); return failed(out); }
  if (dt == DType.Float32) crossEntropyRows<f32>(dataPtr(out), px, pt, N, C, ignore, ls, red);
  else crossEntropyRows<f64>(dataPtr(out), px, pt, N, C, ignore, ls, red);
  dropAs(x, dt, px); dropAs(t, DType.Int32, pt);
  if (!shouldRecord(x, 0)) return out;
  return recordLoss(OpCode.CrossEntropy, out, x, 0, x, t, ignore, ls, red);
}

/** The gradient of crossEntropyOp's x for output gradient g ([N] for RED_NONE, else 0-d). */
export function crossEntropyBackwardOp(g: i32, x: i32, t: i32, ignore: i32, ls: f64, red: i32): i32 {
  if (!g || !x || !t) return 0;
  const dt = dtypeOf(x), N = dimOf(x, 0), C = dimOf(x, 1);
  setDim(shp, 0, N); setDim(shp, 1, C);
  const out = newTensor(2, shp, dt);
  if (!out) return 0;
  const px = asDtype(x, dt), pt = asDtype(t, DType.Int32), pg = asDtype(g, dt);
  if (!px || !pt || !pg) {
    dropAs(x, dt, px); dropAs(t, DType.Int32, pt); dropAs(g, dt, pg);
    return failed(out);
  }
  const gStep = red == RED_NONE ? 1 : 0;
  if (dt == DType.Float32) crossEntropyBackRows<f32>(dataPtr(out), px, pt, pg, gStep, N, C, ignore, ls, red);
  else crossEntropyBackRows<f64>(dataPtr(out), px, pt, pg, gStep, N, C, ignore, ls, red);
  dropAs(x, dt, px); dropAs(t, DType.Int32, pt); dropAs(g, dt, pg);
  if (!shouldRecord(g, x)) return out;
  return recordLoss(OpCode.CrossEntropyBackward, out, g, x, x, t, ignore, ls, red);
}

/** A constant (unrecorded) tensor of x's dtype: the row weights [N, 1], or the smoothed targets [N, C]. */
function constantOf(x: i32, t: i32, ignore: i32, ls: f64, red: i32, targets: bool): i32 {
  const dt = dtypeOf(x), N = dimOf(x, 0), C = dimOf(x, 1);
  setDim(shp, 0, N); setDim(shp, 1, targets ? C : 1);
  const out = newTensor(2, shp, dt);
  const pt = out ? asDtype(t, DType.Int32) : 0;
  if (!pt) return failed(out);
  if (targets) {
    if (dt == DType.Float32) smoothTargets<f32>(dataPtr(out), pt, N, C, ls); else smoothTargets<f64>(dataPtr(out), pt, N, C, ls);
  } else if (dt == DType.Float32) rowWeights<f32>(dataPtr(out), pt, N, ignore, red);
  else rowWeights<f64>(dataPtr(out), pt, N, ignore, red);
  dropAs(t, DType.Int32, pt);
  return out;
}

// @ts-ignore: decorator
@inline function rel(h: i32): void { if (h) release(h); }

/** Rules of CrossEntropy and CrossEntropyBackward; false for other node kinds. */
export function lossRule(node: usize, op: i32, g: i32): bool {
  if (op != OpCode.CrossEntropy && op != OpCode.CrossEntropyBackward) return false;
  const ls = attrF(node, 0), ignore = attrI(node, 0), red = attrI(node, 1);
  if (op == OpCode.CrossEntropy) {
    if (needs(node, 0)) give(node, 0, crossEntropyBackwardOp(g, saved(node, 0), saved(node, 1), ignore, ls, red));
    return true;
  }
  // out = wr * gin * (p - q), p = softmax(x), wr the row weights (constant), q the smoothed targets
  const gin = saved(node, 0), x = saved(node, 1), t = saved(node, 2);
  const wr = constantOf(x, t, ignore, ls, red, false);
  const gcol = red == RED_NONE ? unsqueezeOp(gin, 1) : 0;
  const p = softmaxOp(x, 1, false);
  if (needs(node, 1)) {
    // x: softmax's backward of g * w, w = wr * gin per row
    const w = mul(wr, gcol ? gcol : gin), gw = mul(g, w);
    give(node, 1, softmaxBackwardOp(gw, p, 1, false));
    rel(w); rel(gw);
  }
  if (needs(node, 0)) {
    // gin: the sum over classes (over everything, for one gin) of g * wr * (p - q)
    const q = constantOf(x, t, ignore, ls, red, true);
    const d = sub(p, q), gd = mul(g, d), e = mul(gd, wr);
    give(node, 0, e ? sumOp(e, red == RED_NONE ? 2 : 3, false, false, red == RED_NONE, dtypeOf(e)) : 0);
    rel(q); rel(d); rel(gd); rel(e);
  }
  rel(wr); rel(gcol); rel(p);
  return true;
}
