// Losses against PyTorch 1.13 (test/fixtures/make_nn.py): value and gradient for each reduction.

import { test, expect } from "vitest";
import * as wg from "../../src/index.js";
import { expectClose } from "../helpers/close";
import { fixture, makeTensor, needing, type TensorRec } from "./util";

interface LossCase { name: string; fn: string; input: TensorRec; target: TensorRec; opts: Record<string, unknown>; out: TensorRec; grad: TensorRec }

const cases = fixture<LossCase[]>("losses.json");
// the composed backward of BCE-with-logits (through exp and log) differs from torch's fused formula by ~3e-6 relative
const TOL = { atol: 1e-6, rtol: 1e-5 };

for (const c of cases) {
  const needs = c.fn === "crossEntropy" ? ["t.logSoftmax"] : [];
  const { run, why } = needing(needs);
  (run ? test : test.todo)(`F.${c.name}${why}`, () => {
    const x = makeTensor(c.input, true);
    const t = makeTensor(c.target);
    const opts: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(c.opts)) opts[k] = v !== null && typeof v === "object" ? makeTensor(v as TensorRec) : v;
    const out = (wg.F as unknown as Record<string, (...a: unknown[]) => wg.Tensor>)[c.fn](x, t, opts);
    expect(out.shape).toEqual(c.out.shape);
    expectClose(out, c.out.values as number[], TOL, "value");
    const n = out.numel();
    const cot = c.opts.reduction === "none" ? wg.linspace(0.5, 1.5, n).reshape(out.shape) : wg.tensor(1);
    out.mul(cot).sum().backward();
    expectClose(x.grad!, c.grad.values as number[], TOL, "grad");
  });
}

test("loss modules give the functional values and register weight buffers", () => {
  const x = wg.tensor([[0.2, 0.7], [0.9, 0.4]]);
  const y = wg.tensor([[0, 1], [1, 0]]);
  expect(new wg.nn.MSELoss().forward(x, y).item()).toBeCloseTo(wg.F.mseLoss(x, y).item(), 7);
  expect(new wg.nn.L1Loss({ reduction: "sum" }).forward(x, y).item()).toBeCloseTo(1.0, 6);
  expect(new wg.nn.BCELoss().forward(x, y).item()).toBeCloseTo(wg.F.binaryCrossEntropy(x, y).item(), 7);
  const w = wg.tensor([1, 2, 3]);
  expect(Object.keys(new wg.nn.NLLLoss({ weight: w }).stateDict())).toEqual(["weight"]);
  expect(Object.keys(new wg.nn.CrossEntropyLoss().stateDict())).toEqual([]);
});

test("losses refuse bad arguments with the op's name", () => {
  const x = wg.tensor([[0.2, 0.7]]);
  expect(() => wg.F.mseLoss(x, x, { reduction: "avg" as never })).toThrow(/^mseLoss: "avg" is not a valid value for reduction/);
  expect(() => wg.F.binaryCrossEntropy(wg.tensor([1.5]), wg.tensor([1]))).toThrow(/^binaryCrossEntropy: all elements of input should be between 0 and 1/);
  expect(() => wg.F.binaryCrossEntropy(x, wg.tensor([1, 0, 1]))).toThrow(/^binaryCrossEntropy: target size \[3\] must be the same as input size \[1, 2\]/);
  const lp = wg.tensor([[-1, -2, -3], [-1, -1, -1]]);
  expect(() => wg.F.nllLoss(lp, wg.tensor([0, 3], { dtype: "int32" }))).toThrow(/^nllLoss: Target 3 is out of bounds/);
  expect(() => wg.F.nllLoss(lp, wg.tensor([0, 1]))).toThrow(/^nllLoss: expected target of dtype int32/);
  expect(() => wg.F.nllLoss(lp, wg.tensor([0, 1, 1], { dtype: "int32" }))).toThrow(/^nllLoss: expected target of shape \[2\]/);
});

test("nllLoss: every target ignored gives NaN for the mean, as torch", () => {
  const lp = wg.tensor([[-1, -2], [-0.5, -1]]);
  const t = wg.tensor([-100, -100], { dtype: "int32" });
  expect(Number.isNaN(wg.F.nllLoss(lp, t).item())).toBe(true);
  expect(wg.F.nllLoss(lp, t, { reduction: "sum" }).item()).toBe(0);
});

