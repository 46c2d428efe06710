// Numerical gradient check for float32 tensors.
//
// With a fixed cotangent c (not all ones, so a transposed or mis-scaled gradient cannot hide),
// L(x) = sum(f(x) * c). The analytic gradient comes from backward(); the numeric one from central
// differences (L(x + e_i) - L(x - e_i)) / (2 eps), one input element at a time. f is evaluated by
// wasmgrad on perturbed copies under noGrad; only the weighted difference of its float32 outputs
// is accumulated in float64 here, so unchanged outputs cancel exactly.

import { Tensor, tensor, noGrad, tidy, randn, rand } from "wasmgrad";
import { unravel } from "./close";

export interface GradcheckOptions {
  eps?: number;
  atol?: number;
  rtol?: number;
}

/** A float32 tensor of `shape` holding `values` (row-major), optionally a leaf requiring grad. */
export function fromValues(values: ArrayLike<number>, shape: readonly number[], requiresGrad = false): Tensor {
  const t = noGrad(() => tensor(Float32Array.from(values)).reshape(shape as number[]));
  return requiresGrad ? t.requiresGrad_(true) : t;
}

/** Cotangent values in [-1.5, 2], like torch.linspace(-1.5, 2, n); a single element gets 1.3. */
export function cotangent(n: number): Float64Array {
  const c = new Float64Array(n);
  for (let i = 0; i < n; i++) c[i] = n === 1 ? 1.3 : Math.fround(-1.5 + (3.5 * i) / (n - 1));
  return c;
}

function numelOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/**
 * Compares the gradients of sum(fn(...inputs) * c) from backward() with central differences.
 * Returns true; throws an Error naming the input, the worst element, analytic vs numeric.
 * Inputs are not modified (leaf copies are made); their values may be any float32 tensors.
 */
export function gradcheck(
  fn: (...xs: Tensor[]) => Tensor,
  inputs: Tensor[],
  { eps = 1e-3, atol = 1e-3, rtol = 1e-2 }: GradcheckOptions = {},
): boolean {
  const shapes = inputs.map((x) => x.shape.slice());
  const base = inputs.map((x) => Float64Array.from(x.toFloat32Array()));

  // analytic
  const leaves = base.map((v, i) => fromValues(v, shapes[i], true));
  const out = fn(...leaves);
  const outShape = out.shape.slice();
  const c = cotangent(out.numel());
  out.mul(fromValues(c, outShape)).sum().backward();
  const analytic = leaves.map((x, i) => (x.grad ? Float64Array.from(x.grad.toFloat32Array()) : new Float64Array(numelOf(shapes[i]))));

  // numeric
  const evalAt = (k: number, values: Float64Array): Float32Array =>
    tidy(() => {
      const xs = base.map((v, i) => fromValues(i === k ? values : v, shapes[i]));
      const y = noGrad(() => fn(...xs));
      if (y.shape.length !== outShape.length || y.shape.some((s, i) => s !== outShape[i])) {
        throw new Error(`gradcheck: output shape changed from [${outShape.join(", ")}] to [${y.shape.join(", ")}] under noGrad`);
      }
      return y.toFloat32Array();
    });

  for (let k = 0; k < inputs.length; k++) {
    const n = base[k].length;
    const numeric = new Float64Array(n);
    const pert = Float64Array.from(base[k]);
    for (let i = 0; i < n; i++) {
      const x0 = base[k][i];
      const hi = Math.fround(x0 + eps), lo = Math.fround(x0 - eps);
      pert[i] = hi;
      const yp = evalAt(k, pert);
      pert[i] = lo;
      const ym = evalAt(k, pert);
      pert[i] = x0;
      let d = 0;
      for (let j = 0; j < yp.length; j++) if (yp[j] !== ym[j]) d += c[j] * (yp[j] - ym[j]);
      numeric[i] = d / (hi - lo);
    }
    let worst = -1, worstExcess = 0, bad = 0;
    for (let i = 0; i < n; i++) {
      const a = analytic[k][i], e = numeric[i];
      const diff = Math.abs(a - e), tol = atol + rtol * Math.abs(e);
      if (diff <= tol) continue;
      bad++;
      const excess = Number.isNaN(diff) ? Infinity : diff - tol;
      if (worst < 0 || excess > worstExcess) { worst = i; worstExcess = excess; }
    }
    if (worst >= 0) {
      const at = shapes[k].length > 1 ? ` [${unravel(worst, shapes[k]).join(", ")}]` : "";
      throw new Error(
        `gradcheck: input ${k} (shape [${shapes[k].join(", ")}]): ${bad} of ${n} gradient elements differ ` +
          `(eps ${eps}, atol ${atol}, rtol ${rtol}); worst at index ${worst}${at}: ` +
          `analytic ${analytic[k][worst].toPrecision(7)} vs numeric ${numeric[worst].toPrecision(7)}`,
      );
    }
  }
  return true;
}

/** Standard normal values of `shape`. */
export const normal = (shape: number[]): Tensor => randn(shape);
/** Values in [0.5, 2): safe for log, sqrt, pow bases and divisors. */
export const positive = (shape: number[]): Tensor => noGrad(() => rand(shape).mul(1.5).add(0.5));
/** Normal values with |x| >= 0.1: away from the kinks of abs and relu (eps is 1e-3). */
export const awayFromZero = (shape: number[]): Tensor =>
  noGrad(() => {
    const v = randn(shape).toFloat32Array().map((x) => (Math.abs(x) < 0.1 ? (x < 0 ? x - 0.1 : x + 0.1) : x));
    return fromValues(v, shape);
  });
/** Values with |x| in [0.5, 2), random sign: safe divisors. */
export const nonzero = (shape: number[]): Tensor =>
  noGrad(() => {
    const s = rand(shape).toFloat32Array(), m = rand(shape).toFloat32Array();
    return fromValues(m.map((x, i) => (s[i] < 0.5 ? -1 : 1) * (0.5 + 1.5 * x)), shape);
  });
