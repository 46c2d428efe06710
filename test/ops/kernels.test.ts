// Forward kernels at sizes with many SIMD iterations and every tail, against plain JS references.
// Exactly rounded ops (+, -, *, /, sqrt, ...) must match Math.fround of the float64 result bit for
// bit; sums and products must lie within the classic a-priori bound of float32 summation,
// |error| <= gamma(n) * sum|terms| with gamma(n) = n u / (1 - n u), u = 2^-24, whatever the order.

import { describe, expect, test } from "vitest";
import {
  Tensor, add, sub, mul, div, pow, neg, exp, log, sqrt, abs, relu, sigmoid, tanh, square, sum, mean, matmul,
} from "wasmgrad";
import { expectClose, ULP4 } from "../helpers/close";
import { fromValues } from "../helpers/gradcheck";

/** Deterministic uniform values in [lo, hi), rounded to float32 (mulberry32). */
function uniform(n: number, lo: number, hi: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 15), z | 1);
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
    out[i] = lo + ((((z ^ (z >>> 14)) >>> 0) / 4294967296) * (hi - lo));
  }
  return out;
}

const U = 2 ** -24;
const gamma = (n: number): number => (n * U) / (1 - n * U);

/** Throws unless |actual - exact| <= bound for every element; names the worst one. */
function expectWithin(actual: ArrayLike<number>, exact: ArrayLike<number>, bound: ArrayLike<number>, what: string): void {
  expect(actual.length).toBe(exact.length);
  let worst = -1, ratio = 1;
  for (let i = 0; i < exact.length; i++) {
    const r = Math.abs(actual[i] - exact[i]) / bound[i];
    if (!(r <= ratio)) { worst = i; ratio = Number.isNaN(r) ? Infinity : r; }
  }
  if (worst >= 0) {
    throw new Error(`${what}: index ${worst}: actual ${actual[worst]} vs exact ${exact[worst]} (|error| is ${ratio.toPrecision(3)} times the bound ${bound[worst]})`);
  }
}

const N = 1003;
const bits = (t: Tensor): number[] => Array.from(new Uint32Array(t.toFloat32Array().buffer));

