// Losses are composed of differentiable ops: gradcheck and gradgradcheck in float64 (torch's settings).

import { test, expect } from "vitest";
import * as wg from "../../src/index.js";

const { F } = wg;
const f64 = (v: number[][] | number[]) => wg.tensor(v as number[], { dtype: "float64" });
const x = () => f64([[0.3, -1.2, 0.8], [2.0, 0.1, -0.4]]).requiresGrad_(true);
const y = f64([[0.5, -1.0, 0.2], [1.0, 0.4, -2.0]]);
const probs = f64([[0.2, 0.7, 0.6], [0.9, 0.35, 0.05]]);
const t = wg.tensor([2, -100], { dtype: "int32" });
const w = f64([1.0, 2.0, 0.5]);

const cases: [string, (a: wg.Tensor) => wg.Tensor][] = [
  ["mseLoss", (a) => F.mseLoss(a, y)],
  ["l1Loss sum", (a) => F.l1Loss(a, y, { reduction: "sum" })],
  ["smoothL1Loss beta 0.5", (a) => F.smoothL1Loss(a, y, { beta: 0.5, reduction: "none" })],
  ["huberLoss delta 0.7", (a) => F.huberLoss(a, y, { delta: 0.7 })],
  ["binaryCrossEntropy weight", (a) => F.binaryCrossEntropy(a.sigmoid(), probs, { weight: w })],
  ["binaryCrossEntropyWithLogits posWeight", (a) => F.binaryCrossEntropyWithLogits(a, probs, { posWeight: w, reduction: "none" })],
  ["crossEntropy weight labelSmoothing ignoreIndex", (a) => F.crossEntropy(a, t, { weight: w, labelSmoothing: 0.2 })],
  ["crossEntropy probabilities", (a) => F.crossEntropy(a, probs.softmax(1), { reduction: "none" })],
  ["nllLoss", (a) => F.nllLoss(a.logSoftmax(1), wg.tensor([0, 1], { dtype: "int32" }), { weight: w })],
];

for (const [name, fn] of cases) {
  test(`gradcheck and gradgradcheck: ${name}`, () => {
    expect(wg.autograd.gradcheck(fn, [x()])).toBe(true);
    expect(wg.autograd.gradgradcheck(fn, [x()])).toBe(true);
  });
}
