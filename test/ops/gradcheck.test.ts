// Numerical gradient checks: every differentiable op on shapes that exercise broadcasting, the
// SIMD bodies and their scalar tails (lengths 0, 1, 3, 4, 5, 7, 17, 33), reductions over dims,
// matrix products around the GEMM block sizes, views, and non-contiguous inputs.

import { beforeEach, describe, expect, test } from "vitest";
import {
  Tensor, manualSeed, add, sub, mul, div, pow, neg, exp, log, sqrt, abs, relu, sigmoid, tanh, square,
  sum, mean, matmul, mm, reshape, transpose, t, unsqueeze, squeeze, expand,
} from "wasmgrad";
import { gradcheck, normal, positive, awayFromZero, nonzero } from "../helpers/gradcheck";
import { expectClose } from "../helpers/close";

const LENGTHS = [0, 1, 3, 4, 5, 7, 17, 33];
const SHAPES: number[][] = [...LENGTHS.map((n) => [n]), [], [2, 3], [3, 0], [4, 9]];

beforeEach(() => manualSeed(20240613));

type Gen = (shape: number[]) => Tensor;
const str = (s: number[]): string => `[${s.join(",")}]`;

describe("unary", () => {
  const UNARY: [string, (x: Tensor) => Tensor, Gen][] = [
    ["neg", neg, normal],
    ["exp", exp, normal],
    ["log", log, positive],
    ["sqrt", sqrt, positive],
    ["abs", abs, awayFromZero],
    ["relu", relu, awayFromZero],
    ["sigmoid", sigmoid, normal],
    ["tanh", tanh, normal],
    ["square", square, normal],
    ["neg (method)", (x) => x.neg(), normal],
    ["exp (method)", (x) => x.exp(), normal],
    ["log (method)", (x) => x.log(), positive],
    ["sqrt (method)", (x) => x.sqrt(), positive],
    ["abs (method)", (x) => x.abs(), awayFromZero],
    ["relu (method)", (x) => x.relu(), awayFromZero],
    ["sigmoid (method)", (x) => x.sigmoid(), normal],
    ["tanh (method)", (x) => x.tanh(), normal],
    ["square (method)", (x) => x.square(), normal],
  ];
  const cases = UNARY.flatMap(([name, f, gen]) => SHAPES.map((s) => [`${name} ${str(s)}`, f, gen, s] as const));
  test.each(cases)("%s", (_n, f, gen, s) => {
    gradcheck(f, [gen(s)]);
  });
});

describe("binary, tensor with tensor", () => {
  const BINARY: [string, (a: Tensor, b: Tensor) => Tensor, Gen, Gen][] = [
    ["add", (a, b) => add(a, b), normal, normal],
    ["sub", (a, b) => sub(a, b), normal, normal],
    ["mul", (a, b) => mul(a, b), normal, normal],
    ["div", (a, b) => div(a, b), normal, nonzero],
    ["pow", (a, b) => pow(a, b), positive, normal],
    ["add alpha=-1.5", (a, b) => add(a, b, { alpha: -1.5 }), normal, normal],
    ["sub alpha=2.5", (a, b) => sub(a, b, { alpha: 2.5 }), normal, normal],
    ["add (method)", (a, b) => a.add(b), normal, normal],
    ["sub (method)", (a, b) => a.sub(b), normal, normal],
    ["mul (method)", (a, b) => a.mul(b), normal, normal],
    ["div (method)", (a, b) => a.div(b), normal, nonzero],
    ["pow (method)", (a, b) => a.pow(b), positive, normal],
  ];
  const PAIRS: [number[], number[]][] = [
    ...LENGTHS.map((n) => [[n], [n]] as [number[], number[]]),
    [[], []],
    [[2, 3], [3]],
    [[3], [2, 3]],
    [[3, 1], [1, 4]],
    [[17], []],
    [[], [33]],
    [[2, 1, 5], [3, 1]],
    [[4, 1], [4, 7]],
    [[1, 17], [5, 1]],
    [[33], [1]],
    [[1], [7]],
    [[0], [1]],
    [[2, 0], [1, 1]],
    [[3, 1, 1], [1, 4, 5]],
  ];
  const cases = BINARY.flatMap(([name, f, ga, gb]) =>
    PAIRS.map(([sa, sb]) => [`${name} ${str(sa)} ${str(sb)}`, f, ga, gb, sa, sb] as const),
  );
  test.each(cases)("%s", (_n, f, ga, gb, sa, sb) => {
    gradcheck(f, [ga(sa), gb(sb)]);
  });

  test.each([[[7]], [[2, 3]], [[17]]])("same tensor on both sides %j", (s) => {
    gradcheck((x) => mul(x, x), [normal(s)]);
    gradcheck((x) => add(x, x), [normal(s)]);
    gradcheck((x) => sub(x, x.mul(3)), [normal(s)]);
    gradcheck((x) => div(x, x.abs().add(1)), [normal(s)]);
    gradcheck((x) => pow(x, x), [positive(s)]);
  });
});

