// nn.functional activations, linear, oneHot, dropout and the activation modules against PyTorch 1.13.

import { test, expect } from "vitest";
import * as wg from "../../src/index.js";
import { expectClose } from "../helpers/close";
import { fixture, makeTensor, needing, torchGenerator, type TensorRec } from "./util";

const { F, nn } = wg;

interface FnCase { name: string; input: TensorRec; out: TensorRec; grad?: TensorRec; weight?: TensorRec; bias?: TensorRec; numClasses?: number }
const cases = fixture<FnCase[]>("functional.json");
const byName = Object.fromEntries(cases.map((c) => [c.name, c]));

const acts: [string, string[], (x: wg.Tensor) => wg.Tensor][] = [
  ["gelu", ["t.gelu"], (x) => F.gelu(x)],
  ["gelu tanh", ["t.gelu"], (x) => F.gelu(x, { approximate: "tanh" })],
  ["silu", ["t.silu"], (x) => F.silu(x)],
  ["softmax", ["t.softmax"], (x) => F.softmax(x, 1)],
  ["logSoftmax", ["t.logSoftmax"], (x) => F.logSoftmax(x, -1)],
  ["relu", [], (x) => F.relu(x)],
  ["sigmoid", [], (x) => F.sigmoid(x)],
  ["tanh", [], (x) => F.tanh(x)],
];

for (const [name, needs, fn] of acts) {
  const c = byName[name];
  const { run, why } = needing(needs);
  (run ? test : test.todo)(`F.${name}: value and grad${why}`, () => {
    const x = makeTensor(c.input, true);
    const y = fn(x);
    expectClose(y, c.out.values as number[], { atol: 1e-6, rtol: 1e-5 }, "value");
    y.mul(wg.linspace(0.5, 1.5, y.numel()).reshape(y.shape)).sum().backward();
    expectClose(x.grad!, c.grad!.values as number[], { atol: 1e-6, rtol: 1e-5 }, "grad");
  });
}

test("modules wrap the functions: ReLU, Sigmoid, Tanh, Identity, Flatten", () => {
  const x = makeTensor(byName.relu.input);
  expect(new nn.ReLU().forward(x).toArray()).toEqual(F.relu(x).toArray());
  expect(new nn.Sigmoid().forward(x).toArray()).toEqual(F.sigmoid(x).toArray());
  expect(new nn.Tanh().forward(x).toArray()).toEqual(F.tanh(x).toArray());
  expect(new nn.Identity().forward(x)).toBe(x);
  expect(new nn.Flatten().forward(wg.zeros(2, 3, 4)).shape).toEqual([2, 12]);
  expect(new nn.Flatten(0).forward(wg.zeros(2, 3, 4)).shape).toEqual([24]);
});

const softmaxNeeds = needing(["t.softmax", "t.gelu"]);
(softmaxNeeds.run ? test : test.todo)(`modules: Softmax(dim), GELU${softmaxNeeds.why}`, () => {
  const x = makeTensor(byName.softmax.input);
  expectClose(new nn.Softmax(1).forward(x), byName.softmax.out.values as number[], { atol: 1e-6, rtol: 1e-5 });
  expectClose(new nn.GELU({ approximate: "tanh" }).forward(x), byName["gelu tanh"].out.values as number[], { atol: 1e-6, rtol: 1e-5 });
});

test("F.linear", () => {
  const c = byName.linear;
  expectClose(F.linear(makeTensor(c.input), makeTensor(c.weight!), makeTensor(c.bias!)), c.out.values as number[], { atol: 1e-6, rtol: 1e-5 });
});

test("F.oneHot as torch, with its errors", () => {
  for (const c of [byName.oneHot, byName["oneHot 5"]]) {
    const y = F.oneHot(makeTensor(c.input), c.numClasses ?? -1);
    expect(y.shape).toEqual(c.out.shape);
    expect(y.dtype).toBe("int32");
    expect(Array.from(y.dataSync())).toEqual(c.out.values);
  }
  expect(() => F.oneHot(wg.tensor([0, 3], { dtype: "int32" }), 3)).toThrow(/^oneHot: Class values must be smaller than num_classes/);
  expect(() => F.oneHot(wg.tensor([-1], { dtype: "int32" }))).toThrow(/^oneHot: Class values must be non-negative/);
  expect(() => F.oneHot(wg.tensor([1.0]))).toThrow(/^oneHot: one_hot is only applicable to index tensor/);
});

