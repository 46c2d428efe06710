// Copying shape ops and indexing (cat, stack, indexSelect, gather, scatterAdd, indexAdd, flip,
// repeat, tril, triu, pad): values, dtype promotion, strided and expanded inputs, gradients and
// second derivatives, range checks and the errors. Expected values are PyTorch 1.13's.

import { describe, test, expect } from "vitest";
import * as wg from "../../src/index.js";

const { tensor, arange, noGrad } = wg;
type Tensor = wg.Tensor;

const grid = (rows: number, cols: number, requiresGrad = false): Tensor => {
  const t = noGrad(() => arange(rows * cols).to("float32").reshape(rows, cols));
  return requiresGrad ? t.requiresGrad_(true) : t;
};
const idx = (v: number[] | number[][]): Tensor => {
  const flat = (v as unknown[]).flat() as number[];
  const t = tensor(new Int32Array(flat));
  return Array.isArray(v[0]) ? t.reshape(v.length, (v[0] as number[]).length) : t;
};
const f64 = (t: Tensor): Tensor => noGrad(() => t.to("float64")).requiresGrad_(true);

describe("cat and stack", () => {
  test("values, strided and expanded inputs", () => {
    const a = grid(2, 3), b = grid(3, 2).t(), c = tensor([7, 8, 9]).expand(2, 3);
    expect(wg.cat([a, b, c], 0).toArray()).toEqual([[0, 1, 2], [3, 4, 5], [0, 2, 4], [1, 3, 5], [7, 8, 9], [7, 8, 9]]);
    expect(wg.cat([a, b], 1).toArray()).toEqual([[0, 1, 2, 0, 2, 4], [3, 4, 5, 1, 3, 5]]);
    expect(wg.stack([a, b, c], 1).shape).toEqual([2, 3, 3]);
    expect(wg.stack([a, c], -1).toArray()).toEqual([[[0, 7], [1, 8], [2, 9]], [[3, 7], [4, 8], [5, 9]]]);
    expect(wg.stack([tensor(1), tensor(2)]).toArray()).toEqual([1, 2]);
  });

  test("legacy empty 1-d tensors are skipped, as torch", () => {
    const out = wg.cat([grid(2, 2), wg.zeros([0]), grid(1, 2)], 0);
    expect(out.shape).toEqual([3, 2]);
    expect(wg.cat([wg.zeros([0]), wg.zeros([0])]).shape).toEqual([0]);
  });

  test("mixed dtypes promote; gradients come back in each input's dtype", () => {
    const i = tensor(new Int32Array([1, 2]));
    const b = tensor([true, false]);
    expect(wg.cat([i, grid(1, 2).reshape(2)]).dtype).toBe("float32");
    expect(wg.cat([b, i]).dtype).toBe("int32");
    expect(wg.cat([b, i]).toArray()).toEqual([1, 0, 1, 2]);
    expect(wg.stack([b, b]).dtype).toBe("bool");
    const x = tensor([1, 2], { requiresGrad: true });
    const y = tensor([3], { dtype: "float64", requiresGrad: true });
    const out = wg.cat([x, y]);
    expect(out.dtype).toBe("float64");
    expect(out.gradFn?.name).toBe("CatBackward0");
    out.mul(tensor([1, 2, 3], { dtype: "float64" })).sum().backward();
    expect(x.grad!.dtype).toBe("float32");
    expect(x.grad!.toArray()).toEqual([1, 2]);
    expect(y.grad!.dtype).toBe("float64");
    expect(y.grad!.toArray()).toEqual([3]);
  });

  test("gradients, including inputs that need none", () => {
    const a = grid(2, 3, true), b = grid(2, 1), c = grid(2, 2, true);
    wg.cat([a, b, c], 1).mul(grid(2, 6)).sum().backward();
    expect(a.grad!.toArray()).toEqual([[0, 1, 2], [6, 7, 8]]);
    expect(c.grad!.toArray()).toEqual([[4, 5], [10, 11]]);
    expect(b.grad).toBeNull();
    const s = wg.stack([a, a], 1);
    expect(s.gradFn?.name).toBe("StackBackward0");
    a.grad = null;
    s.mul(arange(12).reshape(2, 2, 3)).sum().backward();
    expect(a.grad!.toArray()).toEqual([[3, 5, 7], [15, 17, 19]]);
  });

  test("long lists (more tensors than one node takes)", () => {
    const xs = Array.from({ length: 300 }, (_, k) => tensor([k], { requiresGrad: k % 7 === 0 }));
    const out = wg.cat(xs);
    expect(out.shape).toEqual([300]);
    expect(out.select(0, 299).item()).toBe(299);
    out.mul(arange(300)).sum().backward();
    expect(xs[294].grad!.toArray()).toEqual([294]);
    const st = wg.stack(xs, 1);
    expect(st.shape).toEqual([1, 300]);
    expect(st.index(0, 280).item()).toBe(280);
  });

  test("float64 gradcheck and gradgradcheck", () => {
    const a = f64(wg.randn([2, 3])), b = f64(wg.randn([2, 2]));
    const f = (x: Tensor, y: Tensor) => wg.cat([x, y.mul(y), x.narrow(1, 0, 1)], 1).mul(wg.stack([x.sum(1), y.sum(1)], 1).sum());
    expect(wg.autograd.gradcheck(f, [a, b])).toBe(true);
    expect(wg.autograd.gradgradcheck(f, [a, b])).toBe(true);
  });

  test.each([
    [() => wg.cat([]), /^cat: expected a non-empty list of tensors/],
    [() => wg.cat([grid(2, 3), grid(3, 3)], 1), /^cat: sizes of tensors must match except in dimension 1: expected size 2 but got size 3 for tensor number 1/],
    [() => wg.cat([grid(2, 3), tensor([1, 2])]), /^cat: tensors must have the same number of dimensions: got 2 and 1/],
    [() => wg.cat([tensor(1), tensor(2)]), /^cat: zero-dimensional tensor \(at position 0\) cannot be concatenated/],
    [() => wg.cat([grid(2, 3)], 2), /^cat: dimension out of range/],
    [() => wg.cat([grid(2, 3), 1 as unknown as Tensor]), /^cat: expected a Tensor at position 1/],
    [() => wg.stack([]), /^stack: expected a non-empty list of tensors/],
    [() => wg.stack([tensor([1, 2, 3]), tensor([1, 2, 3, 4])]), /^stack: expects each tensor to be equal size, but got \[3\] at entry 0 and \[4\] at entry 1/],
    [() => wg.stack([grid(2, 3), grid(2, 3)], 3), /^stack: dimension out of range \(expected to be in range of \[-3, 2\], but got 3\)/],
  ])("error %#", (f, msg) => {
    expect(f).toThrow(wg.WasmgradError);
    expect(f).toThrow(msg);
  });
});

