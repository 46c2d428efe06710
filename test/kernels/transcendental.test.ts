// The float32 transcendental kernels (assembly/kernels/vmath.ts, vmath64.ts, used by unary.ts and
// unaryMore.ts) called directly, against float64 references (transcendental-ref.ts): every binade
// densely, the special values, and a million random inputs of each function's useful range. The
// bounds asserted are the maximum errors measured, counted in float32 steps from the correctly
// rounded float64 result (backward formulas whose terms cancel: in ulps of their largest term).
import { describe, test, expect, beforeAll } from "vitest";
import path from "node:path";
import { compileKernels } from "../helpers/asc";
import { FORWARD, BACKWARD, binadeSweep, randomSweep, ulpDist, ulpAt, rnd, reseed, SPECIALS } from "./transcendental-ref";

const root = new URL("../..", import.meta.url).pathname;
const entryName = path.join(root, "assembly/kernels/__vmath_test.ts");
const entry = `
import { unaryKernel, U_EXP, U_LOG, U_SIGMOID, U_TANH } from "./unary";
import { unaryMoreKernel, gradMoreKernel, U_LOG1P, U_EXPM1, U_GELU, U_GELU_TANH, U_SILU, U_SOFTPLUS, U_SIN, U_COS,
  G_GELU, G_GELU_TANH, G_SILU, G_SOFTPLUS } from "./unaryMore";
import { softmaxRows, logsumexpRows, softmaxBackRows } from "./reduceRows";
export function forward(name: i32, out: usize, a: usize, n: i32): void {
  if (name == 0) unaryKernel<f32>(U_EXP, out, a, n);
  else if (name == 1) unaryMoreKernel<f32>(U_EXPM1, out, a, n, 0, 0);
  else if (name == 2) unaryKernel<f32>(U_LOG, out, a, n);
  else if (name == 3) unaryMoreKernel<f32>(U_LOG1P, out, a, n, 0, 0);
  else if (name == 4) unaryKernel<f32>(U_TANH, out, a, n);
  else if (name == 5) unaryKernel<f32>(U_SIGMOID, out, a, n);
  else if (name == 6) unaryMoreKernel<f32>(U_SILU, out, a, n, 0, 0);
  else if (name == 7) unaryMoreKernel<f32>(U_SOFTPLUS, out, a, n, 1, 20);
  else if (name == 8) unaryMoreKernel<f32>(U_GELU, out, a, n, 0, 0);
  else if (name == 9) unaryMoreKernel<f32>(U_GELU_TANH, out, a, n, 0, 0);
  else if (name == 10) unaryMoreKernel<f32>(U_SIN, out, a, n, 0, 0);
  else unaryMoreKernel<f32>(U_COS, out, a, n, 0, 0);
}
export function backward(name: i32, out: usize, g: usize, x: usize, n: i32): void {
  const k = name == 0 ? G_GELU : name == 1 ? G_GELU_TANH : name == 2 ? G_SILU : G_SOFTPLUS;
  gradMoreKernel<f32>(k, out, g, x, n, 1, 20);
}
export function softmax(out: usize, a: usize, outer: i32, n: i32, inner: i32, log: bool): void {
  softmaxRows<f32>(out, a, outer, n, inner, log);
}
export function logSoftmaxBack(out: usize, g: usize, y: usize, outer: i32, n: i32, inner: i32): void {
  softmaxBackRows<f32>(out, g, y, outer, n, inner, true);
}
export function logsumexp(out: usize, a: usize, outer: i32, n: i32, inner: i32): void {
  logsumexpRows<f32>(out, a, outer, n, inner);
}
let top: usize = (__heap_base + 15) & ~15;
export function bump(bytes: usize): usize {
  const p = top; top = (top + bytes + 15) & ~15;
  const need = <i32>((top + 0xffff) >> 16) - memory.size();
  if (need > 0) memory.grow(need);
  return p;
}
export function reset(): void { top = (__heap_base + 15) & ~15; }
`;

