// Optimisers against PyTorch 1.13 (test/fixtures/make_nn.py): 5 steps from fixed params and fixed
// gradients, params compared after every step; state layout as torch's state_dict.

import { test, expect } from "vitest";
import * as wg from "../../src/index.js";
import { expectClose } from "../helpers/close";
import { fixture, makeTensor, type TensorRec } from "../nn/util";

const { optim } = wg;

interface OptCase {
  name: string; optim: "SGD" | "Adam" | "AdamW" | "RMSprop" | "Adagrad"; opts: Record<string, unknown>;
  groups?: Record<string, unknown>[]; params: TensorRec[]; grads: TensorRec[][]; after: TensorRec[][];
  stateKeys: string[]; step: number | null;
}
const cases = fixture<OptCase[]>("optim.json");
// Most cases match bit for bit; some differ by 1 ulp where torch's AVX2 kernels fuse a multiply-add,
// and centered RMSprop's sqrt(square_avg - grad_avg^2) cancellation turns that into ~6 ulp.
const TOL = { atol: 1e-9, rtol: 1e-6 };

type Ctor = new (params: unknown, opts: Record<string, unknown>) => wg.optim.Optimizer;
const make = (c: OptCase, params: wg.Tensor[]): wg.optim.Optimizer => {
  const C = (optim as unknown as Record<string, Ctor>)[c.optim];
  const spec = c.groups ? c.groups.map((g, i) => ({ ...g, params: [params[i]] })) : params;
  return new C(spec, c.opts);
};

for (const c of cases) {
  test(`${c.name}: 5 steps as torch`, () => {
    const params = c.params.map((r) => makeTensor(r, true));
    const opt = make(c, params);
    for (let k = 0; k < 5; k++) {
      params.forEach((p, i) => { p.grad = makeTensor(c.grads[k][i]); });
      opt.step();
      params.forEach((p, i) => expectClose(p, c.after[k][i].values as number[], TOL, `step ${k + 1} param ${i}`));
    }
    const sd = opt.stateDict();
    expect(Object.keys(sd.state[0]).sort()).toEqual(c.stateKeys);
    if (c.step !== null) expect((sd.state[0].step as wg.Tensor).item()).toBe(c.step);
  });
}

test("stateDict / loadStateDict round trip continues identically", () => {
  const c = cases.find((x) => x.optim === "Adam" && x.opts.amsgrad)!;
  const run = (resumeAt: number | null): wg.Tensor[] => {
    let params = c.params.map((r) => makeTensor(r, true));
    let opt = make(c, params);
    for (let k = 0; k < 5; k++) {
      if (k === resumeAt) {
        const sd = opt.stateDict();
        const saved = params.map((p) => p.detach().clone());
        params = saved.map((p) => p.requiresGrad_(true));
        opt = make(c, params);
        opt.loadStateDict(sd);
      }
      params.forEach((p, i) => { p.grad = makeTensor(c.grads[k][i]); });
      opt.step();
    }
    return params;
  };
  const a = run(null), b = run(2);
  a.forEach((p, i) => expect(b[i].toArray()).toEqual(p.toArray()));
});

test("stateDict layout: state by index, param_groups with options and indices", () => {
  const p = [wg.zeros(2).requiresGrad_(), wg.zeros(3).requiresGrad_()];
  const opt = new optim.SGD([{ params: [p[0]] }, { params: [p[1]], lr: 0.5 }], { lr: 0.1, momentum: 0.9 });
  const sd = opt.stateDict();
  expect(sd.param_groups.map((g) => g.params)).toEqual([[0], [1]]);
  expect(sd.param_groups[1]).toMatchObject({ lr: 0.5, momentum: 0.9, dampening: 0, weightDecay: 0, nesterov: false, maximize: false });
  expect(sd.state).toEqual({});
});

test("params without a grad are skipped; zeroGrad clears", () => {
  const a = wg.tensor([1, 2]).requiresGrad_(), b = wg.tensor([3]).requiresGrad_();
  const opt = new optim.Adam([a, b], { lr: 0.1 });
  a.mul(a).sum().backward();
  opt.step();
  expect(b.toArray()).toEqual([3]);
  expect(opt.state.has(b)).toBe(false);
  opt.zeroGrad();
  expect(a.grad).toBeNull();
});

test("closure: step re-evaluates the loss and returns it", () => {
  const w = wg.tensor([2]).requiresGrad_();
  const opt = new optim.SGD([w], { lr: 0.25 });
  const loss = opt.step(() => { opt.zeroGrad(); const l = w.mul(w).sum(); l.backward(); return l; }) as wg.Tensor;
  expect(loss.item()).toBe(4);
  expect(w.item()).toBe(1);
});