describe("elementwise, length 1003", () => {
  const a = uniform(N, -4, 4, 1), b = uniform(N, -4, 4, 2);
  const bNonzero = b.map((x) => (x < 0 ? x - 0.25 : x + 0.25));
  const pos = uniform(N, 1e-3, 50, 3);
  const A = fromValues(a, [N]), B = fromValues(b, [N]), BNZ = fromValues(bNonzero, [N]), P = fromValues(pos, [N]);
  const f = Math.fround;

  test.each([
    ["add", () => add(A, B), (i: number) => a[i] + b[i]],
    ["sub", () => sub(A, B), (i: number) => a[i] - b[i]],
    ["mul", () => mul(A, B), (i: number) => a[i] * b[i]],
    ["div", () => div(A, BNZ), (i: number) => a[i] / bNonzero[i]],
    ["add alpha=0.5", () => add(A, B, { alpha: 0.5 }), (i: number) => a[i] + 0.5 * b[i]],
    ["x+2.5", () => add(A, 2.5), (i: number) => a[i] + 2.5],
    ["1.5-x", () => sub(1.5, A), (i: number) => 1.5 - a[i]],
    ["x*-3", () => mul(A, -3), (i: number) => a[i] * -3],
    ["-3*x", () => mul(-3, A), (i: number) => -3 * a[i]],
    ["x/2.5", () => div(A, 2.5), (i: number) => a[i] / 2.5],
    ["x/-0.3", () => div(A, -0.3), (i: number) => a[i] / f(-0.3)],
    ["neg", () => neg(A), (i: number) => -a[i]],
    ["abs", () => abs(A), (i: number) => Math.abs(a[i])],
    ["relu", () => relu(A), (i: number) => Math.max(a[i], 0)],
    ["square", () => square(A), (i: number) => a[i] * a[i]],
    ["x**2", () => pow(A, 2), (i: number) => a[i] * a[i]],
    ["sqrt", () => sqrt(P), (i: number) => Math.sqrt(pos[i])],
  ] as [string, () => Tensor, (i: number) => number][])("%s is exactly rounded", (_n, op, ref) => {
    const out = op();
    expect(out.shape).toEqual([N]);
    const expected = Array.from({ length: N }, (_, i) => f(ref(i)));
    expect(Array.from(out.toFloat32Array())).toEqual(expected);
  });

  test("2.5/x is reciprocal(x) * 2.5, as PyTorch's __rtruediv__", () => {
    const expected = Array.from(bNonzero, (x) => f(f(1 / x) * 2.5));
    expect(Array.from(div(2.5, BNZ).toFloat32Array())).toEqual(expected);
  });

  // Transcendentals: relative error against the float64 value.
  const wide = uniform(N, -30, 30, 4), wideExp = uniform(N, -80, 80, 5), tiny = uniform(N, 1e-30, 1e-3, 6);
  const bases = uniform(N, 0.05, 20, 7), exps = uniform(N, -6, 6, 8);
  test.each([
    ["exp on [-80, 80]", () => exp(fromValues(wideExp, [N])), (i: number) => Math.exp(wideExp[i])],
    ["exp on [-4, 4]", () => exp(A), (i: number) => Math.exp(a[i])],
    ["log on [1e-3, 50]", () => log(P), (i: number) => Math.log(pos[i])],
    ["log on [1e-30, 1e-3]", () => log(fromValues(tiny, [N])), (i: number) => Math.log(tiny[i])],
    ["sigmoid on [-30, 30]", () => sigmoid(fromValues(wide, [N])), (i: number) => 1 / (1 + Math.exp(-wide[i]))],
    ["tanh on [-30, 30]", () => tanh(fromValues(wide, [N])), (i: number) => Math.tanh(wide[i])],
    ["tanh on [-4, 4]", () => tanh(A), (i: number) => Math.tanh(a[i])],
    ["pow(base, exponent)", () => pow(fromValues(bases, [N]), fromValues(exps, [N])), (i: number) => Math.pow(bases[i], exps[i])],
    ["pow(x, 0.5)", () => pow(P, 0.5), (i: number) => Math.sqrt(pos[i])],
    ["pow(x, -1.5)", () => pow(P, -1.5), (i: number) => Math.pow(pos[i], -1.5)],
    ["pow(x, 3)", () => pow(A, 3), (i: number) => a[i] ** 3],
    ["pow(2, x)", () => pow(2, fromValues(wide, [N])), (i: number) => 2 ** wide[i]],
  ] as [string, () => Tensor, (i: number) => number][])("%s", (_n, op, ref) => {
    expectClose(op(), Array.from({ length: N }, (_, i) => ref(i)), ULP4);
  });

  test("broadcast [17, 1] + [1003] and [17, 1003] * [1003]", () => {
    const col = uniform(17, -2, 2, 9);
    const out = add(fromValues(col, [17, 1]), A);
    expect(out.shape).toEqual([17, N]);
    const exp1 = new Float32Array(17 * N);
    for (let r = 0; r < 17; r++) for (let j = 0; j < N; j++) exp1[r * N + j] = col[r] + a[j];
    expect(Array.from(out.toFloat32Array())).toEqual(Array.from(exp1));
    const prod = mul(out, B);
    const exp2 = exp1.map((x, k) => Math.fround(x * b[k % N]));
    expect(Array.from(prod.toFloat32Array())).toEqual(Array.from(exp2));
  });

  test("non-contiguous input [29, 37].t() into exp and add", () => {
    const v = uniform(29 * 37, -3, 3, 10);
    const x = fromValues(v, [29, 37]).t();
    const ref = new Float64Array(37 * 29);
    for (let i = 0; i < 37; i++) for (let j = 0; j < 29; j++) ref[i * 29 + j] = Math.exp(v[j * 37 + i]);
    expectClose(exp(x), ref, ULP4);
    const y = add(x, x);
    expect(y.shape).toEqual([37, 29]);
    expect(Array.from(y.toFloat32Array())).toEqual(Array.from(ref, (_, k) => 2 * v[(k % 29) * 37 + Math.floor(k / 29)]));
  });
});

