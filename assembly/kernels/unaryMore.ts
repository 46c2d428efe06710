// More elementwise unary kernels (codes from U_MORE on) and their fused backward formulas (from
// G_MORE on), on contiguous f32 or f64 arrays (T). Ops with parameters (leaky_relu's slope,
// softplus's beta and threshold, clamp's bounds) take them as p0, p1, rounded to T first as
// PyTorch converts a Scalar to scalar_t. float32 runs four lanes at a time: log1p, expm1 and
// softplus with the f32x4 routines of vmath.ts, the GELUs and silu widened to f64x2
// (vmath64.ts) and rounded once, sin and cos with vtrig.ts. The scalar formulas serve float64.

import { U_MORE, G_MORE } from "./unary";
import { vexp, vexpm1, vlog1p, vsigmoid, runVec, VecLoop } from "./vmath";
import { lo64, hi64, pack32, gelu2x, geluGrad2x, geluTanh2x, geluTanhGrad2x, silu2x, siluGrad2x } from "./vmath64";
import { sinCosLoop } from "./vtrig";

export const U_RSQRT: i32 = U_MORE;
export const U_LOG1P: i32 = U_MORE + 1;
export const U_EXPM1: i32 = U_MORE + 2;
export const U_SIN: i32 = U_MORE + 3;
export const U_COS: i32 = U_MORE + 4;
export const U_GELU: i32 = U_MORE + 5;      // x * Phi(x), erf form
export const U_GELU_TANH: i32 = U_MORE + 6; // the tanh approximation
export const U_SILU: i32 = U_MORE + 7;
export const U_LEAKY: i32 = U_MORE + 8;     // p0 = negative slope
export const U_SOFTPLUS: i32 = U_MORE + 9;  // p0 = beta, p1 = threshold
export const U_CLAMP: i32 = U_MORE + 10;    // p0 = min, p1 = max (-inf / inf when absent)
export const U_ISNAN: i32 = U_MORE + 11;    // bool results
export const U_ISFINITE: i32 = U_MORE + 12;

export const G_GELU: i32 = G_MORE;          // s = input
export const G_GELU_TANH: i32 = G_MORE + 1; // s = input
export const G_SILU: i32 = G_MORE + 2;      // s = input
export const G_LEAKY: i32 = G_MORE + 3;     // s = input, p0 = slope
export const G_SOFTPLUS: i32 = G_MORE + 4;  // s = input, p0 = beta, p1 = threshold

const SQRT1_2: f64 = 0.7071067811865476;
// M_2_SQRTPI * M_SQRT1_2 * 0.5 = 1 / sqrt(2 pi), the normal density's factor
const GELU_PDF: f64 = 1.1283791670955126 * 0.7071067811865476 * 0.5;
// M_SQRT2 * M_2_SQRTPI * 0.5 = sqrt(2 / pi)
const GELU_BETA: f64 = 1.4142135623730951 * 1.1283791670955126 * 0.5;
const GELU_KAPPA: f64 = 0.044715;

