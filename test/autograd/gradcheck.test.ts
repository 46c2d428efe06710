// autograd.gradcheck / gradgradcheck: they pass on correct gradients, and catch wrong ones with
// the output, input, worst entry and both values in the message.
import { describe, test, expect } from "vitest";
import { autograd, randn, rand, tensor, memory, Tensor, AutogradError, DTypeError } from "wasmgrad";
import { f64, vals } from "./f64";

const { gradcheck, gradgradcheck } = autograd;
const r64 = (shape: number[]): Tensor => randn(shape, { dtype: "float64" }).requiresGrad_(true);
const p64 = (shape: number[]): Tensor => rand(shape, { dtype: "float64" }).add(0.5).requiresGrad_(true);

describe("gradcheck", () => {
  test("correct gradients pass: one and several inputs, broadcasting, several outputs", () => {
    expect(gradcheck((x) => x.tanh().mul(x), [r64([3, 4])])).toBe(true);
    expect(gradcheck((a, b) => a.mul(b).add(a.div(b)), [r64([2, 3]), p64([3])])).toBe(true);
    expect(gradcheck((a, b) => [a.matmul(b), a.exp().sum()], [r64([2, 3]), r64([3, 2])])).toBe(true);
    expect(gradcheck((x) => x.log().sum(), [p64([5])])).toBe(true);
    expect(gradcheck((x) => x.pow(2).mean(), r64([])) ).toBe(true); // a single tensor and a 0-dim input
  });

  test("non-tensor arguments and tensors without grad pass through unchanged", () => {
    const c = f64([1, 2, 3], false);
    expect(gradcheck((x: Tensor, k: number, w: Tensor) => x.mul(k).mul(w), [r64([3]), 2.5, c])).toBe(true);
    expect(gradcheck((x: Tensor, w: Tensor) => x.mul(w), [r64([3]), tensor([1, 2, 3])])).toBe(true); // float32 without grad is fine
  });

  test("outputs that do not depend on the inputs pass when constant", () => {
    expect(gradcheck((x) => [x.mul(2), f64([1, 2], false)], [r64([2])])).toBe(true);
  });

  test("a wrong gradient is caught: message with output, input, worst entry and both values", () => {
    // d/dx (x * detach(x)) is detach(x) analytically but 2x numerically
    const x = f64([0.5, -2, 1]);
    let msg = "";
    try { gradcheck((a) => a.mul(a.detach()), [x]); } catch (e) { expect(e).toBeInstanceOf(AutogradError); msg = (e as Error).message; }
    expect(msg).toMatch(/^gradcheck: Jacobian mismatch for output 0 with respect to input 0: 3 of 9 entries differ \(eps 0\.000001, atol 0\.00001, rtol 0\.001\); worst at output element \[1\], input element \[1\]: analytical -2 vs numerical (-4\.00000\d*|-3\.99999\d*)$/);
  });

  test("the second input, the second output and a multi-dim index are named", () => {
    const a = f64([[1, 2], [3, 4]]), b = f64([[0.5, 0.25], [1, 2]]);
    expect(() => gradcheck((p, q) => [p.add(q), p.mul(q.detach())], [a, b])).toThrow(
      /^gradcheck: Jacobian mismatch for output 1 with respect to input 1: 4 of 16 entries differ .* worst at output element \[1, 1\], input element \[1, 1\]: analytical 0 vs numerical (4\.00000|3\.99999)/);
  });

  test("a detached output (analytical zero) is caught", () => {
    expect(() => gradcheck((x) => x.detach().mul(3), [f64([1, 2])])).toThrow(/2 of 4 entries differ .* worst at output element \[\d\], input element \[\d\]: analytical 0 vs numerical (2\.99999|3\.00000)/);
  });

  test("a hook that scales a non-leaf's gradient is caught", () => {
    const f = (x: Tensor) => { const y = x.exp(); y.registerHook((g) => g.mul(1.01)); return y.mul(2); };
    expect(() => gradcheck(f, [f64([0.1, 0.2])])).toThrow(AutogradError);
    // within rtol: 1e-4 relative passes at the default rtol 1e-3, fails at 1e-5
    const g = (x: Tensor) => { const y = x.exp(); y.registerHook((q) => q.mul(1.0001)); return y; };
    expect(gradcheck(g, [f64([0.1, 0.2])])).toBe(true);
    expect(() => gradcheck(g, [f64([0.1, 0.2])], { rtol: 1e-5, atol: 0 })).toThrow(AutogradError);
  });

  test("large outputs are checked with random cotangents and still catch errors", () => {
    expect(gradcheck((x) => x.sigmoid(), [r64([12, 12])])).toBe(true);
    expect(() => gradcheck((x) => x.mul(x.detach()), [p64([12, 12])])).toThrow(
      /^gradcheck: Jacobian mismatch for output 0 with respect to input 0: .* worst at a random cotangent, input element \[\d+, \d+\]/);
  });

  test("float32 inputs that require grad are refused; at least one input must require grad", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    expect(() => gradcheck((a) => a.mul(2), [x])).toThrow(DTypeError);
    expect(() => gradcheck((a) => a.mul(2), [x])).toThrow(
      'gradcheck: input 0 requires grad but has dtype float32; finite differences need float64 inputs (make it with { dtype: "float64" } or .to("float64"))');
    expect(() => gradgradcheck((a) => a.mul(2), [f64([1]), x])).toThrow(/^gradgradcheck: input 1 requires grad but has dtype float32/);
    expect(() => gradcheck((a) => a.mul(2), [f64([1], false)])).toThrow(
      "gradcheck: expects at least one input tensor to require gradient, but none of them have requiresGrad = true");
  });

  test("misuse: not a function, bad options, fn returning something else", () => {
    const x = f64([1]);
    expect(() => gradcheck(3 as never, [x])).toThrow(/^gradcheck: expected a function/);
    expect(() => gradcheck((a) => a, [x], { eps: 0 })).toThrow("gradcheck: eps must be a positive number, got 0");
    expect(() => gradcheck((a) => a, [x], { atol: -1 })).toThrow(/^gradcheck: atol must be a positive number/);
    expect(() => gradcheck((() => 5) as never, [x])).toThrow("gradcheck: fn must return a Tensor or a non-empty array of tensors, got number");
    expect(() => gradcheck((() => []) as never, [x])).toThrow("gradcheck: fn must return a Tensor or a non-empty array of tensors, got an empty array");
  });

  test("inputs are left as they were: values, no .grad, and no tensors left behind", () => {
    const x = f64([0.3, -0.7]);
    const before = memory().tensors;
    gradcheck((a) => a.tanh(), [x]);
    gradgradcheck((a) => a.tanh(), [x]);
    expect(memory().tensors).toBe(before);
    expect(vals(x)).toEqual([0.3, -0.7]);
    expect(x.grad).toBeNull();
    expect(x.isLeaf).toBe(true);
  });
});

