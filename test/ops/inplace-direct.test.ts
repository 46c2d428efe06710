// An unrecorded in-place update of a contiguous tensor by a same-shape operand that is the very
// same elements or none of them is computed straight into the tensor (assembly/ops/inplace.ts
// writesDirectly); partly overlapping views still go through a temporary. `add_` with an alpha
// rounds a + alpha * b once to float32, four elements at a time.

import { test, expect } from "vitest";
import * as wg from "../../src/index.js";

const vals = (n: number, k: number): number[] => Array.from({ length: n }, (_, i) => Math.fround(Math.sin(i * k + 0.3) * 3));
const axpy = (a: number, b: number, alpha: number): number => Math.fround(a + Math.fround(alpha) * b);

for (const n of [1, 3, 4, 7, 64, 1001]) {
  test(`float32 add_(b, { alpha }) on ${n} elements rounds a + alpha * b once`, () => {
    const a = vals(n, 0.7), b = vals(n, 1.3);
    for (const alpha of [-0.01, 0.1, 3, -1e-7]) {
      const t = wg.tensor(a), u = wg.tensor(b);
      wg.noGrad(() => t.add_(u, { alpha }));
      expect(Array.from(t.toFloat32Array())).toEqual(a.map((x, i) => axpy(x, b[i], alpha)));
      const s = wg.tensor(a);
      wg.noGrad(() => s.sub_(u, { alpha }));
      expect(Array.from(s.toFloat32Array())).toEqual(a.map((x, i) => axpy(x, b[i], -alpha)));
    }
  });
}

test("the same tensor on both sides: t.mul_(t), t.add_(t, { alpha: 2 })", () => {
  const a = vals(10, 0.5);
  const t = wg.tensor(a);
  t.mul_(t);
  expect(Array.from(t.toFloat32Array())).toEqual(a.map((x) => Math.fround(x * x)));
  const sq = Array.from(t.toFloat32Array());
  t.add_(t, { alpha: 2 });
  expect(Array.from(t.toFloat32Array())).toEqual(sq.map((x) => axpy(x, x, 2)));
});

test("partly overlapping views of one storage are read before they are written", () => {
  const base = wg.arange(0, 10, 1);
  const dst = base.narrow(0, 1, 8), src = base.narrow(0, 0, 8);
  dst.add_(src);
  // every element added its old left neighbour, as torch: [0, 1, 3, 5, 7, 9, 11, 13, 15, 9]
  expect(base.toArray()).toEqual([0, 1, 3, 5, 7, 9, 11, 13, 15, 9]);
});

test("float64 and int32 updates in place", () => {
  const d = wg.tensor([1, 2, 3], { dtype: "float64" });
  d.add_(wg.tensor([0.5, 0.25, 0.125], { dtype: "float64" }), { alpha: 3 });
  expect(d.toArray()).toEqual([2.5, 2.75, 3.375]);
  const i = wg.tensor([1, 2, 2 ** 31 - 1], { dtype: "int32" });
  i.add_(wg.tensor([1, 1, 1], { dtype: "int32" }));
  expect(i.toArray()).toEqual([2, 3, -(2 ** 31)]);
});

test("a recorded in-place update still saves what its gradient needs", () => {
  const x = wg.tensor([1, 2, 3], { requiresGrad: true });
  const y = x.mul(1);
  const z = wg.tensor([4, 5, 6], { requiresGrad: true });
  y.mul_(z);
  y.sum().backward();
  expect(x.grad!.toArray()).toEqual([4, 5, 6]);
  expect(z.grad!.toArray()).toEqual([1, 2, 3]);
});

test("an update written straight in still counts as a new version of the tensor", () => {
  const x = wg.tensor([1, 2, 3], { requiresGrad: true });
  const y = x.exp();
  const s = y.sum();
  wg.noGrad(() => y.add_(wg.ones([3])));
  expect(() => s.backward()).toThrow(/modified by an inplace operation/);
});

test("a large in-place update split across threads gives the one-thread values", () => {
  const n = 1 << 19;
  const a = vals(n, 0.001), b = vals(n, 0.002);
  const before = wg.getNumThreads();
  const run = (threads: number): Float32Array => {
    wg.setNumThreads(threads);
    try {
      const t = wg.tensor(a);
      wg.noGrad(() => t.mul_(wg.tensor(b)));
      return t.toFloat32Array();
    } finally {
      wg.setNumThreads(before);
    }
  };
  const one = run(1), two = run(2);
  expect(Buffer.from(two.buffer).equals(Buffer.from(one.buffer))).toBe(true);
  for (const i of [0, 1, n >> 1, n - 1]) expect(one[i]).toBe(Math.fround(a[i] * b[i]));
});