test("invalid options and params throw as torch", () => {
  const p = wg.zeros(1).requiresGrad_();
  expect(() => new optim.SGD([p], { lr: -1 })).toThrow(/^SGD: Invalid learning rate: -1/);
  expect(() => new optim.SGD([p], { lr: 0.1, nesterov: true })).toThrow(/^SGD: Nesterov momentum requires a momentum and zero dampening/);
  expect(() => new optim.Adam([p], { betas: [1, 0.9] })).toThrow(/^Adam: Invalid beta parameter at index 0: 1/);
  expect(() => new optim.Adam([])).toThrow(/^Adam: optimizer got an empty parameter list/);
  expect(() => new optim.SGD([p.mul(2)], { lr: 0.1 })).toThrow(/^SGD: can't optimize a non-leaf Tensor/);
  expect(() => new optim.SGD([{ params: [p] }, { params: [p] }], { lr: 0.1 })).toThrow(/some parameters appear in more than one parameter group/);
});

test("a training loop lowers the loss (Linear + MSELoss + SGD)", () => {
  wg.manualSeed(1);
  const model = new wg.nn.Linear(3, 1);
  const x = wg.randn(16, 3);
  const y = x.matmul(wg.tensor([[1], [-2], [0.5]])).add(0.3);
  const opt = new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
  const lossFn = new wg.nn.MSELoss();
  let first = 0, last = 0;
  for (let i = 0; i < 100; i++) {
    opt.zeroGrad();
    const loss = lossFn.forward(model.forward(x), y);
    loss.backward();
    opt.step();
    if (i === 0) first = loss.item();
    last = loss.item();
  }
  expect(last).toBeLessThan(first * 1e-3);
});

test("optimisers check params and options, and name themselves", () => {
  const { optim } = wg;
  const p = wg.tensor([1, 2], { requiresGrad: true });
  const cases: [() => unknown, RegExp][] = [
    [() => new optim.Adam(NaN as never), /^Adam: params must be an array or an iterable, got NaN$/],
    [() => new optim.Adam([p], null as never), /^Adam: options must be an object/],
    [() => new optim.Adam([p], { betas: 0.9 as never }), /^Adam: betas must be a pair \[beta1, beta2\], got 0.9$/],
    [() => new optim.Adam([p], { betas: [0.9, Symbol()] as never }), /^Adam: Invalid beta parameter at index 1: Symbol\(\)$/],
    [() => new optim.AdamW([p], { eps: Symbol() as never }), /^AdamW: Invalid epsilon value: symbol$/],
    [() => new optim.AdamW([p], { amsgrad: 1 as never }), /^AdamW: amsgrad must be a boolean, got 1$/],
    [() => new optim.SGD([p], { lr: Symbol() as never }), /^SGD: lr is required \(a number\), got Symbol\(\)$/],
    [() => new optim.SGD([p], wg.ones([1]) as never), /^SGD: options must be an object/],
    [() => new optim.SGD([p], { lr: -1 }), /^SGD: Invalid learning rate: -1$/],
    [() => new optim.SGD([{ params: 3 as never }], { lr: 1 }), /^SGD: params must be an array or an iterable, got 3$/],
    [() => new optim.SGD([wg.ones([1], { dtype: "int32" })], { lr: 1 }), /^SGD: can only optimize floating point Tensors, got int32$/],
    [() => new optim.RMSprop([p], { alpha: -1 }), /^RMSprop: Invalid alpha value: -1$/],
    [() => new optim.Adagrad([p], { initialAccumulatorValue: Infinity }), /^Adagrad: Invalid initial_accumulator_value value: Infinity$/],
    [() => new optim.Optimizer([2n] as never, 0.5 as never), /^Optimizer: options must be an object/],
    [() => new optim.Optimizer([p], { lr: 0.1 }).step(), /^Optimizer: step\(\) is not implemented/],
  ];
  for (const [f, msg] of cases) {
    expect(f).toThrow(wg.WasmgradError);
    expect(f).toThrow(msg);
  }
  expect(new optim.Adam([p], { lr: 0.01 }).paramGroups[0].lr).toBe(0.01);
});

test("optimiser methods check their arguments", () => {
  const p = wg.tensor([1, 2], { requiresGrad: true });
  const opt = new wg.optim.SGD([p], { lr: 0.1 });
  expect(() => opt.zeroGrad(null as never)).toThrow(/^SGD.zeroGrad: options must be an object/);
  expect(() => opt.step(5 as never)).toThrow(/^SGD.step: closure must be a function, got 5$/);
  expect(() => opt.loadStateDict({ state: {}, param_groups: [null] } as never)).toThrow(/^SGD: loadStateDict: expected \{ state, param_groups \}/);
  expect(() => new wg.optim.lrScheduler.StepLR(opt, 1).loadStateDict(null as never)).toThrow(/^StepLR.loadStateDict: expected a state dict/);
});
