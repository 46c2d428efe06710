// Elementwise unary kernels and the fused backward formulas of derivatives.yaml's *_backward
// functions, on contiguous arrays of f32 or f64 (T). Each dtype computes in its own precision as
// PyTorch does: float64 with Math, float32 four lanes at a time (the polynomial exp, log, tanh and
// sigmoid of vmath.ts) in one function per op that runVec calls, its last n % 4 elements through
// the same vector code; the scalar Mathf formulas stay as the reference they were.

import { powf } from "./math";
import { expRowF64 } from "./vexp64";
import { vexp, vlog, vsigmoid, vtanh, runVec, VecLoop } from "./vmath";

export const U_NEG: i32 = 0;
export const U_EXP: i32 = 1;
export const U_LOG: i32 = 2;
export const U_SQRT: i32 = 3;
export const U_ABS: i32 = 4;
export const U_RELU: i32 = 5;
export const U_SIGMOID: i32 = 6;
export const U_TANH: i32 = 7;
export const U_RECIPROCAL: i32 = 8;
export const U_SGN: i32 = 9; // sign: -1, 0, 1 (0 for NaN, as torch.sign)
/** First code of the kernels added by the op families (kernels/unaryMore.ts). */
export const U_MORE: i32 = 16;

// fused backward kernels: out = f(g, s) where s is the saved value named in each comment
export const G_SIGMOID: i32 = 0; // s = result: g * (1 - y) * y
export const G_TANH: i32 = 1;    // s = result: g * (1 - y * y)
export const G_THRESHOLD: i32 = 2; // s = result (relu): s <= 0 ? 0 : g
/** First code of the backward kernels added by the op families. */
export const G_MORE: i32 = 8;

// @ts-ignore: decorator
@inline function sfwd<T>(k: i32, x: T): T {
  const f32 = sizeof<T>() == 4;
  if (k == U_NEG) return -x;
  if (k == U_EXP) return f32 ? <T>Mathf.exp(<f32>x) : <T>Math.exp(<f64>x);
  if (k == U_LOG) return f32 ? <T>Mathf.log(<f32>x) : <T>Math.log(<f64>x);
  if (k == U_SQRT) return f32 ? <T>Mathf.sqrt(<f32>x) : <T>Math.sqrt(<f64>x);
  if (k == U_ABS) return f32 ? <T>Mathf.abs(<f32>x) : <T>Math.abs(<f64>x);
  if (k == U_RELU) return x > <T>0 ? x : (x != x ? x : <T>0); // NaN propagates, as torch.relu
  if (k == U_SIGMOID) return f32 ? <T>(<f32>1 / (<f32>1 + Mathf.exp(-<f32>x))) : <T>(1.0 / (1.0 + Math.exp(-<f64>x)));
  if (k == U_TANH) return f32 ? <T>Mathf.tanh(<f32>x) : <T>Math.tanh(<f64>x);
  if (k == U_RECIPROCAL) return <T>1 / x;
  return x > <T>0 ? <T>1 : x < <T>0 ? <T>-1 : <T>0; // sign: 0 for 0, -0 and NaN
}

// @ts-ignore: decorator
@inline function vfwd(k: i32, x: v128): v128 {
  const z = f32x4.splat(0), one = f32x4.splat(1);
  if (k == U_NEG) return f32x4.neg(x);
  if (k == U_SQRT) return f32x4.sqrt(x);
  if (k == U_ABS) return f32x4.abs(x);
  if (k == U_RELU) return v128.and(x, v128.or(f32x4.gt(x, z), f32x4.ne(x, x)));
  if (k == U_EXP) return vexp(x);
  if (k == U_LOG) return vlog(x);
  // as PyTorch's 1 / (1 + e^-x): 0 where e^-x overflows float32 (x <= -88.7228394), not the denormal
  if (k == U_SIGMOID) return v128.andnot(vsigmoid(x), f32x4.le(x, f32x4.splat(-88.72283935546875)));
  if (k == U_TANH) return vtanh(x);
  if (k == U_RECIPROCAL) return f32x4.div(one, x);
  return v128.or(v128.and(f32x4.gt(x, z), one), v128.and(f32x4.lt(x, z), f32x4.splat(-1))); // sign
}

/** The ops with few instructions per vector (vloop's loop form). */
// @ts-ignore: decorator
@inline function cheap(k: i32): bool { return k != U_EXP && k != U_LOG && k != U_SIGMOID && k != U_TANH; }

/**
 * out = vfwd_k(a) for n a multiple of 4 (runVec does the rest). The polynomial ops loop
 * bottom-tested (do-while): there the body dominates the loop's exit, which lets V8's scheduler
 * hoist the body's v128 constants out of the loop; top-tested, it rebuilds each one (three
 * instructions) on every iteration, and exp and log took 1.6x as long. The cheap ops, bound by
 * memory, do two vectors an iteration instead: 20-27% faster than one, whose time moved by 3-10%
 * with where the loop's jumps fell in the machine code.
 */