describe("indexSelect, gather, scatterAdd, indexAdd", () => {
  const x = grid(3, 4);

  test("values", () => {
    expect(x.indexSelect(1, idx([3, 0, 3])).toArray()).toEqual([[3, 0, 3], [7, 4, 7], [11, 8, 11]]);
    expect(wg.indexSelect(x, 0, idx([2])).toArray()).toEqual([[8, 9, 10, 11]]);
    expect(x.gather(1, idx([[3, 0], [1, 1], [2, 0]])).toArray()).toEqual([[3, 0], [5, 5], [10, 8]]);
    expect(wg.scatterAdd(x, 0, idx([[2, 0, 1, 2], [2, 2, 2, 2]]), wg.ones([2, 4])).toArray())
      .toEqual([[0, 2, 2, 3], [4, 5, 7, 7], [10, 10, 11, 13]]);
    expect(x.indexAdd(1, idx([0, 0, 3]), wg.ones([3, 3])).toArray()).toEqual([[2, 1, 2, 4], [6, 5, 6, 8], [10, 9, 10, 12]]);
    expect(x.toArray()).toEqual(grid(3, 4).toArray()); // out of place
  });

  test("strided sources and indices, every dtype", () => {
    const t = x.t(); // [4, 3]
    expect(t.indexSelect(0, idx([1, 1])).toArray()).toEqual([[1, 5, 9], [1, 5, 9]]);
    const ix = idx([[0, 2], [1, 0]]).t(); // [[0, 1], [2, 0]]
    expect(t.gather(1, ix).toArray()).toEqual([[0, 4], [9, 1]]);
    const i32 = tensor(new Int32Array([5, 6, 7, 8]));
    expect(i32.indexSelect(0, idx([3, 0])).toArray()).toEqual([8, 5]);
    expect(i32.scatterAdd(0, idx([0, 0]), tensor(new Int32Array([10, 20]))).toArray()).toEqual([35, 6, 7, 8]);
    const b = tensor([true, false, false]);
    expect(b.gather(0, idx([1, 0])).toArray()).toEqual([false, true]);
    expect(b.scatterAdd(0, idx([1, 1]), tensor([true, true])).toArray()).toEqual([true, true, false]);
    const d = noGrad(() => x.to("float64"));
    expect(d.indexSelect(1, idx([2])).dtype).toBe("float64");
  });

  test("gradients (repeated indices accumulate) and grad_fn names", () => {
    const a = grid(3, 4, true);
    const y = a.indexSelect(0, idx([2, 0, 2]));
    expect(y.gradFn?.name).toBe("IndexSelectBackward0");
    y.mul(grid(3, 4)).sum().backward();
    expect(a.grad!.toArray()).toEqual([[4, 5, 6, 7], [0, 0, 0, 0], [8, 10, 12, 14]]);
    a.grad = null;
    const g = a.gather(1, idx([[1, 1], [0, 3], [2, 2]]));
    expect(g.gradFn?.name).toBe("GatherBackward0");
    g.mul(tensor([[1, 2], [3, 4], [5, 6]])).sum().backward();
    expect(a.grad!.toArray()).toEqual([[0, 3, 0, 0], [3, 0, 0, 4], [0, 0, 11, 0]]);
  });

  test("scatterAdd: self gets the gradient, src its gathered part (zero where unused)", () => {
    const self = grid(2, 3, true), src = grid(2, 3, true);
    const out = self.scatterAdd(1, idx([[2, 2], [0, 1]]), src);
    expect(out.gradFn?.name).toBe("ScatterAddBackward0");
    expect(out.toArray()).toEqual([[0, 1, 3], [6, 8, 5]]);
    out.mul(grid(2, 3)).sum().backward();
    expect(self.grad!.toArray()).toEqual([[0, 1, 2], [3, 4, 5]]);
    expect(src.grad!.toArray()).toEqual([[2, 2, 0], [3, 4, 0]]);
  });

  test("float64 gradcheck and gradgradcheck", () => {
    const a = f64(wg.randn([3, 4])), s = f64(wg.randn([2, 4]));
    const i2 = idx([[0, 2, 2, 1], [2, 2, 0, 0]]);
    const f = (x: Tensor, y: Tensor) =>
      x.gather(0, i2).mul(y).add(x.indexSelect(0, idx([1, 1])).mul(x.indexSelect(0, idx([0, 2])))).scatterAdd(0, idx([[1, 0, 0, 1], [0, 0, 1, 1]]), y.mul(y))
        .indexAdd(1, idx([3, 0, 0, 1]), x.narrow(0, 0, 2).mul(x.narrow(0, 1, 2)));
    expect(wg.autograd.gradcheck(f, [a, s])).toBe(true);
    expect(wg.autograd.gradgradcheck(f, [a, s])).toBe(true);
  });

  test("the backward ops record (createGraph)", () => {
    const a = grid(3, 4, true);
    const gy = wg.ones([2, 4]).requiresGrad_(true);
    const [ga] = wg.autograd.grad(a.indexSelect(0, idx([1, 1])), [a], { gradOutputs: [gy], createGraph: true });
    expect(ga!.gradFn?.name).toBe("IndexAddBackward0");
    const [gg] = wg.autograd.grad(ga!.mul(grid(3, 4)).sum(), [gy]);
    expect(gg!.toArray()).toEqual([[4, 5, 6, 7], [4, 5, 6, 7]]);
    const [gb] = wg.autograd.grad(a.gather(1, idx([[0], [1], [2]])), [a], { gradOutputs: [wg.ones([3, 1]).requiresGrad_(true)], createGraph: true });
    expect(gb!.gradFn?.name).toBe("ScatterAddBackward0");
  });

  test.each([
    [() => x.indexSelect(0, idx([3])), /^indexSelect: index 3 is out of bounds for dimension 0 with size 3/, wg.IndexError],
    [() => x.indexSelect(1, idx([-1])), /^indexSelect: index -1 is out of bounds for dimension 1 with size 4/, wg.IndexError],
    [() => x.indexSelect(0, idx([[0]])), /^indexSelect: index must be a vector/, wg.IndexError],
    [() => x.indexSelect(0, tensor([0])), /^indexSelect: index must be an int32 tensor, got float32/, wg.DTypeError],
    [() => x.indexSelect(2, idx([0])), /^indexSelect: dimension out of range/, wg.IndexError],
    [() => x.gather(1, idx([[4]])), /^gather: index 4 is out of bounds for dimension 1 with size 4/, wg.IndexError],
    [() => x.gather(1, idx([0, 1])), /^gather: index must have the same number of dimensions as input/, wg.ShapeError],
    [() => x.gather(1, idx([[0], [0], [0], [0]])), /^gather: size of index \(\[4, 1\]\) must not exceed that of input \(\[3, 4\]\) at dimension 0/, wg.ShapeError],
    [() => x.scatterAdd(0, idx([[3]]), wg.ones([1, 1])), /^scatterAdd: index 3 is out of bounds/, wg.IndexError],
    [() => x.scatterAdd(0, idx([[0, 0]]), wg.ones([1, 1])), /^scatterAdd: size of index \(\[1, 2\]\) must not exceed that of src/, wg.ShapeError],
    [() => x.scatterAdd(0, idx([[0]]), wg.ones([1, 1], { dtype: "float64" })), /^scatterAdd: expected self and src to have the same dtype, got float32 and float64/, wg.DTypeError],
    [() => x.indexAdd(0, idx([0]), wg.ones([2, 4])), /^indexAdd: src must have shape \[1, 4\]/, wg.ShapeError],
  ])("error %#", (f, msg, cls) => {
    expect(f).toThrow(cls);
    expect(f).toThrow(msg);
    expect(x.toArray()).toEqual(grid(3, 4).toArray());
  });
});

