// Views share storage with their base; other layouts are handled by the kernels.
import { test, expect } from "vitest";
import { tensor, arange, ones, zeros } from "wasmgrad";

test("in-place writes through a view reach the base", () => {
  const base = zeros(2, 3);
  base.view(6).add_(1);
  base.t().mul_(tensor([1, 2, 3]).unsqueeze(1));
  expect(base.toArray()).toEqual([[1, 2, 3], [1, 2, 3]]);
  base.unsqueeze(0).squeeze().fill_(5);
  expect(base.sum().item()).toBe(30);
});

test("transpose is a strided view; contiguous() copies it", () => {
  const a = arange(6).reshape(2, 3);
  const t = a.t();
  expect(t.shape).toEqual([3, 2]);
  expect(t.toArray()).toEqual([[0, 3], [1, 4], [2, 5]]);
  const c = t.contiguous();
  c.add_(100);
  expect(a.toArray()).toEqual([[0, 1, 2], [3, 4, 5]]);
  expect(a.contiguous()).toBe(a);
});

test("ops read strided and broadcast views correctly", () => {
  const a = arange(6).float().reshape(2, 3);
  expect(a.t().mul(2).toArray()).toEqual([[0, 6], [2, 8], [4, 10]]);
  expect(a.t().add(a.t()).sum(0).toArray()).toEqual([6, 24]);
  expect(a.t().matmul(a).toArray()).toEqual([[9, 12, 15], [12, 17, 22], [15, 22, 29]]);
  expect(tensor([1, 2]).expand(3, 2).toArray()).toEqual([[1, 2], [1, 2], [1, 2]]);
  expect(tensor([[1], [2]]).expand(-1, 3).neg().abs().toArray()).toEqual([[1, 1, 1], [2, 2, 2]]);
});

test("int32 matmul of strided views (arange gives int32, as torch's int64)", () => {
  const a = arange(6).reshape(2, 3);
  expect(a.t().matmul(a).toArray()).toEqual([[9, 12, 15], [12, 17, 22], [15, 22, 29]]);
});

test("reshape of a strided tensor copies instead of sharing", () => {
  const a = arange(4).reshape(2, 2);
  const r = a.t().reshape(4);
  r.fill_(0);
  expect(a.toArray()).toEqual([[0, 1], [2, 3]]);
  expect(r.shape).toEqual([4]);
});

test("shape ops give PyTorch's shapes", () => {
  const x = ones(2, 1, 3);
  expect(x.squeeze().shape).toEqual([2, 3]);
  expect(x.squeeze(1).shape).toEqual([2, 3]);
  expect(x.squeeze(0).shape).toEqual([2, 1, 3]);
  expect(x.unsqueeze(-1).shape).toEqual([2, 1, 3, 1]);
  expect(x.transpose(0, -1).shape).toEqual([3, 1, 2]);
  expect(x.reshape(-1).shape).toEqual([6]);
  expect(x.view(3, -1).shape).toEqual([3, 2]);
  expect(x.flatten().shape).toEqual([6]);
  expect(x.flatten(1).shape).toEqual([2, 3]);
  expect(x.expand(4, 2, 5, 3).shape).toEqual([4, 2, 5, 3]);
  expect(ones(3).t().shape).toEqual([3]);
});

test("a squeezed/unsqueezed/transposed view still writes to the right elements", () => {
  const a = zeros(2, 3);
  const v = a.transpose(0, 1); // [3, 2], strides [1, 3]
  v.copy_(tensor([[1, 2], [3, 4], [5, 6]]));
  expect(a.toArray()).toEqual([[1, 3, 5], [2, 4, 6]]);
});

test("view works on strided tensors where the strides allow it (as PyTorch)", () => {
  const a = arange(12).reshape(3, 4);
  const v = a.t().view(4, 3, 1);
  expect(v.toArray()).toEqual(a.t().contiguous().view(4, 3, 1).toArray());
  const w = a.t().view(2, 2, 3);
  expect(w.toArray()).toEqual([[[0, 4, 8], [1, 5, 9]], [[2, 6, 10], [3, 7, 11]]]);
  w.mul_(0); // still a view: the base sees the write
  expect(a.sum().item()).toBe(0);
  const b = arange(24).reshape(2, 3, 4).transpose(0, 1); // [3, 2, 4]
  expect(() => b.view(3, 8)).toThrow(/^view: size is not compatible/);
  expect(b.view(3, 2, 2, 2).toArray()).toEqual(b.contiguous().view(3, 2, 2, 2).toArray());
  expect(b.reshape(3, 8).toArray()).toEqual(b.contiguous().view(3, 8).toArray());
});

test("fill_ through a strided view of an int32 tensor writes exact integers", () => {
  const t = zeros([2, 3], { dtype: "int32" });
  t.t().fill_(16777217); // 2^24 + 1: not representable in float32
  expect(t.toArray()).toEqual([[16777217, 16777217, 16777217], [16777217, 16777217, 16777217]]);
});
