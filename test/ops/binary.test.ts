// Elementwise binary and ternary ops beyond the golden cases: NaN, signed zeros and ties against
// PyTorch 1.13 (maximum/minimum gradients split at ties, atan2 at the origin), maskedFill and lerp
// (values, broadcasting, gradients of every input, grad_fn names), comparisons and logical ops
// with NaN, allclose/equal, bool operands of the flat kernels at SIMD tail lengths, and errors.

import { beforeEach, describe, expect, test } from "vitest";
import * as wg from "wasmgrad";
import { Tensor, tensor, manualSeed } from "wasmgrad";
import { gradcheck, normal, nonzero } from "../helpers/gradcheck";
import { expectClose } from "../helpers/close";

beforeEach(() => manualSeed(11));

const flat = (t: Tensor): number[] => (t.toArray() as unknown[]).flat(8) as number[];
const same = (a: number[], b: number[]): void => {
  expect(a.length).toBe(b.length);
  a.forEach((v, i) => expect(Object.is(v, b[i]), `[${i}] ${v} vs ${b[i]}`).toBe(true));
};
const LENGTHS = [0, 1, 3, 4, 5, 7, 17, 33];

describe("maximum and minimum", () => {
  // torch 1.13
  const A = [1, 2, NaN, -0, 3, 0], B = [1, 3, 1, 0, NaN, -1], C = [1, 2, 3, 4, 5, 6];
  const run = (f: (a: Tensor, b: Tensor) => Tensor) => {
    const a = tensor(A).requiresGrad_(true), b = tensor(B).requiresGrad_(true);
    const y = f(a, b);
    y.backward(tensor(C));
    return { y: flat(y), ga: flat(a.grad!), gb: flat(b.grad!) };
  };
  test("maximum: NaN wins, -0 vs 0 keeps the first, ties split the gradient", () => {
    const r = run(wg.maximum);
    same(r.y, [1, 3, NaN, -0, NaN, 0]);
    same(r.ga, [0.5, 0, 3, 2, 5, 6]);
    same(r.gb, [0.5, 2, 3, 2, 5, 0]);
  });
  test("minimum", () => {
    const r = run(wg.minimum);
    same(r.y, [1, 2, NaN, -0, NaN, -1]);
    same(r.ga, [0.5, 2, 3, 2, 5, 0]);
    same(r.gb, [0.5, 0, 3, 2, 5, 6]);
  });
  test.each(LENGTHS)("lengths %i, int32 and mixed dtypes", (n) => {
    const a = Array.from({ length: n }, (_, i) => (i * 7) % 5 - 2), b = Array.from({ length: n }, (_, i) => (i * 3) % 4 - 1);
    const y = wg.maximum(tensor(a, { dtype: "int32" }), tensor(b, { dtype: "int32" }));
    expect(y.dtype).toBe("int32");
    expect(flat(y)).toEqual(a.map((v, i) => Math.max(v, b[i])));
    expect(wg.minimum(tensor(a, { dtype: "int32" }), tensor(b, { dtype: "float64" })).dtype).toBe("float64");
  });
  test("bool maximum stays bool", () => {
    expect(wg.maximum(tensor([true, false, false]), tensor([false, false, true])).toArray()).toEqual([true, false, true]);
  });
});

describe("max, min and where with tensor operands", () => {
  test("max(a, other) / min(a, other) report their own names", () => {
    expect(() => wg.max(Infinity as never, wg.ones([3]))).toThrow(/^max: expected a Tensor, got number$/);
    expect(() => wg.ones([3]).max(wg.ones([0]))).toThrow(wg.ShapeError);
    expect(() => wg.ones([3]).max(wg.ones([0]))).toThrow(/^max: /);
    expect(() => wg.min("2" as never, wg.ones([3]))).toThrow(/^min: expected a Tensor, got string$/);
    expect(() => wg.ones([3]).min(wg.ones([2]))).toThrow(/^min: /);
    expect(wg.tensor([1, 5]).max(wg.tensor([3, 2])).toArray()).toEqual([3, 5]);
    expect(wg.tensor([1, 5]).min(wg.tensor([3, 2])).toArray()).toEqual([1, 2]);
  });
  test("where refuses operands that are neither tensors nor numbers", () => {
    const cond = wg.zeros([], { dtype: "bool" });
    expect(() => wg.where(cond, { alpha: 2 } as never, wg.ones([2, 3]))).toThrow(/^where: expected a Tensor or a number, got Object$/);
    expect(() => wg.where(cond, [NaN] as never, wg.ones([2]))).toThrow(/^where: expected a Tensor or a number, got an array/);
    expect(() => wg.where(cond, wg.ones([2]), null as never)).toThrow(/^where: expected a Tensor or a number, got null$/);
    const gone = wg.ones([2]);
    gone.dispose();
    expect(() => wg.where(cond, gone, 1)).toThrow(wg.DisposedError);
    expect(wg.where(cond, 1, wg.tensor([4, 5])).toArray()).toEqual([4, 5]);
  });
});

