// add/sub with alpha round a + alpha * b once, as PyTorch's CPU kernel does: optimisers use
// p.add_(g, { alpha: -lr }), so the result must be PyTorch's to the bit (fixture: make_alpha.py).
import { test, expect } from "vitest";
import { readFileSync } from "node:fs";
import * as wg from "../../src/index.js";

const root = new URL("../..", import.meta.url).pathname;
const fx = JSON.parse(readFileSync(`${root}test/fixtures/alpha.json`, "utf8")) as {
  cases: { alpha: number; a: number[]; b: number[]; add: number[]; sub: number[]; add_: number[] }[];
};
const f32 = (bits: number[]) => new Float32Array(new Uint32Array(bits).buffer);
const bitsOf = (t: wg.Tensor) => Array.from(new Uint32Array(t.toFloat32Array().buffer));

test.each(fx.cases.map((c, i) => [i, c] as const))("case %i: add, sub and add_ with alpha match PyTorch bit for bit", (_i, c) => {
  const a = wg.tensor(f32(c.a)), b = wg.tensor(f32(c.b));
  expect(bitsOf(wg.add(a, b, { alpha: c.alpha }))).toEqual(c.add);
  expect(bitsOf(a.sub(b, { alpha: c.alpha }))).toEqual(c.sub);
  expect(bitsOf(a.clone().add_(b, { alpha: c.alpha }))).toEqual(c.add_);
});
