// toString() in PyTorch's print layout (expected strings printed by torch 1.13).
import { test, expect } from "vitest";
import { tensor, zeros, arange, ones, Tensor } from "wasmgrad";

const cases: [string, () => Tensor, string][] = [
  ["leaf requiring grad", () => tensor([1, 2], { requiresGrad: true }), "tensor([1., 2.], requires_grad=True)"],
  ["grad_fn", () => tensor([1, 2], { requiresGrad: true }).mul(2), "tensor([2., 4.], grad_fn=<MulBackward0>)"],
  ["0-dim", () => tensor(3), "tensor(3.)"],
  ["sum", () => tensor([1, 2], { requiresGrad: true }).sum(), "tensor(3., grad_fn=<SumBackward0>)"],
  ["4 decimals", () => tensor([1.5, 2.25]), "tensor([1.5000, 2.2500])"],
  ["negative", () => tensor([-0.5, 2.25]), "tensor([-0.5000,  2.2500])"],
  ["scientific", () => tensor([[1e-5, 1], [3, 4]]), "tensor([[1.0000e-05, 1.0000e+00],\n        [3.0000e+00, 4.0000e+00]])"],
  ["large ints", () => tensor([123456789, 1]), "tensor([1.2346e+08, 1.0000e+00])"],
  ["empty 2-D", () => zeros(2, 0), "tensor([], size=(2, 0))"],
  ["empty", () => tensor([]), "tensor([])"],
  ["int32", () => tensor(new Int32Array([1, 2])), "tensor([1, 2], dtype=torch.int32)"],
  ["int32 2-D", () => tensor([[1, 2], [3, 4]], { dtype: "int32" }), "tensor([[1, 2],\n        [3, 4]], dtype=torch.int32)"],
  ["bool", () => tensor([true, false]), "tensor([ True, False])"],
  ["empty bool", () => zeros([0], { dtype: "bool" }), "tensor([], dtype=torch.bool)"],
  ["nan", () => ones(3).mul(NaN), "tensor([nan, nan, nan])"],
  ["inf", () => tensor([Infinity, -Infinity, 1.5]), "tensor([   inf,   -inf, 1.5000])"],
  ["matrix", () => arange(25).reshape(5, 5).div(7),
    "tensor([[0.0000, 0.1429, 0.2857, 0.4286, 0.5714],\n" +
    "        [0.7143, 0.8571, 1.0000, 1.1429, 1.2857],\n" +
    "        [1.4286, 1.5714, 1.7143, 1.8571, 2.0000],\n" +
    "        [2.1429, 2.2857, 2.4286, 2.5714, 2.7143],\n" +
    "        [2.8571, 3.0000, 3.1429, 3.2857, 3.4286]])"],
  ["summarised int32 (arange of integers is int32, torch's int64 here)", () => arange(2000),
    "tensor([   0,    1,    2,  ..., 1997, 1998, 1999], dtype=torch.int32)"],
  ["summarised", () => arange(2000).float(), "tensor([0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 1.9970e+03, 1.9980e+03,\n        1.9990e+03])"],
];

test.each(cases)("%s", (_, make, want) => expect(make().toString()).toBe(want));

test("3-D tensors separate blocks with a blank line", () => {
  expect(arange(8).float().reshape(2, 2, 2).toString()).toBe(
    "tensor([[[0., 1.],\n         [2., 3.]],\n\n        [[4., 5.],\n         [6., 7.]]])");
  expect(arange(8).reshape(2, 2, 2).toString()).toBe(
    "tensor([[[0, 1],\n         [2, 3]],\n\n        [[4, 5],\n         [6, 7]]], dtype=torch.int32)");
});
