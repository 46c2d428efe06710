// Tensor hooks (torch's register_hook), checked against torch 1.13's behaviour.
import { describe, test, expect } from "vitest";
import { autograd, ones, tensor, Tensor, AutogradError, DTypeError, ShapeError, memory, tidy } from "wasmgrad";
import { f64, near, vals } from "./f64";

describe("registerHook", () => {
  test("a leaf hook sees the incoming gradient and its result is what accumulates", () => {
    const x = f64([1, 2]);
    const seen: number[][] = [];
    x.registerHook((g) => { seen.push(vals(g)); return g.mul(2); });
    x.grad = f64([100, 100], false);
    x.mul(3).sum().backward();
    expect(seen).toEqual([[3, 3]]); // before accumulation: not 103
    near(x.grad, [106, 106]);
  });

  test("several hooks run in registration order, each on the previous result; undefined keeps it", () => {
    const x = f64([1, 2]);
    const seen: [string, number[]][] = [];
    x.registerHook((g) => { seen.push(["a", vals(g)]); return g.add(1); });
    x.registerHook((g) => { seen.push(["b", vals(g)]); });
    x.registerHook((g) => { seen.push(["c", vals(g)]); return g.mul(10); });
    x.grad = f64([100, 100], false);
    x.mul(3).sum().backward();
    expect(seen).toEqual([["a", [3, 3]], ["b", [4, 4]], ["c", [4, 4]]]);
    near(x.grad, [140, 140]);
  });

  test("a non-leaf hook changes the gradient flowing on to the rest of the graph", () => {
    const x = f64([1, 2]);
    const y = x.mul(x);
    const seen: number[][] = [];
    y.registerHook((g) => { seen.push(vals(g)); return g.mul(5); });
    y.mul(3).sum().backward();
    expect(seen).toEqual([[3, 3]]);
    near(x.grad, [30, 60]); // 5 * 3 * 2x
    expect(y.grad).toBeNull();
  });

  test("a hook then retainGrad: the retained grad is the hook's result", () => {
    const x = f64([1, 2]);
    const y = x.mul(2);
    y.registerHook((g) => g.mul(5));
    y.retainGrad();
    y.mul(3).sum().backward();
    near(y.grad, [15, 15]);
    near(x.grad, [30, 30]);
  });

  test("a hook runs once with the summed gradient of a tensor used twice", () => {
    const x = f64([1, 2]);
    const y = x.mul(1);
    const seen: number[][] = [];
    y.registerHook((g) => { seen.push(vals(g)); });
    y.mul(2).add(y.mul(3)).sum().backward();
    expect(seen).toEqual([[5, 5]]);
  });

  test("remove() unregisters; removing twice is harmless", () => {
    const x = f64([1, 2]);
    let calls = 0;
    const hk = x.registerHook((g) => { calls++; return g.mul(2); });
    x.sum().backward();
    near(x.grad, [2, 2]);
    hk.remove();
    hk.remove();
    x.sum().backward();
    near(x.grad, [3, 3]);
    expect(calls).toBe(1);
  });

  test("a hook under createGraph sees a gradient with history and its replacement keeps it", () => {
    const x = f64([1, 2]);
    const y = x.mul(x);
    let hadFn = false;
    y.registerHook((g) => { hadFn = g.requiresGrad; return g.mul(y); });
    const [gx] = autograd.grad(y.sum(), [x], { createGraph: true });
    expect(hadFn).toBe(false); // the seed ones have no history
    near(gx, [2, 16]); // y * 2x = 2x^3
    // the hook stays registered, so it runs again where the second pass reaches y (torch: [6, 72])
    near(autograd.grad(gx!.sum(), [x])[0], [6, 72]);
  });

  test("autograd.grad: leaf hooks do not run for captured inputs (as torch 1.13)", () => {
    const x = f64([1, 2]);
    let calls = 0;
    x.registerHook((g) => { calls++; return g.mul(2); });
    near(autograd.grad(x.mul(3).sum(), [x])[0], [3, 3]);
    expect(calls).toBe(0);
    expect(x.grad).toBeNull();
  });

  test("autograd.grad: a non-leaf's hook changes what flows past it", () => {
    const x = f64([1, 2]);
    const y = x.mul(1);
    y.registerHook((g) => g.mul(10));
    near(autograd.grad(y.mul(3).sum(), [x])[0], [30, 30]);
  });

  test("autograd.grad: a non-leaf input is captured before its own hooks (as torch 1.13)", () => {
    const x = f64([1, 2]);
    const y = x.mul(1);
    y.registerHook((g) => g.mul(10));
    near(autograd.grad(y.mul(3).sum(), [y])[0], [3, 3]);
  });

  test("misuse: no function, a tensor without grad, a wrong return value", () => {
    const x = f64([1, 2]);
    expect(() => x.registerHook(3 as never)).toThrow(DTypeError);
    expect(() => ones(2).registerHook((g) => g)).toThrow("registerHook: cannot register a hook on a tensor that doesn't require gradient");
    const y = x.mul(2);
    y.registerHook(() => 5 as never);
    expect(() => y.sum().backward()).toThrow(/^registerHook: a hook must return a Tensor or nothing/);
    expect(x.grad).toBeNull();
    const z = x.mul(2);
    z.registerHook(() => f64([1, 2, 3], false));
    expect(() => z.sum().backward()).toThrow("registerHook: hook returned a gradient of shape [3]; expected [2]");
    expect(() => z.sum().backward()).toThrow(ShapeError);
  });
});

