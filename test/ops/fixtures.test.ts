// Forward values and gradients against PyTorch (test/fixtures/ops.json, written by make_fixtures.py).
// Each case: build the inputs as leaves, run the op in function form, compare the output shape and
// values, then backpropagate sum(out * cot) and compare every input's gradient. The method form
// (`a.mul(b)`) must give the same output, bit for bit.

import { readFileSync } from "node:fs";
import { describe, test, expect } from "vitest";
import {
  Tensor, add, sub, mul, div, pow, neg, exp, log, sqrt, abs, relu, sigmoid, tanh, square, sum, mean,
  matmul, mm, reshape, transpose, t, unsqueeze, squeeze, expand,
} from "wasmgrad";
import { expectClose, F32, TRANSCENDENTAL, type Tolerance } from "../helpers/close";
import { fromValues } from "../helpers/gradcheck";

interface Case {
  name: string;
  op: string;
  args: {
    scalar?: number; alpha?: number; dim?: number | number[]; keepdim?: boolean;
    shape?: number[]; dim0?: number; dim1?: number;
  };
  inputs: { shape: number[]; data: number[] }[];
  out: { shape: number[]; data: number[] };
  cot: number[];
  grads: number[][];
}

const cases: Case[] = JSON.parse(readFileSync(new URL("../fixtures/ops.json", import.meta.url), "utf8"));

type Args = Case["args"];
type Impl = (xs: Tensor[], a: Args) => Tensor;

/** The second operand: args.scalar, else the second input. */
const other = (xs: Tensor[], a: Args): Tensor | number => (a.scalar !== undefined ? a.scalar : xs[1]);
const reduceArgs = (a: Args): [number | number[] | undefined, boolean] => [a.dim, a.keepdim ?? false];

/** Function forms. */
const FUNCTIONS: Record<string, Impl> = {
  add: (xs, a) => (a.alpha !== undefined ? add(xs[0], other(xs, a), { alpha: a.alpha }) : add(xs[0], other(xs, a))),
  sub: (xs, a) => sub(xs[0], other(xs, a)),
  mul: (xs, a) => mul(xs[0], other(xs, a)),
  div: (xs, a) => div(xs[0], other(xs, a)),
  pow: (xs, a) => pow(xs[0], other(xs, a)),
  rsub: (xs, a) => sub(a.scalar!, xs[0]),
  rdiv: (xs, a) => div(a.scalar!, xs[0]),
  rpow: (xs, a) => pow(a.scalar!, xs[0]),
  neg: (xs) => neg(xs[0]),
  exp: (xs) => exp(xs[0]),
  log: (xs) => log(xs[0]),
  sqrt: (xs) => sqrt(xs[0]),
  abs: (xs) => abs(xs[0]),
  relu: (xs) => relu(xs[0]),
  sigmoid: (xs) => sigmoid(xs[0]),
  tanh: (xs) => tanh(xs[0]),
  square: (xs) => square(xs[0]),
  sum: (xs, a) => (a.dim === undefined ? sum(xs[0]) : sum(xs[0], ...reduceArgs(a))),
  mean: (xs, a) => (a.dim === undefined ? mean(xs[0]) : mean(xs[0], ...reduceArgs(a))),
  matmul: (xs) => matmul(xs[0], xs[1]),
  mm: (xs) => mm(xs[0], xs[1]),
  reshape: (xs, a) => reshape(xs[0], a.shape!),
  transpose: (xs, a) => transpose(xs[0], a.dim0!, a.dim1!),
  t: (xs) => t(xs[0]),
  unsqueeze: (xs, a) => unsqueeze(xs[0], a.dim as number),
  squeeze: (xs, a) => (a.dim === undefined ? squeeze(xs[0]) : squeeze(xs[0], a.dim as number)),
  expand: (xs, a) => expand(xs[0], a.shape!),
};

/** Method forms (the reflected scalar ops have none). */
const METHODS: Record<string, Impl> = {
  add: (xs, a) => (a.alpha !== undefined ? xs[0].add(other(xs, a), { alpha: a.alpha }) : xs[0].add(other(xs, a))),
  sub: (xs, a) => xs[0].sub(other(xs, a)),
  mul: (xs, a) => xs[0].mul(other(xs, a)),
  div: (xs, a) => xs[0].div(other(xs, a)),
  pow: (xs, a) => xs[0].pow(other(xs, a)),
  neg: (xs) => xs[0].neg(),
  exp: (xs) => xs[0].exp(),
  log: (xs) => xs[0].log(),
  sqrt: (xs) => xs[0].sqrt(),
  abs: (xs) => xs[0].abs(),
  relu: (xs) => xs[0].relu(),
  sigmoid: (xs) => xs[0].sigmoid(),
  tanh: (xs) => xs[0].tanh(),
  square: (xs) => xs[0].square(),
  sum: (xs, a) => (a.dim === undefined ? xs[0].sum() : xs[0].sum(...reduceArgs(a))),
  mean: (xs, a) => (a.dim === undefined ? xs[0].mean() : xs[0].mean(...reduceArgs(a))),
  matmul: (xs) => xs[0].matmul(xs[1]),
  mm: (xs) => xs[0].mm(xs[1]),
  reshape: (xs, a) => xs[0].reshape(a.shape!),
  transpose: (xs, a) => xs[0].transpose(a.dim0!, a.dim1!),
  t: (xs) => xs[0].t(),
  unsqueeze: (xs, a) => xs[0].unsqueeze(a.dim as number),
  squeeze: (xs, a) => (a.dim === undefined ? xs[0].squeeze() : xs[0].squeeze(a.dim as number)),
  expand: (xs, a) => xs[0].expand(a.shape!),
};

/** Ops whose values come from exp/log (pow included): not bit-identical to PyTorch's Sleef kernels. */
const TRANSCENDENTAL_OPS = new Set(["exp", "log", "sigmoid", "tanh", "pow", "rpow"]);

const tolerance = (c: Case): Tolerance => (TRANSCENDENTAL_OPS.has(c.op) ? TRANSCENDENTAL : F32);

test("the fixture file covers every op", () => {
  expect(cases.length).toBeGreaterThanOrEqual(400);
  expect(new Set(cases.map((c) => c.op))).toEqual(new Set(Object.keys(FUNCTIONS)));
});

describe("ops.json", () => {
  test.each(cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    const xs = c.inputs.map((i) => fromValues(i.data, i.shape, true));
    const out = FUNCTIONS[c.op](xs, c.args);
    const tol = tolerance(c);

    expect(out.shape).toEqual(c.out.shape);
    expectClose(out, c.out.data, tol, "forward");

    const method = METHODS[c.op];
    if (method) {
      const viaMethod = method(xs, c.args);
      expect(viaMethod.shape).toEqual(out.shape);
      expect(Array.from(viaMethod.toFloat32Array())).toEqual(Array.from(out.toFloat32Array()));
    }

    out.mul(fromValues(c.cot, c.out.shape)).sum().backward();
    xs.forEach((x, k) => {
      expect(x.grad, `input ${k} has no grad`).not.toBeNull();
      expect(x.grad!.shape).toEqual(c.inputs[k].shape);
      expectClose(x.grad!, c.grads[k], tol, `grad of input ${k}`);
    });
  });
});
