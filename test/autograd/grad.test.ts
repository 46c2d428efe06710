// autograd.grad and backward() against torch.autograd semantics (values from torch 1.13).
import { describe, test, expect } from "vitest";
import { autograd, ones, zeros, tensor, AutogradError, ShapeError, DTypeError } from "wasmgrad";
import { f64, near, vals, scrubCaptured } from "./f64";

describe("autograd.grad", () => {
  test("a scalar output with an implicit gradient of ones", () => {
    const x = f64([1, 2, 3]);
    const [g] = autograd.grad(x.mul(x).sum(), [x]);
    near(g, [2, 4, 6]);
    expect(g!.requiresGrad).toBe(false);
    expect(g!.gradFn).toBeNull();
    expect(g!.dtype).toBe("float64");
  });

  test("a single tensor for outputs, inputs and gradOutputs", () => {
    const x = f64([1, 2]);
    const [g] = autograd.grad(x.mul(3), x, { gradOutputs: f64([1, -2], false) });
    near(g, [3, -6]);
  });

  test("several outputs with gradOutputs: the vector-Jacobian products are summed", () => {
    const x = f64([1, 2, 3]), w = f64([0.5, -1, 2]);
    const y1 = x.mul(w);            // dy1/dx = w, dy1/dw = x
    const y2 = x.exp().sum();       // dy2/dx = exp(x)
    const [gx, gw] = autograd.grad([y1, y2], [x, w], { gradOutputs: [f64([1, 2, 3], false), f64(0.5, false)] });
    near(gx, [0.5 + 0.5 * Math.exp(1), -2 + 0.5 * Math.exp(2), 6 + 0.5 * Math.exp(3)]);
    near(gw, [1, 4, 9]);
  });

  test("null entries in gradOutputs mean ones for one-element outputs", () => {
    const x = f64([1, 2]);
    const [g] = autograd.grad([x.sum(), x.mul(2)], [x], { gradOutputs: [null, f64([1, 10], false)] });
    near(g, [3, 21]);
  });

  test("non-leaf inputs: the gradient arriving at that tensor", () => {
    const x = f64([1, 2, 3]);
    const y = x.mul(2);
    const z = y.mul(y).sum();
    const [gy, gx] = autograd.grad(z, [y, x]);
    near(gy, [4, 8, 12]);
    near(gx, [8, 16, 24]);
  });

  test("a non-leaf input used twice collects both uses", () => {
    const x = f64([1, 2]);
    const y = x.exp();
    const z = y.mul(y).add(y).sum();
    const [gy] = autograd.grad(z, [y]);
    near(gy, [2 * Math.exp(1) + 1, 2 * Math.exp(2) + 1]);
  });

  test("an input listed twice gets its gradient twice (as torch)", () => {
    const a = f64([1, 2]);
    const [g1, g2] = autograd.grad(a.mul(a).sum(), [a, a]);
    near(g1, [2, 4]);
    near(g2, [2, 4]);
    const y = a.exp();
    const [h1, h2] = autograd.grad(y.mul(y).sum(), [y, y]);
    near(h1, [2 * Math.exp(1), 2 * Math.exp(2)]);
    near(h2, [2 * Math.exp(1), 2 * Math.exp(2)]);
  });

  test("the output itself as the input gets gradOutputs back", () => {
    const a = f64([1, 2]);
    near(autograd.grad(a, [a], { gradOutputs: f64([3, 4], false) })[0], [3, 4]);
    const y = a.mul(2);
    near(autograd.grad(y, [y], { gradOutputs: f64([5, 6], false) })[0], [5, 6]);
  });

  test("allowUnused: null for an input the outputs do not depend on, otherwise an error", () => {
    const a = f64([1, 2]), b = f64([3, 4]);
    const l = a.mul(a).sum();
    const [ga, gb] = autograd.grad(l, [a, b], { allowUnused: true, retainGraph: true });
    near(ga, [2, 4]);
    expect(gb).toBeNull();
    expect(() => autograd.grad(l, [a, b])).toThrow(AutogradError);
    expect(() => autograd.grad(a.mul(a).sum(), [a, b])).toThrow(
      "grad: one of the differentiated tensors (input 1) appears to not have been used in the graph; pass { allowUnused: true } if this is the desired behavior");
  });

  test("a non-leaf off the path to the output is unused", () => {
    const a = f64([1, 2]);
    const side = a.mul(3);
    const l = a.exp().sum();
    expect(autograd.grad(l, [side], { allowUnused: true })).toEqual([null]);
  });

  test("misuse: empty lists, inputs or outputs without grad, implicit gradient of a non-scalar", () => {
    const a = f64([1, 2]);
    const l = a.mul(a).sum();
    expect(() => autograd.grad([], [a])).toThrow("grad: outputs must not be empty");
    expect(() => autograd.grad(l, [])).toThrow("grad: inputs must not be empty");
    expect(() => autograd.grad(l, [a, ones(2)])).toThrow("grad: input 1 does not require grad");
    expect(() => autograd.grad(ones(2).sum(), [a])).toThrow(/^grad: element 0 of tensors does not require grad and does not have a grad_fn/);
    expect(() => autograd.grad(a.mul(2), [a])).toThrow(/^grad: grad can be implicitly created only for scalar outputs; output has shape \[2\]/);
    expect(() => autograd.grad(l, [a], { gradOutputs: [f64([1, 1], false)] })).toThrow(ShapeError);
    expect(() => autograd.grad(l, [a], { gradOutputs: [f64([1, 1], false)] })).toThrow(
      "grad: gradient has shape [2] but the output has shape []");
    expect(() => autograd.grad([l, l], [a], { gradOutputs: [f64(1, false)] })).toThrow("grad: got 1 gradOutputs for 2 outputs");
    // nothing above ran the graph: it is still usable
    near(autograd.grad(l, [a])[0], [2, 4]);
  });

  test("does not touch .grad of leaves or of non-leaves that retain their grad", () => {
    const a = f64([1, 2]);
    const y = a.mul(a);
    y.retainGrad();
    const l = y.sum();
    autograd.grad(l, [a], { retainGraph: true });
    expect(a.grad).toBeNull();
    expect(y.grad).toBeNull();
    a.grad = f64([10, 20], false);
    const before = a.grad;
    autograd.grad(l, [a, y], { retainGraph: true });
    expect(a.grad).toBe(before);
    near(a.grad, [10, 20]);
    expect(y.grad).toBeNull();
    l.backward();
    near(a.grad, [12, 24]);
    near(y.grad, [1, 1]);
  });

  test("retainGraph defaults to createGraph", () => {
    const a = f64([1, 2]);
    const l = a.exp().sum();
    autograd.grad(l, [a]);
    scrubCaptured();
    expect(() => autograd.grad(l, [a])).toThrow(/^grad: trying to backward through the graph a second time .* at ExpBackward0/);

    const m = a.exp().sum();
    autograd.grad(m, [a], { createGraph: true });
    near(autograd.grad(m, [a])[0], [Math.exp(1), Math.exp(2)]); // kept by createGraph
    scrubCaptured();
    expect(() => autograd.grad(m, [a])).toThrow(AutogradError);

    const k = a.exp().sum();
    autograd.grad(k, [a], { retainGraph: true });
    autograd.grad(k, [a], { retainGraph: true });
    near(autograd.grad(k, [a])[0], [Math.exp(1), Math.exp(2)]);

    // createGraph with retainGraph: false frees the graph (as torch)
    const n = a.exp().sum();
    const [g] = autograd.grad(n, [a], { createGraph: true, retainGraph: false });
    expect(g!.requiresGrad).toBe(true);
    scrubCaptured();
    expect(() => autograd.grad(n, [a])).toThrow(AutogradError);
  });

  test("results are fresh tensors: changing one leaves the graph and the others intact", () => {
    const a = f64([1, 2]);
    const l = a.mul(3).sum();
    const [g1] = autograd.grad(l, [a], { retainGraph: true });
    g1!.add_(100);
    near(autograd.grad(l, [a])[0], [3, 3]);
  });
});