describe("a hook that throws", () => {
  test("the error reaches the caller; no .grad is written; the graph stays usable", () => {
    const x = f64([1, 2]), w = f64([3, 4]);
    w.grad = f64([1, 1], false);
    const y = x.exp().mul(w);
    const boom = new RangeError("boom");
    const hk = y.registerHook(() => { throw boom; });
    const l = y.sum();
    let caught: unknown;
    try { l.backward(null, { retainGraph: true }); } catch (e) { caught = e; }
    expect(caught).toBe(boom);
    expect(x.grad).toBeNull();
    near(w.grad, [1, 1]);
    hk.remove();
    l.backward();
    near(x.grad, [3 * Math.exp(1), 4 * Math.exp(2)]);
    near(w.grad, [1 + Math.exp(1), 1 + Math.exp(2)]);
  });

  test("a throwing leaf hook (they run last, at accumulation) leaves every .grad as it was", () => {
    const a = f64([1, 2]), b = f64([3, 4]);
    a.grad = f64([7, 7], false);
    const hk = b.registerHook(() => { throw new Error("leaf hook"); });
    const l = a.mul(b).sum();
    expect(() => l.backward(null, { retainGraph: true })).toThrow("leaf hook");
    near(a.grad, [7, 7]);
    expect(b.grad).toBeNull();
    hk.remove();
    l.backward();
    near(a.grad, [10, 11]);
    near(b.grad, [1, 2]);
  });

  test("a throwing hook in autograd.grad under createGraph; then the library keeps working", () => {
    const x = f64([0.5, -1]);
    const y = x.tanh();
    const hk = y.registerHook(() => { throw new TypeError("nope"); });
    const l = y.sum();
    const before = memory().tensors;
    // the gradient handed to the hook is the hook's to keep; tidy frees it, and the failed pass
    // itself leaves nothing behind
    tidy(() => expect(() => autograd.grad(l, [x], { createGraph: true })).toThrow(TypeError));
    expect(memory().tensors).toBe(before);
    hk.remove();
    const [g] = autograd.grad(l, [x], { createGraph: true });
    near(g, [1 - Math.tanh(0.5) ** 2, 1 - Math.tanh(-1) ** 2]);
    g!.dispose();
    const t = tensor([1, 2, 3], { requiresGrad: true });
    t.mul(t).sum().backward();
    expect(Array.from(t.grad!.toFloat32Array())).toEqual([2, 4, 6]);
  });

  test("backward called from inside a hook is refused with a clear error", () => {
    const x = f64([1, 2]);
    const other = f64([3]);
    const y = x.mul(2);
    y.registerHook((g) => { other.mul(2).sum().backward(); return g; });
    expect(() => y.sum().backward()).toThrow(AutogradError);
    expect(() => f64([1]).mul(2).sum().backward()).not.toThrow();
  });

  test("a hook may return the same tensor it was given", () => {
    const x = f64([1, 2]);
    x.registerHook((g: Tensor) => g);
    x.mul(2).sum().backward();
    near(x.grad, [2, 2]);
  });
});
