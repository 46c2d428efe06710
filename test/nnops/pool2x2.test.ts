// maxPool2d(x, 2) on float32 runs a vectorised kernel of its own (assembly/kernels/pool2x2.ts);
// float64 runs the general loop. Both must choose the same element of every window (the first
// maximum, the first NaN), so values, indices, gradients and gradients of gradients agree exactly.

import { test, expect } from "vitest";
import * as wg from "../../src/index.js";

// Values from a small set, so windows have ties, and some NaN and -Infinity.
function values(n: number, seed: number): number[] {
  let s = seed >>> 0;
  const next = (): number => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
  const pool = [-2, -1, -0.5, 0, 0.5, 1, 1.5, 3, -Infinity, NaN];
  return Array.from({ length: n }, () => {
    const r = next();
    return r < 0.9 ? pool[Math.floor(next() * 8)] : pool[8 + Math.floor(next() * 2)];
  });
}

// odd sizes (the last row / column is outside every window), widths whose output is not a
// multiple of the 4 lanes, and one plane of a single window
const SHAPES = [[2, 3, 7, 9], [1, 2, 8, 8], [1, 1, 5, 13], [3, 1, 2, 2], [1, 4, 16, 22], [2, 2, 3, 33]];

for (const [i, shape] of SHAPES.entries()) {
  test(`[${shape.join(", ")}]: float32 picks what float64 picks`, () => {
    const v = values(shape.reduce((a, b) => a * b), 17 + i);
    const run = (dtype: "float32" | "float64") => {
      const x = wg.tensor(v, { dtype }).reshape(shape).requiresGrad_();
      const [y, idx] = wg.maxPool2d(x, 2, { returnIndices: true });
      const g = wg.tensor(values(y.numel(), 99 + i).map((t) => (Number.isFinite(t) ? t : 2)), { dtype }).reshape(y.shape).requiresGrad_();
      const [gx] = wg.autograd.grad(y, x, { gradOutputs: g, createGraph: true });
      // second order: d/dg of sum(gx * u) gathers u at the chosen positions
      const u = wg.arange(0, x.numel(), 1, { dtype }).reshape(shape);
      gx!.mul(u).sum().backward();
      return { y: y.toArray(), idx: idx.toArray(), gx: gx!.toArray(), gg: g.grad!.toArray() };
    };
    const a = run("float32"), b = run("float64");
    expect(a.idx).toEqual(b.idx);
    expect(a.y).toEqual(b.y);
    expect(a.gx).toEqual(b.gx);
    expect(a.gg).toEqual(b.gg);
  });
}

test("ties go to the first element of the window and NaN wins where it first appears", () => {
  const x = wg.tensor([
    1, 1, 2, NaN, 0, 0, 5, 5, -Infinity, -Infinity,
    1, 1, NaN, 7, 0, 9, 5, 5, -Infinity, -Infinity,
  ]).reshape(1, 1, 2, 10);
  const [y, idx] = wg.maxPool2d(x, 2, { returnIndices: true });
  expect(idx.toArray()).toEqual([[[[0, 3, 15, 6, 8]]]]);
  expect(y.toArray()).toEqual([[[[1, NaN, 9, 5, -Infinity]]]]);
});
