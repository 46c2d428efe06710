// Tensor creation and reading values.
import { test, expect } from "vitest";
import {
  tensor, zeros, ones, full, empty, arange, linspace, eye, rand, randn, randint, zerosLike, onesLike,
  randnLike, manualSeed,
} from "wasmgrad";
import * as wg from "wasmgrad";

test("tensor() from numbers, nested arrays and typed arrays", () => {
  expect(tensor(2.5).shape).toEqual([]);
  expect(tensor(2.5).item()).toBe(2.5);
  const m = tensor([[1, 2, 3], [4, 5, 6]]);
  expect(m.shape).toEqual([2, 3]);
  expect(m.dtype).toBe("float32");
  expect(m.toArray()).toEqual([[1, 2, 3], [4, 5, 6]]);
  expect(tensor(new Float32Array([0.1, 0.2])).toFloat32Array()).toEqual(new Float32Array([0.1, 0.2]));
  expect(Array.from(tensor(new Float64Array([0.1])).toFloat32Array())).toEqual([Math.fround(0.1)]);
  const i = tensor(new Int32Array([7, -3]));
  expect(i.dtype).toBe("int32");
  expect(i.toArray()).toEqual([7, -3]);
  expect(tensor([true, false]).dtype).toBe("bool");
  expect(tensor([true, false]).toArray()).toEqual([true, false]);
  expect(tensor([1.7, -2.2], { dtype: "int32" }).toArray()).toEqual([1, -2]);
  expect(tensor([]).shape).toEqual([0]);
  const f = tensor([[1, 2]], { dtype: "int32" }).float();
  expect(f.dtype).toBe("float32");
  expect(f.mul(0.5).toArray()).toEqual([[0.5, 1]]);
});

test("values are copied: changing the source array later changes nothing", () => {
  const src = new Float32Array([1, 2]);
  const t = tensor(src);
  src[0] = 99;
  expect(t.toArray()).toEqual([1, 2]);
  const copy = t.toFloat32Array();
  copy[1] = 42;
  // requiresGrad on an integer dtype is refused by the creation op itself
  expect(() => tensor(new Int32Array([1, 2]), { requiresGrad: true })).toThrow(/^tensor: only tensors of floating point dtype can require gradients, got int32$/);
  expect(() => zeros([2], { dtype: "bool", requiresGrad: true })).toThrow(/^zeros: only tensors of floating point dtype/);
  expect(t.toArray()).toEqual([1, 2]);
});

test("zeros / ones / full / empty take shapes as arrays or varargs", () => {
  expect(zeros(2, 3).shape).toEqual([2, 3]);
  expect(zeros([2, 3]).toArray()).toEqual([[0, 0, 0], [0, 0, 0]]);
  expect(ones(3, { requiresGrad: true }).requiresGrad).toBe(true);
  expect(full([2], 7.5).toArray()).toEqual([7.5, 7.5]);
  expect(empty(4).shape).toEqual([4]);
  expect(zeros([]).shape).toEqual([]);
  expect(zeros(0).numel()).toBe(0);
  expect(ones([2], { dtype: "int32" }).toArray()).toEqual([1, 1]);
  expect(zerosLike(ones(2, 2)).toArray()).toEqual([[0, 0], [0, 0]]);
  expect(onesLike(zeros(3)).toArray()).toEqual([1, 1, 1]);
});

test("arange, linspace, eye", () => {
  expect(arange(5).toArray()).toEqual([0, 1, 2, 3, 4]);
  expect(arange(0, 1, 0.25).toArray()).toEqual([0, 0.25, 0.5, 0.75]);
  expect(arange(5, 0, -2).toArray()).toEqual([5, 3, 1]);
  expect(arange(3, undefined, 1, { dtype: "int32" }).dtype).toBe("int32");
  expect(linspace(-1, 1, 5).toArray()).toEqual([-1, -0.5, 0, 0.5, 1]);
  expect(eye(2, 3).toArray()).toEqual([[1, 0, 0], [0, 1, 0]]);
});

test("manualSeed makes rand/randn/randint repeatable", () => {
  manualSeed(42);
  const a = [rand(5).toArray(), randn(5).toArray(), randint(0, 10, [5]).toArray()];
  manualSeed(42);
  const b = [rand(5).toArray(), randn(5).toArray(), randint(0, 10, [5]).toArray()];
  expect(b).toEqual(a);
  manualSeed(43);
  expect(rand(5).toArray()).not.toEqual(a[0]);
});

