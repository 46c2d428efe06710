// The argument checks of src/validate.ts: each error names the op and shows the value safely.
import { test, expect } from "vitest";
import * as wg from "../src/index.js";
import { intArg, listArg, named, numberArg, optsArg, probArg, tensorArg, tupleArg } from "../src/validate.js";

test("checks throw typed errors that start with the op and show any value safely", () => {
  const deep: unknown[] = [];
  let at = deep;
  for (let i = 0; i < 100_000; i++) { const next: unknown[] = []; at.push(next); at = next; }
  expect(() => intArg(Symbol("k"), "size", "Op")).toThrow(/^Op: size must be a non-negative integer, got Symbol\(k\)$/);
  expect(() => intArg(5, "n", "Op", 1, 4)).toThrow(/^Op: n must be an integer in \[1, 4\], got 5$/);
  expect(() => numberArg(10n, "lr", "Op")).toThrow(/^Op: lr must be a finite number, got 10n$/);
  expect(() => numberArg(-1, "eps", "Op", { min: 0 })).toThrow(/^Op: eps must be >= 0, got -1$/);
  expect(() => probArg(NaN, "p", "Op")).toThrow(/^Op: p has to be between 0 and 1, but got NaN$/);
  expect(() => optsArg(wg.ones([1]), "Op")).toThrow(/^Op: options must be an object like \{ \.\.\. \}, got Tensor$/);
  expect(() => optsArg(deep, "Op")).toThrow(/^Op: options must be an object .* got an array$/);
  expect(optsArg(undefined, "Op")).toEqual({});
  expect(() => listArg("ab", "params", "Op")).toThrow(/^Op: params must be an array or an iterable, got "ab"$/);
  expect(listArg(new Set([1, 2]), "params", "Op")).toEqual([1, 2]);
  expect(() => tupleArg(deep, 2, "kernelSize", "Op", 1)).toThrow(/^Op: kernelSize must be an integer >= 1 or 2 of them, got \[\[\.\.\.\]\]$/);
  const gone = wg.ones([1]);
  gone.dispose();
  expect(() => tensorArg(gone, "input", "Op")).toThrow(wg.DisposedError);
  expect(() => tensorArg(Object.create(wg.Tensor.prototype), "input", "Op")).toThrow(/^Op: expected a Tensor, got an object that is not a tensor made by wasmgrad$/);
});

test("named() prefixes errors of the ops inside with the outer op, keeping the class and the cause", () => {
  let inner: unknown;
  try { named("Outer", () => wg.ones([2]).add(wg.ones([3]))); } catch (e) { inner = e; }
  expect(inner).toBeInstanceOf(wg.ShapeError);
  expect((inner as Error).message).toMatch(/^Outer: add: /);
  expect((inner as Error & { cause: unknown }).cause).toBeInstanceOf(wg.ShapeError);
  // an error that already names the op, and one that is not wasmgrad's, pass unchanged
  const own = new wg.DTypeError("Outer: bad");
  expect(() => named("Outer", () => { throw own; })).toThrow(own);
  const plain = new TypeError("x");
  expect(() => named("Outer", () => { throw plain; })).toThrow(plain);
  expect(named("Outer", () => 3)).toBe(3);
});
