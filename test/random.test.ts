// Seeded draws against PyTorch 1.13 (test/fixtures/random.json, written by make_random.py): every
// value must be identical, bit for bit, in float32 and float64, through sequences of calls that
// share the generator state, and a Generator must not disturb the default one.

import { describe, expect, test } from "vitest";
import { readFileSync } from "node:fs";
import {
  Tensor, Generator, manualSeed, initialSeed, rand, randn, randint, randperm, bernoulli, randnLike, randLike, empty,
  tensor, zeros, noGrad, defaultGenerator, DTypeError, AutogradError, ShapeError, WasmgradError,
} from "wasmgrad";

type Call = (string | number | number[])[];
interface Case { name: string; seed: number; gseed: number | null; calls: Call[]; outs: number[][] }
const fixture = JSON.parse(readFileSync(new URL("./fixtures/random.json", import.meta.url), "utf8")) as {
  rand3_seed0: number[]; cases: Case[];
};

type DT = "float32" | "float64" | "int32" | "bool";

function run(call: Call, gen: Generator | undefined): Tensor {
  const useGen = call[call.length - 1] === "gen";
  const args = useGen ? call.slice(1, -1) : call.slice(1);
  const generator = useGen ? gen : undefined;
  const o = { generator };
  switch (call[0]) {
    case "rand": return rand(args[0] as number[], { dtype: args[1] as DT, generator });
    case "randn": return randn(args[0] as number[], { dtype: args[1] as DT, generator });
    case "randint": return randint(args[0] as number, args[1] as number, args[2] as number[], o);
    case "randperm": return randperm(args[0] as number, o);
    case "bernoulli": return bernoulli(tensor(args[0] as number[], { dtype: args[1] as DT }), o);
    case "uniform_": return empty(args[0] as number[], { dtype: args[3] as DT }).uniform_(args[1] as number, args[2] as number, o);
    case "normal_": return empty(args[0] as number[], { dtype: args[3] as DT }).normal_(args[1] as number, args[2] as number, o);
    case "bernoulli_": return empty(args[0] as number[], { dtype: args[2] as DT }).bernoulli_(args[1] as number, o);
    case "uniform_T":
    case "normal_T": {
      const [r, c] = args[0] as number[];
      const t = empty([c, r], { dtype: args[1] as DT }).t();
      return call[0] === "uniform_T" ? t.uniform_(0, 1, o) : t.normal_(0, 1, o);
    }
  }
  throw new Error(`unknown call ${String(call[0])}`);
}

/**
 * Index of the first value that differs bit for bit (-0 and 0 differ), or -1. Float64 normals may
 * differ from torch's in the last bits (`ulps`, relative): torch takes sin and cos from glibc, whose
 * rounding the core's own sin/cos do not reproduce for every argument, and the radius multiplies
 * that error; every other draw, float32 normals included, is exact.
 */
function firstDiff(got: ArrayLike<number>, want: readonly number[], ulps = 0): number {
  if (got.length !== want.length) return Math.min(got.length, want.length);
  for (let i = 0; i < want.length; i++) {
    const g = Number(got[i]), w = want[i];
    if (Object.is(g, w)) continue;
    if (ulps > 0 && Math.abs(g - w) <= ulps * Number.EPSILON * Math.max(Math.abs(w), 2 ** -1022)) continue;
    return i;
  }
  return -1;
}
const isF64Normal = (call: Call): boolean =>
  (call[0] === "randn" || call[0] === "normal_" || call[0] === "normal_T") && call.includes("float64");

test("torch.manual_seed(0); torch.rand(3)", () => {
  manualSeed(0);
  const v = Array.from(rand(3).toFloat32Array());
  expect(v).toEqual(fixture.rand3_seed0);
  expect(v.map((x) => x.toFixed(4))).toEqual(["0.4963", "0.7682", "0.0885"]);
});

describe("golden draws", () => {
  test.each(fixture.cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    manualSeed(c.seed);
    const gen = c.gseed === null ? undefined : new Generator().manualSeed(c.gseed);
    c.calls.forEach((call, i) => {
      const t = run(call, gen);
      const got = t.dtype === "bool" ? Array.from(t.toArray() as unknown as number[]).flat(8).map(Number) : Array.from(t.contiguous().dataSync());
      const at = firstDiff(got, c.outs[i], isF64Normal(call) ? 4 : 0);
      if (at >= 0) throw new Error(`call ${i} ${JSON.stringify(call)}: element ${at} is ${got[at]}, torch gives ${c.outs[i][at]}`);
    });
  });
});