describe("atan2", () => {
  test("values and gradients, NaN at the origin, as torch", () => {
    const x = tensor([1, -2, 0, 0, -0]).requiresGrad_(true), z = tensor([2, -1, 0, -1, -1]).requiresGrad_(true);
    const y = wg.atan2(x, z);
    expectClose(flat(y), [0.46364760398864746, -2.0344438552856445, 0, 3.1415927410125732, -3.1415927410125732], { atol: 0, rtol: 2 ** -22 });
    expect(y.gradFn!.name).toBe("Atan2Backward0");
    y.backward(wg.ones([5]));
    same(flat(x.grad!), [0.4000000059604645, -0.20000000298023224, NaN, -1, -1]);
    same(flat(z.grad!), [-0.20000000298023224, 0.4000000059604645, NaN, -0, 0]);
  });
  test.each([[[7], [7]], [[2, 3], [3]], [[17], []]])("gradcheck %j %j", (sa, sb) =>
    expect(gradcheck(wg.atan2, [normal(sa), nonzero(sb)])).toBe(true));
  test("second derivative runs through its own ops", () => {
    const x = tensor([0.5, -1.5], { dtype: "float64" }).requiresGrad_(true), z = tensor([2, 0.25], { dtype: "float64" });
    const [g] = wg.autograd.grad(wg.atan2(x, z).sum(), [x], { createGraph: true });
    const [h] = wg.autograd.grad(g!.sum(), [x]);
    // d2/dx2 atan2(x, z) = -2 x z / (x^2 + z^2)^2
    expectClose(flat(h!), [0.5, -1.5].map((v, i) => (-2 * v * [2, 0.25][i]) / (v * v + [2, 0.25][i] ** 2) ** 2), { atol: 0, rtol: 1e-14 });
  });
});

describe("maskedFill", () => {
  test("number value: values, broadcasting of self and mask, MaskedFillBackward0", () => {
    const x = tensor([1, 2]).requiresGrad_(true);
    const y = x.maskedFill(tensor([[true], [false]]), -Infinity);
    expect(y.shape).toEqual([2, 2]);
    same(flat(y), [-Infinity, -Infinity, 1, 2]);
    expect(y.gradFn!.name).toBe("MaskedFillBackward0");
    y.backward(tensor([[1, 2], [3, 4]]));
    expect(flat(x.grad!)).toEqual([3, 4]);
  });
  test("0-dim tensor value gets the masked gradient (MaskedFillBackward1)", () => {
    const x = tensor([1, 2, 3]).requiresGrad_(true), v = tensor(5, { dtype: "float64" }).requiresGrad_(true);
    const y = wg.maskedFill(x, tensor([true, false, true]), v);
    expect(y.dtype).toBe("float32");
    expect(flat(y)).toEqual([5, 2, 5]);
    expect(y.gradFn!.name).toBe("MaskedFillBackward1");
    y.backward(tensor([1, 2, 4]));
    expect(flat(x.grad!)).toEqual([0, 2, 0]);
    expect(v.grad!.dtype).toBe("float64");
    expect(v.grad!.item()).toBe(5);
  });
  test("int32 self takes the value truncated, bool self a bool", () => {
    expect(tensor([1, 2], { dtype: "int32" }).maskedFill(tensor([true, false]), 2.5).toArray()).toEqual([2, 2]);
    expect(tensor([false, false]).maskedFill(tensor([true, false]), 1).toArray()).toEqual([true, false]);
  });
  test.each(LENGTHS)("length %i", (n) => {
    const m = Array.from({ length: n }, (_, i) => i % 3 === 1);
    const x = Array.from({ length: n }, (_, i) => i + 0.5);
    expect(flat(tensor(x).maskedFill(tensor(m, { dtype: "bool" }), -1))).toEqual(x.map((v, i) => (m[i] ? -1 : v)));
  });
  test.each([
    [() => tensor([1, 2]).maskedFill(tensor([1, 0], { dtype: "int32" }), 0), /^maskedFill: mask must be a bool tensor, got int32/],
    [() => tensor([1, 2]).maskedFill(tensor([true, false, true]), 0), /^maskedFill: cannot broadcast shapes \[2\] and \[3\]/],
    [() => tensor([1, 2]).maskedFill(tensor([true, false]), tensor([1, 2])), /^maskedFill: value must be a number or a 0-dimensional tensor, got a tensor with 1 dimension/],
    [() => tensor([1], { dtype: "int32" }).maskedFill(tensor([true]), Infinity), /^maskedFill: value Infinity cannot be converted to int32/],
    [() => tensor([1]).maskedFill(tensor([true]), "1" as unknown as number), /^maskedFill: value must be a number, a boolean or a 0-dimensional tensor, got string/],
  ])("error %#", (f, re) => expect(f).toThrow(re));
});

