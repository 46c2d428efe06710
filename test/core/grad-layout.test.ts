// Accumulating into a .grad that is a strided view, or an expanded one, as PyTorch does.
import { test, expect } from "vitest";
import * as wg from "../../src/index.js";

test("a transposed .grad (set through .data) accumulates through its strides", () => {
  const w = wg.ones([2, 3]).requiresGrad_(true);
  w.mul(2).sum().backward();
  const b = wg.arange(0, 6).float().reshape(3, 2);
  w.grad!.data = b.t();
  w.mul(3).sum().backward();
  // torch: [[3, 5, 7], [4, 6, 8]] (b.t() + 3), and the grad keeps b's storage
  expect(w.grad!.toArray()).toEqual([[3, 5, 7], [4, 6, 8]]);
  expect(b.toArray()).toEqual([[3, 4], [5, 6], [7, 8]]);
});

test("an expanded .grad is refused as PyTorch refuses it, and nothing changes", () => {
  const w = wg.ones([3]).requiresGrad_(true);
  w.grad = wg.zeros([1]).expand(3);
  expect(() => w.mul(2).sum().backward()).toThrow(/^backward: unsupported operation: more than one element of the written-to tensor refers to a single memory location/);
  expect(w.grad!.toArray()).toEqual([0, 0, 0]);
  // the library works on, and a contiguous .grad accumulates again
  w.grad = null;
  w.mul(2).sum().backward();
  expect(w.grad!.toArray()).toEqual([2, 2, 2]);
});
