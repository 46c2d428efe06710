// In-place writes through views (the base gets a CopySlices node), views of a base written in
// place (they get AsStridedBackward0), and the version checks of saved tensors, against PyTorch
// 1.13: the programs below are the ones in test/fixtures/make_views_inplace.py (same names), whose
// inputs, outputs, gradients and grad_fn names are in views_inplace.json.
import { describe, test, expect } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as wg from "wasmgrad";
import { autograd, tensor, zeros, noGrad, AutogradError, Tensor } from "wasmgrad";
import { W } from "../../src/wasm/load";
import { f64, near } from "./f64";

interface Case {
  name: string;
  inputs: Record<string, { shape: number[]; values: number[] }>;
  cotangent: number[];
  out: number[];
  grads: Record<string, number[]>;
  gradFns: Record<string, string>;
}
const CASES: Case[] = JSON.parse(readFileSync(join(__dirname, "../fixtures/views_inplace.json"), "utf8"));

type Program = (...xs: Tensor[]) => [Tensor, Record<string, Tensor>];
const PROGRAMS: Record<string, Program> = {
  copy_select: (x, s) => { const y = x.mul(2); const v = y.select(1, 1); v.copy_(s); return [y, { y, v }]; },
  add_narrow: (x, s) => { const y = x.mul(x); const v = y.narrow(1, 1, 2); v.add_(s, { alpha: 2 }); return [y, { y, v }]; },
  mul_slice_step: (x, s) => { const y = x.mul(x); const v = y.slice(1, 0, 4, 2); v.mul_(s); return [y, { y, v }]; },
  div_t: (x, s) => { const y = x.mul(1.5); const v = y.t(); v.div_(s); return [y, { y, v }]; },
  sub_view: (x, s) => { const y = x.mul(3); const v = y.view(6); v.sub_(s); return [y, { y, v }]; },
  sub_reshape: (x, s) => { const y = x.sin(); const v = y.reshape(3, 2); v.sub_(s, { alpha: 0.5 }); return [y, { y, v }]; },
  fill_select: (x) => { const y = x.mul(2); y.select(0, 1).fill_(5); return [y, { y }]; },
  zero_narrow: (x) => { const y = x.mul(x); y.narrow(1, 1, 2).zero_(); return [y, { y }]; },
  clamp_narrow: (x) => { const y = x.mul(2); y.narrow(1, 0, 2).clamp_(-0.5, 0.5); return [y, { y }]; },
  mul_index: (x, s) => { const y = x.mul(2); const v = y.index(1); v.mul_(s); return [y, { y, v }]; },
  view_of_view: (x) => { const y = x.mul(2); const v = y.index(1); const w = v.slice(0, 1, 3); w.mul_(3); return [y, { y, v, w }]; },
  transpose_select_copy: (x, s) => { const y = x.mul(2); const v = y.transpose(0, 1).select(0, 2); v.copy_(s); return [y, { y, v }]; },
  base_then_views: (x, z) => {
    const y = x.mul(1); const v = y.index(0); const w = y.t(); y.mul_(z);
    return [v.mul(w.select(1, 1)), { y, v, w }];
  },
  exp_of_view_before: (x) => { const y = x.mul(1); const v = y.index(0); const e = v.exp(); y.mul_(2); return [e.add(v), { y, v, e }]; },
  zeros_base: (s) => { const base = zeros([2, 3], { dtype: "float64" }); base.select(0, 1).copy_(s); return [base, { base }]; },
  two_writes: (x, s, t) => { const y = x.mul(x); y.select(1, 0).mul_(s); y.select(1, 2).add_(t); return [y, { y }]; },
  write_then_base_inplace: (x, s) => { const y = x.mul(2); y.select(1, 0).copy_(s); y.mul_(x); return [y, { y }]; },
  base_inplace_operand: (x, z) => { const y = x.mul(2); y.add_(z); return [y, { y }]; },
  unsqueeze_mul: (x, s) => { const y = x.add(1); const v = y.unsqueeze(0); v.mul_(s); return [y, { y, v }]; },
};

const leaves = (c: Case): Tensor[] =>
  Object.values(c.inputs).map((i) => tensor(Float64Array.from(i.values), { dtype: "float64" }).reshape(i.shape).requiresGrad_(true));
const flat = (t: Tensor): number[] => Array.from(t.dataSync() as Float64Array);

