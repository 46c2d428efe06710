// Window views (narrow, slice, select, split, chunk, unbind, index): values, grad_fn names,
// gradients and second derivatives, views of strided and expanded tensors, in-place writes
// reaching the base, and the errors. Expected values are PyTorch 1.13's.

import { describe, test, expect } from "vitest";
import * as wg from "../../src/index.js";

const { tensor, arange, noGrad } = wg;
type Tensor = wg.Tensor;

const grid = (rows: number, cols: number, opts: { requiresGrad?: boolean; dtype?: "float32" | "float64" } = {}): Tensor => {
  const t = noGrad(() => arange(rows * cols).to(opts.dtype ?? "float32").reshape(rows, cols));
  return opts.requiresGrad ? t.requiresGrad_(true) : t;
};

describe("views", () => {
  test("narrow, slice and select read the right elements and share storage", () => {
    const x = grid(3, 4);
    expect(x.narrow(1, 1, 2).toArray()).toEqual([[1, 2], [5, 6], [9, 10]]);
    expect(x.narrow(0, -2, 2).toArray()).toEqual([[4, 5, 6, 7], [8, 9, 10, 11]]);
    expect(x.slice(1, 0, 4, 3).toArray()).toEqual([[0, 3], [4, 7], [8, 11]]);
    expect(x.slice(0, -100, 2).shape).toEqual([2, 4]);
    expect(x.slice(0, 5, 2).shape).toEqual([0, 4]);
    expect(x.slice(1, 1).toArray()).toEqual([[1, 2, 3], [5, 6, 7], [9, 10, 11]]);
    expect(x.select(1, -1).toArray()).toEqual([3, 7, 11]);
    expect(x.select(0, 2).toArray()).toEqual([8, 9, 10, 11]);
    expect(wg.select(x, 0, 1).select(0, 2).item()).toBe(6);
  });

  test("views of a transposed (strided) tensor", () => {
    const x = grid(3, 4).t(); // [4, 3], strides [1, 4]
    expect(x.narrow(0, 1, 2).toArray()).toEqual([[1, 5, 9], [2, 6, 10]]);
    expect(x.slice(1, 0, 3, 2).toArray()).toEqual([[0, 8], [1, 9], [2, 10], [3, 11]]);
    expect(x.select(1, 1).toArray()).toEqual([4, 5, 6, 7]);
    const parts = x.split(3, 0);
    expect(parts.map((p) => p.toArray())).toEqual([[[0, 4, 8], [1, 5, 9], [2, 6, 10]], [[3, 7, 11]]]);
  });

  test("views of an expanded tensor", () => {
    const x = tensor([1, 2, 3]).expand(4, 3);
    expect(x.select(0, 3).toArray()).toEqual([1, 2, 3]);
    expect(x.narrow(1, 1, 2).toArray()).toEqual([[2, 3], [2, 3], [2, 3], [2, 3]]);
    expect(x.slice(0, 0, 4, 2).select(1, 0).toArray()).toEqual([1, 1]);
  });

  test("in-place writes through a slice or select reach the base", () => {
    const x = grid(3, 4);
    x.narrow(1, 1, 2).fill_(-1);
    expect(x.toArray()).toEqual([[0, -1, -1, 3], [4, -1, -1, 7], [8, -1, -1, 11]]);
    x.select(0, 2).mul_(10);
    expect(x.toArray()).toEqual([[0, -1, -1, 3], [4, -1, -1, 7], [80, -10, -10, 110]]);
    x.slice(1, 0, 4, 3).zero_();
    expect(x.toArray()).toEqual([[0, -1, -1, 0], [0, -1, -1, 0], [0, -10, -10, 0]]);
    const [top] = x.split(1, 0);
    top.add_(5);
    expect(x.select(0, 0).toArray()).toEqual([5, 4, 4, 5]);
    x.unbind(1)[1].copy_(tensor([7, 8, 9]));
    expect(x.toArray()).toEqual([[5, 7, 4, 5], [0, 8, -1, 0], [0, 9, -10, 0]]);
    x.index(1, -1).fill_(42);
    expect(x.select(0, 1).toArray()).toEqual([0, 8, -1, 42]);
  });

  test("a view sees later writes to its base", () => {
    const x = grid(2, 3);
    const v = x.select(1, 2);
    x.fill_(1);
    expect(v.toArray()).toEqual([1, 1]);
  });

  test("every dtype", () => {
    const i = tensor(new Int32Array([1, 2, 3, 4, 5, 6])).reshape(2, 3);
    expect(i.select(1, 1).dtype).toBe("int32");
    expect(i.slice(1, 0, 3, 2).toArray()).toEqual([[1, 3], [4, 6]]);
    const b = tensor([true, false, true, true]);
    expect(b.narrow(0, 1, 3).toArray()).toEqual([false, true, true]);
    expect(b.split(3).map((p) => p.dtype)).toEqual(["bool", "bool"]);
    const d = grid(2, 3, { dtype: "float64" });
    expect(d.unbind(1).map((p) => p.toArray())).toEqual([[0, 3], [1, 4], [2, 5]]);
    expect(d.select(0, 1).dtype).toBe("float64");
  });

  test("split, chunk and unbind pieces", () => {
    const x = arange(7);
    expect(x.split(3).map((p) => p.toArray())).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
    expect(wg.split(x, [2, 0, 5]).map((p) => p.shape)).toEqual([[2], [0], [5]]);
    expect(x.chunk(3).map((p) => p.shape)).toEqual([[3], [3], [1]]);
    expect(arange(5).chunk(4).map((p) => p.shape)).toEqual([[2], [2], [1]]);
    expect(wg.chunk(arange(3), 5).map((p) => p.shape)).toEqual([[1], [1], [1]]);
    expect(wg.zeros([0, 2]).chunk(3).map((p) => p.shape)).toEqual([[0, 2], [0, 2], [0, 2]]);
    expect(wg.zeros([0]).split(0).map((p) => p.shape)).toEqual([[0]]);
    expect(grid(2, 3).unbind(1).map((p) => p.toArray())).toEqual([[0, 3], [1, 4], [2, 5]]);
  });

  test("index() reads elements and rows", () => {
    const x = grid(3, 4);
    expect(x.index(0).toArray()).toEqual([0, 1, 2, 3]);
    expect(x.index(2, 1).item()).toBe(9);
    expect(x.index(-1, -1).item()).toBe(11);
    expect(x.index(1, 2).shape).toEqual([]);
  });
});

