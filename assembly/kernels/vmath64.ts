// f64x2 helpers for the float32 formulas whose float32 evaluation would lose accuracy: GELU (erf
// form: x * Phi(x) cancels to 1 + erf(...) ~ 0 for negative x) and its tanh approximation (the
// cubic inner argument amplifies rounding errors). Each f32x4 is widened to two f64x2, evaluated
// to about 1e-10 relative and rounded once, so results stay within an ulp of the exact value.
// The exp is Cody–Waite reduction by ln 2 with a Taylor polynomial; Phi uses our own fit
// (scripts/vmath-fit.py) of the scaled normal tail R(t) = Phi(-t) e^(t^2/2), in u = 1 / (1 + 0.3 t)
// as in the rational-in-u approximations of Abramowitz & Stegun 26.2.17.

import { clampExpArg, log2eShifted, scaleBy2n, SHIFT } from "./vexp64";

const LN2: f64 = 0.6931471805599453;
// sqrt(2 / pi) and 0.044715: the tanh approximation's constants (PyTorch's kBeta, kKappa)
const BETA: f64 = 1.4142135623730951 * 1.1283791670955126 * 0.5;
const KAPPA: f64 = 0.044715;
// 1 / sqrt(2 pi), the normal density's factor
const PDF0: f64 = 1.1283791670955126 * 0.7071067811865476 * 0.5;

// @ts-ignore: decorator
@inline function sp(c: f64): v128 { return f64x2.splat(c); }
// @ts-ignore: decorator
@inline function fma2(a: v128, b: v128, c: f64): v128 { return f64x2.add(f64x2.mul(a, b), sp(c)); }

/** Lanes 0, 1 and 2, 3 of an f32x4 as f64x2. */
// @ts-ignore: decorator
@inline export function lo64(v: v128): v128 { return f64x2.promote_low_f32x4(v); }
// @ts-ignore: decorator
@inline export function hi64(v: v128): v128 { return f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 2, 3)); }
/** Two f64x2 rounded into one f32x4 (lo in lanes 0, 1). */
// @ts-ignore: decorator
@inline export function pack32(lo: v128, hi: v128): v128 {
  return v128.shuffle<f32>(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 1, 4, 5);
}

/** e^y to ~1e-12 relative; inf above 709.8, denormals then 0 below -708. */
// @ts-ignore: decorator
@inline export function exp2x(y: v128): v128 {
  // the reduction and scaling of vexp64.ts, shorter polynomial
  const yc = clampExpArg(y), kd = log2eShifted(yc);
  const fn = f64x2.sub(kd, sp(SHIFT));
  const r = f64x2.sub(yc, f64x2.mul(fn, sp(LN2)));
  // Taylor to r^10 / 10!: |r| <= 0.347 leaves 3e-14
  let p = fma2(sp(1.0 / 3628800), r, 1.0 / 362880);
  p = fma2(p, r, 1.0 / 40320);
  p = fma2(p, r, 1.0 / 5040);
  p = fma2(p, r, 1.0 / 720);
  p = fma2(p, r, 1.0 / 120);
  p = fma2(p, r, 1.0 / 24);
  p = fma2(p, r, 1.0 / 6);
  p = fma2(p, r, 0.5);
  p = fma2(p, r, 1);
  p = fma2(p, r, 1);
  return scaleBy2n(p, kd);
}

/** Phi(-t) / e^(-t^2/2) for t >= 0 (relative error 2.6e-10 on [0, 15]; beyond, Phi(-t) underflows float32). */
// @ts-ignore: decorator
@inline function tailRatio(t: v128): v128 {
  const u = f64x2.div(sp(1), fma2(f64x2.min(t, sp(15)), sp(0.3), 1));
  let p = fma2(sp(0.012375008022970676), u, -0.07706156046205842);
  p = fma2(p, u, 0.19152152194030858);
  p = fma2(p, u, -0.22761511208576587);
  p = fma2(p, u, 0.12359623651431152);
  p = fma2(p, u, -0.054280516986364616);
  p = fma2(p, u, 0.03900553678918993);
  p = fma2(p, u, 0.057030976311422954);
  p = fma2(p, u, 0.08706508096356547);
  p = fma2(p, u, 0.10900833486880879);
  p = fma2(p, u, 0.11967130372403245);
  p = fma2(p, u, 0.11968319052987869);
  return f64x2.mul(p, u);
}

/** gelu(x) = x Phi(x), with Phi(x) = Phi(-|x|) or 1 - Phi(-|x|): no cancellation. */
// @ts-ignore: decorator
@inline export function gelu2x(x: v128): v128 {
  const q = f64x2.mul(exp2x(f64x2.mul(f64x2.mul(x, x), sp(-0.5))), tailRatio(f64x2.abs(x)));
  return f64x2.mul(x, v128.bitselect(f64x2.sub(sp(1), q), q, f64x2.gt(x, sp(0))));
}

/** gelu'(x) * g = (Phi(x) + x phi(x)) * g. */
// @ts-ignore: decorator
@inline export function geluGrad2x(g: v128, x: v128): v128 {
  const e = exp2x(f64x2.mul(f64x2.mul(x, x), sp(-0.5)));
  const q = f64x2.mul(e, tailRatio(f64x2.abs(x)));
  const cdf = v128.bitselect(f64x2.sub(sp(1), q), q, f64x2.gt(x, sp(0)));
  return f64x2.mul(g, f64x2.add(cdf, f64x2.mul(x, f64x2.mul(e, sp(PDF0)))));
}

/** s = (1 + tanh(z)) / 2 = 1 / (1 + e^(-2z)) for the tanh approximation's z = beta (x + kappa x^3). */
// @ts-ignore: decorator
@inline function tanhHalf(x: v128): v128 {
  const z = f64x2.mul(sp(BETA), f64x2.add(x, f64x2.mul(sp(KAPPA), f64x2.mul(f64x2.mul(x, x), x))));
  return f64x2.div(sp(1), f64x2.add(sp(1), exp2x(f64x2.mul(z, sp(-2)))));
}

/** 0.5 x (1 + tanh(z)) = x s. */
// @ts-ignore: decorator
@inline export function geluTanh2x(x: v128): v128 { return f64x2.mul(x, tanhHalf(x)); }

/** g * (0.5 (1 + t) + 0.5 x (1 - t^2) beta (1 + 3 kappa x^2)) with 1 + t = 2s, 1 - t^2 = 4 s (1 - s). */
// @ts-ignore: decorator
@inline export function geluTanhGrad2x(g: v128, x: v128): v128 {
  const s = tanhHalf(x);
  const dz = f64x2.mul(sp(BETA), fma2(f64x2.mul(x, x), sp(3 * KAPPA), 1));
  const right = f64x2.mul(f64x2.mul(f64x2.add(x, x), f64x2.mul(s, f64x2.sub(sp(1), s))), dz);
  return f64x2.mul(g, f64x2.add(s, right));
}

/** silu'(x) * g = g s (1 + x (1 - s)) with s = sigmoid(x). */
// @ts-ignore: decorator
@inline export function siluGrad2x(g: v128, x: v128): v128 {
  const s = f64x2.div(sp(1), f64x2.add(sp(1), exp2x(f64x2.neg(x))));
  return f64x2.mul(f64x2.mul(g, s), f64x2.add(sp(1), f64x2.mul(x, f64x2.sub(sp(1), s))));
}

/** silu(x) = x / (1 + e^-x). */
// @ts-ignore: decorator
@inline export function silu2x(x: v128): v128 { return f64x2.div(x, f64x2.add(sp(1), exp2x(f64x2.neg(x)))); }
