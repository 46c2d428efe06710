// Sums over a run of dims followed only by kept dims (`g.sum(0)` of a bias gradient) add whole
// rows, a vector at a time (assembly/kernels/reduce.ts leadingRows). Each output must still see
// its inputs added one by one in increasing index order, in the tensor's dtype: the JS reference
// below does exactly that (Math.fround per addition for float32, wrapping for int32).

import { test, expect } from "vitest";
import * as wg from "../../src/index.js";

type DT = "float32" | "float64" | "int32";
const round = (dt: DT) => (dt === "float32" ? Math.fround : dt === "int32" ? (v: number) => v | 0 : (v: number) => v);

/** The sum of x (row-major, `shape`) over `dims`, added in increasing index order. */
function reference(x: number[], shape: number[], dims: number[], dt: DT): number[] {
  const r = round(dt);
  const keptShape = shape.map((s, d) => (dims.includes(d) ? 1 : s));
  const out = new Array(keptShape.reduce((a, b) => a * b, 1)).fill(0);
  const idx = new Array(shape.length).fill(0);
  for (let i = 0; i < x.length; i++) {
    let o = 0;
    for (let d = 0; d < shape.length; d++) o = o * keptShape[d] + (dims.includes(d) ? 0 : idx[d]);
    out[o] = r(out[o] + x[i]);
    for (let d = shape.length - 1; d >= 0; d--) { if (++idx[d] < shape[d]) break; idx[d] = 0; }
  }
  return out;
}

const CASES: [number[], number[]][] = [
  [[128, 7], [0]], [[128, 256], [0]], [[3, 5, 6], [0, 1]], [[2, 3, 5], [1]], [[4, 3, 2, 9], [1, 2]],
  [[1000, 3], [0]], [[5], [0]], [[0, 4], [0]],
];

for (const dt of ["float32", "float64", "int32"] as const) {
  for (const [shape, dims] of CASES) {
    test(`${dt} [${shape.join(", ")}].sum(${dims.join(", ")}) adds in index order`, () => {
      const n = shape.reduce((a, b) => a * b, 1);
      // float values whose sums round at every step; int32 values whose sums wrap
      const x = Array.from({ length: n }, (_, i) => (dt === "int32" ? ((i * 2654435761) | 0) : Math.fround(Math.sin(i * 1.7) * 10 ** (i % 7 - 3))));
      const t = wg.tensor(x, { dtype: dt }).reshape(shape);
      const got = t.sum(dims, true);
      const flat = dt === "float32" ? Array.from(got.toFloat32Array()) : (got.reshape(-1).toArray() as number[]);
      expect(flat).toEqual(reference(x, shape, dims, dt));
    });
  }
}
