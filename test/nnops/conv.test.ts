// Convolution and pooling against PyTorch 1.13 (fixture: test/fixtures/make_conv.py): outputs and
// gradients in float32, derivatives of every order checked in float64 by gradcheck/gradgradcheck.
import { describe, test, expect } from "vitest";
import { readFileSync } from "node:fs";
import * as wg from "../../src/index.js";

const root = new URL("../..", import.meta.url).pathname;
interface T { shape: number[]; values: number[] }
interface Case { name: string; op: string; args?: unknown[]; opts: Record<string, unknown>; x: T; w?: T; b?: T | null; c: T; y: T; gx: T; gw?: T; gb?: T | null }
const fx = JSON.parse(readFileSync(`${root}test/fixtures/conv.json`, "utf8")) as { cases: Case[] };

const make = (t: T, dtype: "float32" | "float64" = "float32") => wg.tensor(t.values, { dtype }).reshape(t.shape).requiresGrad_(true);
const camel = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k.replace(/_(\w)/g, (_, c: string) => c.toUpperCase()), v]));

function run(c: Case, dtype: "float32" | "float64" = "float32") {
  const x = make(c.x, dtype);
  const w = c.w ? make(c.w, dtype) : null;
  const b = c.b ? make(c.b, dtype) : null;
  const fn = (xx: wg.Tensor, ww?: wg.Tensor | null, bb?: wg.Tensor | null): wg.Tensor => {
    if (c.op === "conv2d") return wg.conv2d(xx, ww!, bb ?? null, camel(c.opts));
    if (c.op === "max_pool2d") return wg.maxPool2d(xx, c.args![0] as number, camel(c.opts));
    if (c.op === "avg_pool2d") return wg.avgPool2d(xx, c.args![0] as number, camel(c.opts));
    return wg.adaptiveAvgPool2d(xx, c.args![0] as number | [number, number]);
  };
  return { x, w, b, fn };
}

function expectClose(t: wg.Tensor, want: T, rtol: number) {
  expect(t.shape).toEqual(want.shape);
  const got = Array.from(t.toFloat32Array());
  const scale = Math.max(1, ...want.values.map(Math.abs));
  got.forEach((v, i) => expect(Math.abs(v - want.values[i]), `element ${i}: ${v} vs ${want.values[i]}`).toBeLessThanOrEqual(rtol * scale));
}

describe("against PyTorch", () => {
  test.each(fx.cases.map((c) => [c.name, c] as const))("%s", (_n, c) => {
    const { x, w, b, fn } = run(c);
    const y = fn(x, w, b);
    // float32 sums of up to a few hundred products: within a few 1e-6 of float64 torch values
    expectClose(y, c.y, 2e-6);
    y.mul(wg.tensor(c.c.values).reshape(c.c.shape)).sum().backward();
    expectClose(x.grad!, c.gx, 4e-6);
    if (w && c.gw) expectClose(w.grad!, c.gw, 4e-6);
    if (b && c.gb) expectClose(b.grad!, c.gb, 4e-6);
  });
});

describe("derivatives of every order (float64 gradcheck and gradgradcheck)", () => {
  test.each(fx.cases.filter((c) => c.x.values.length <= 200).map((c) => [c.name, c] as const))("%s", (_n, c) => {
    const { x, w, b, fn } = run(c, "float64");
    const inputs = [x, w, b].filter((t): t is wg.Tensor => t !== null);
    const f = (...ts: wg.Tensor[]) => fn(ts[0], ts[1] ?? null, ts[2] ?? null);
    expect(wg.autograd.gradcheck(f, inputs)).toBe(true);
    expect(wg.autograd.gradgradcheck(f, inputs)).toBe(true);
  });
});

describe("errors", () => {
  test("conv1d names itself when the 2-D convolution underneath refuses an argument", () => {
    const x = wg.ones([3, 1]), w = wg.ones([2, 3, 1]);
    expect(() => wg.conv1d(x, w, [0, -1] as never)).toThrow(/^conv1d: conv2d: expected a Tensor as bias/);
    expect(() => wg.conv1d(x, w, null, null as never)).toThrow(/^conv1d: options must be an object/);
    expect(() => wg.avgPool2d(wg.ones([2, 1, 3]), 2, null as never)).toThrow(/^avgPool2d: options must be an object/);
  });
  test("channels that do not match the weight", () => {
    expect(() => wg.conv2d(wg.zeros([1, 3, 5, 5]), wg.zeros([2, 2, 3, 3]))).toThrow(/^conv2d: expected input \[1, 3, 5, 5\] to have 2 channels/);
  });
  test("a kernel larger than the padded input", () => {
    expect(() => wg.conv2d(wg.zeros([1, 1, 2, 2]), wg.zeros([1, 1, 3, 3]))).toThrow(/^conv2d: calculated output size/);
  });
  test("integer inputs", () => {
    expect(() => wg.maxPool2d(wg.zeros([1, 1, 2, 2], { dtype: "int32" }), 2)).toThrow(/^maxPool2d: input must be float32 or float64/);
  });
  test("maxPool2d's indices are torch's flat positions", () => {
    const x = wg.tensor([[1, 5, 2, 0], [3, 4, 9, 8]]).reshape(1, 1, 2, 4);
    const [y, idx] = wg.maxPool2d(x, 2, { returnIndices: true });
    expect(y.toArray()).toEqual([[[[5, 9]]]]);
    expect(idx.toArray()).toEqual([[[[1, 6]]]]);
    expect(idx.dtype).toBe("int32");
  });
});