test("random values have the right ranges and moments", () => {
  manualSeed(0);
  const u = rand(20000).toFloat32Array();
  expect(Math.min(...u)).toBeGreaterThanOrEqual(0);
  expect(Math.max(...u)).toBeLessThan(1);
  expect(u.reduce((s, x) => s + x, 0) / u.length).toBeCloseTo(0.5, 1);
  const n = randn([100, 200]).toFloat32Array();
  const mean = n.reduce((s, x) => s + x, 0) / n.length;
  const sd = Math.sqrt(n.reduce((s, x) => s + (x - mean) ** 2, 0) / n.length);
  expect(Math.abs(mean)).toBeLessThan(0.02);
  expect(Math.abs(sd - 1)).toBeLessThan(0.02);
  const r = randint(-3, 4, [5000]);
  expect(r.dtype).toBe("int32");
  const ri = Array.from(r.dataSync());
  expect(Math.min(...ri)).toBe(-3);
  expect(Math.max(...ri)).toBe(3);
  expect(randnLike(zeros(2, 3)).shape).toEqual([2, 3]);
});

test("size, numel, ndim", () => {
  const t = zeros(2, 3, 4);
  expect(t.size()).toEqual([2, 3, 4]);
  expect(t.size(-1)).toBe(4);
  expect(t.numel()).toBe(24);
  expect(t.ndim).toBe(3);
  expect(t.dim()).toBe(3);
});

test("misused arguments give typed errors that name the creation op", () => {
  const deep: unknown[] = [];
  let at = deep;
  for (let i = 0; i < 100_000; i++) { const next: unknown[] = []; at.push(next); at = next; }
  const sym = Symbol("s");
  // Symbols and 100k-deep arrays are shown safely, never String()ed
  expect(() => arange([sym] as never)).toThrow(/^arange: end must be a finite number, got an array$/);
  expect(() => arange(sym as never, 3)).toThrow(/^arange: start must be a finite number, got Symbol\(s\)$/);
  expect(() => arange(deep as never)).toThrow(/^arange: end must be a finite number, got an array$/);
  expect(() => linspace([sym] as never, 1, 2)).toThrow(/^linspace: start must be a finite number/);
  expect(() => linspace(0, 1, sym as never)).toThrow(/^linspace: number of steps must be a non-negative integer, got Symbol\(s\)/);
  expect(() => randint(sym as never, 4, [2])).toThrow(/^randint: low and high must be integers, got low=Symbol\(s\)/);
  // a Tensor where the options go is refused before any of its fields is read
  const t = tensor([1, 2]);
  const gone = tensor([1]);
  gone.dispose();
  expect(() => tensor(1, t as never)).toThrow(/^tensor: options must be an object like \{ requiresGrad: true, dtype: "float32" \}, got Tensor$/);
  expect(() => tensor(1, gone as never)).toThrow(/^tensor: options must be an object/);
  expect(() => eye(0, gone as never)).toThrow(/^eye: options must be an object/);
  expect(() => eye(2, 2, t as never)).toThrow(/^eye: options must be an object/);
  expect(() => zeros(2, t as never)).toThrow(/^zeros: options must be an object/);
  expect(() => linspace(0, 1, 3, t as never)).toThrow(/^linspace: options must be an object/);
  // randLike / randnLike check their tensor first
  expect(() => randnLike(null as never)).toThrow(/^randnLike: expected a Tensor, got null$/);
  expect(() => wg.randLike(undefined as never)).toThrow(/^randLike: expected a Tensor, got undefined$/);
  // randperm keeps to the element limit
  expect(() => wg.randperm(2 ** 32 + 3)).toThrow(wg.ShapeError);
  expect(() => wg.randperm(2 ** 32 + 3)).toThrow(/^randperm: shape \[4294967299\] has 4294967299 elements; at most 2147483647/);
  // requiresGrad on an integer dtype is refused by the creation op itself
  expect(() => tensor(new Int32Array([1, 2]), { requiresGrad: true })).toThrow(/^tensor: only tensors of floating point dtype can require gradients, got int32$/);
  expect(() => zeros([2], { dtype: "bool", requiresGrad: true })).toThrow(/^zeros: only tensors of floating point dtype/);
  expect(t.toArray()).toEqual([1, 2]);
});