interface Core {
  memory: WebAssembly.Memory;
  forward(name: number, out: number, a: number, n: number): void;
  backward(name: number, out: number, g: number, x: number, n: number): void;
  softmax(out: number, a: number, outer: number, n: number, inner: number, log: number): void;
  logsumexp(out: number, a: number, outer: number, n: number, inner: number): void;
  logSoftmaxBack(out: number, g: number, y: number, outer: number, n: number, inner: number): void;
  bump(bytes: number): number;
  reset(): void;
}
let X: Core;

beforeAll(async () => {
  X = await compileKernels<Core>(entryName, entry);
}, 120_000);

const GUARD = 4, G = 12345.5;

/** Copies arrays into the core, runs `call` on an n-element out with guard words after it, checks them, returns out. */
function inCore(inputs: Float32Array[], n: number, call: (out: number, ptrs: number[]) => void): Float32Array {
  X.reset();
  const ptrs = inputs.map((a) => { const p = X.bump((a.length + GUARD) * 4); new Float32Array(X.memory.buffer, p, a.length).set(a); return p; });
  const out = X.bump((n + GUARD) * 4);
  new Float32Array(X.memory.buffer, out, n + GUARD).fill(G);
  call(out, ptrs);
  const f = new Float32Array(X.memory.buffer, out, n + GUARD);
  for (let i = n; i < n + GUARD; i++) if (f[i] !== G) throw new Error(`wrote past the end: out[${i}] = ${f[i]}`);
  return f.slice(0, n);
}

const runForward = (k: number, x: Float32Array): Float32Array =>
  inCore([x], x.length, (out, [a]) => X.forward(k, out, a, x.length));
const runBackward = (k: number, g: Float32Array, x: Float32Array): Float32Array =>
  inCore([g, x], x.length, (out, [gp, xp]) => X.backward(k, out, gp, xp, x.length));

function inputsFor(lo: number, hi: number): Float32Array {
  reseed(0x2545f491);
  const a = binadeSweep(), b = randomSweep(1_000_000, lo, hi);
  const x = new Float32Array(a.length + b.length);
  x.set(a); x.set(b, a.length);
  return x;
}

// the maximum error measured on these inputs (steps from the correctly rounded result)
// the maximum error measured on these inputs, in float32 steps from the correctly rounded result
// (silu and the GELUs, evaluated in f64 and rounded once, measured 0)
const FORWARD_BOUND: Record<string, number> = {
  exp: 1, expm1: 1, log: 1, log1p: 1, tanh: 1, sigmoid: 2, silu: 1, softplus: 2, gelu: 1, gelu_tanh: 1,
  sin: 0, cos: 0,
};
// backward, in ulps of the formula's largest term: the f64 evaluations round once (0.5), softplus'
// is sigmoid's (measured 1.81)
const BACKWARD_BOUND: Record<string, number> = { gelu: 0.51, gelu_tanh: 0.51, silu: 0.51, softplus: 2 };

describe("float32 forward kernels against float64 references", () => {
  FORWARD.forEach((fn, k) => {
    test(`${fn.name}: within ${FORWARD_BOUND[fn.name]} ulp over every binade and 1e6 random inputs`, () => {
      const x = inputsFor(fn.lo, fn.hi);
      const y = runForward(k, x);
      let worst = 0, at = 0, over1 = 0;
      for (let i = 0; i < x.length; i++) {
        const d = ulpDist(y[i], fn.ref(x[i]));
        if (d > 1) over1++;
        if (d > worst) { worst = d; at = i; }
      }
      console.log(`${fn.name}: max ${worst} ulp at x = ${x[at]} (got ${y[at]}, want ${Math.fround(fn.ref(x[at]))}); ` +
        `${over1} of ${x.length} beyond 1 ulp`);
      expect(worst).toBeLessThanOrEqual(FORWARD_BOUND[fn.name]);
    });
  });
});

