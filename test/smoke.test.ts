import { test, expect } from "vitest";
import { tensor } from "wasmgrad";

test("mul and backward", () => {
  const a = tensor([1, 2, 3], { requiresGrad: true }), b = tensor([4, 5, 6], { requiresGrad: true });
  a.mul(b).sum().backward();
  expect(Array.from(a.grad!.toFloat32Array())).toEqual([4, 5, 6]);
  expect(Array.from(b.grad!.toFloat32Array())).toEqual([1, 2, 3]);
  expect(String(a)).toBe("tensor([1., 2., 3.], requires_grad=True)");
});