/** erf(x) in f64. see: FreeBSD msun/src/s_erf.c (Sun Microsystems, 1993). */
export function erf64(a: f64): f64 {
  if (a != a) return a;
  let x = Math.abs(a);
  const neg = a < 0;
  let r: f64;
  if (x < 0.84375) {
    if (x < 3.725290298461914e-9) r = x + 1.28379167095512586316e-01 * x;
    else {
      const z = x * x;
      const p = 1.28379167095512558561e-01 + z * (-3.25042107247001499370e-01 + z * (-2.84817495755985104766e-02 +
        z * (-5.77027029648944159157e-03 + z * -2.37630166566501626084e-05)));
      const q = 1.0 + z * (3.97917223959155352819e-01 + z * (6.50222499887672944485e-02 + z * (5.08130628187576562776e-03 +
        z * (1.32494738004321644526e-04 + z * -3.96022827877536812320e-06))));
      r = x + x * (p / q);
    }
  } else if (x < 1.25) {
    const s = x - 1;
    const p = -2.36211856075265944077e-03 + s * (4.14856118683748331666e-01 + s * (-3.72207876035701323847e-01 +
      s * (3.18346619901161753674e-01 + s * (-1.10894694282396677476e-01 + s * (3.54783043256182359371e-02 +
      s * -2.16637559486879084300e-03)))));
    const q = 1.0 + s * (1.06420880400844228286e-01 + s * (5.40397917702171048937e-01 + s * (7.18286544141962662868e-02 +
      s * (1.26171219808761642112e-01 + s * (1.36370839120290507362e-02 + s * 1.19844998467991074170e-02)))));
    r = 8.45062911510467529297e-01 + p / q;
  } else if (x >= 6) {
    r = 1;
  } else {
    const s = 1.0 / (x * x);
    let p: f64, q: f64;
    if (x < 1.0 / 0.35) {
      p = -9.86494403484714822705e-03 + s * (-6.93858572707181764372e-01 + s * (-1.05586262253232909814e+01 +
        s * (-6.23753324503260060396e+01 + s * (-1.62396669462573470355e+02 + s * (-1.84605092906711035994e+02 +
        s * (-8.12874355063065934246e+01 + s * -9.81432934416914548592e+00))))));
      q = 1.0 + s * (1.96512716674392571292e+01 + s * (1.37657754143519042600e+02 + s * (4.34565877475229228821e+02 +
        s * (6.45387271733267880336e+02 + s * (4.29008140027567833386e+02 + s * (1.08635005541779435134e+02 +
        s * (6.57024977031928170135e+00 + s * -6.04244152148580987438e-02)))))));
    } else {
      p = -9.86494292470009928597e-03 + s * (-7.99283237680523006574e-01 + s * (-1.77579549177547519889e+01 +
        s * (-1.60636384855821916062e+02 + s * (-6.37566443368389627722e+02 + s * (-1.02509513161107724954e+03 +
        s * -4.83519191608651397019e+02)))));
      q = 1.0 + s * (3.03380607434824582924e+01 + s * (3.25792512996573918826e+02 + s * (1.53672958608443695994e+03 +
        s * (3.19985821950859553908e+03 + s * (2.55305040643316442583e+03 + s * (4.74528541206955367215e+02 +
        s * -2.24409524465858183362e+01))))));
    }
    // z: x with the low 32 bits cleared, so that -z*z is exact
    const z = reinterpret<f64>(reinterpret<u64>(x) & 0xffffffff00000000);
    r = 1.0 - Math.exp(-z * z - 0.5625) * Math.exp((z - x) * (z + x) + p / q) / x;
  }
  return neg ? -r : r;
}

// @ts-ignore: decorator
@inline function sigmoid64(x: f64): f64 { return 1.0 / (1.0 + Math.exp(-x)); }

// @ts-ignore: decorator
@inline function sfwd<T>(k: i32, x: T, p0: T, p1: T): T {
  const f32 = sizeof<T>() == 4;
  const d = <f64>x;
  if (k == U_RSQRT) return <T>1 / (f32 ? <T>Mathf.sqrt(<f32>x) : <T>Math.sqrt(d));
  if (k == U_LOG1P) return f32 ? <T>Mathf.log1p(<f32>x) : <T>Math.log1p(d);
  if (k == U_EXPM1) return f32 ? <T>Mathf.expm1(<f32>x) : <T>Math.expm1(d);
  if (k == U_SIN) return <T>Math.sin(d); // float32 runs vtrig.ts's kernel
  if (k == U_COS) return <T>Math.cos(d);
  if (k == U_GELU) return <T>(d * 0.5 * (1.0 + erf64(d * SQRT1_2)));
  if (k == U_GELU_TANH) return <T>(0.5 * d * (1.0 + Math.tanh(GELU_BETA * (d + GELU_KAPPA * d * d * d))));
  if (k == U_SILU) return <T>(d * sigmoid64(d));
  if (k == U_LEAKY) return x > <T>0 ? x : x * p0;
  if (k == U_SOFTPLUS) {
    // (x * beta) > threshold ? x : log1p(exp(x * beta)) / beta
    const xb = x * p0;
    return xb > p1 ? x : <T>Math.log1p(Math.exp(<f64>xb)) / p0;
  }
  // clamp: NaN in x or a bound gives NaN, as torch's vectorised minimum/maximum
  if (x != x) return x;
  const lo = x < p0 || p0 != p0 ? p0 : x;
  return lo > p1 || p1 != p1 ? p1 : lo;
}