describe("gradgradcheck", () => {
  test("correct second derivatives pass", () => {
    expect(gradgradcheck((x) => x.pow(3), [r64([4])])).toBe(true);
    expect(gradgradcheck((x) => x.tanh().mul(x.sigmoid()), [r64([2, 3])])).toBe(true);
    expect(gradgradcheck((a, b) => a.matmul(b).exp(), [r64([2, 3]), r64([3, 2])])).toBe(true);
    expect(gradgradcheck((a, b) => a.div(b).sum(), [r64([3]), p64([3])])).toBe(true);
    expect(gradgradcheck((a, b) => [a.mul(b), a.log()], [p64([2]), r64([2])])).toBe(true);
  });

  test("given gradOutputs are used (and must be float64)", () => {
    const go = f64([1, -2, 0.5], false);
    expect(gradgradcheck((x) => x.exp(), [r64([3])], { gradOutputs: go })).toBe(true);
    expect(() => gradgradcheck((x) => x.exp(), [r64([3])], { gradOutputs: tensor([1, 2, 3]) })).toThrow(
      "gradgradcheck: gradOutputs[0] has dtype float32; expected float64");
  });

  test("linear functions (constant first derivative) pass", () => {
    expect(gradgradcheck((x) => x.mul(3).add(1), [r64([3])])).toBe(true);
  });

  test("a wrong second derivative with a right first derivative is caught", () => {
    // the hook returns g * x / detach(x): the same value, but a gradient w.r.t. x that is not there
    const f = (x: Tensor) => { const y = x.mul(x); y.registerHook((g) => g.mul(x).div(x.detach())); return y; };
    const x = f64([0.5, 1.5]);
    expect(gradcheck(f, [x])).toBe(true);
    expect(() => gradgradcheck(f, [x])).toThrow(/^gradgradcheck: Jacobian mismatch for output 0 with respect to input 0/);
  });
});