describe("reductions", () => {
  const S = [17, 33, 5];
  const n = 17 * 33 * 5;
  const v = uniform(n, -2, 2, 11);
  const X = fromValues(v, S);
  const at = (i: number, j: number, k: number): number => v[(i * 33 + j) * 5 + k];

  /** Exact sums (float64 is exact enough here) and the float32 error bound over `dims`. */
  function reference(dims: number[]): { shape: number[]; exact: Float64Array; bound: Float64Array } {
    const keep = [0, 1, 2].filter((d) => !dims.includes(d));
    const shape = keep.map((d) => S[d]);
    const m = shape.reduce((p, q) => p * q, 1);
    const exact = new Float64Array(m), absSum = new Float64Array(m);
    const count = dims.reduce((p, d) => p * S[d], 1);
    for (let i = 0; i < 17; i++) for (let j = 0; j < 33; j++) for (let k = 0; k < 5; k++) {
      const idx = [i, j, k];
      const o = keep.reduce((acc, d) => acc * S[d] + idx[d], 0);
      exact[o] += at(i, j, k);
      absSum[o] += Math.abs(at(i, j, k));
    }
    return { shape, exact, bound: absSum.map((s) => gamma(count) * s + 1e-30) };
  }

  test.each([[[0]], [[1]], [[2]], [[0, 2]], [[1, 2]], [[0, 1]], [[0, 1, 2]]])("sum over dims %j of [17, 33, 5]", (dims) => {
    const r = reference(dims);
    const out = dims.length === 3 ? sum(X) : sum(X, dims);
    expect(out.shape).toEqual(r.shape);
    expectWithin(out.toFloat32Array(), r.exact, r.bound, `sum ${JSON.stringify(dims)}`);
    const kept = sum(X, dims, true);
    expect(kept.shape).toEqual(S.map((s, d) => (dims.includes(d) ? 1 : s)));
    expect(bits(kept)).toEqual(bits(out));
  });

  test.each([[[0]], [[1]], [[2]], [[0, 2]], [[0, 1, 2]]])("mean over dims %j of [17, 33, 5]", (dims) => {
    const r = reference(dims);
    const count = dims.reduce((p, d) => p * S[d], 1);
    const out = mean(X, dims);
    // one more rounding for the division
    expectWithin(out.toFloat32Array(), r.exact.map((s) => s / count), r.bound.map((bd, i) => (bd + U * Math.abs(r.exact[i])) / count), "mean");
  });

  test("sum of 100003 values and of a transposed [37, 29]", () => {
    const big = uniform(100003, -1, 1, 12);
    let exact = 0, absSum = 0;
    for (const x of big) { exact += x; absSum += Math.abs(x); }
    expectWithin([sum(fromValues(big, [100003])).item()], [exact], [gamma(100003) * absSum], "sum 100003");

    const w = uniform(29 * 37, -1, 1, 13);
    const xt = fromValues(w, [29, 37]).t();
    const rows = sum(xt, 1), cols = sum(xt, 0);
    const re = new Float64Array(37), rb = new Float64Array(37), ce = new Float64Array(29), cb = new Float64Array(29);
    for (let j = 0; j < 29; j++) for (let i = 0; i < 37; i++) {
      const x = w[j * 37 + i];
      re[i] += x; rb[i] += Math.abs(x); ce[j] += x; cb[j] += Math.abs(x);
    }
    expectWithin(rows.toFloat32Array(), re, rb.map((s) => gamma(29) * s), "sum(x.t(), 1)");
    expectWithin(cols.toFloat32Array(), ce, cb.map((s) => gamma(37) * s), "sum(x.t(), 0)");
  });
});