// @ts-ignore: decorator
@inline function vfwd(k: i32, x: v128, v0: v128, v1: v128): v128 {
  const z = f32x4.splat(0);
  if (k == U_RSQRT) return f32x4.div(f32x4.splat(1), f32x4.sqrt(x));
  if (k == U_LEAKY) return v128.bitselect(x, f32x4.mul(x, v0), f32x4.gt(x, z));
  if (k == U_CLAMP) return f32x4.min(f32x4.max(x, v0), v1); // wasm min/max propagate NaN
  if (k == U_LOG1P) return vlog1p(x);
  if (k == U_EXPM1) return vexpm1(x);
  if (k == U_SILU) return pack32(silu2x(lo64(x)), silu2x(hi64(x)));
  if (k == U_SOFTPLUS) {
    // log1p(e^xb) = max(xb, 0) + log1p(e^-|xb|): the same value, and e^-|xb| <= 1 cannot overflow
    const xb = f32x4.mul(x, v0);
    const l = f32x4.add(f32x4.max(xb, z), vlog1p(vexp(f32x4.neg(f32x4.abs(xb)))));
    return v128.bitselect(x, f32x4.div(l, v0), f32x4.gt(xb, v1));
  }
  if (k == U_GELU) return pack32(gelu2x(lo64(x)), gelu2x(hi64(x)));
  return pack32(geluTanh2x(lo64(x)), geluTanh2x(hi64(x)));
}

/** The ops with few instructions per vector (vloop's loop form). */
// @ts-ignore: decorator
@inline function cheap(k: i32): bool { return k == U_RSQRT || k == U_LEAKY || k == U_CLAMP; }

/** out = vfwd_k(a; p0, p1) for n a multiple of 4; the loop forms as unary.ts's vloop (see there). */
// @ts-ignore: decorator
@inline function vloop(k: i32, out: usize, a: usize, n: i32, p0: f32, p1: f32): void {
  const v0 = f32x4.splat(p0), v1 = f32x4.splat(p1);
  if (cheap(k)) {
    let o: usize = 0;
    const end = <usize>n << 2;
    for (; o + 32 <= end; o += 32) {
      v128.store(out + o, vfwd(k, v128.load(a + o), v0, v1));
      v128.store(out + o + 16, vfwd(k, v128.load(a + o + 16), v0, v1));
    }
    if (o < end) v128.store(out + o, vfwd(k, v128.load(a + o), v0, v1));
    return;
  }
  const end = <usize>n << 2;
  if (!end) return;
  let o: usize = 0;
  do {
    v128.store(out + o, vfwd(k, v128.load(a + o), v0, v1));
    o += 16;
  } while (o < end);
}

// One VecLoop per float32 op (b unused)
function fRsqrt(out: usize, a: usize, b: usize, n: i32, p0: f32, p1: f32): void { vloop(U_RSQRT, out, a, n, p0, p1); }
function fLog1p(out: usize, a: usize, b: usize, n: i32, p0: f32, p1: f32): void { vloop(U_LOG1P, out, a, n, p0, p1); }
function fExpm1(out: usize, a: usize, b: usize, n: i32, p0: f32, p1: f32): void { vloop(U_EXPM1, out, a, n, p0, p1); }
function fGelu(out: usize, a: usize, b: usize, n: i32, p0: f32, p1: f32): void { vloop(U_GELU, out, a, n, p0, p1); }
function fGeluTanh(out: usize, a: usize, b: usize, n: i32, p0: f32, p1: f32): void { vloop(U_GELU_TANH, out, a, n, p0, p1); }
function fSilu(out: usize, a: usize, b: usize, n: i32, p0: f32, p1: f32): void { vloop(U_SILU, out, a, n, p0, p1); }
function fLeaky(out: usize, a: usize, b: usize, n: i32, p0: f32, p1: f32): void { vloop(U_LEAKY, out, a, n, p0, p1); }
function fSoftplus(out: usize, a: usize, b: usize, n: i32, p0: f32, p1: f32): void { vloop(U_SOFTPLUS, out, a, n, p0, p1); }
function fClamp(out: usize, a: usize, b: usize, n: i32, p0: f32, p1: f32): void { vloop(U_CLAMP, out, a, n, p0, p1); }
function fSin(out: usize, a: usize, b: usize, n: i32, p0: f32, p1: f32): void { sinCosLoop(out, a, n, false); }
function fCos(out: usize, a: usize, b: usize, n: i32, p0: f32, p1: f32): void { sinCosLoop(out, a, n, true); }

function loopOf(k: i32): VecLoop {
  switch (k) {
    case U_RSQRT: return fRsqrt;
    case U_LOG1P: return fLog1p;
    case U_EXPM1: return fExpm1;
    case U_GELU: return fGelu;
    case U_GELU_TANH: return fGeluTanh;
    case U_SILU: return fSilu;
    case U_LEAKY: return fLeaky;
    case U_SOFTPLUS: return fSoftplus;
    case U_SIN: return fSin;
    case U_COS: return fCos;
    default: return fClamp;
  }
}