describe("in-place writes through views, as PyTorch 1.13", () => {
  test("every fixture case has its program here", () => {
    expect(CASES.map((c) => c.name).filter((n) => !PROGRAMS[n])).toEqual([]);
  });

  test.each(CASES.map((c) => [c.name, c] as const))("%s: values, gradients, grad_fn names", (_n, c) => {
    const xs = leaves(c);
    const [out, named] = PROGRAMS[c.name]!(...xs);
    near(out.reshape(-1), c.out);
    for (const [k, name] of Object.entries(c.gradFns)) expect(named[k]!.gradFn?.name, k).toBe(name);
    out.mul(tensor(Float64Array.from(c.cotangent), { dtype: "float64" }).reshape(out.shape)).sum().backward();
    Object.keys(c.inputs).forEach((k, i) => near(xs[i]!.grad!.reshape(-1), c.grads[k]!));
  });

  // float64 central differences through CopySlices, first and second order (the rule is ops)
  const checked = ["copy_select", "add_narrow", "mul_slice_step", "div_t", "sub_reshape", "clamp_narrow", "view_of_view",
    "base_then_views", "two_writes", "write_then_base_inplace", "unsqueeze_mul"];
  test.each(checked)("%s: gradcheck and gradgradcheck", (name) => {
    const c = CASES.find((k) => k.name === name)!;
    const f = (...xs: Tensor[]) => PROGRAMS[name]!(...xs.map((x) => x.mul(1)))[0];
    expect(autograd.gradcheck(f, leaves(c))).toBe(true);
    expect(autograd.gradgradcheck(f, leaves(c))).toBe(true);
  });

  // torch 1.13: gs = autograd.grad((y * y).sum(), [s], create_graph=True) = [16, -200], then
  // autograd.grad(gs.sum(), [s, x]) = ([32, 200], [[0, 16, 0], [0, -80, 0]])
  test("autograd.grad with createGraph through CopySlices, then backward", () => {
    const x = f64([[1, 2, 3], [4, 5, 6]]), s = f64([0.5, -1]);
    const y = x.mul(2);
    y.select(1, 1).mul_(s);
    const [gs] = autograd.grad(y.mul(y).sum(), [s], { createGraph: true });
    // y[:, 1] = 2 x[:, 1] s: d(sum y^2)/ds = 2 y[:, 1] * 2 x[:, 1] = 8 x[:, 1]^2 s
    near(gs!, [8 * 4 * 0.5, 8 * 25 * -1]);
    gs!.sum().backward();
    near(s.grad!, [32, 200]);
    near(x.grad!, [[0, 16, 0], [0, -80, 0]]);
  });

  test("a write through a view gives the view's base, not the view, the in-place op's history", () => {
    const x = f64([1, 2, 3, 4]);
    const y = x.mul(1);
    const v = y.view(2, 2);
    const row = v.select(0, 0);
    row.mul_(10);
    expect(y.gradFn!.name).toBe("CopySlices");
    expect(v.gradFn!.name).toBe("AsStridedBackward0");
    expect(row.gradFn!.name).toBe("AsStridedBackward0");
    near(y, [10, 20, 3, 4]);
    row.sum().backward();
    near(x.grad!, [10, 10, 0, 0]);
  });

  // torch 1.13: out.grad_fn is CopySlices, w.grad [4950, 4950]
  test("rows written one by one into a tensor that needs no grad", () => {
    const w = f64([1, 2]);
    const out = zeros([100, 2], { dtype: "float64" });
    for (let i = 0; i < 100; i++) out.select(0, i).copy_(w.mul(i));
    expect(out.gradFn!.name).toBe("CopySlices");
    out.sum().backward();
    near(w.grad!, [4950, 4950]);
  });

  // torch 1.13: v2.requires_grad True, v2.grad_fn AsStridedBackward0, w.grad [0, 4, 0]
  test("a sibling view of a base written through another view requires grad and takes the new history", () => {
    const w = f64([1, 2, 3]);
    const base = zeros([3], { dtype: "float64" });
    const v1 = base.narrow(0, 0, 2), v2 = base.narrow(0, 1, 2);
    expect(v2.requiresGrad).toBe(false);
    v1.copy_(w.narrow(0, 0, 2));
    expect(v2.requiresGrad).toBe(true);
    expect(v2.gradFn!.name).toBe("AsStridedBackward0");
    v2.mul(w.narrow(0, 1, 2)).sum().backward();
    near(w.grad!, [0, 4, 0]);
  });

  test("retained gradients of the written view and its base", () => {
    const x = f64([[1, 2], [3, 4]]);
    const y = x.mul(3);
    y.retainGrad();
    const v = y.select(0, 1);
    v.add_(1);
    v.retainGrad();
    y.mul(y.detach()).sum().backward();
    near(y.grad!, [[3, 6], [10, 13]]);
    near(x.grad!, [[9, 18], [30, 39]]);
  });
});

