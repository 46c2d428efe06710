// Learning-rate schedulers against PyTorch 1.13 (test/fixtures/nn/sched.json).

import { test, expect } from "vitest";
import * as wg from "../../src/index.js";
import { fixture } from "../nn/util";

const { optim } = wg;
const S = optim.lrScheduler;

interface SchedCase { name: string; lrs: number[]; stateKeys: string[] }
const cases = fixture<SchedCase[]>("sched.json");

const make: Record<string, (o: wg.optim.Optimizer) => InstanceType<typeof S.LRScheduler>> = {
  StepLR: (o) => new S.StepLR(o, 3, { gamma: 0.5 }),
  ExponentialLR: (o) => new S.ExponentialLR(o, 0.9),
  CosineAnnealingLR: (o) => new S.CosineAnnealingLR(o, 4, { etaMin: 0.01 }),
  LambdaLR: (o) => new S.LambdaLR(o, (e) => 1 / (e + 1)),
};

for (const c of cases) {
  test(`${c.name}: rates and state keys as torch`, () => {
    const p = wg.zeros(1).requiresGrad_();
    const opt = new optim.SGD([p], { lr: 0.2 });
    const s = make[c.name](opt);
    const lrs = [s.getLastLr()[0]];
    for (let i = 1; i < c.lrs.length; i++) { opt.step(); s.step(); lrs.push(s.getLastLr()[0]); }
    // Python's math.cos and V8's Math.cos may differ in the last bit of a double
    lrs.forEach((lr, i) => expect(Math.abs(lr - c.lrs[i])).toBeLessThanOrEqual(1e-15 * Math.abs(c.lrs[i]) + 1e-17));
    expect(opt.paramGroups[0].lr).toBe(lrs[lrs.length - 1]);
    expect(Object.keys(s.stateDict()).sort()).toEqual(c.stateKeys);
  });
}

test("scheduler stateDict round trip resumes the schedule", () => {
  const mk = () => { const o = new optim.SGD([wg.zeros(1).requiresGrad_()], { lr: 1 }); return { o, s: new S.StepLR(o, 2, { gamma: 0.1 }) }; };
  const a = mk();
  for (let i = 0; i < 3; i++) a.s.step();
  const b = mk();
  b.s.loadStateDict(a.s.stateDict());
  b.o.paramGroups[0].lr = a.o.paramGroups[0].lr;
  a.s.step(); b.s.step();
  expect(b.s.getLastLr()).toEqual(a.s.getLastLr());
  expect(b.s.lastEpoch).toBe(4);
});

test("resuming without initialLr throws as torch", () => {
  const o = new optim.SGD([wg.zeros(1).requiresGrad_()], { lr: 1 });
  expect(() => new S.ExponentialLR(o, 0.5, { lastEpoch: 3 })).toThrow(/param 'initial_lr' is not specified in param_groups\[0\]/);
});

test("schedulers check the optimizer and their options", () => {
  const { optim } = wg;
  const { StepLR, ExponentialLR, CosineAnnealingLR, LambdaLR } = optim.lrScheduler;
  const opt = new optim.SGD([wg.tensor([1], { requiresGrad: true })], { lr: 0.1 });
  const cases: [() => unknown, RegExp][] = [
    [() => new StepLR(undefined as never, 2), /^StepLR: undefined is not an Optimizer$/],
    [() => new StepLR(opt, 0), /^StepLR: stepSize must be a positive integer, got 0$/],
    [() => new StepLR(opt, 2, null as never), /^StepLR: options must be an object/],
    [() => new StepLR(opt, 2, { gamma: "x" as never }), /^StepLR: gamma must be a finite number, got "x"$/],
    [() => new ExponentialLR(opt, 0.9, { lastEpoch: 0.5 }), /^ExponentialLR: lastEpoch must be an integer >= -1, got 0.5$/],
    [() => new CosineAnnealingLR(opt, -3), /^CosineAnnealingLR: tMax must be a positive integer, got -3$/],
    [() => new LambdaLR(opt, 5 as never), /^LambdaLR: lrLambda must be a function, got 5$/],
    [() => new LambdaLR(opt, () => "x" as never), /^LambdaLR: lrLambda must return a number, got "x"$/],
  ];
  for (const [f, msg] of cases) {
    expect(f).toThrow(wg.WasmgradError);
    expect(f).toThrow(msg);
  }
  expect(opt.paramGroups[0].lr).toBe(0.1);
});