// @ts-ignore: decorator
@inline function runFwd<T>(k: i32, out: usize, a: usize, n: i32, p0: T, p1: T): void {
  const sh = alignof<T>();
  for (let i = 0; i < n; i++) store<T>(out + (<usize>i << sh), sfwd<T>(k, load<T>(a + (<usize>i << sh)), p0, p1));
}

/** out[i] = f_k(a[i]; p0, p1) for i < n (T = f32 or f64, k in U_RSQRT..U_CLAMP). Overwrites out; may alias a. */
export function unaryMoreKernel<T>(k: i32, out: usize, a: usize, n: i32, p0: f64, p1: f64): void {
  const q0 = <T>p0, q1 = <T>p1;
  if (sizeof<T>() == 4) { runVec(loopOf(k), out, a, 0, n, <f32>q0, <f32>q1); return; }
  switch (k) {
    case U_RSQRT: runFwd<T>(U_RSQRT, out, a, n, q0, q1); break;
    case U_LOG1P: runFwd<T>(U_LOG1P, out, a, n, q0, q1); break;
    case U_EXPM1: runFwd<T>(U_EXPM1, out, a, n, q0, q1); break;
    case U_SIN: runFwd<T>(U_SIN, out, a, n, q0, q1); break;
    case U_COS: runFwd<T>(U_COS, out, a, n, q0, q1); break;
    case U_GELU: runFwd<T>(U_GELU, out, a, n, q0, q1); break;
    case U_GELU_TANH: runFwd<T>(U_GELU_TANH, out, a, n, q0, q1); break;
    case U_SILU: runFwd<T>(U_SILU, out, a, n, q0, q1); break;
    case U_LEAKY: runFwd<T>(U_LEAKY, out, a, n, q0, q1); break;
    case U_SOFTPLUS: runFwd<T>(U_SOFTPLUS, out, a, n, q0, q1); break;
    default: runFwd<T>(U_CLAMP, out, a, n, q0, q1); break;
  }
}

/** clamp for int32: min(max(a[i], lo), hi). Overwrites out; may alias a. */
export function clampI32(out: usize, a: usize, n: i32, lo: i32, hi: i32): void {
  for (let i = 0; i < n; i++) {
    const x = load<i32>(a + (<usize>i << 2));
    const y = x < lo ? lo : x;
    store<i32>(out + (<usize>i << 2), y > hi ? hi : y);
  }
}

/** out[i] (bool) = isnan(a[i]) or isfinite(a[i]) for n elements of T (integers: false / true). */
export function classifyKernel<T>(k: i32, out: usize, a: usize, n: i32): void {
  const sh = alignof<T>();
  for (let i = 0; i < n; i++) {
    const x = load<T>(a + (<usize>i << sh));
    let r = k == U_ISFINITE;
    if (isFloat<T>()) r = k == U_ISNAN ? x != x : x - x == <T>0;
    store<u8>(out + <usize>i, <u8>r);
  }
}

// @ts-ignore: decorator
@inline function sgrad<T>(k: i32, g: T, x: T, p0: T, p1: T): T {
  const d = <f64>x, gd = <f64>g;
  if (k == G_GELU) {
    const cdf = 0.5 * (1.0 + erf64(d * SQRT1_2));
    const pdf = GELU_PDF * Math.exp(d * d * -0.5);
    return <T>(gd * (cdf + d * pdf));
  }
  if (k == G_GELU_TANH) {
    const x2 = d * d;
    const t = Math.tanh(GELU_BETA * (d + GELU_KAPPA * x2 * d));
    const right = 0.5 * d * (1.0 - t * t) * (GELU_BETA * (1.0 + 3.0 * GELU_KAPPA * x2));
    return <T>(gd * (0.5 * (1.0 + t) + right));
  }
  if (k == G_SILU) {
    const s = sigmoid64(d);
    return <T>(gd * s * (1.0 + d * (1.0 - s)));
  }
  if (k == G_LEAKY) return x > <T>0 ? g : g * p0;
  // softplus: z = exp(x * beta); (x * beta) > threshold ? g : g * z / (z + 1)
  const xb = x * p0;
  if (xb > p1) return g;
  const z = Math.exp(<f64>xb);
  return <T>(gd * z / (z + 1.0));
}