describe("matmul", () => {
  /** Exact product of row-major [m, k] and [k, n] in float64, with the float32 error bound. */
  function naive(a: ArrayLike<number>, b: ArrayLike<number>, m: number, k: number, n: number) {
    const exact = new Float64Array(m * n), bound = new Float64Array(m * n);
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
      let s = 0, t = 0;
      for (let p = 0; p < k; p++) { s += a[i * k + p] * b[p * n + j]; t += Math.abs(a[i * k + p] * b[p * n + j]); }
      exact[i * n + j] = s;
      bound[i * n + j] = gamma(k) * t + 1e-30;
    }
    return { exact, bound };
  }
  const transpose = (v: ArrayLike<number>, r: number, c: number): Float32Array => {
    const out = new Float32Array(r * c);
    for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[j * r + i] = v[i * c + j];
    return out;
  };

  test.each([
    [37, 29, 41], [1, 1, 1], [4, 8, 8], [5, 7, 9], [33, 17, 3], [3, 17, 33], [64, 64, 64], [1, 300, 1], [129, 3, 67],
  ])("[%i, %i] @ [%i, ...] against a float64 triple loop", (m, k, n) => {
    const a = uniform(m * k, -2, 2, m * 1000 + k), b = uniform(k * n, -2, 2, n * 1000 + k + 7);
    const out = matmul(fromValues(a, [m, k]), fromValues(b, [k, n]));
    expect(out.shape).toEqual([m, n]);
    const r = naive(a, b, m, k, n);
    expectWithin(out.toFloat32Array(), r.exact, r.bound, `matmul [${m}, ${k}] @ [${k}, ${n}]`);
  });

  test("[37, 29] @ [29, 41]: transposed operands give the same numbers", () => {
    const a = uniform(37 * 29, -2, 2, 21), b = uniform(29 * 41, -2, 2, 22);
    const r = naive(a, b, 37, 29, 41);
    const at = fromValues(transpose(a, 37, 29), [29, 37]).t();
    const bt = fromValues(transpose(b, 29, 41), [41, 29]).t();
    for (const [x, y, what] of [
      [at, fromValues(b, [29, 41]), "a.t() @ b"],
      [fromValues(a, [37, 29]), bt, "a @ b.t()"],
      [at, bt, "a.t() @ b.t()"],
    ] as [Tensor, Tensor, string][]) {
      expectWithin(matmul(x, y).toFloat32Array(), r.exact, r.bound, what);
    }
  });

  test("vector cases: [1003] @ [1003], [37, 29] @ [29], [29] @ [29, 41]", () => {
    const u = uniform(N, -1, 1, 31), w = uniform(N, -1, 1, 32);
    const d = naive(u, w, 1, N, 1);
    const dot = matmul(fromValues(u, [N]), fromValues(w, [N]));
    expect(dot.shape).toEqual([]);
    expectWithin([dot.item()], d.exact, d.bound, "dot");

    const a = uniform(37 * 29, -2, 2, 33), v = uniform(29, -2, 2, 34), b = uniform(29 * 41, -2, 2, 35);
    const mv = naive(a, v, 37, 29, 1);
    const outMv = matmul(fromValues(a, [37, 29]), fromValues(v, [29]));
    expect(outMv.shape).toEqual([37]);
    expectWithin(outMv.toFloat32Array(), mv.exact, mv.bound, "matrix @ vector");
    const vm = naive(v, b, 1, 29, 41);
    const outVm = matmul(fromValues(v, [29]), fromValues(b, [29, 41]));
    expect(outVm.shape).toEqual([41]);
    expectWithin(outVm.toFloat32Array(), vm.exact, vm.bound, "vector @ matrix");
  });

  test("gradients of [37, 29] @ [29, 41] against the float64 products c @ b^T and a^T @ c", () => {
    const a = uniform(37 * 29, -2, 2, 41), b = uniform(29 * 41, -2, 2, 42), c = uniform(37 * 41, -1.5, 2, 43);
    const A = fromValues(a, [37, 29], true), B = fromValues(b, [29, 41], true);
    matmul(A, B).backward(fromValues(c, [37, 41]));
    const ga = naive(c, transpose(b, 29, 41), 37, 41, 29);
    const gb = naive(transpose(a, 37, 29), c, 29, 37, 41);
    expectWithin(A.grad!.toFloat32Array(), ga.exact, ga.bound, "grad a");
    expectWithin(B.grad!.toFloat32Array(), gb.exact, gb.bound, "grad b");
  });
});

describe("determinism", () => {
  test("the same inputs give the same bits, run after run", () => {
    const a = uniform(37 * 29, -2, 2, 51), b = uniform(29 * 41, -2, 2, 52), v = uniform(17 * 33 * 5, -2, 2, 53);
    const run = () => {
      const A = fromValues(a, [37, 29], true), B = fromValues(b, [29, 41], true), X = fromValues(v, [17, 33, 5], true);
      const y = matmul(A, B);
      const s = sum(X, [0, 2]);
      const e = tanh(exp(X.mul(0.25))).mean(1);
      y.sum().add(s.sum()).add(e.sum()).backward();
      return [y, s, e, A.grad!, B.grad!, X.grad!].map(bits);
    };
    const first = run();
    for (let r = 0; r < 3; r++) expect(run()).toEqual(first);
  });
});

describe("zero-element tensors", () => {
  test("elementwise, reductions and products with a 0 dim", () => {
    const e = fromValues([], [0]);
    expect(add(e, e).shape).toEqual([0]);
    expect(exp(fromValues([], [3, 0])).shape).toEqual([3, 0]);
    expect(mul(fromValues([], [0, 1]), fromValues([1, 2, 3], [3])).shape).toEqual([0, 3]);
    expect(sum(e).item()).toBe(0);
    expect(Number.isNaN(mean(e).item())).toBe(true);
    const z = fromValues([], [4, 0, 3]);
    expect(Array.from(sum(z, 1).toFloat32Array())).toEqual(new Array(12).fill(0));
    expect(mean(z, 1).toFloat32Array().every(Number.isNaN)).toBe(true);
    expect(sum(z, [0, 2]).shape).toEqual([0]);
    const p = matmul(fromValues([], [3, 0]), fromValues([], [0, 4]));
    expect(p.shape).toEqual([3, 4]);
    expect(Array.from(p.toFloat32Array())).toEqual(new Array(12).fill(0));
    expect(matmul(e, e).item()).toBe(0);
  });
});