describe("flip, repeat, tril, triu, pad", () => {
  const x = grid(3, 4);

  test("values", () => {
    expect(x.flip(0, 1).toArray()).toEqual([[11, 10, 9, 8], [7, 6, 5, 4], [3, 2, 1, 0]]);
    expect(wg.flip(x.t(), [1]).toArray()).toEqual([[8, 4, 0], [9, 5, 1], [10, 6, 2], [11, 7, 3]]);
    expect(tensor([1, 2, 3]).expand(2, 3).flip([1]).toArray()).toEqual([[3, 2, 1], [3, 2, 1]]);
    expect(arange(3).repeat(2, 2).toArray()).toEqual([[0, 1, 2, 0, 1, 2], [0, 1, 2, 0, 1, 2]]);
    expect(x.triu(1).toArray()).toEqual([[0, 1, 2, 3], [0, 0, 6, 7], [0, 0, 0, 11]]);
    expect(wg.tril(x, -1).toArray()).toEqual([[0, 0, 0, 0], [4, 0, 0, 0], [8, 9, 0, 0]]);
    expect(wg.pad(x, [-1, 2, 1, -2], 9).toArray()).toEqual([[9, 9, 9, 9, 9], [1, 2, 3, 9, 9]]);
    expect(wg.pad(tensor(new Int32Array([1, 2])), [1, 0], 7.9).toArray()).toEqual([7, 1, 2]);
    expect(wg.pad(x, [-2, -2]).shape).toEqual([3, 0]);
    expect(wg.pad(x, [1, 1], { mode: "constant", value: -1 }).select(0, 0).toArray()).toEqual([-1, 0, 1, 2, 3, -1]);
    expect(tensor([[true, true], [true, true]]).tril().toArray()).toEqual([[true, false], [true, true]]);
  });

  test("repeat of a 5-d tensor (more copy dims than a tensor has)", () => {
    const shape = [2, 1, 2, 3, 2];
    const a = arange(24).to("float32").reshape(shape);
    const reps = [2, 3, 2, 1, 2];
    const r = a.repeat(reps);
    expect(r.shape).toEqual([4, 3, 4, 3, 4]);
    const got = r.toFloat32Array();
    let k = 0, bad = 0;
    for (let i0 = 0; i0 < 4; i0++) for (let i1 = 0; i1 < 3; i1++) for (let i2 = 0; i2 < 4; i2++)
      for (let i3 = 0; i3 < 3; i3++) for (let i4 = 0; i4 < 4; i4++) {
        const src = ((((i0 % 2) * 1 + 0) * 2 + (i2 % 2)) * 3 + i3) * 2 + (i4 % 2);
        if (got[k++] !== src) bad++;
      }
    expect(bad).toBe(0);
    const y = noGrad(() => a.mul(1)).requiresGrad_(true);
    y.repeat(reps).sum().backward();
    expect(Array.from(y.grad!.toFloat32Array())).toEqual(new Array(24).fill(24));
  });

  test("gradients and grad_fn names", () => {
    const y = noGrad(() => arange(6).to("float32").reshape(2, 3)).requiresGrad_(true);
    const z = y.repeat(2, 1, 3);
    expect(z.gradFn?.name).toBe("RepeatBackward0");
    z.backward(arange(z.numel()).to("float32").reshape(z.shape));
    expect(y.grad!.toArray()).toEqual([[72, 78, 84], [126, 132, 138]]);
    const names = [y.flip(0), y.tril(), y.triu(), wg.pad(y, [1, 1])].map((t) => t.gradFn?.name);
    expect(names).toEqual(["FlipBackward0", "TrilBackward0", "TriuBackward0", "ConstantPadNdBackward0"]);
    y.grad = null;
    wg.pad(y, [-1, 1, 1, 0], 5).mul(arange(9).reshape(3, 3)).sum().backward();
    expect(y.grad!.toArray()).toEqual([[0, 3, 4], [0, 6, 7]]);
  });

  test("float64 gradcheck and gradgradcheck", () => {
    const a = f64(wg.randn([3, 3]));
    const f = (t: Tensor) => wg.pad(t.flip(1).mul(t).tril(-1).add(t.triu(1).mul(t)), [1, -1, 0, 2], 3).repeat(2, 1).mul(t.sum());
    expect(wg.autograd.gradcheck(f, [a])).toBe(true);
    expect(wg.autograd.gradgradcheck(f, [a])).toBe(true);
  });

  test("no leak", () => {
    const before = wg.memory().tensors;
    wg.tidy(() => {
      const a = grid(3, 4, true);
      wg.cat([a.flip(0), a.repeat(1, 2).narrow(1, 0, 4)]).add(wg.pad(a, [0, 0, 3, 0])).sum()
        .add(a.gather(0, idx([[0, 1, 2, 0]])).sum()).add(a.indexSelect(1, idx([0])).sum()).backward();
    });
    expect(wg.memory().tensors).toBe(before);
  });

  test.each([
    [() => x.flip(0, 0), /^flip: dim 0 appears multiple times in the list of dims/],
    [() => x.flip(2), /^flip: dimension out of range/],
    [() => x.repeat(2), /^repeat: number of dimensions of repeat dims \(1\) can not be smaller than number of dimensions of tensor \(2/],
    [() => x.repeat(-1, 1), /^repeat: repeats must be non-negative integers/],
    [() => tensor([1, 2]).tril(), /^tril: input tensor must have at least 2 dimensions, got shape \[2\]/],
    [() => x.triu(0.5), /^triu: diagonal must be an integer/],
    [() => wg.pad(x, [1]), /^pad: padding length must be divisible by 2/],
    [() => wg.pad(x, [1, 1, 1, 1, 1, 1]), /^pad: padding length too large/],
    [() => wg.pad(x, [-3, -2]), /^pad: the input size 4 of dim 1, plus padding -3 and -2, resulted in a negative output size -1/],
    [() => wg.pad(x, [1, 1], { mode: "reflect" }), /^pad: only mode "constant" is supported/],
  ])("error %#", (f, msg) => {
    expect(f).toThrow(wg.WasmgradError);
    expect(f).toThrow(msg);
  });
});