// @ts-ignore: decorator
@inline function vgrad(k: i32, g: v128, x: v128, v0: v128, v1: v128): v128 {
  if (k == G_GELU) return pack32(geluGrad2x(lo64(g), lo64(x)), geluGrad2x(hi64(g), hi64(x)));
  if (k == G_GELU_TANH) return pack32(geluTanhGrad2x(lo64(g), lo64(x)), geluTanhGrad2x(hi64(g), hi64(x)));
  if (k == G_SILU) return pack32(siluGrad2x(lo64(g), lo64(x)), siluGrad2x(hi64(g), hi64(x)));
  if (k == G_LEAKY) return v128.bitselect(g, f32x4.mul(g, v0), f32x4.gt(x, f32x4.splat(0)));
  // softplus: z / (z + 1) with z = e^xb is sigmoid(xb)
  const xb = f32x4.mul(x, v0);
  return v128.bitselect(g, f32x4.mul(g, vsigmoid(xb)), f32x4.gt(xb, v1));
}

/** out = vgrad_k(g, s; p0, p1) for n a multiple of 4; the loop forms as unary.ts's vloop (see there). */
// @ts-ignore: decorator
@inline function vgradLoop(k: i32, out: usize, g: usize, s: usize, n: i32, p0: f32, p1: f32): void {
  const v0 = f32x4.splat(p0), v1 = f32x4.splat(p1);
  if (k == G_LEAKY) {
    let o: usize = 0;
    const end = <usize>n << 2;
    for (; o + 32 <= end; o += 32) {
      v128.store(out + o, vgrad(k, v128.load(g + o), v128.load(s + o), v0, v1));
      v128.store(out + o + 16, vgrad(k, v128.load(g + o + 16), v128.load(s + o + 16), v0, v1));
    }
    if (o < end) v128.store(out + o, vgrad(k, v128.load(g + o), v128.load(s + o), v0, v1));
    return;
  }
  const end = <usize>n << 2;
  if (!end) return;
  let o: usize = 0;
  do {
    v128.store(out + o, vgrad(k, v128.load(g + o), v128.load(s + o), v0, v1));
    o += 16;
  } while (o < end);
}

function gGelu(out: usize, g: usize, s: usize, n: i32, p0: f32, p1: f32): void { vgradLoop(G_GELU, out, g, s, n, p0, p1); }
function gGeluTanh(out: usize, g: usize, s: usize, n: i32, p0: f32, p1: f32): void { vgradLoop(G_GELU_TANH, out, g, s, n, p0, p1); }
function gSilu(out: usize, g: usize, s: usize, n: i32, p0: f32, p1: f32): void { vgradLoop(G_SILU, out, g, s, n, p0, p1); }
function gLeaky(out: usize, g: usize, s: usize, n: i32, p0: f32, p1: f32): void { vgradLoop(G_LEAKY, out, g, s, n, p0, p1); }
function gSoftplus(out: usize, g: usize, s: usize, n: i32, p0: f32, p1: f32): void { vgradLoop(G_SOFTPLUS, out, g, s, n, p0, p1); }

function gradLoopOf(k: i32): VecLoop {
  switch (k) {
    case G_GELU: return gGelu;
    case G_GELU_TANH: return gGeluTanh;
    case G_SILU: return gSilu;
    case G_LEAKY: return gLeaky;
    default: return gSoftplus;
  }
}

// @ts-ignore: decorator
@inline function runGrad<T>(k: i32, out: usize, g: usize, s: usize, n: i32, p0: T, p1: T): void {
  const sh = alignof<T>();
  for (let i = 0; i < n; i++) {
    const o = <usize>i << sh;
    store<T>(out + o, sgrad<T>(k, load<T>(g + o), load<T>(s + o), p0, p1));
  }
}

/** out[i] = the fused backward formula k (G_GELU..G_SOFTPLUS) of g[i] and the input s[i]. */
export function gradMoreKernel<T>(k: i32, out: usize, g: usize, s: usize, n: i32, p0: f64, p1: f64): void {
  const q0 = <T>p0, q1 = <T>p1;
  if (sizeof<T>() == 4) { runVec(gradLoopOf(k), out, g, s, n, <f32>q0, <f32>q1); return; }
  switch (k) {
    case G_GELU: runGrad<T>(G_GELU, out, g, s, n, q0, q1); break;
    case G_GELU_TANH: runGrad<T>(G_GELU_TANH, out, g, s, n, q0, q1); break;
    case G_SILU: runGrad<T>(G_SILU, out, g, s, n, q0, q1); break;
    case G_LEAKY: runGrad<T>(G_LEAKY, out, g, s, n, q0, q1); break;
    default: runGrad<T>(G_SOFTPLUS, out, g, s, n, q0, q1); break;
  }
}