describe("autograd", () => {
  const gradName = (t: Tensor) => t.gradFn?.name;

  test("grad_fn names as torch", () => {
    const x = grid(4, 6, { requiresGrad: true });
    expect(gradName(x.narrow(0, 1, 2))).toBe("SliceBackward0");
    expect(gradName(x.slice(1, 0, 6, 2))).toBe("SliceBackward0");
    expect(gradName(x.select(1, 2))).toBe("SelectBackward0");
    expect(gradName(x.index(1))).toBe("SelectBackward0");
    expect(x.split(2).map(gradName)).toEqual(["SplitBackward0", "SplitBackward0"]);
    expect(x.split([1, 3]).map(gradName)).toEqual(["SplitWithSizesBackward0", "SplitWithSizesBackward0"]);
    expect(x.chunk(4).map(gradName)).toEqual(Array(4).fill("SplitBackward0"));
    expect(x.unbind(0).map(gradName)).toEqual(Array(4).fill("UnbindBackward0"));
    expect(noGrad(() => x.select(0, 0)).gradFn).toBeNull();
  });

  test("gradients land in the window, zeros elsewhere", () => {
    const x = grid(3, 4, { requiresGrad: true });
    x.slice(1, 1, 4, 2).mul(tensor([[1, 2], [3, 4], [5, 6]])).sum().backward();
    expect(x.grad!.toArray()).toEqual([[0, 1, 0, 2], [0, 3, 0, 4], [0, 5, 0, 6]]);
    x.grad = null;
    x.select(0, 1).mul(tensor([1, 2, 3, 4])).sum().backward();
    expect(x.grad!.toArray()).toEqual([[0, 0, 0, 0], [1, 2, 3, 4], [0, 0, 0, 0]]);
  });

  test("the pieces of split and unbind add up", () => {
    const x = grid(3, 4, { requiresGrad: true });
    const [a, b] = x.split([1, 2], 0);
    a.mul(2).sum().add(b.mul(3).sum()).backward();
    expect(x.grad!.toArray()).toEqual([[2, 2, 2, 2], [3, 3, 3, 3], [3, 3, 3, 3]]);
    x.grad = null;
    const cols = x.unbind(1);
    cols[0].add(cols[3]).add(cols[0]).sum().backward();
    expect(x.grad!.toArray()).toEqual([[2, 0, 0, 1], [2, 0, 0, 1], [2, 0, 0, 1]]);
  });

  test("a view of a transposed non-leaf", () => {
    const x = grid(2, 3, { requiresGrad: true });
    const y = x.mul(1).t().slice(0, 1, 3); // rows 1..2 of x^T = cols 1..2 of x
    y.mul(tensor([[1, 2], [3, 4]])).sum().backward();
    expect(x.grad!.toArray()).toEqual([[0, 1, 3], [0, 2, 4]]);
  });

  test("float64 gradcheck and gradgradcheck", () => {
    const x = noGrad(() => wg.randn([4, 5]).to("float64")).requiresGrad_(true);
    const f = (t: Tensor) => t.narrow(0, 1, 2).slice(1, 0, 5, 2).mul(t.select(1, 3).index(1)).mul(t.slice(0, 0, 2).sum());
    expect(wg.autograd.gradcheck(f, [x])).toBe(true);
    expect(wg.autograd.gradgradcheck(f, [x])).toBe(true);
    const g = (t: Tensor) => t.split([2, 2], 0)[1].mul(t.unbind(1)[4].narrow(0, 0, 2).unsqueeze(1)).mul(t.chunk(2, 1)[0].sum());
    expect(wg.autograd.gradcheck(g, [x])).toBe(true);
    expect(wg.autograd.gradgradcheck(g, [x])).toBe(true);
  });

  test("the backward of a slice is an op with its own rule (createGraph)", () => {
    const x = grid(3, 4, { requiresGrad: true });
    const gy = wg.ones([3, 2]).requiresGrad_(true);
    const [gx] = wg.autograd.grad(x.slice(1, 1, 4, 2), [x], { gradOutputs: [gy], createGraph: true });
    expect(gx!.gradFn?.name).toBe("SliceBackwardBackward0");
    const [ggy] = wg.autograd.grad(gx!.mul(grid(3, 4)).sum(), [gy]);
    expect(ggy!.toArray()).toEqual([[1, 3], [5, 7], [9, 11]]);
    const s = wg.ones([4]).requiresGrad_(true);
    const [gs] = wg.autograd.grad(x.select(0, 2), [x], { gradOutputs: [s], createGraph: true });
    expect(gs!.gradFn?.name).toBe("SelectBackwardBackward0");
    const [gss] = wg.autograd.grad(gs!.mul(grid(3, 4)).sum(), [s]);
    expect(gss!.toArray()).toEqual([8, 9, 10, 11]);
  });

  test("no leak", () => {
    const before = wg.memory().tensors;
    wg.tidy(() => {
      const x = grid(3, 4, { requiresGrad: true });
      x.narrow(0, 1, 2).sum().add(x.split(1, 1)[2].sum()).add(x.index(0, 1)).backward();
    });
    expect(wg.memory().tensors).toBe(before);
  });
});

