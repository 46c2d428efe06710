// The float32 GEMM (assembly/kernels/matmul.ts) called directly: a small module around it is
// compiled here, so shapes, strides and `acc` reach the kernel exactly as the ops pass them.
// Every output must equal, bit for bit, the sum in the kernel's documented order (per KC block
// from 0 in k order, f32 products and sums, blocks added to C in k order), emulated with
// Math.fround; and lie within the float32 error bound of a float64 reference.
import { describe, test, expect, beforeAll } from "vitest";
import path from "node:path";
import { compileKernels } from "../helpers/asc";
import v8 from "node:v8";

const root = new URL("../..", import.meta.url).pathname;
const entryName = path.join(root, "assembly/kernels/__gemm_test.ts");
const entry = `
export { gemmF32, gemmF32Bias, gemmScratchA, gemmScratchB } from "./matmul";
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
  gemmF32(c: number, a: number, b: number, m: number, k: number, n: number,
          rsA: number, csA: number, rsB: number, csB: number, acc: number, sa: number, sb: number): void;
  gemmF32Bias(c: number, a: number, b: number, m: number, k: number, n: number,
              rsA: number, csA: number, rsB: number, csB: number, acc: number, sa: number, sb: number, bias: number): void;
  gemmScratchA(m: number, k: number): number;
  gemmScratchB(k: number, n: number): number;
  bump(bytes: number): number;
  reset(): void;
}
let X: Core;
let KC = 0;

/** The kernel compiled as the core is: plain SIMD, or with relaxed SIMD (fused multiply-adds). */
async function compile(relaxed: boolean): Promise<Core> {
  return compileKernels<Core>(entryName, entry, relaxed ? ["--enable", "relaxed-simd"] : []);
}

beforeAll(async () => {
  X = await compile(false);
  // the KC block depth, from the B block the kernel asks for with a deep k and 8 columns
  KC = Number(X.gemmScratchB(1 << 20, 8)) / 32;
}, 120_000);

/** A matrix of float32 values in the core's memory, element (i, j) at i*rs + j*cs from its start. */
interface Mat { ptr: number; rs: number; cs: number; r: number; c: number }

let seed = 12345;
const rnd = () => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return seed / 2 ** 32 * 2 - 1; };

/** r x c operand with the given layout; "t" stores it transposed, "s" in a wider strided buffer. */
function operand(r: number, c: number, layout: "n" | "t" | "s" | "b"): Mat {
  let rs: number, cs: number, len: number;
  if (layout === "n") { rs = c; cs = 1; len = r * c; }
  else if (layout === "t") { rs = 1; cs = r; len = r * c; }
  else if (layout === "s") { rs = 2 * c + 3; cs = 2; len = r * rs; }
  else { rs = 0; cs = 1; len = c; } // one row broadcast over all rows
  const ptr = X.bump(Math.max(len, 1) * 4);
  const f = new Float32Array(X.memory.buffer, ptr, Math.max(len, 1));
  for (let i = 0; i < f.length; i++) f[i] = rnd();
  return { ptr, rs, cs, r, c };
}

const at = (f: Float32Array, x: Mat, i: number, j: number) => f[x.ptr / 4 + i * x.rs + j * x.cs];

/** Runs c (+)= a @ b in the core with guard words around c; returns c's values. */
function run(a: Mat, b: Mat, acc: boolean, c0?: Float32Array, bias?: number): Float32Array {
  const m = a.r, k = a.c, n = b.c;
  const sa = X.bump(Number(X.gemmScratchA(m, k))), sb = X.bump(Number(X.gemmScratchB(k, n)));
  const guard = 8;
  const cp = X.bump((m * n + 2 * guard) * 4);
  const f = new Float32Array(X.memory.buffer);
  const G = 12345.5;
  f.fill(G, cp / 4, cp / 4 + m * n + 2 * guard);
  if (c0) f.set(c0, cp / 4 + guard);
  if (bias === undefined) X.gemmF32(cp + guard * 4, a.ptr, b.ptr, m, k, n, a.rs, a.cs, b.rs, b.cs, acc ? 1 : 0, sa, sb);
  else X.gemmF32Bias(cp + guard * 4, a.ptr, b.ptr, m, k, n, a.rs, a.cs, b.rs, b.cs, acc ? 1 : 0, sa, sb, bias);
  const g = new Float32Array(X.memory.buffer);
  for (let i = 0; i < guard; i++) {
    if (g[cp / 4 + i] !== G || g[cp / 4 + guard + m * n + i] !== G) throw new Error(`write outside c for ${m}x${k}x${n}`);
  }
  return g.slice(cp / 4 + guard, cp / 4 + guard + m * n);
}

/** The documented summation order, emulated; and the float64 product with its error bound. */
function reference(a: Mat, b: Mat, acc: boolean, c0?: Float32Array, bias?: Float32Array, fused = false) {
  const m = a.r, k = a.c, n = b.c, f = new Float32Array(X.memory.buffer);
  const exact = new Float32Array(m * n), f64 = new Float64Array(m * n), bound = new Float64Array(m * n);
  const fr = Math.fround;
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
    let c = acc ? c0![i * n + j] : 0, first = !acc, d = acc ? c : 0, abs = acc ? Math.abs(c) : 0;
    for (let p0 = 0; p0 < k; p0 += KC) {
      let s = 0;
      for (let p = p0; p < Math.min(k, p0 + KC); p++) {
        const x = at(f, a, i, p), y = at(f, b, p, j);
        s = fused ? fr(s + x * y) : fr(s + fr(x * y)); // x * y is exact in float64
        d += x * y; abs += Math.abs(x * y);
      }
      c = first ? s : fr(c + s);
      first = false;
    }
    if (k === 0 && !acc) c = 0;
    if (bias) { c = fr(c + bias[j]); d += bias[j]; abs += Math.abs(bias[j]); }
    exact[i * n + j] = c; f64[i * n + j] = d;
    bound[i * n + j] = (k + 3) * 2 ** -24 * abs;
  }
  return { exact, f64, bound };
}

/** Checks c (+)= a @ b (+ a random bias when `withBias`): bit for bit against the documented order, or only within the bound. */
function check(a: Mat, b: Mat, acc: boolean, label: string, withBias = false, exactOrder = true): void {
  const m = a.r, n = b.c;
  const c0 = acc ? Float32Array.from({ length: m * n }, rnd) : undefined;
  let bias: Float32Array | undefined, bp: number | undefined;
  if (withBias) {
    bp = X.bump(Math.max(n, 1) * 4);
    bias = new Float32Array(X.memory.buffer, bp, n);
    for (let j = 0; j < n; j++) bias[j] = rnd() * 4;
    bias = bias.slice();
  }
  const got = run(a, b, acc, c0, bp);
  const ref = reference(a, b, acc, c0, bias);
  for (let e = 0; e < m * n; e++) {
    if (Math.abs(got[e] - ref.f64[e]) > ref.bound[e]) {
      throw new Error(`${label}: [${Math.floor(e / n)}, ${e % n}] = ${got[e]}, float64 ${ref.f64[e]} (bound ${ref.bound[e]})`);
    }
    if (exactOrder && !Object.is(got[e], ref.exact[e])) {
      throw new Error(`${label}: [${Math.floor(e / n)}, ${e % n}] = ${got[e]}, not ${ref.exact[e]} of the documented order`);
    }
  }
}

const layouts = ["n", "t", "s"] as const;

describe("gemmF32", () => {
  test("KC is a block depth the kernel reports", () => {
    expect(KC).toBeGreaterThanOrEqual(16);
    expect(Number.isInteger(KC)).toBe(true);
  });

  test("every m, n, k in 1..17, row-major operands, c = and c +=", () => {
    for (let m = 1; m <= 17; m++) for (let n = 1; n <= 17; n++) for (let k = 1; k <= 17; k++) {
      X.reset();
      const a = operand(m, k, "n"), b = operand(k, n, "n");
      check(a, b, false, `${m}x${k} @ ${k}x${n}`);
      check(a, b, true, `${m}x${k} @ ${k}x${n} acc`);
    }
  });

  test("transposed and strided operands in every combination, m, n, k in 1..17", () => {
    for (const la of layouts) for (const lb of layouts) {
      if (la === "n" && lb === "n") continue;
      for (let m = 1; m <= 17; m += 2) for (let n = 1; n <= 17; n++) for (let k = 1; k <= 17; k += 3) {
        X.reset();
        check(operand(m, k, la), operand(k, n, lb), (m + n) % 2 === 1, `${la}/${lb} ${m}x${k} @ ${k}x${n}`);
      }
    }
  });

  test("a broadcast row (row stride 0) as A", () => {
    X.reset();
    check(operand(9, 13, "b"), operand(13, 11, "n"), false, "broadcast A");
  });

  test("shapes around the block edges: k across KC blocks, m and n past the blocks", () => {
    const mc = Number(X.gemmScratchA(1 << 20, 1)) / 4, nc = Number(X.gemmScratchB(1, 1 << 20)) / 4;
    const cases: [number, number, number, string, string][] = [
      [7, KC - 1, 9, "n", "n"], [7, KC, 9, "n", "t"], [7, KC + 1, 9, "t", "n"], [5, 2 * KC + 3, 13, "t", "t"],
      [mc - 1, 33, 17, "n", "n"], [mc, 20, 8, "t", "n"], [mc + 1, KC + 5, 10, "n", "t"], [2 * mc + 3, 9, 19, "s", "n"],
      [9, 11, nc - 1, "n", "n"], [6, 7, nc, "n", "t"], [5, KC + 2, nc + 9, "t", "n"], [mc + 3, KC + 1, 40, "n", "n"],
      [1, KC + 7, 37, "n", "n"], [1, 2 * KC + 1, 5, "t", "t"], [37, KC + 9, 1, "n", "n"], [6, 2 * KC + 1, 1, "t", "t"],
      [1, 300, 1, "n", "n"],
    ];
    for (const [m, k, n, la, lb] of cases) {
      X.reset();
      const a = operand(m, k, la as "n"), b = operand(k, n, lb as "n");
      check(a, b, false, `${la}/${lb} ${m}x${k} @ ${k}x${n}`);
      check(a, b, true, `${la}/${lb} ${m}x${k} @ ${k}x${n} acc`);
    }
  });

  test("empty dims: m or n zero writes nothing; k zero gives zeros, or leaves c under acc", () => {
    X.reset();
    expect(run(operand(0, 5, "n"), operand(5, 4, "n"), false)).toEqual(new Float32Array(0));
    expect(run(operand(3, 5, "n"), operand(5, 0, "n"), false)).toEqual(new Float32Array(0));
    expect(Array.from(run(operand(3, 0, "n"), operand(0, 4, "n"), false))).toEqual(new Array(12).fill(0));
    const c0 = Float32Array.from({ length: 12 }, rnd);
    expect(run(operand(3, 0, "t"), operand(0, 4, "t"), true, c0)).toEqual(c0);
  });

  test("bit for bit: the same product twice, and each row alone equals its row of the whole", () => {
    X.reset();
    const m = 45, k = KC + 70, n = 77;
    const a = operand(m, k, "t"), b = operand(k, n, "n");
    const whole = run(a, b, false), again = run(a, b, false);
    expect(new Uint32Array(again.buffer)).toEqual(new Uint32Array(whole.buffer));
    for (const i of [0, 3, 44]) {
      const row: Mat = { ...a, ptr: a.ptr + i * a.rs * 4, r: 1 };
      const one = run(row, b, false);
      expect(new Uint32Array(one.buffer)).toEqual(new Uint32Array(whole.slice(i * n, (i + 1) * n).buffer));
    }
  });

  test("a fused bias: added after the sum and after c's old values, as a separate add would be", () => {
    const cases: [number, number, number, string, string][] = [
      [1, 5, 9, "n", "n"], [9, 7, 1, "n", "t"], [4, 8, 8, "n", "n"], [13, 17, 11, "t", "n"], [6, KC + 5, 21, "n", "t"],
      [1, KC + 3, 19, "n", "n"], [11, 2 * KC + 1, 1, "t", "t"], [17, 9, 16, "s", "s"],
    ];
    for (const [m, k, n, la, lb] of cases) {
      X.reset();
      const a = operand(m, k, la as "n"), b = operand(k, n, lb as "n");
      check(a, b, false, `bias ${la}/${lb} ${m}x${k} @ ${k}x${n}`, true);
      check(a, b, true, `bias ${la}/${lb} ${m}x${k} @ ${k}x${n} acc`, true);
    }
    // k == 0: the bias alone, or added to c
    X.reset();
    check(operand(3, 0, "n"), operand(0, 5, "n"), false, "bias, k = 0", true);
    check(operand(3, 0, "n"), operand(0, 5, "n"), true, "bias, k = 0, acc", true);
  });

  test("a column alone (n = 1) equals its column of the whole product", () => {
    X.reset();
    const m = 23, k = KC + 33, n = 19;
    const a = operand(m, k, "n"), b = operand(k, n, "t");
    const whole = run(a, b, false);
    for (const j of [0, 7, 18]) {
      const col: Mat = { ...b, ptr: b.ptr + j * b.cs * 4, c: 1 };
      const one = run(a, col, false);
      const want = Float32Array.from({ length: m }, (_, i) => whole[i * n + j]);
      expect(new Uint32Array(one.buffer)).toEqual(new Uint32Array(want.buffer));
    }
  });
});

describe("gemmF32, relaxed-SIMD build (fused multiply-adds)", () => {
  beforeAll(async () => {
    v8.setFlagsFromString("--experimental-wasm-relaxed-simd");
    X = await compile(true);
  }, 120_000);

  /** Whether the engine fuses relaxed_madd here, decided on one product (then held to for all). */
  let fused: boolean | undefined;
  function checkRelaxed(a: Mat, b: Mat, acc: boolean, withBias: boolean, label: string): void {
    const m = a.r, n = b.c;
    const c0 = acc ? Float32Array.from({ length: m * n }, rnd) : undefined;
    let bias: Float32Array | undefined, bp: number | undefined;
    if (withBias) {
      bp = X.bump(Math.max(n, 1) * 4);
      bias = new Float32Array(X.memory.buffer, bp, n);
      for (let j = 0; j < n; j++) bias[j] = rnd();
      bias = bias.slice();
    }
    const got = run(a, b, acc, c0, bp);
    if (fused === undefined) {
      const f = reference(a, b, acc, c0, bias, true).exact;
      fused = got.every((v, e) => Object.is(v, f[e]));
    }
    const ref = reference(a, b, acc, c0, bias, fused);
    for (let e = 0; e < m * n; e++) {
      if (Math.abs(got[e] - ref.f64[e]) > ref.bound[e]) throw new Error(`${label}: [${Math.floor(e / n)}, ${e % n}] = ${got[e]}, float64 ${ref.f64[e]}`);
      if (!Object.is(got[e], ref.exact[e])) {
        throw new Error(`${label}: [${Math.floor(e / n)}, ${e % n}] = ${got[e]}, not ${ref.exact[e]} of the ${fused ? "fused" : "unfused"} order`);
      }
    }
  }

  test("every path in one summation order: tiles, edges, one row, one column, KC blocks, bias, acc", () => {
    for (let m = 1; m <= 13; m += 3) for (let n = 1; n <= 17; n += 2) for (let k = 1; k <= 19; k += 6) {
      X.reset();
      checkRelaxed(operand(m, k, "n"), operand(k, n, "t"), (m + n) % 2 === 0, m % 2 === 1, `${m}x${k} @ ${k}x${n}`);
    }
    const cases: [number, number, number, string, string][] = [
      [7, KC + 1, 9, "t", "n"], [1, KC + 7, 37, "n", "n"], [37, KC + 9, 1, "n", "n"], [21, 2 * KC + 3, 26, "s", "t"],
    ];
    for (const [m, k, n, la, lb] of cases) {
      X.reset();
      checkRelaxed(operand(m, k, la as "n"), operand(k, n, lb as "n"), false, true, `${la}/${lb} ${m}x${k} @ ${k}x${n}`);
      checkRelaxed(operand(m, k, la as "n"), operand(k, n, lb as "n"), true, false, `${la}/${lb} ${m}x${k} @ ${k}x${n} acc`);
    }
  });

  test("bit for bit: each row and each column alone equals its part of the whole", () => {
    X.reset();
    const m = 45, k = KC + 70, n = 77;
    const a = operand(m, k, "t"), b = operand(k, n, "n");
    const whole = run(a, b, false);
    for (const i of [0, 3, 44]) {
      const one = run({ ...a, ptr: a.ptr + i * a.rs * 4, r: 1 }, b, false);
      expect(new Uint32Array(one.buffer)).toEqual(new Uint32Array(whole.slice(i * n, (i + 1) * n).buffer));
    }
    for (const j of [0, 8, 76]) {
      const one = run(a, { ...b, ptr: b.ptr + j * b.cs * 4, c: 1 }, false);
      const want = Float32Array.from({ length: m }, (_, i) => whole[i * n + j]);
      expect(new Uint32Array(one.buffer)).toEqual(new Uint32Array(want.buffer));
    }
  });
});