describe("binary, tensor with number", () => {
  const SCALAR: [string, (x: Tensor) => Tensor, Gen][] = [
    ["x+2.5", (x) => add(x, 2.5), normal],
    ["2.5+x", (x) => add(2.5, x), normal],
    ["x+2.5 alpha=-2", (x) => add(x, 2.5, { alpha: -2 }), normal],
    ["2.5+x alpha=-2", (x) => add(2.5, x, { alpha: -2 }), normal],
    ["x-1.5", (x) => sub(x, 1.5), normal],
    ["1.5-x", (x) => sub(1.5, x), normal],
    ["1.5-x alpha=3", (x) => sub(1.5, x, { alpha: 3 }), normal],
    ["x*-3", (x) => mul(x, -3), normal],
    ["-3*x", (x) => mul(-3, x), normal],
    ["x/2.5", (x) => div(x, 2.5), normal],
    ["-0.25/x", (x) => div(-0.25, x), nonzero],
    ["2.5/x", (x) => div(2.5, x), nonzero],
    ["x**2", (x) => pow(x, 2), normal],
    ["x**3", (x) => pow(x, 3), normal],
    ["x**0.5", (x) => pow(x, 0.5), positive],
    ["x**-1.5", (x) => pow(x, -1.5), positive],
    ["x**0", (x) => pow(x, 0), normal],
    ["x**1", (x) => pow(x, 1), normal],
    ["2**x", (x) => pow(2, x), normal],
    ["0.5**x", (x) => pow(0.5, x), normal],
    ["x.add(2.5)", (x) => x.add(2.5), normal],
    ["x.sub(1.5)", (x) => x.sub(1.5), normal],
    ["x.mul(-3)", (x) => x.mul(-3), normal],
    ["x.div(2.5)", (x) => x.div(2.5), normal],
    ["x.pow(3)", (x) => x.pow(3), normal],
  ];
  const cases = SCALAR.flatMap(([name, f, gen]) => SHAPES.map((s) => [`${name} x:${str(s)}`, f, gen, s] as const));
  test.each(cases)("%s", (_n, f, gen, s) => {
    gradcheck(f, [gen(s)]);
  });
});