describe("errors", () => {
  const x = grid(2, 3);
  test.each([
    [() => x.narrow(2, 0, 1), /^narrow: dimension out of range \(expected to be in range of \[-2, 1\], but got 2\)/],
    [() => x.narrow(1, 4, 0), /^narrow: start 4 out of range for dimension 1 of size 3/],
    [() => x.narrow(1, 2, 2), /^narrow: start \(2\) \+ length \(2\) exceeds dimension size \(3\)/],
    [() => x.narrow(1, 0, -1), /^narrow: start \(0\) \+ length \(-1\)/],
    [() => x.narrow(0, 0.5, 1), /^narrow: start must be an integer, got 0.5/],
    [() => x.slice(1, 0, 3, 0), /^slice: step must be greater than zero, got 0/],
    [() => x.slice(-3, 0, 1), /^slice: dimension out of range/],
    [() => x.select(1, 3), /^select: index 3 out of range for tensor of size \[2, 3\] at dimension 1/],
    [() => x.select(0, -3), /^select: index -3 out of range/],
    [() => tensor(3).select(0, 0), /^select: cannot be applied to a 0-dim tensor/],
    [() => x.split(0, 1), /^split: split size can only be 0 if dimension size is 0, but got dimension size of 3/],
    [() => x.split(-1), /^split: split size must be non-negative, got -1/],
    [() => x.split([1, 1], 1), /^split: split sizes \[1, 1\] must sum exactly to 3/],
    [() => x.split([4, -1], 1), /^split: split sizes must be non-negative/],
    [() => x.chunk(0), /^chunk: expects chunks to be greater than 0, got 0/],
    [() => x.unbind(2), /^unbind: dimension out of range/],
    [() => x.index(0, 3), /^index: index 3 is out of bounds for dimension 1 with size 3/],
    [() => x.index(0, 0, 0), /^index: too many indices for tensor of dimension 2/],
  ])("%#", (f, msg) => {
    expect(f).toThrow(wg.WasmgradError);
    expect(f).toThrow(msg);
    expect(x.toArray()).toEqual([[0, 1, 2], [3, 4, 5]]);
  });
  test("chunk of an empty dim: n empty pieces, as torch, and a typed error for a huge n", () => {
    expect(wg.zeros([0, 2]).chunk(3).map((c) => c.shape)).toEqual([[0, 2], [0, 2], [0, 2]]);
    expect(() => wg.zeros([0]).chunk(1e300)).toThrow(wg.ShapeError);
    expect(() => wg.zeros([0]).chunk(1e300)).toThrow(/^chunk: 1e\+300 chunks of an empty dim are more than the 65536 supported$/);
  });
  test("expandAs and .T name themselves in their errors", () => {
    expect(() => wg.ones([3]).expandAs(wg.ones([]))).toThrow(/^expandAs: the number of sizes provided \(0\) must be greater or equal/);
    expect(() => wg.ones([2, 2]).expandAs(wg.ones([2, 3]))).toThrow(/^expandAs: the expanded size of the tensor \(3\) must match the existing size \(2\)/);
    expect(() => wg.ones([2]).expandAs(null as never)).toThrow(/^expandAs: expected a Tensor, got null$/);
    expect(wg.ones([1, 3]).expandAs(wg.ones([2, 3])).shape).toEqual([2, 3]);
    const t = wg.ones([2, 3]);
    expect(t.T.shape).toEqual([3, 2]);
    t.dispose();
    expect(() => t.T).toThrow(wg.DisposedError);
    expect(() => t.T).toThrow(/^T: tensor was disposed/);
  });
  test("error classes", () => {
    expect(() => x.select(1, 3)).toThrow(wg.IndexError);
    expect(() => x.split([1, 1], 1)).toThrow(wg.ShapeError);
  });
});