test("manualSeed takes numbers and bigints as torch does (negative seeds wrap mod 2^64)", () => {
  manualSeed(-1);
  expect(initialSeed()).toBe(18446744073709551615n);
  expect(rand(1).item()).toBe(Math.fround(0.9937993884086609));
  manualSeed(2 ** 32 + 7);
  expect(initialSeed()).toBe(4294967303);
  expect(rand(1).item()).toBe(Math.fround(0.5349225401878357));
  manualSeed(7n);
  expect(rand(1).item()).toBe(Math.fround(0.5349225401878357));
  expect(manualSeed(1.5)).toBe(defaultGenerator);
  expect(initialSeed()).toBe(1);
  expect(() => manualSeed(2 ** 64)).toThrow(DTypeError);
  expect(() => manualSeed("1" as unknown as number)).toThrow(/^manualSeed: seed must be an integer/);
});

test("a new Generator starts from torch's default seed; clone continues the same stream", () => {
  const g = new Generator();
  expect(g.initialSeed()).toBe(67280421310721);
  const a = new Generator().manualSeed(5);
  rand(4, { generator: a });
  const b = a.clone();
  expect(Array.from(rand(6, { generator: a }).dataSync())).toEqual(Array.from(rand(6, { generator: b }).dataSync()));
});

test("randnLike / randLike follow the dtype and draw like randn / rand", () => {
  const like = zeros([2, 9], { dtype: "float64" });
  manualSeed(3);
  const a = randnLike(like);
  manualSeed(3);
  const b = randn([2, 9], { dtype: "float64" });
  expect(a.dtype).toBe("float64");
  expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
  manualSeed(3);
  const c = randLike(zeros(4));
  manualSeed(3);
  expect(Array.from(c.dataSync())).toEqual(Array.from(rand(4).dataSync()));
});

test("randint(high, shape) starts at 0; randperm gives a permutation", () => {
  manualSeed(0);
  const a = randint(10, [6]);
  manualSeed(0);
  expect(Array.from(a.dataSync())).toEqual(Array.from(randint(0, 10, [6]).dataSync()));
  const p = Array.from(randperm(500).dataSync()).sort((x, y) => x - y);
  expect(p).toEqual(Array.from({ length: 500 }, (_, i) => i));
  expect(randperm(0).shape).toEqual([0]);
});

test("in-place fills follow torch's autograd rules and bump the version", () => {
  const leaf = zeros(3, { requiresGrad: true });
  expect(() => leaf.uniform_()).toThrow(AutogradError);
  expect(() => leaf.normal_()).toThrow(/^normal_: a leaf Variable that requires grad/);
  noGrad(() => leaf.uniform_(-1, 1));
  expect(leaf.requiresGrad).toBe(true);
  for (const v of leaf.toFloat32Array()) expect(v >= -1 && v < 1).toBe(true);
  const saved = zeros(4, { requiresGrad: true });
  const x = zeros(4);
  const y = saved.mul(x);
  x.normal_();
  expect(() => y.sum().backward()).toThrow(/modified by an inplace operation|modified in place/);
});

test("argument errors name the op and the values", () => {
  expect(() => empty(3, { dtype: "int32" }).uniform_()).toThrow(DTypeError);
  expect(() => empty(3).uniform_(2, 1)).toThrow(/^uniform_: expects to return a \[from, to\) range, but found from=2 > to=1/);
  expect(() => empty(3).normal_(0, -1)).toThrow(/^normal_: normal expects std >= 0.0, but found std -1/);
  expect(() => empty(3).bernoulli_(1.5)).toThrow(/^bernoulli_: expects p to be in \[0, 1\], but got p=1.5/);
  expect(() => bernoulli(tensor([1, 0], { dtype: "int32" }))).toThrow(DTypeError);
  expect(() => randperm(-1)).toThrow(ShapeError);
  expect(() => randint(3, 3, [2])).toThrow(WasmgradError);
  expect(() => randint(0, 2 ** 31 + 1, [2])).toThrow(/^randint: the range/);
  expect(() => rand(2, { generator: {} as Generator })).toThrow(/^rand: generator must be a Generator/);
  expect(() => rand([2], { dtype: "int32" })).toThrow(DTypeError);
  expect(() => zeros(1).expand(4).uniform_()).toThrow(/more than one element/);
});