describe("lerp", () => {
  test("number weight: values and gradients as torch (LerpBackward0)", () => {
    const s = tensor([1, 2, 3]).requiresGrad_(true), e = tensor([[4, 5, 6], [-1, 0, 1]]).requiresGrad_(true);
    const y = wg.lerp(s, e, 0.75);
    expect(flat(y)).toEqual([3.25, 4.25, 5.25, -0.5, 0.5, 1.5]);
    expect(y.gradFn!.name).toBe("LerpBackward0");
    y.backward(tensor([[1, 2, 3], [4, 5, 6]]));
    expect(flat(s.grad!)).toEqual([1.25, 1.75, 2.25]);
    expect(flat(e.grad!)).toEqual([0.75, 1.5, 2.25, 3, 3.75, 4.5]);
  });
  test("exact at both ends, as torch's two-sided formula", () => {
    expect(flat(wg.lerp(tensor([1e8]), tensor([1]), 1))).toEqual([1]);
    expect(flat(wg.lerp(tensor([1]), tensor([1e8]), 0))).toEqual([1]);
  });
  test.each([[[7], [7], [7]], [[2, 3], [3], [2, 1]], [[17], [], []]])("tensor weight gradcheck %j %j %j", (sa, sb, sw) =>
    expect(gradcheck((a, b, w) => wg.lerp(a, b, w), [normal(sa), normal(sb), normal(sw)])).toBe(true));
  test("tensor weight: LerpBackward1 and a second derivative", () => {
    const a = tensor([1, 2], { dtype: "float64" }).requiresGrad_(true), b = tensor([3, -1], { dtype: "float64" });
    const w = tensor([0.25, 0.5], { dtype: "float64" }).requiresGrad_(true);
    const y = a.lerp(b, w);
    expect(y.gradFn!.name).toBe("LerpBackward1");
    const [gw] = wg.autograd.grad(y.sum(), [w], { createGraph: true }); // end - self
    expect(flat(gw!)).toEqual([2, -3]);
    const [ga] = wg.autograd.grad(gw!.sum(), [a]);
    expect(flat(ga!)).toEqual([-1, -1]);
  });
  test.each([
    [() => wg.lerp(tensor([1], { dtype: "int32" }), tensor([1], { dtype: "int32" }), 0.5), /^lerp: expected a floating point tensor/],
    [() => wg.lerp(tensor([1]), tensor([1], { dtype: "float64" }), 0.5), /^lerp: expected dtype float32 for end but got dtype float64/],
    [() => wg.lerp(tensor([1]), tensor([1]), tensor([0.5], { dtype: "float64" })), /^lerp: expected dtype float32 for weight but got dtype float64/],
    [() => wg.lerp(tensor([1, 2]), tensor([1, 2, 3]), 0.5), /^lerp: cannot broadcast shapes \[2\] and \[3\]/],
  ])("error %#", (f, re) => expect(f).toThrow(re));
});