describe("float32 backward kernels against float64 references", () => {
  BACKWARD.forEach((fn, k) => {
    test(`${fn.name}: within ${BACKWARD_BOUND[fn.name]} ulp of the largest term`, () => {
      const x = inputsFor(fn.lo, fn.hi);
      const g = new Float32Array(x.length).fill(1);
      const y = runBackward(k, g, x);
      let worst = 0, at = 0;
      for (let i = 0; i < x.length; i++) {
        const [r, scale] = fn.ref(x[i]);
        const d = Number.isFinite(x[i]) ? ulpAt(y[i], r, scale) : ulpDist(y[i], r);
        if (d > worst) { worst = d; at = i; }
      }
      console.log(`${fn.name}': max ${worst.toFixed(2)} ulp at x = ${x[at]} (got ${y[at]}, want ${fn.ref(x[at])[0]})`);
      expect(worst).toBeLessThanOrEqual(BACKWARD_BOUND[fn.name]);
      // g scales the result (one more rounding)
      const g2 = Float32Array.from(x, () => rnd() * 4 - 2);
      const y2 = runBackward(k, g2, x);
      for (let i = 0; i < x.length; i += 97) {
        if (!Number.isFinite(y[i])) continue;
        expect(ulpDist(y2[i], y[i] * g2[i])).toBeLessThanOrEqual(1);
      }
    });
  });
});

describe("special values", () => {
  const inf = Infinity, nan = NaN;
  const cases: [string, number, number[], number[]][] = [
    ["exp", 0, [-inf, inf, nan, -0, 89, 88.72284, -104, -1e30, 1e30], [0, inf, nan, 1, inf, inf, 0, 0, inf]],
    ["expm1", 1, [-inf, inf, nan, -0, 0, -1e30, 1e30, 89], [-1, inf, nan, -0, 0, -1, inf, inf]],
    ["log", 2, [0, -0, -1, -inf, inf, nan, 1, 1.401298464324817e-45], [-inf, -inf, nan, nan, inf, nan, 0, -103.27893]],
    ["log1p", 3, [-1, -2, -0, 0, inf, nan, -inf, 1e-30], [-inf, nan, -0, 0, inf, nan, nan, 1e-30]],
    ["tanh", 4, [-inf, inf, nan, -0, 0, -1e30, 1e30, 3.4e38, -3.4e38], [-1, 1, nan, -0, 0, -1, 1, 1, -1]],
    ["sigmoid", 5, [-inf, inf, nan, 0, -1e30, 1e30, 3.4e38, -3.4e38], [0, 1, nan, 0.5, 0, 1, 1, 0]],
    ["silu", 6, [-inf, inf, nan, -0, -1e30, 1e30], [nan, inf, nan, -0, -0, 1e30]],
    ["softplus", 7, [-inf, inf, nan, 0, -1e30, 1e30, 21], [0, inf, nan, Math.LN2, 0, 1e30, 21]],
    ["gelu", 8, [-inf, inf, nan, 0, -1e30, 1e30], [nan, inf, nan, 0, 0, 1e30]],
    ["gelu_tanh", 9, [-inf, inf, nan, 0, -1e30, 1e30], [nan, inf, nan, 0, 0, 1e30]],
  ];
  for (const [name, k, xs, want] of cases) {
    test(name, () => {
      const y = runForward(k, Float32Array.from(xs));
      xs.forEach((x, i) => {
        const w = Math.fround(want[i]);
        if (Number.isNaN(w)) expect(y[i], `${name}(${x})`).toBeNaN();
        else expect(Object.is(y[i], w) || (w === 0 && y[i] === 0 && x !== 0), `${name}(${x}) = ${y[i]}, want ${w}`).toBe(true);
      });
    });
  }
});

describe("tails: every length gives the results of the f32x4 body", () => {
  const pool = Float32Array.from([...SPECIALS, ...randomSweep(1000, -30, 30)]).slice(0, 1000);
  FORWARD.forEach((fn, k) => {
    test(fn.name, () => {
      const long = runForward(k, pool);
      for (const n of [0, 1, 3, 4, 5, 7, 17]) {
        for (const start of [0, 1, 2, 3, 40]) {
          const y = runForward(k, pool.slice(start, start + n));
          for (let i = 0; i < n; i++) expect(Object.is(y[i], long[start + i]), `${fn.name} n=${n} [${start + i}]`).toBe(true);
        }
      }
    });
  });
  BACKWARD.forEach((fn, k) => {
    test(`${fn.name} backward`, () => {
      const g = Float32Array.from(pool, () => rnd() * 2 - 1);
      const long = runBackward(k, g, pool);
      for (const n of [0, 1, 3, 4, 5, 7, 17]) {
        const y = runBackward(k, g.slice(5, 5 + n), pool.slice(5, 5 + n));
        for (let i = 0; i < n; i++) expect(Object.is(y[i], long[5 + i]), `${fn.name}' n=${n} [${i}]`).toBe(true);
      }
    });
  });
});

