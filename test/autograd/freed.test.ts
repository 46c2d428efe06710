// A failed autograd.grad must leave earlier results alone (kept apart from the other autograd
// tests: the failure this checks corrupts the tensor table for whatever runs after it).
import { test, expect } from "vitest";
import { autograd, tensor } from "wasmgrad";

test("a gradient returned by autograd.grad survives a later failed call", () => {
  const x = tensor([0.5], { dtype: "float64", requiresGrad: true });
  const y = x.tanh().sum();
  const [g] = autograd.grad(y, [x]);
  expect(() => autograd.grad(y, [x])).toThrow(/second time/);
  expect(g!.toArray()).toEqual([1 - Math.tanh(0.5) ** 2]);
  expect(() => autograd.grad(y, [x])).toThrow(/second time/);
  expect(x.mul(2).requiresGrad).toBe(true);
});