describe("what stays refused, and errors that leave everything intact", () => {
  test("a view of a leaf that requires grad (torch's message); allowed in noGrad", () => {
    const x = f64([1, 2, 3]);
    expect(() => x.select(0, 0).mul_(2)).toThrow(AutogradError);
    expect(() => x.narrow(0, 1, 2).copy_(f64([5, 6]))).toThrow(/^copy_: a view of a leaf Variable that requires grad is being used in an in-place operation/);
    expect(() => x.view(3, 1).clamp_(0, 1)).toThrow(/^clamp_: a view of a leaf Variable that requires grad/);
    near(x, [1, 2, 3]);
    expect(x.gradFn).toBeNull();
    expect(x.isLeaf).toBe(true);
    noGrad(() => x.select(0, 0).mul_(2));
    near(x, [2, 2, 3]);
    x.mul(x).sum().backward();
    near(x.grad!, [4, 4, 6]);
  });

  test("a view made in noGrad, written in grad mode with an operand that requires grad (torch refuses too)", () => {
    const base = zeros([3], { dtype: "float64" });
    const v = noGrad(() => base.view(3));
    const s = f64([1, 2, 3]);
    expect(() => v.add_(s)).toThrow(/^add_: a view was created in noGrad mode and is being modified in place with grad mode enabled/);
    near(base, [0, 0, 0]);
    expect(base.requiresGrad).toBe(false);
    v.add_(1); // nothing to track: fine
    near(base, [1, 1, 1]);
  });

  test("an expanded view is refused before anything changes", () => {
    const x = f64([1, 2]);
    const y = x.mul(1);
    const e = y.expand(3, 2);
    expect(() => e.mul_(f64([[1, 1], [2, 2], [3, 3]]))).toThrow(/^mul_: /);
    expect(y.gradFn!.name).toBe("MulBackward0");
    near(y, [1, 2]);
    y.sum().backward();
    near(x.grad!, [1, 1]);
  });

  test("a saved tensor modified in place: torch's message at backward, nothing written", () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    const y = x.exp();
    y.add_(1);
    expect(() => y.sum().backward()).toThrow(
      "backward: one of the variables needed for gradient computation has been modified by an inplace operation: " +
      "[torch.FloatTensor [3]], which is output 0 of ExpBackward0, is at version 1; expected version 0 instead");
    expect(x.grad).toBeNull();
    const c = tensor([[1, 2, 3], [4, 5, 6]]);
    const q = x.mul(c);
    c.add_(1);
    expect(() => q.sum().backward()).toThrow(
      /modified by an inplace operation: \[torch\.FloatTensor \[2, 3\]\] is at version 1; expected version 0 instead \(saved by MulBackward0\)$/);
    expect(x.grad).toBeNull();
  });

  test("a saved view whose base was then written: the version error (as torch)", () => {
    const x = f64([1, 2, 3]);
    const y = x.mul(1);
    const v = y.narrow(0, 0, 2);
    const z = v.mul(v);
    y.mul_(2);
    expect(() => z.sum().backward()).toThrow(/^backward: .* \[torch\.DoubleTensor \[2\]\], which is output 0 of AsStridedBackward0, is at version 1; expected version 0 instead/);
    expect(x.grad).toBeNull();
  });

  test("a second backward through CopySlices fails, even when its op saved nothing (as torch); retainGraph allows it", () => {
    const x = f64([1, 2, 3]), s = f64([2, 3]);
    const y = x.mul(1);
    y.narrow(0, 0, 2).mul_(s);
    const l = y.sum();
    l.backward(null, { retainGraph: true });
    l.backward();
    near(s.grad!, [2, 4]);
    expect(() => l.backward()).toThrow(/^backward: trying to backward through the graph a second time .* at CopySlices/);
    near(s.grad!, [2, 4]);
    const u = x.mul(1);
    u.narrow(0, 1, 2).copy_(s);
    const m = u.sum();
    m.backward();
    expect(() => m.backward()).toThrow(/^backward: trying to backward through the graph a second time/);
    near(s.grad!, [3, 5]);
  });

  test("a write through a view after a failed one records once", () => {
    const x = f64([1, 2, 3]);
    const y = x.mul(2);
    const v = y.narrow(0, 1, 2);
    expect(() => v.copy_(f64([1, 2, 3]))).toThrow(/^copy_: /);
    expect(y.gradFn!.name).toBe("MulBackward0");
    v.copy_(f64([7, 8]));
    near(y, [2, 7, 8]);
    y.sum().backward();
    near(x.grad!, [2, 0, 0]);
  });
});

describe("bookkeeping", () => {
  test("views release their base records; graphs through CopySlices are freed", () => {
    const views0 = W.registeredViews(), live0 = W.liveTensors();
    wg.tidy(() => {
      const x = f64([[1, 2, 3], [4, 5, 6]]);
      const s = f64([1, 2]);
      const y = x.mul(2);
      const v = y.select(1, 1);
      v.mul_(s);
      const w = y.t();
      y.add_(1);
      w.sum().backward();
    });
    expect(W.registeredViews()).toBe(views0);
    expect(W.liveTensors()).toBe(live0);
  });

  test("views made in noGrad are not listed", () => {
    const y = wg.ones([3]);
    const n = W.registeredViews();
    const v = noGrad(() => y.view(3));
    expect(W.registeredViews()).toBe(n);
    const u = y.view(3);
    expect(W.registeredViews()).toBe(n + 1);
    u.dispose(); v.dispose(); y.dispose();
    expect(W.registeredViews()).toBe(n);
  });
});