// @ts-ignore: decorator
@inline function vloop(k: i32, out: usize, a: usize, n: i32): void {
  if (cheap(k)) {
    let o: usize = 0;
    const end = <usize>n << 2;
    for (; o + 32 <= end; o += 32) {
      v128.store(out + o, vfwd(k, v128.load(a + o)));
      v128.store(out + o + 16, vfwd(k, v128.load(a + o + 16)));
    }
    if (o < end) v128.store(out + o, vfwd(k, v128.load(a + o)));
    return;
  }
  const end = <usize>n << 2;
  if (!end) return;
  let o: usize = 0;
  do {
    v128.store(out + o, vfwd(k, v128.load(a + o)));
    o += 16;
  } while (o < end);
}

// One VecLoop per op (b, p0, p1 unused)
function fNeg(out: usize, a: usize, b: usize, n: i32, p0: f32, p1: f32): void { vloop(U_NEG, out, a, n); }
function fExp(out: usize, a: usize, b: usize, n: i32, p0: f32, p1: f32): void { vloop(U_EXP, out, a, n); }
function fLog(out: usize, a: usize, b: usize, n: i32, p0: f32, p1: f32): void { vloop(U_LOG, out, a, n); }
function fSqrt(out: usize, a: usize, b: usize, n: i32, p0: f32, p1: f32): void { vloop(U_SQRT, out, a, n); }
function fAbs(out: usize, a: usize, b: usize, n: i32, p0: f32, p1: f32): void { vloop(U_ABS, out, a, n); }
function fRelu(out: usize, a: usize, b: usize, n: i32, p0: f32, p1: f32): void { vloop(U_RELU, out, a, n); }
function fSigmoid(out: usize, a: usize, b: usize, n: i32, p0: f32, p1: f32): void { vloop(U_SIGMOID, out, a, n); }
function fTanh(out: usize, a: usize, b: usize, n: i32, p0: f32, p1: f32): void { vloop(U_TANH, out, a, n); }
function fRecip(out: usize, a: usize, b: usize, n: i32, p0: f32, p1: f32): void { vloop(U_RECIPROCAL, out, a, n); }
function fSgn(out: usize, a: usize, b: usize, n: i32, p0: f32, p1: f32): void { vloop(U_SGN, out, a, n); }

function loopOf(k: i32): VecLoop {
  switch (k) {
    case U_NEG: return fNeg;
    case U_EXP: return fExp;
    case U_LOG: return fLog;
    case U_SQRT: return fSqrt;
    case U_ABS: return fAbs;
    case U_RELU: return fRelu;
    case U_SIGMOID: return fSigmoid;
    case U_TANH: return fTanh;
    case U_RECIPROCAL: return fRecip;
    default: return fSgn;
  }
}

// @ts-ignore: decorator
@inline function runFwd<T>(k: i32, out: usize, a: usize, n: i32): void {
  const sh = alignof<T>();
  for (let i = 0; i < n; i++) store<T>(out + (<usize>i << sh), sfwd<T>(k, load<T>(a + (<usize>i << sh))));
}

/** out[i] = f(a[i]) for i < n (T = f32 or f64). Overwrites out; out may alias a. */
export function unaryKernel<T>(k: i32, out: usize, a: usize, n: i32): void {
  if (sizeof<T>() == 4) { runVec(loopOf(k), out, a, 0, n, 0, 0); return; }
  switch (k) {
    case U_NEG: runFwd<T>(U_NEG, out, a, n); break;
    // float64 exp two lanes at a time (vexp64.ts): the stdlib's table-free Math.exp is 2.5x slower
    case U_EXP: expRowF64(out, a, n); break;
    case U_LOG: runFwd<T>(U_LOG, out, a, n); break;
    case U_SQRT: runFwd<T>(U_SQRT, out, a, n); break;
    case U_ABS: runFwd<T>(U_ABS, out, a, n); break;
    case U_RELU: runFwd<T>(U_RELU, out, a, n); break;
    case U_SIGMOID: runFwd<T>(U_SIGMOID, out, a, n); break;
    case U_TANH: runFwd<T>(U_TANH, out, a, n); break;
    case U_RECIPROCAL: runFwd<T>(U_RECIPROCAL, out, a, n); break;
    default: runFwd<T>(U_SGN, out, a, n); break;
  }
}

/** The same for int32 (neg, abs, sign, relu); other codes copy. */
export function unaryKernelI32(k: i32, out: usize, a: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    const x = load<i32>(a + (<usize>i << 2));
    let r = x;
    if (k == U_NEG) r = -x;
    else if (k == U_ABS) r = x < 0 ? -x : x;
    else if (k == U_SGN) r = x > 0 ? 1 : x < 0 ? -1 : 0;
    else if (k == U_RELU) r = x > 0 ? x : 0;
    store<i32>(out + (<usize>i << 2), r);
  }
}

