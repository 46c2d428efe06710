// An optimizer step leaves nothing for the GC: its temporaries (gradient wrappers, `grad.neg()`,
// Adam's denominators) are released when it returns, and zeroGrad() frees the gradients at once.
// And its state survives a tidy() the caller runs the step in.

import { test, expect } from "vitest";
import * as wg from "../../src/index.js";

const { optim } = wg;
const MiB = 2 ** 20;

type Make = (ps: wg.Tensor[]) => wg.optim.Optimizer;
const OPTIMIZERS: [string, Make][] = [
  ["SGD", (ps) => new optim.SGD(ps, { lr: 0.01 })],
  ["SGD momentum nesterov weightDecay maximize", (ps) => new optim.SGD(ps, { lr: 0.01, momentum: 0.9, nesterov: true, weightDecay: 1e-4, maximize: true })],
  ["Adam amsgrad", (ps) => new optim.Adam(ps, { lr: 1e-3, amsgrad: true, weightDecay: 1e-4 })],
  ["AdamW", (ps) => new optim.AdamW(ps, { lr: 1e-3 })],
  ["RMSprop centered momentum", (ps) => new optim.RMSprop(ps, { lr: 1e-3, centered: true, momentum: 0.5 })],
  ["Adagrad", (ps) => new optim.Adagrad(ps, { lr: 1e-2, weightDecay: 1e-4 })],
];

for (const [name, make] of OPTIMIZERS) {
  test(`${name}: zeroGrad / backward / step keeps the live tensor count and heap flat with no collection`, () => {
    // no forced GC in this loop: whatever the steps leave unreleased shows in the counts
    wg.setMemoryOptions({ gcHeapBytes: 1024 * MiB });
    try {
      const w = wg.randn([64, 64]).requiresGrad_(), b = wg.zeros([64]).requiresGrad_();
      const opt = make([w, b]);
      const x = wg.randn([8, 64]);
      const round = (): void => {
        opt.zeroGrad();
        wg.tidy(() => { wg.F.linear(x, w, b).square().mean().backward(); });
        opt.step();
      };
      for (let i = 0; i < 3; i++) round();
      const before = wg.memory();
      for (let i = 0; i < 50; i++) round();
      const after = wg.memory();
      expect(after.tensors).toBe(before.tensors);
      expect(after.heapBytes).toBe(before.heapBytes);
      expect(w.toArray().flat().every(Number.isFinite)).toBe(true);
    } finally {
      wg.setMemoryOptions({ gcHeapBytes: 12 * MiB });
    }
  });

  test(`${name}: state made inside the caller's tidy() outlives it`, () => {
    const start = [0.5, -1, 2, 0.25, -3];
    const run = (tidied: boolean): number[] => {
      const w = wg.tensor(start).requiresGrad_();
      const opt = make([w]);
      const once = (): void => { opt.zeroGrad(); w.mul(w).sum().backward(); opt.step(); };
      for (let i = 0; i < 4; i++) tidied ? wg.tidy(once) : once();
      for (const v of Object.values(opt.state.get(w) ?? {})) if (v instanceof wg.Tensor) expect(v.isDisposed).toBe(false);
      return w.toArray() as number[];
    };
    expect(run(true)).toEqual(run(false));
  });
}

test("state loaded inside a tidy() outlives it", () => {
  const w = wg.tensor([1, 2, 3]).requiresGrad_();
  const src = new optim.Adam([w], { lr: 0.1 });
  w.square().sum().backward();
  src.step();
  const sd = src.stateDict();
  const w2 = wg.tensor([1, 2, 3]).requiresGrad_();
  const dst = new optim.Adam([w2], { lr: 0.1 });
  wg.tidy(() => dst.loadStateDict(sd));
  for (const v of Object.values(dst.state.get(w2) ?? {})) if (v instanceof wg.Tensor) expect(v.isDisposed).toBe(false);
  w2.square().sum().backward();
  expect(() => dst.step()).not.toThrow();
});

test("a gradient read before zeroGrad() stays readable after it (its own reference)", () => {
  const w = wg.ones([3]).requiresGrad_();
  const opt = new optim.SGD([w], { lr: 0.5 });
  w.mul(2).sum().backward();
  const g = w.grad!;
  opt.step();
  opt.zeroGrad();
  expect(w.grad).toBeNull();
  expect(g.toArray()).toEqual([2, 2, 2]);
  expect(w.toArray()).toEqual([0, 0, 0]);
});