describe("sum and mean", () => {
  type R = { dim?: number | number[]; keepdim?: boolean };
  const ARGS: [number[], R[]][] = [
    [[0], [{}]],
    [[1], [{}, { dim: 0 }, { dim: 0, keepdim: true }]],
    [[33], [{}, { dim: 0 }, { dim: -1, keepdim: true }]],
    [[17, 5], [{}, { dim: 0 }, { dim: 1 }, { dim: -1, keepdim: true }, { dim: [0, 1] }, { dim: [] }]],
    [[3, 7, 5], [{ dim: 0 }, { dim: 1 }, { dim: 2, keepdim: true }, { dim: [0, 2] }, { dim: [-1, 0], keepdim: true }, { dim: [1, 2] }]],
    [[2, 3, 4, 5], [{ dim: [1, 3] }, { dim: [0, 2], keepdim: true }, { dim: -2 }]],
    [[4, 0, 3], [{ dim: 0 }, { dim: 2 }, { dim: 1 }]],
    [[], [{}, { dim: 0 }, { dim: -1, keepdim: true }]],
  ];
  const cases = (["sum", "mean"] as const).flatMap((op) =>
    ARGS.flatMap(([s, list]) => list.map((r) => [`${op} ${str(s)} ${JSON.stringify(r)}`, op, s, r] as const)),
  );
  test.each(cases)("%s", (_n, op, s, r) => {
    const f = op === "sum" ? sum : mean;
    // mean over zero elements is NaN, as in PyTorch; its gradient is not checkable
    const dims = r.dim === undefined || (Array.isArray(r.dim) && r.dim.length === 0) ? s.map((_, i) => i) : [r.dim].flat();
    const reducedNumel = dims.reduce((a, d) => a * (s[d < 0 ? d + s.length : d] ?? 1), 1);
    if (op === "mean" && reducedNumel === 0) return;
    gradcheck((x) => (r.dim === undefined ? f(x) : f(x, r.dim, r.keepdim ?? false)), [normal(s)]);
    gradcheck((x) => (r.dim === undefined ? x[op]() : x[op](r.dim, r.keepdim ?? false)), [normal(s)]);
  });
});

describe("matmul", () => {
  const SHAPES: [number[], number[]][] = [
    [[5], [5]],
    [[1], [1]],
    [[33], [33]],
    [[3], [3, 4]],
    [[7], [7, 17]],
    [[2, 3], [3]],
    [[17, 9], [9]],
    [[1, 1], [1, 1]],
    [[4, 8], [8, 8]],
    [[5, 7], [7, 9]],
    [[33, 17], [17, 3]],
    [[3, 17], [17, 33]],
    [[9, 1], [1, 13]],
    [[8, 4], [4, 16]],
    [[0, 3], [3, 4]],
    [[3, 4], [4, 0]],
    [[3, 0], [0, 4]],
    [[0], [0]],
  ];
  // The product is linear in each operand, so the central difference is exact for any step: a
  // larger step (1e-2) keeps float32 rounding of the sum (|f| ~ 50 for [33,17]@[17,3], about
  // 3e-6) from dominating the numeric derivative.
  const LINEAR = { eps: 1e-2 };
  test.each(SHAPES.map(([a, b]) => [`${str(a)}@${str(b)}`, a, b] as const))("matmul %s", (_n, a, b) => {
    gradcheck((x, y) => matmul(x, y), [normal(a), normal(b)], LINEAR);
  });
  test.each(SHAPES.filter(([a, b]) => a.length === 2 && b.length === 2).map(([a, b]) => [`${str(a)}@${str(b)}`, a, b] as const))(
    "mm %s",
    (_n, a, b) => {
      gradcheck((x, y) => mm(x, y), [normal(a), normal(b)], LINEAR);
      gradcheck((x, y) => x.mm(y), [normal(a), normal(b)], LINEAR);
    },
  );
  test("one input only needs grad", () => {
    const w = normal([7, 5]);
    gradcheck((x) => matmul(x, w), [normal([9, 7])]);
    gradcheck((y) => matmul(w, y), [normal([5, 3])]);
  });
});