// @ts-ignore: decorator
@inline function sgrad<T>(k: i32, g: T, s: T): T {
  if (k == G_SIGMOID) return g * (<T>1 - s) * s;
  if (k == G_TANH) return g * (<T>1 - s * s);
  return s <= <T>0 ? <T>0 : g;
}

// @ts-ignore: decorator
@inline function vgradLoop(k: i32, out: usize, g: usize, s: usize, n: i32): void {
  // cheap formulas: two vectors an iteration, as vloop's cheap ops
  let o: usize = 0;
  const end = <usize>n << 2;
  for (; o + 32 <= end; o += 32) {
    v128.store(out + o, vgrad(k, v128.load(g + o), v128.load(s + o)));
    v128.store(out + o + 16, vgrad(k, v128.load(g + o + 16), v128.load(s + o + 16)));
  }
  if (o < end) v128.store(out + o, vgrad(k, v128.load(g + o), v128.load(s + o)));
}

// @ts-ignore: decorator
@inline function vgrad(k: i32, g: v128, s: v128): v128 {
  const one = f32x4.splat(1);
  if (k == G_SIGMOID) return f32x4.mul(f32x4.mul(g, f32x4.sub(one, s)), s);
  if (k == G_TANH) return f32x4.mul(g, f32x4.sub(one, f32x4.mul(s, s)));
  return v128.andnot(g, f32x4.le(s, f32x4.splat(0)));
}

function gSigmoid(out: usize, g: usize, s: usize, n: i32, p0: f32, p1: f32): void { vgradLoop(G_SIGMOID, out, g, s, n); }
function gTanh(out: usize, g: usize, s: usize, n: i32, p0: f32, p1: f32): void { vgradLoop(G_TANH, out, g, s, n); }
function gThreshold(out: usize, g: usize, s: usize, n: i32, p0: f32, p1: f32): void { vgradLoop(G_THRESHOLD, out, g, s, n); }

// @ts-ignore: decorator
@inline function runGrad<T>(k: i32, out: usize, g: usize, s: usize, n: i32): void {
  const sh = alignof<T>();
  for (let i = 0; i < n; i++) {
    const o = <usize>i << sh;
    store<T>(out + o, sgrad<T>(k, load<T>(g + o), load<T>(s + o)));
  }
}

/** out[i] = the fused backward formula k of g[i] and the saved s[i] (see the G_* codes). */
export function gradKernel<T>(k: i32, out: usize, g: usize, s: usize, n: i32): void {
  if (sizeof<T>() == 4) {
    runVec(k == G_SIGMOID ? gSigmoid : k == G_TANH ? gTanh : gThreshold, out, g, s, n, 0, 0);
    return;
  }
  switch (k) {
    case G_SIGMOID: runGrad<T>(G_SIGMOID, out, g, s, n); break;
    case G_TANH: runGrad<T>(G_TANH, out, g, s, n); break;
    default: runGrad<T>(G_THRESHOLD, out, g, s, n); break;
  }
}

/**
 * out[i] = a[i] ** e (f32) with PyTorch's special cases for common exponents (so x ** 2 is x * x,
 * bit for bit as torch computes it); other exponents use powf.
 */
export function powScalarKernel(out: usize, a: usize, e: f32, n: i32): void {
  let i = 0;
  if (e == 2) {
    for (; i + 4 <= n; i += 4) { const x = v128.load(a + (<usize>i << 2)); v128.store(out + (<usize>i << 2), f32x4.mul(x, x)); }
    for (; i < n; i++) { const x = load<f32>(a + (<usize>i << 2)); store<f32>(out + (<usize>i << 2), x * x); }
  } else if (e == 3) {
    for (; i < n; i++) { const x = load<f32>(a + (<usize>i << 2)); store<f32>(out + (<usize>i << 2), x * x * x); }
  } else if (e == 0.5) {
    for (; i < n; i++) store<f32>(out + (<usize>i << 2), Mathf.sqrt(load<f32>(a + (<usize>i << 2))));
  } else if (e == -0.5) {
    for (; i < n; i++) store<f32>(out + (<usize>i << 2), <f32>1 / Mathf.sqrt(load<f32>(a + (<usize>i << 2))));
  } else if (e == -1) {
    for (; i < n; i++) store<f32>(out + (<usize>i << 2), <f32>1 / load<f32>(a + (<usize>i << 2)));
  } else if (e == -2) {
    for (; i < n; i++) { const x = load<f32>(a + (<usize>i << 2)); store<f32>(out + (<usize>i << 2), <f32>1 / (x * x)); }
  } else if (e == 1) {
    memory.copy(out, a, <usize>n << 2);
  } else if (e == 0) {
    for (; i < n; i++) store<f32>(out + (<usize>i << 2), 1);
  } else {
    for (; i < n; i++) store<f32>(out + (<usize>i << 2), powf(load<f32>(a + (<usize>i << 2)), e));
  }
}
