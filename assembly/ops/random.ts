// Random fills and the generator handles. Draws go in the order torch's TensorIterator visits
// the elements: memory order (dims sorted by stride) for a tensor written in place, row-major for
// a new contiguous result. None of these record anything; in-place fills bump the version.

import { DType, Status, MAX_DIMS } from "../abi";
import { alloc, free } from "../memory";
import {
  dataPtr, numelOf, ndimOf, shapePtr, stridesPtr, dtypeOf, isContiguous, hasOverlap, bumpVersion, elemShift,
  newTensorLike, release,
} from "../tensor";
import { copyStrided, contiguousStridesInto } from "../kernels/layout";
import {
  genOf, genAlloc, genRelease, genSeed, genSeedLo, genSeedHi, genCopy, next32, uniform32, uniform64, uniformF32,
  uniformF64, normalFill, normalScalar, randintOne, randpermInt32,
} from "../kernels/random";
import { asDtype, dropAs, putScalar } from "./common";

// @ts-ignore: decorator
@lazy const pShape: usize = memory.data(MAX_DIMS * 4, 16);
// @ts-ignore: decorator
@lazy const pStrides: usize = memory.data(MAX_DIMS * 4, 16);
// @ts-ignore: decorator
@lazy const cStrides: usize = memory.data(MAX_DIMS * 4, 16);

export function genNew(): usize { return genAlloc(); }
export function genFree(g: usize): void { genRelease(g); }
/** Seeds generator g (0 = default) with the 64-bit seed hi:lo. */
export function genManualSeed(g: usize, lo: u32, hi: u32): void { genSeed(genOf(g), lo, hi); }
export function genInitialSeedLo(g: usize): u32 { return genSeedLo(g); }
export function genInitialSeedHi(g: usize): u32 { return genSeedHi(g); }
/** One raw 32-bit draw of generator g (callers combine two, high word first, for torch's random64). */
export function genNext32(g: usize): u32 { return next32(genOf(g)); }
export function genCopyState(dst: usize, src: usize): void { genCopy(dst, src); }

/** h's dims sorted by stride, largest first, into pShape/pStrides; returns the dim count. */
function memoryOrder(h: i32): i32 {
  const nd = ndimOf(h), sp = shapePtr(h), st = stridesPtr(h);
  for (let d = 0; d < nd; d++) {
    const size = load<i32>(sp + (<usize>d << 2)), stride = load<i32>(st + (<usize>d << 2));
    let k = d;
    while (k > 0 && load<i32>(pStrides + (<usize>(k - 1) << 2)) < stride) {
      store<i32>(pShape + (<usize>k << 2), load<i32>(pShape + (<usize>(k - 1) << 2)));
      store<i32>(pStrides + (<usize>k << 2), load<i32>(pStrides + (<usize>(k - 1) << 2)));
      k--;
    }
    store<i32>(pShape + (<usize>k << 2), size);
    store<i32>(pStrides + (<usize>k << 2), stride);
  }
  return nd;
}

/** Where the draws for h go: h's data when contiguous, else a scratch block (0: out of memory). */
function drawBuffer(h: i32): usize {
  return isContiguous(h) ? dataPtr(h) : alloc(<usize>numelOf(h) << elemShift(dtypeOf(h)));
}

/** Writes the draws in p into h in memory order, frees p if it was scratch, bumps the version. */
function finish(h: i32, p: usize): i32 {
  const dt = dtypeOf(h);
  if (p != dataPtr(h)) {
    const nd = memoryOrder(h);
    contiguousStridesInto(cStrides, nd, pShape);
    copyStrided(dataPtr(h), dt, pStrides, p, dt, cStrides, nd, pShape);
    free(p, <usize>numelOf(h) << elemShift(dt));
  }
  bumpVersion(h);
  return 1;
}