describe("comparisons and logic", () => {
  test("NaN compares unequal, also to itself", () => {
    const a = tensor([NaN, 1, NaN]), b = tensor([NaN, NaN, 0]);
    expect(wg.eq(a, b).toArray()).toEqual([false, false, false]);
    expect(wg.ne(a, b).toArray()).toEqual([true, true, true]);
    expect(wg.le(a, b).toArray()).toEqual([false, false, false]);
    expect(wg.gt(a, 0).toArray()).toEqual([false, true, false]);
    expect(wg.logicalAnd(a, b).toArray()).toEqual([true, true, false]);
    expect(wg.logicalXor(tensor([0, 1, 2], { dtype: "int32" }), 1).toArray()).toEqual([true, false, false]);
  });
  test("number on the left flips the comparison", () => {
    expect(wg.lt(1, tensor([0, 1, 2])).toArray()).toEqual([false, false, true]);
  });
  test("allclose: rtol, atol, infinities, NaN and broadcasting", () => {
    expect(wg.allclose(tensor([1, 2]), tensor([1.000005, 2]))).toBe(true);
    expect(wg.allclose(tensor([1, 2]), tensor([1, 2.001]))).toBe(false);
    expect(tensor([1, 2]).allclose(tensor([1, 2.001]), { atol: 1e-2 })).toBe(true);
    expect(wg.allclose(tensor([Infinity, -Infinity]), tensor([Infinity, -Infinity]))).toBe(true);
    expect(wg.allclose(tensor([Infinity]), tensor([1e38]), { rtol: 10 })).toBe(false);
    expect(wg.allclose(tensor([NaN]), tensor([NaN]))).toBe(false);
    expect(wg.allclose(tensor([NaN]), tensor([NaN]), { equalNan: true })).toBe(true);
    expect(wg.allclose(tensor([[1], [1]]), tensor([1, 1, 1]))).toBe(true);
    expect(wg.allclose(tensor([3, 4], { dtype: "int32" }), tensor([3, 5], { dtype: "int32" }))).toBe(false);
    expect(() => wg.allclose(tensor([1]), tensor([1], { dtype: "float64" }))).toThrow(/^allclose: both tensors must have one dtype, got float32 and float64/);
    expect(() => wg.allclose(tensor([1, 2]), tensor([1, 2, 3]))).toThrow(/^allclose: cannot broadcast shapes \[2\] and \[3\]/);
  });
  test("equal: shapes must match, dtypes are promoted, NaN is unequal", () => {
    expect(wg.equal(tensor([1, 2]), tensor([1, 2], { dtype: "int32" }))).toBe(true);
    expect(wg.equal(tensor([1, 1]), tensor([1]))).toBe(false);
    expect(wg.equal(tensor([NaN]), tensor([NaN]))).toBe(false);
    expect(tensor([true]).equal(tensor([1], { dtype: "int32" }))).toBe(true);
    expect(wg.equal(tensor([]), tensor([]))).toBe(true);
  });
});

describe("bool operands of the flat kernels write one byte each", () => {
  test.each(LENGTHS)("n=%i", (n) => {
    const a = Array.from({ length: n }, (_, i) => i % 2 === 0), b = Array.from({ length: n }, (_, i) => i % 3 !== 0);
    const guard = tensor(Array.from({ length: 8 }, (_, i) => i));
    const ta = tensor(a, { dtype: "bool" }), tb = tensor(b, { dtype: "bool" });
    expect(wg.mul(ta, tb).toArray()).toEqual(a.map((v, i) => v && b[i]));
    expect(wg.add(ta, tb).toArray()).toEqual(a.map((v, i) => v || b[i]));
    expect(flat(guard)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });
  test("pow's exponent gradient where the base is 0, twice (NaN as torch)", () => {
    // nine elements: the masks are bool tensors longer than one SIMD vector
    const a = tensor([0, 0, 2, 4, 1, 0, 3, 0, 2]).requiresGrad_(true), e = tensor([2, 0.5, 0, -1, 1, 3, 2, 1, 0.5]).requiresGrad_(true);
    const [, ge] = wg.autograd.grad(wg.pow(a, e), [a, e], { gradOutputs: [wg.ones([9])], createGraph: true });
    same(flat(ge!).slice(0, 2), [0, 0]);
    const [, gge] = wg.autograd.grad(ge!.sum(), [a, e]);
    expect(Number.isNaN(flat(gge!)[0])).toBe(true);
  });
});