describe("float32 softmax, log-softmax and logsumexp against float64", () => {
  /** [outer, n, inner] data: scaled normals with an offset, so x - max is rarely exact. */
  function data(outer: number, n: number, inner: number, scale: number, offset: number): Float32Array {
    return Float32Array.from({ length: outer * n * inner }, () => offset + scale * (rnd() + rnd() + rnd() - 1.5));
  }
  function reference(a: Float32Array, outer: number, n: number, inner: number) {
    const sm = new Float64Array(a.length), ls = new Float64Array(a.length), lse = new Float64Array(outer * inner);
    const lsScale = new Float64Array(a.length);
    for (let o = 0; o < outer; o++) for (let i = 0; i < inner; i++) {
      const at = (k: number) => (o * n + k) * inner + i;
      let m = -Infinity;
      for (let k = 0; k < n; k++) m = Math.max(m, a[at(k)]);
      // softmax shifts by 0 when the max is -inf, logsumexp also when it is inf (as torch)
      const ms = m === -Infinity ? 0 : m, ml = Number.isFinite(m) ? m : 0;
      let s = 0, sl = 0;
      for (let k = 0; k < n; k++) { s += Math.exp(a[at(k)] - ms); sl += Math.exp(a[at(k)] - ml); }
      lse[o * inner + i] = Math.log(sl) + ml;
      m = ms;
      for (let k = 0; k < n; k++) {
        sm[at(k)] = Math.exp(a[at(k)] - m) / s;
        ls[at(k)] = a[at(k)] - m - Math.log(s);
        lsScale[at(k)] = Math.max(Math.abs(a[at(k)] - m), Math.log(s));
      }
    }
    return { sm, ls, lse, lsScale };
  }
  const shapes: [number, number, number, number, number][] = [
    [4, 1000, 1, 10, 0], [3, 37, 1, 30, 50], [2, 5, 7, 10, -20], [2, 64, 13, 5, 100], [1, 1, 1, 1, 0], [5, 3, 4, 40, 0],
  ];
  for (const [outer, n, inner, scale, offset] of shapes) {
    test(`[${outer}, ${n}, ${inner}], inputs ${offset} +- ${scale}`, () => {
      reseed(outer * 1000 + n);
      const a = data(outer, n, inner, scale, offset);
      const ref = reference(a, outer, n, inner);
      const sm = inCore([a], a.length, (out, [p]) => X.softmax(out, p, outer, n, inner, 0));
      const ls = inCore([a], a.length, (out, [p]) => X.softmax(out, p, outer, n, inner, 1));
      const lse = inCore([a], outer * inner, (out, [p]) => X.logsumexp(out, p, outer, n, inner));
      let wSm = 0, wLs = 0, wLse = 0;
      for (let j = 0; j < a.length; j++) {
        wSm = Math.max(wSm, ulpDist(sm[j], ref.sm[j]));
        wLs = Math.max(wLs, ulpAt(ls[j], ref.ls[j], ref.lsScale[j]));
      }
      for (let j = 0; j < lse.length; j++) wLse = Math.max(wLse, ulpDist(lse[j], ref.lse[j]));
      console.log(`softmax max ${wSm} ulp, log_softmax ${wLs.toFixed(2)} ulp (of its terms), logsumexp ${wLse} ulp`);
      expect(wSm).toBeLessThanOrEqual(2);
      // log(s) carries the sum's relative error, about an ulp of 1: the exps are rounded to f32
      // (1 ulp each) before the f64 sum; then one more rounding
      expect(wLs).toBeLessThanOrEqual(1.5);
      expect(wLse).toBeLessThanOrEqual(1);
    });
  }
  test("special rows: -inf entries, a NaN, all -inf, +inf", () => {
    const rows = [[0, -Infinity, 1, 2, -Infinity], [1, NaN, 2, 3, 4], [-Infinity, -Infinity, -Infinity, -Infinity, -Infinity],
      [1, Infinity, 2, 3, 4]];
    const a = Float32Array.from(rows.flat());
    const sm = inCore([a], a.length, (out, [p]) => X.softmax(out, p, 4, 5, 1, 0));
    const lse = inCore([a], 4, (out, [p]) => X.logsumexp(out, p, 4, 5, 1));
    const ref = reference(a, 4, 5, 1);
    for (let j = 0; j < a.length; j++) expect(ulpDist(sm[j], ref.sm[j]), `softmax[${j}] = ${sm[j]}, want ${ref.sm[j]}`).toBeLessThanOrEqual(2);
    expect(Array.from(lse.slice(1))).toEqual([NaN, -Infinity, Infinity]);
    expect(sm[1]).toBe(0);
  });
  test("the last inner % 4 columns give the bits of the four-wide columns", () => {
    const n = 29, a8 = data(1, n, 8, 10, 3);
    const a7 = Float32Array.from({ length: n * 7 }, (_, j) => a8[Math.floor(j / 7) * 8 + (j % 7)]);
    for (const log of [0, 1]) {
      const y8 = inCore([a8], a8.length, (out, [p]) => X.softmax(out, p, 1, n, 8, log));
      const y7 = inCore([a7], a7.length, (out, [p]) => X.softmax(out, p, 1, n, 7, log));
      for (let k = 0; k < n; k++) for (let i = 4; i < 7; i++) expect(Object.is(y7[k * 7 + i], y8[k * 8 + i])).toBe(true);
    }
    const l8 = inCore([a8], 8, (out, [p]) => X.logsumexp(out, p, 1, n, 8));
    const l7 = inCore([a7], 7, (out, [p]) => X.logsumexp(out, p, 1, n, 7));
    expect(Array.from(l7.slice(4))).toEqual(Array.from(l8.slice(4, 7)));
  });
});