/** In place: h ~ U[from, to) (float32 or float64; torch's uniform_). 1 done, 0 out of memory. */
export function uniformFill(h: i32, g: usize, from: f64, to: f64): i32 {
  if (hasOverlap(h)) return Status.InternalOverlap;
  const p = drawBuffer(h);
  if (!p) return 0;
  const gen = genOf(g), n = numelOf(h);
  if (dtypeOf(h) == DType.Float64) uniformF64(gen, p, n, from, to);
  else uniformF32(gen, p, n, <f32>from, <f32>to);
  return finish(h, p);
}

/** In place: h ~ N(mean, std^2) (float32 or float64; torch's normal_, whose path depends on size and layout). */
export function normalFillOp(h: i32, g: usize, mean: f64, std: f64): i32 {
  if (hasOverlap(h)) return Status.InternalOverlap;
  const gen = genOf(g), n = numelOf(h), dt = dtypeOf(h) == DType.Float64 ? 1 : 0;
  if (isContiguous(h)) {
    normalFill(gen, dataPtr(h), n, dt, mean, std);
    bumpVersion(h);
    return 1;
  }
  const p = drawBuffer(h);
  if (!p) return 0;
  for (let i = 0; i < n; i++) {
    const v = normalScalar(gen, mean, std);
    if (dt == 0) store<f32>(p + (<usize>i << 2), <f32>v);
    else store<f64>(p + (<usize>i << 3), v);
  }
  return finish(h, p);
}

/** In place: h[i] = 1 with probability p, else 0, in h's dtype (torch's bernoulli_(float p), one 64-bit draw each). */
export function bernoulliFill(h: i32, g: usize, prob: f64): i32 {
  if (hasOverlap(h)) return Status.InternalOverlap;
  const p = drawBuffer(h);
  if (!p) return 0;
  const gen = genOf(g), n = numelOf(h), dt = dtypeOf(h), sh = elemShift(dt);
  for (let i = 0; i < n; i++) putScalar(p + (<usize>i << sh), dt, uniform64(gen) < prob ? 1 : 0);
  return finish(h, p);
}

/**
 * A new tensor shaped like probs, of its dtype: 1 where a uniform draw falls below the probability
 * (torch.bernoulli(p): float32 probabilities take 24-bit draws, float64 ones 53-bit draws). 0 if out of memory.
 */
export function bernoulliOp(probs: i32, g: usize): i32 {
  const dt = dtypeOf(probs);
  const out = newTensorLike(probs, dt);
  if (!out) return 0;
  const src = asDtype(probs, dt);
  if (!src) { release(out); return 0; }
  const gen = genOf(g), n = numelOf(out), o = dataPtr(out);
  if (dt == DType.Float64) {
    for (let i = 0; i < n; i++) store<f64>(o + (<usize>i << 3), uniform64(gen) < load<f64>(src + (<usize>i << 3)) ? 1 : 0);
  } else {
    for (let i = 0; i < n; i++) store<f32>(o + (<usize>i << 2), uniform32(gen) < load<f32>(src + (<usize>i << 2)) ? 1 : 0);
  }
  dropAs(probs, dt, src);
  return out;
}

/** Contiguous h (int32, float32 or float64) filled with integers uniform in [low, low + range), 1 <= range <= 2^32. */
export function randintFill(h: i32, g: usize, low: f64, range: f64): i32 {
  const gen = genOf(g), n = numelOf(h), dt = dtypeOf(h), p = dataPtr(h), lo = <i64>low, r = <u64>range;
  for (let i = 0; i < n; i++) {
    const v = randintOne(gen, lo, r);
    if (dt == DType.Int32) store<i32>(p + (<usize>i << 2), <i32>v);
    else putScalar(p + (<usize>i << elemShift(dt)), dt, <f64>v);
  }
  bumpVersion(h);
  return 1;
}

/** Contiguous int32 h of n elements = a random permutation of 0..n-1 (torch.randperm on CPU). */
export function randpermFill(h: i32, g: usize): i32 {
  randpermInt32(genOf(g), dataPtr(h), numelOf(h));
  return 1;
}
