// float64 tensors and closeness checks for the autograd tests (expected values from torch 1.13
// or closed forms evaluated in float64).
import { expect } from "vitest";
import { tensor, Tensor, autograd, type NestedArray } from "wasmgrad";
import { expectClose, type Tolerance } from "../helpers/close";

/** A float64 tensor, a leaf requiring grad unless asked otherwise. */
export const f64 = (v: NestedArray, requiresGrad = true): Tensor => tensor(v as number[], { dtype: "float64", requiresGrad });

/** float64 values close to expected (nested arrays also check the shape). */
export function near(t: Tensor | null, expected: NestedArray, tol: Tolerance = { atol: 1e-12, rtol: 1e-12 }): void {
  expect(t).not.toBeNull();
  if (Array.isArray(expected) && expected.some(Array.isArray)) expect(t!.shape).toEqual(shapeOfNested(expected));
  expectClose(t!.dataSync() as Float64Array, (Array.isArray(expected) ? expected.flat(8) : [expected]) as number[], tol);
}

function shapeOfNested(v: NestedArray): number[] {
  const s: number[] = [];
  for (let p = v; Array.isArray(p); p = p[0]) s.push(p.length);
  return s;
}

/** The values of a tensor as a plain array (float64 stays exact). */
export const vals = (t: Tensor | null): number[] => Array.from(t!.dataSync());

/**
 * Leaves the core's list of captured gradients holding no handles, so an autograd.grad call a test
 * expects to fail cannot release an earlier call's result (core-defects.md: "A failed
 * autograd.grad releases the gradient returned by an earlier autograd.grad").
 */
export function scrubCaptured(): void {
  const out = tensor([0], { dtype: "float64", requiresGrad: true }).mul(1).sum();
  const unused = Array.from({ length: 8 }, () => tensor([0], { dtype: "float64", requiresGrad: true }));
  autograd.grad(out, unused, { allowUnused: true });
}