describe("backward()", () => {
  test("gradients accumulate into leaves across calls, with and without createGraph", () => {
    const x = f64([1, 2]);
    x.mul(x).sum().backward();
    near(x.grad, [2, 4]);
    const g = x.grad;
    x.mul(3).sum().backward();
    expect(x.grad).toBe(g); // accumulated in place
    near(x.grad, [5, 7]);
    x.pow(3).sum().backward(null, { createGraph: true });
    near(x.grad, [8, 19]);
    expect(x.grad!.gradFn).not.toBeNull(); // out of place under createGraph: the sum has history
    expect(x.grad).not.toBe(g);
  });

  test("retainGrad on non-leaves: the total gradient, accumulated across calls", () => {
    const x = f64([1, 2, 3]);
    const y = x.mul(2);
    y.retainGrad();
    const z = y.mul(y).sum();
    z.backward(null, { retainGraph: true });
    near(y.grad, [4, 8, 12]);
    z.backward();
    near(y.grad, [8, 16, 24]);
    near(x.grad, [16, 32, 48]);
  });

  test("retainGrad on a leaf changes nothing", () => {
    const x = f64(2);
    x.retainGrad();
    x.mul(x).backward();
    near(x.grad, 4);
  });

  test("an explicit gradient for a non-scalar output", () => {
    const x = f64([[1, 2], [3, 4]]);
    x.pow(2).backward(f64([[1, 0], [0.5, -1]], false));
    near(x.grad, [[2, 0], [3, -8]]);
  });

  test("a non-scalar without gradient throws and leaves the graph usable", () => {
    const x = f64([1, 2]);
    const y = x.exp();
    expect(() => y.backward()).toThrow(
      "backward: grad can be implicitly created only for scalar outputs; output has shape [2]; pass a gradient or call .sum() first");
    expect(x.grad).toBeNull();
    y.backward(ones(2, { dtype: "float64" }));
    near(x.grad, [Math.exp(1), Math.exp(2)]);
  });

  test("a gradient of the wrong shape, or options that are not an object", () => {
    const x = f64([1, 2]);
    const y = x.exp();
    expect(() => y.backward(ones(3, { dtype: "float64" }))).toThrow("backward: gradient has shape [3] but the output has shape [2]");
    expect(() => y.backward(zeros(2, { dtype: "float64" }), 3 as never)).toThrow(DTypeError);
  });

  test("a gradient of another dtype is cast to the output's (as torch)", () => {
    const x = f64([1, 2]);
    x.exp().backward(tensor([1, 0.5]));
    near(x.grad, [Math.exp(1), 0.5 * Math.exp(2)]);
    expect(x.grad!.dtype).toBe("float64");
    const w = tensor([1, 2], { requiresGrad: true });
    w.mul(3).backward(tensor([1, 2], { dtype: "int32" }));
    expect(vals(w.grad)).toEqual([3, 6]);
    expect(w.grad!.dtype).toBe("float32");
    const [g] = autograd.grad(x.mul(2), [x], { gradOutputs: tensor([true, false]) });
    near(g, [2, 0]);
    // with createGraph the cast is part of the graph: d/dc of c * 2
    const c = tensor([1, 1], { requiresGrad: true });
    const [gc] = autograd.grad(x.mul(2), [x], { gradOutputs: c, createGraph: true });
    near(autograd.grad(gc!.sum(), [c])[0], [2, 2], { atol: 0, rtol: 0 });
  });

  test("a second backward through a freed graph throws and writes nothing", () => {
    const x = f64([1, 2]);
    const l = x.tanh().sum();
    l.backward();
    const before = vals(x.grad);
    expect(() => l.backward()).toThrow(/^backward: trying to backward through the graph a second time .* at TanhBackward0/);
    expect(vals(x.grad)).toEqual(before);
  });

  test("only the freed part matters: a new graph over the same leaves still works", () => {
    const x = f64([1, 2]);
    const y = x.exp();
    y.sum().backward();
    expect(() => y.mul(2).sum().backward()).toThrow(AutogradError);
    x.exp().sum().backward();
    near(x.grad, [2 * Math.exp(1), 2 * Math.exp(2)]);
  });

  test("a saved tensor changed in place: the version error names the node and versions", () => {
    const x = f64([1, 2]);
    const y = x.exp();
    const w = y.mul(1);
    y.mul_(2); // exp saved its output y
    expect(() => w.sum().backward()).toThrow(
      /^backward: one of the variables needed for gradient computation has been modified by an inplace operation: \[torch\.DoubleTensor \[2\]\], which is output 0 of ExpBackward0, is at version 1; expected version 0 instead/);
    expect(x.grad).toBeNull();
    const z = y.mul(y);
    y.add_(1);
    y.add_(1);
    expect(() => z.sum().backward()).toThrow(
      /^backward: one of the variables needed for gradient computation has been modified by an inplace operation: \[torch\.DoubleTensor \[2\]\], which is output 0 of AddBackward0, is at version 3; expected version 1 instead/);
    scrubCaptured();
    expect(() => autograd.grad(z.sum(), [x])).toThrow(/^grad: one of the variables needed .* AddBackward0, is at version 3; expected version 1/);
  });

  test("backward on a tensor without grad", () => {
    expect(() => f64([1], false).backward()).toThrow(/^backward: element 0 of tensors does not require grad/);
  });
});