test("F.dropout: identity in eval mode and for p = 0, zeros for p = 1, bad p refused", () => {
  const x = wg.randn(4, 5);
  expect(F.dropout(x, 0.5, false)).toBe(x);
  expect(F.dropout(x, 0)).toBe(x);
  // x * 0, as torch: zeros (negative zero where x < 0)
  expect(Array.from(F.dropout(x, 1).toFloat32Array()).every((v) => v === 0)).toBe(true);
  expect(() => F.dropout(x, 1.5)).toThrow(/^dropout: dropout probability has to be between 0 and 1, but got 1.5/);
  const d = new nn.Dropout(0.5);
  d.eval();
  expect(d.forward(x)).toBe(x);
});

const dropNeeds = needing(["t.bernoulli_"]);
(dropNeeds.run ? test : test.todo)(`F.dropout in training: kept elements scaled by 1 / (1 - p)${dropNeeds.why}`, () => {
  const x = wg.ones(1000);
  const y = F.dropout(x, 0.25).toFloat32Array();
  let kept = 0;
  for (const v of y) {
    expect(v === 0 || Math.abs(v - 1 / 0.75) < 1e-6).toBe(true);
    if (v !== 0) kept++;
  }
  expect(kept).toBeGreaterThan(650);
  expect(kept).toBeLessThan(850);
});

interface Seeded { linear: { seed: number; layers: [TensorRec, TensorRec][] }; dropout: TensorRec }
const seeded = fixture<Seeded>("seeded.json");
const gen = torchGenerator();
const seededNeeds = needing(["t.uniform_"], gen ? [] : ["PyTorch's generator"]);
(seededNeeds.run ? test : test.todo)(`seeded Linear init equals torch's${seededNeeds.why}`, () => {
  wg.manualSeed(seeded.linear.seed);
  const layers = [new nn.Linear(3, 2), new nn.Linear(4, 3)];
  layers.forEach((l, i) => {
    expectClose(l.weight, seeded.linear.layers[i][0].values as number[], { atol: 0, rtol: 0 }, `weight ${i}`);
    expectClose(l.bias!, seeded.linear.layers[i][1].values as number[], { atol: 0, rtol: 0 }, `bias ${i}`);
  });
});
const seededDrop = needing(["t.bernoulli_"], gen ? [] : ["PyTorch's generator"]);
(seededDrop.run ? test : test.todo)(`seeded dropout mask equals torch's${seededDrop.why}`, () => {
  wg.manualSeed(0);
  expect(Array.from(F.dropout(wg.ones(4, 5), 0.5).toFloat32Array())).toEqual(seeded.dropout.values);
});

test("linear, dropout and oneHot check their arguments and name themselves", () => {
  const F = wg.nn.functional;
  const x = wg.ones([2, 3]), w = wg.ones([4, 3]);
  const cases: [() => unknown, RegExp][] = [
    [() => F.linear(x, wg.ones([4, 2])), /^linear: mat1 and mat2 shapes cannot be multiplied \(input \[2, 3\] and weight \[4, 2\]/],
    [() => F.linear(x, w, wg.ones([3])), /^linear: cannot broadcast/],
    [() => F.linear(x, w, 5 as never), /^linear: expected a Tensor as bias, got 5$/],
    [() => F.linear(x, w.double()), /^linear: expected weight of dtype float32, like the input, got float64$/],
    [() => F.linear(x, wg.ones([1, 4, 3])), /^linear: weight must be 1-D or 2-D/],
    [() => F.dropout(x, 0.5, "yes" as never), /^dropout: training must be a boolean/],
    [() => F.dropout(wg.ones([2], { dtype: "int32" }), 0.5), /^dropout: input must be float32 or float64, got int32$/],
    [() => F.oneHot(wg.tensor([1], { dtype: "int32" }), Symbol() as never), /^oneHot: numClasses must be a positive integer or -1, got symbol$/],
    [() => F.oneHot(wg.zeros([2 ** 16], { dtype: "int32" }), 2 ** 16), /^oneHot: shape \[65536, 65536\]/],
  ];
  for (const [f, msg] of cases) {
    expect(f).toThrow(wg.WasmgradError);
    expect(f).toThrow(msg);
  }
  expect(F.linear(x, w, wg.zeros([4])).shape).toEqual([2, 4]);
  expect(F.linear(wg.ones([3]), wg.ones([3])).shape).toEqual([]);
});