test("createGraph through a loss gives second derivatives", () => {
  const x = wg.tensor([0.3, -1.2, 2.0], { requiresGrad: true });
  const y = wg.tensor([0, 1, 0]);
  const loss = wg.F.binaryCrossEntropyWithLogits(x, y, { reduction: "sum" });
  const [g] = wg.autograd.grad([loss], [x], { createGraph: true });
  const [gg] = wg.autograd.grad([g.sum()], [x]);
  // d2/dx2 of BCE-with-logits is sigmoid(x) (1 - sigmoid(x))
  const s = x.detach().sigmoid();
  expectClose(gg, s.mul(s.neg().add(1)).toFloat32Array(), { atol: 1e-6, rtol: 1e-5 });
});

test("loss modules and functions check their arguments and name themselves", () => {
  const { nn } = wg;
  const F = wg.nn.functional;
  const x = wg.tensor([0.2, 0.7]), y = wg.tensor([0, 1]);
  const cases: [() => unknown, RegExp][] = [
    [() => new nn.MSELoss(null as never), /^MSELoss: options must be an object/],
    [() => new nn.L1Loss({ reduction: "avg" as never }), /^L1Loss: reduction must be one of "mean", "sum", "none", got "avg"$/],
    [() => new nn.SmoothL1Loss({ beta: -1 }), /^SmoothL1Loss: beta must be >= 0, got -1$/],
    [() => new nn.HuberLoss({ delta: 0 }), /^HuberLoss: delta must be > 0, got 0$/],
    [() => new nn.BCELoss({ weight: [1, 2] as never }), /^BCELoss: expected a Tensor as weight, got an array$/],
    [() => new nn.BCEWithLogitsLoss({ posWeight: 2 as never }), /^BCEWithLogitsLoss: expected a Tensor as posWeight, got 2$/],
    [() => new nn.NLLLoss({ ignoreIndex: 0.5 }), /^NLLLoss: ignoreIndex must be an integer >= -2147483648, got 0.5$/],
    [() => new nn.CrossEntropyLoss({ labelSmoothing: 2 }), /^CrossEntropyLoss: labelSmoothing has to be between 0 and 1, but got 2$/],
    [() => F.mseLoss(x, wg.ones([3])), /^mseLoss: cannot broadcast/],
    [() => F.l1Loss(x, wg.ones([3])), /^l1Loss: /],
    [() => F.huberLoss(x, y, null as never), /^huberLoss: options must be an object/],
    [() => F.smoothL1Loss(wg.ones([2], { dtype: "int32" }), y), /^smoothL1Loss: input must be float32 or float64, got int32$/],
    [() => F.mseLoss(x, wg.ones([2], { dtype: "bool" })), /^mseLoss: target must be a number tensor, got bool$/],
    [() => F.binaryCrossEntropy(x, y, { weight: wg.ones([3]) }), /^binaryCrossEntropy: cannot broadcast/],
    [() => F.binaryCrossEntropy(x, wg.ones([2], { dtype: "int32" })), /^binaryCrossEntropy: target must be float32 or float64, got int32$/],
    [() => F.crossEntropy(wg.ones([]), wg.tensor(0, { dtype: "int32" })), /^crossEntropy: input must have at least 1 dim/],
    [() => F.crossEntropy(wg.ones([2, 3]), wg.zeros([2, 3]), { weight: wg.ones([2]) }), /^crossEntropy: weight tensor should be defined either for all 3 classes/],
    [() => F.nllLoss(wg.ones([2, 3]), wg.zeros([2], { dtype: "int32" }), { ignoreIndex: "x" as never }), /^nllLoss: ignoreIndex must be an integer/],
  ];
  for (const [f, msg] of cases) {
    expect(f).toThrow(wg.WasmgradError);
    expect(f).toThrow(msg);
  }
  expect(new nn.MSELoss({ reduction: "sum" }).forward(x, y).item()).toBeCloseTo(0.04 + 0.09, 6);
});