describe("float32 log-softmax backward: g - exp(y) * sum(g)", () => {
  for (const [outer, n, inner] of [[3, 1000, 1], [2, 7, 1], [2, 33, 5]]) {
    test(`[${outer}, ${n}, ${inner}] within 2 ulp of its terms; a column gets a row's bits`, () => {
      reseed(n);
      const len = outer * n * inner;
      const g = Float32Array.from({ length: len }, () => rnd() * 2 - 1);
      const y = Float32Array.from({ length: len }, () => -20 * rnd() ** 2);
      const out = inCore([g, y], len, (o, [gp, yp]) => X.logSoftmaxBack(o, gp, yp, outer, n, inner));
      let worst = 0;
      for (let o = 0; o < outer; o++) for (let i = 0; i < inner; i++) {
        const at = (k: number) => (o * n + k) * inner + i;
        let s = 0;
        for (let k = 0; k < n; k++) s += g[at(k)];
        for (let k = 0; k < n; k++) {
          const t = Math.exp(y[at(k)]) * s;
          worst = Math.max(worst, ulpAt(out[at(k)], g[at(k)] - t, Math.max(Math.abs(g[at(k)]), Math.abs(t))));
        }
      }
      console.log(`log_softmax backward: max ${worst.toFixed(2)} ulp of its terms`);
      expect(worst).toBeLessThanOrEqual(2); // exp's ulp on the exp(y) * sum term, then one rounding
      // column 0 as a contiguous row
      const col = (a: Float32Array) => Float32Array.from({ length: n }, (_, k) => a[k * inner]);
      const row = inCore([col(g), col(y)], n, (o, [gp, yp]) => X.logSoftmaxBack(o, gp, yp, 1, n, 1));
      expect(Array.from(row)).toEqual(Array.from(col(out)));
    });
  }
});
