// nn.utils.clipGradNorm_ / clipGradValue_ against PyTorch 1.13 (test/fixtures/nn/clip.json).

import { test, expect } from "vitest";
import * as wg from "../../src/index.js";
import { expectClose } from "../helpers/close";
import { fixture, makeTensor, type TensorRec } from "./util";

interface ClipCase { name: string; kind: "norm" | "value"; normType?: number | "inf"; maxNorm?: number; clipValue?: number; grads: TensorRec[]; total?: number; after: TensorRec[] }
const cases = fixture<ClipCase[]>("clip.json");

for (const c of cases) {
  test(c.name, () => {
    const ps = c.grads.map((g) => { const p = wg.zeros(g.shape).requiresGrad_(); p.grad = makeTensor(g); return p; });
    if (c.kind === "norm") {
      const total = wg.nn.utils.clipGradNorm_(ps, c.maxNorm!, c.normType === "inf" ? Infinity : c.normType);
      expect(total.item()).toBeCloseTo(c.total!, 5);
    } else {
      wg.nn.utils.clipGradValue_(ps, c.clipValue!);
    }
    ps.forEach((p, i) => expectClose(p.grad!, c.after[i].values as number[], { atol: 1e-6, rtol: 1e-5 }, `grad ${i}`));
  });
}

test("clipGradNorm_ with no grads returns 0; a single tensor is accepted", () => {
  expect(wg.nn.utils.clipGradNorm_([wg.zeros(2).requiresGrad_()], 1).item()).toBe(0);
  const p = wg.zeros(2).requiresGrad_();
  p.grad = wg.tensor([3, 4]);
  expect(wg.nn.utils.clipGradNorm_(p, 1).item()).toBe(5);
  expectClose(p.grad!, [0.6, 0.8], { atol: 1e-6, rtol: 1e-5 });
  p.grad = wg.tensor([Infinity, 1]);
  expect(() => wg.nn.utils.clipGradNorm_(p, 1, 2, { errorIfNonfinite: true })).toThrow(/^clipGradNorm_: the total norm of order 2/);
});

test("clipping checks its arguments", () => {
  const { utils } = wg.nn;
  const p = wg.tensor([1, 2], { requiresGrad: true });
  expect(() => utils.clipGradNorm_(5 as never, 1)).toThrow(/^clipGradNorm_: parameters must be an array or an iterable, got 5$/);
  expect(() => utils.clipGradNorm_([p], Symbol() as never)).toThrow(/^clipGradNorm_: maxNorm must be a number, got Symbol\(\)$/);
  expect(() => utils.clipGradNorm_([p], 1, 2, null as never)).toThrow(/^clipGradNorm_: options must be an object/);
  expect(() => utils.clipGradValue_([null as never], 1)).toThrow(/^clipGradValue_: expected a Tensor as a parameter, got null$/);
  expect(() => utils.clipGradValue_(p, NaN)).toThrow(/^clipGradValue_: clipValue must be a number, got NaN$/);
});
