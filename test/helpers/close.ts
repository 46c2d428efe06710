// Elementwise closeness checks for float32 results: |actual - expected| <= atol + rtol * |expected|,
// as torch.testing.assert_close. NaN matches NaN; an infinity matches only the same infinity.

import { Tensor } from "wasmgrad";

export interface Tolerance {
  atol?: number;
  rtol?: number;
}

/** Default for float32 results: forward values and gradients compared with PyTorch or a reference. */
export const F32: Required<Tolerance> = { atol: 1e-5, rtol: 1e-4 };

/**
 * Forward values and gradients of exp, log, pow, sigmoid and tanh against PyTorch. Our kernels and
 * PyTorch's vectorised Sleef routines are not bit-identical, but the worst case in the fixtures is
 * 6 ulp (4.1e-7 relative, tanh's gradient 1 - y^2), far inside F32: no looser setting is needed.
 */
export const TRANSCENDENTAL: Required<Tolerance> = F32;

/** One unit in the last place of 1 in float32 (2^-23). */
export const ULP = 2 ** -23;

/**
 * exp, log, pow, sigmoid and tanh against the float64 value: 4 ulp, the accuracy class of Sleef's
 * fast routines (our kernels measure at most 2.2 ulp over 1e5 points each).
 */
export const ULP4: Required<Tolerance> = { atol: 0, rtol: 4 * ULP };

export type Nested = number | readonly Nested[];

/** Row-major values and shape of a number or nested arrays. */
export function flattenNested(v: Nested): { values: number[]; shape: number[] } {
  const shape: number[] = [];
  let probe: Nested = v;
  while (Array.isArray(probe)) {
    shape.push(probe.length);
    probe = probe.length ? (probe as readonly Nested[])[0] : 0;
  }
  const values: number[] = [];
  const walk = (x: Nested): void => {
    if (Array.isArray(x)) for (const y of x as readonly Nested[]) walk(y);
    else values.push(x as number);
  };
  walk(v);
  return { values, shape };
}

function valuesOf(v: Tensor | ArrayLike<number> | Nested): { values: ArrayLike<number>; shape: number[] | null } {
  if (v instanceof Tensor) return { values: v.toFloat32Array(), shape: v.shape.slice() };
  if (typeof v === "number") return { values: [v], shape: null };
  if (ArrayBuffer.isView(v)) return { values: v as ArrayLike<number>, shape: null };
  if (Array.isArray(v) && v.some((x) => Array.isArray(x))) {
    const f = flattenNested(v as Nested);
    return { values: f.values, shape: f.shape };
  }
  return { values: v as ArrayLike<number>, shape: null };
}

/** `[i, j, k]` of flat index `flat` in a row-major array of `shape`. */
export function unravel(flat: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length).fill(0);
  for (let d = shape.length - 1; d >= 0; d--) {
    if (shape[d] === 0) return idx;
    idx[d] = flat % shape[d];
    flat = Math.floor(flat / shape[d]);
  }
  return idx;
}

const fmt = (x: number): string => (Number.isFinite(x) ? x.toPrecision(9) : String(x));

/**
 * Throws unless `actual` and `expected` have the same number of elements and every pair is close.
 * A nested `expected` must also match the shape of a Tensor `actual`. The message names the worst
 * element (largest excess over its tolerance), e.g.
 * `expectClose: 2 of 7 elements differ (atol 1e-5, rtol 1e-4); worst at index 3 [1, 0]: actual 0.5 vs expected 0.6`.
 */
export function expectClose(
  actual: Tensor | ArrayLike<number>,
  expected: ArrayLike<number> | Nested,
  { atol = F32.atol, rtol = F32.rtol }: Tolerance = {},
  label = "expectClose",
): void {
  const a = valuesOf(actual), e = valuesOf(expected);
  if (a.shape && e.shape && (a.shape.length !== e.shape.length || a.shape.some((s, i) => s !== e.shape![i]))) {
    throw new Error(`${label}: shape [${a.shape.join(", ")}] vs expected [${e.shape.join(", ")}]`);
  }
  if (a.values.length !== e.values.length) {
    throw new Error(`${label}: ${a.values.length} elements vs ${e.values.length} expected`);
  }
  let bad = 0, worst = -1, worstExcess = -Infinity;
  for (let i = 0; i < a.values.length; i++) {
    const x = a.values[i], y = e.values[i];
    if (Number.isNaN(x) && Number.isNaN(y)) continue;
    if (x === y) continue;
    if (!Number.isFinite(x) || !Number.isFinite(y)) {
      bad++;
      if (worst < 0 || worstExcess < Infinity) { worst = i; worstExcess = Infinity; }
      continue;
    }
    const diff = Math.abs(x - y);
    const tol = atol + rtol * Math.abs(y);
    if (diff <= tol) continue;
    bad++;
    const excess = Number.isNaN(diff) ? Infinity : diff - tol;
    if (worst < 0 || excess > worstExcess) { worst = i; worstExcess = excess; }
  }
  if (bad === 0) return;
  const x = a.values[worst], y = e.values[worst];
  const where = a.shape && a.shape.length > 1 ? ` [${unravel(worst, a.shape).join(", ")}]` : "";
  throw new Error(
    `${label}: ${bad} of ${a.values.length} elements differ (atol ${atol}, rtol ${rtol}); ` +
      `worst at index ${worst}${where}: actual ${fmt(x)} vs expected ${fmt(y)} ` +
      `(|diff| ${fmt(Math.abs(x - y))} > tol ${fmt(atol + rtol * Math.abs(y))})`,
  );
}