describe("views", () => {
  test.each([
    ["transpose then mul", [[2, 3, 4], [4, 3, 2]], (x: Tensor, y: Tensor) => transpose(x, 0, 2).mul(y)],
    ["transpose(1,2) then exp", [[3, 5, 7]], (x: Tensor) => x.transpose(1, 2).exp()],
    ["transpose(-1,0) then sum(dim 1)", [[5, 3, 4]], (x: Tensor) => x.transpose(-1, 0).sum(1)],
    ["transpose same dim then square", [[3, 4]], (x: Tensor) => x.transpose(1, 1).square()],
    ["t then reshape", [[4, 6]], (x: Tensor) => reshape(t(x), [3, 8])],
    ["t then reshape(-1)", [[4, 6]], (x: Tensor) => x.t().reshape(-1).mul(2)],
    ["t of 1-D then tanh", [[7]], (x: Tensor) => t(x).tanh()],
    ["expand then sum", [[3, 1]], (x: Tensor) => expand(x, [2, 3, 4]).sum()],
    ["expand -1 then mul", [[3, 1], [3, 5]], (x: Tensor, y: Tensor) => x.expand(-1, 5).mul(y)],
    ["expand then sum(dim 0)", [[1, 17]], (x: Tensor) => x.expand([5, 17]).sum(0)],
    ["expand 0-dim then sigmoid", [[]], (x: Tensor) => x.expand([33]).sigmoid()],
    ["expand then matmul", [[4, 1], [6, 2]], (x: Tensor, y: Tensor) => x.expand(4, 6).matmul(y)],
    ["unsqueeze then mul (outer)", [[5], [7]], (x: Tensor, y: Tensor) => unsqueeze(x, 1).mul(unsqueeze(y, 0))],
    ["unsqueeze(-1) then expand then log", [[4]], (x: Tensor) => x.abs().add(0.5).unsqueeze(-1).expand(4, 3).log()],
    ["squeeze then div", [[1, 5, 1], [5]], (x: Tensor, y: Tensor) => squeeze(x).div(y.abs().add(0.5))],
    ["squeeze(dim) then sub", [[3, 1], [3]], (x: Tensor, y: Tensor) => squeeze(x, -1).sub(y)],
    ["reshape then mean(dim)", [[6, 4]], (x: Tensor) => x.reshape(2, 3, 4).mean([0, 2])],
    ["view then add", [[12], [3, 4]], (x: Tensor, y: Tensor) => x.view(3, 4).add(y)],
    ["flatten of transpose", [[2, 3, 4]], (x: Tensor) => x.transpose(0, 1).flatten().mul(x.reshape(24))],
    ["contiguous of transpose then sqrt", [[5, 3]], (x: Tensor) => x.abs().add(0.5).t().contiguous().sqrt()],
    ["view of view of view", [[2, 3, 4]], (x: Tensor) => x.unsqueeze(0).transpose(1, 3).squeeze(0).exp()],
  ] as [string, number[][], (...xs: Tensor[]) => Tensor][])("%s", (_n, shapes, f) => {
    gradcheck(f, shapes.map((s) => normal(s)));
  });
});

describe("non-contiguous inputs", () => {
  test.each([
    ["x.t() * y", [[5, 7], [7, 5]], (x: Tensor, y: Tensor) => x.t().mul(y)],
    ["x.t() * y broadcast", [[17, 3], [17]], (x: Tensor, y: Tensor) => x.t().mul(y)],
    ["x.t() + y.t()", [[4, 9], [4, 9]], (x: Tensor, y: Tensor) => x.t().add(y.t())],
    ["x.t() / y", [[3, 5], [5, 3]], (x: Tensor, y: Tensor) => x.t().div(y.abs().add(0.5))],
    ["y.t() ** x.t()", [[4, 3], [4, 3]], (x: Tensor, y: Tensor) => pow(y.abs().add(0.5).t(), x.t())],
    ["exp(x.t())", [[7, 5]], (x: Tensor) => exp(x.t())],
    ["relu(x.t())", [[6, 5]], (x: Tensor) => relu(x.t().add(0.05))],
    ["sum(x.t(), 0)", [[5, 33]], (x: Tensor) => sum(x.t(), 0)],
    ["sum(x.t(), 1, keepdim)", [[5, 33]], (x: Tensor) => sum(x.t(), 1, true)],
    ["mean(x.t())", [[4, 7]], (x: Tensor) => mean(x.t())],
    ["matmul(x.t(), y)", [[7, 5], [7, 9]], (x: Tensor, y: Tensor) => matmul(x.t(), y)],
    ["matmul(x, y.t())", [[33, 17], [3, 17]], (x: Tensor, y: Tensor) => matmul(x, y.t())],
    ["matmul(x.t(), y.t())", [[17, 33], [3, 17]], (x: Tensor, y: Tensor) => matmul(x.t(), y.t())],
    ["matmul(x.t(), v)", [[9, 4], [9]], (x: Tensor, v: Tensor) => matmul(x.t(), v)],
    ["matmul(v, x.t())", [[4, 9], [9]], (x: Tensor, v: Tensor) => matmul(v, x.t())],
    ["expanded * x", [[1, 7], [5, 7]], (x: Tensor, y: Tensor) => x.expand(5, 7).mul(y)],
    ["transpose(0,2) of 3-D into sigmoid", [[3, 4, 5]], (x: Tensor) => x.transpose(0, 2).sigmoid()],
  ] as [string, number[][], (...xs: Tensor[]) => Tensor][])("%s", (_n, shapes, f) => {
    gradcheck(f, shapes.map((s) => normal(s)));
  });
});

describe("compositions", () => {
  test("linear layer with sigmoid and mean", () => {
    gradcheck((x, w, b) => sigmoid(matmul(x, w).add(b)).mean(), [normal([9, 5]), normal([5, 4]), normal([4])]);
  });
  test("two-layer MLP with squared error", () => {
    gradcheck(
      (x, w1, w2) => x.matmul(w1).tanh().matmul(w2).sub(1).square().mean(0),
      [normal([8, 3]), normal([3, 7]), normal([7, 2])],
    );
  });
  test("a leaf used by many ops", () => {
    gradcheck((x) => x.exp().mul(x.sigmoid()).add(x.square().sum()).div(x.abs().add(1)), [normal([17])]);
  });
});

describe("the checkers themselves", () => {
  test("gradcheck reports a wrong gradient with the input and the worst index", () => {
    // d/dx (detach(x) * x) is reported as x, while the true derivative of x*x is 2x
    expect(() => gradcheck((a, x) => a.add(x.detach().mul(x)), [normal([3]), normal([2, 3])])).toThrow(
      /^gradcheck: input 1 \(shape \[2, 3\]\): \d of 6 gradient elements differ .*worst at index \d \[\d, \d\]: analytic -?[\d.]+ vs numeric -?[\d.]+$/,
    );
    expect(gradcheck((x) => x.mul(x), [normal([2, 3])])).toBe(true);
  });
  test("gradcheck catches a transposed gradient that all-ones cotangents would hide", () => {
    // the cotangent is not constant, so summing the wrong rows changes the result
    const wrong = (x: Tensor) => x.sum(0).detach().add(x.sum(1).sub(x.sum(1).detach())).mul(1);
    expect(() => gradcheck(wrong, [normal([3, 3])])).toThrow(/^gradcheck: input 0/);
  });
  test("expectClose names the worst element", () => {
    expect(() => expectClose([1, 2, 3, 4], [[1, 2], [3, 4.5]])).toThrow(
      /^expectClose: 1 of 4 elements differ \(atol 0.00001, rtol 0.0001\); worst at index 3: actual 4.00000000 vs expected 4.50000000/,
    );
    expect(() => expectClose([1, 2], [1, 2, 3])).toThrow(/2 elements vs 3 expected/);
    expectClose([1, NaN, Infinity], [1 + 1e-6, NaN, Infinity]);
    expect(() => expectClose([Infinity], [-Infinity])).toThrow(/actual Infinity vs expected -Infinity/);
  });
});
