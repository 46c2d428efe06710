// Reductions beyond the golden cases: dim errors, empty tensors, keepdim, ties, NaN, stability,
// and leaks. Expected values come from PyTorch 1.13.

import { describe, test, expect } from "vitest";
import * as wg from "../../src/index.js";

const vals = (t: wg.Tensor): number[] => [t.toArray()].flat(8) as number[];
const close = (a: number[], b: number[], tol = 1e-5) => {
  expect(a.length).toBe(b.length);
  a.forEach((x, i) => {
    if (Number.isNaN(b[i])) expect(x).toBeNaN();
    else expect(Math.abs(x - b[i])).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(b[i])));
  });
};

describe("dims", () => {
  const x = wg.tensor([[1, 2, 3], [4, 5, 6]]);
  test.each(["prod", "var", "std", "logsumexp", "softmax", "logSoftmax", "cumsum", "argmax", "all", "any"])("%s: dim 2 of a 2-d tensor", (op) => {
    const f = (x as unknown as Record<string, (d: number) => unknown>)[op].bind(x);
    expect(() => f(2)).toThrow(new RegExp(`^${op}: dimension out of range \\(expected to be in range of \\[-2, 1\\], but got 2\\)`));
    expect(() => f(-3)).toThrow(wg.IndexError);
  });
  test("negative dims count from the end", () => {
    expect(vals(x.max(-1).values)).toEqual([3, 6]);
    expect(vals(x.cumsum(-2))).toEqual([1, 2, 3, 5, 7, 9]);
    expect(vals(x.prod(-1))).toEqual([6, 120]);
  });
  test("keepdim keeps size-1 dims", () => {
    const r = x.max(1, true);
    expect(r.values.shape).toEqual([2, 1]);
    expect(r.indices.shape).toEqual([2, 1]);
    expect(r.indices.dtype).toBe("int32");
    expect(x.std(0, { keepdim: true }).shape).toEqual([1, 3]);
    expect(x.norm(2, [0, 1], true).shape).toEqual([1, 1]);
    expect(x.argmax(undefined, true).shape).toEqual([1, 1]);
    expect(x.all(1, true).shape).toEqual([2, 1]);
  });
  test("dtypes", () => {
    const i = wg.tensor([1, -2, 3], { dtype: "int32" });
    expect(i.prod().dtype).toBe("int32");
    expect(i.prod().item()).toBe(-6);
    expect(i.cumsum(0).dtype).toBe("int32");
    expect(i.max().dtype).toBe("int32");
    expect(i.logsumexp(0).dtype).toBe("float32");
    expect(() => i.var()).toThrow(/^var: std and var only support floating point/);
    expect(() => i.norm()).toThrow(wg.DTypeError);
    expect(() => i.softmax(0)).toThrow(wg.DTypeError);
    expect(wg.tensor([true, false, true]).cumsum(0).toArray()).toEqual([1, 1, 2]);
  });
});

describe("empty tensors", () => {
  const e = wg.zeros([0, 3]);
  test("sum and prod over an empty dim give 0 and 1", () => {
    expect(e.sum(0).toArray()).toEqual([0, 0, 0]);
    expect(e.prod(0).toArray()).toEqual([1, 1, 1]);
    expect(e.prod(1).shape).toEqual([0]);
  });
  test("all/any of nothing", () => {
    expect(wg.zeros([0]).all().toArray()).toBe(true);
    expect(wg.zeros([0]).any().toArray()).toBe(false);
    expect(wg.zeros([0]).all().dtype).toBe("bool");
  });
  test("max/argmax of nothing throw", () => {
    expect(() => wg.zeros([0]).max()).toThrow(/^max: expected reduction dim to be specified/);
    expect(() => e.max(0)).toThrow(/^max: expected reduction dim 0 to have non-zero size/);
    expect(e.max(1).values.shape).toEqual([0]);
    expect(() => wg.zeros([0]).argmin()).toThrow(wg.ShapeError);
  });
  test("softmax and cumsum keep the empty shape", () => {
    expect(e.softmax(1).shape).toEqual([0, 3]);
    expect(e.cumsum(0).shape).toEqual([0, 3]);
  });
});

describe("ties and NaN", () => {
  test("max along a dim picks the first of equal values; the gradient goes to that index", () => {
    const x = wg.tensor([[1, 3, 3], [2, 2, 0]], { requiresGrad: true });
    const { values, indices } = x.max(1);
    expect(indices.toArray()).toEqual([1, 0]);
    values.mul(wg.tensor([1, 2])).sum().backward();
    expect(x.grad!.toArray()).toEqual([[0, 1, 0], [2, 0, 0]]);
    expect(values.gradFn!.name).toBe("MaxBackward0");
  });
  test("max of everything splits the gradient among ties", () => {
    const x = wg.tensor([1, 3, -2, 3], { requiresGrad: true });
    const m = x.max();
    expect(m.gradFn!.name).toBe("MaxBackward1");
    m.backward();
    expect(x.grad!.toArray()).toEqual([0, 0.5, 0, 0.5]);
  });
  test("NaN propagates, and its index is the first NaN's", () => {
    const x = wg.tensor([1, NaN, 3, NaN]);
    expect(x.max().item()).toBeNaN();
    expect(x.min().item()).toBeNaN();
    expect(x.argmax().item()).toBe(1);
    const r = wg.tensor([[1, 5], [NaN, 2]]).max(1);
    close(vals(r.values), [5, NaN]);
    expect(r.indices.toArray()).toEqual([1, 0]);
    expect(x.norm(Infinity).item()).toBeNaN();
  });
  test("prod with a zero: the gradient is the product of the others", () => {
    const x = wg.tensor([2, 0, 3], { requiresGrad: true });
    x.prod().backward();
    expect(x.grad!.toArray()).toEqual([0, 6, 0]);
  });
});

describe("stability", () => {
  test("softmax, logSoftmax and logsumexp at +-1e4", () => {
    const x = wg.tensor([1e4, 1e4 + 1, -1e4]);
    close(vals(x.softmax(0)), [0.26894143, 0.7310586, 0]);
    close(vals(x.logSoftmax(0)), [-1.3132616, -0.31326166, -20001.3125]);
    close(vals(x.logsumexp(0)), [10001.3135]);
    const n = wg.tensor([-1e4, -1e4 - 1]);
    close(vals(n.softmax(0)), [0.7310586, 0.26894143]);
    close(vals(n.logsumexp(0)), [-9999.6865]);
  });
  test("float32 sums do not stall at 2**24 (torch's values)", () => {
    // 2**24 + 1 has no float32 value: torch gives 16777216 for it as well
    expect(wg.ones(2 ** 24 + 1).sum().item()).toBe(2 ** 24);
    expect(wg.ones(2 ** 24 + 2).sum().item()).toBe(2 ** 24 + 2);
    expect(wg.ones(2 ** 25 + 3).sum().item()).toBe(2 ** 25 + 4);
    expect(vals(wg.ones([2, 2 ** 23 + 1]).sum(1))).toEqual([2 ** 23 + 1, 2 ** 23 + 1]);
    expect(wg.ones(2 ** 24 + 2).mean().item()).toBe(1);
  });
  test("softmax rows sum to one along a non-last dim", () => {
    const s = wg.randn([3, 4, 5]).mul(50).softmax(1).sum(1);
    close(vals(s), new Array(15).fill(1), 1e-6);
  });
});

describe("values", () => {
  test("norm with p = 0.5 and 0, and its gradient", () => {
    const x = wg.tensor([3, -4], { requiresGrad: true });
    const n = x.norm(0.5);
    close(vals(n), [13.9282]);
    n.backward();
    close(vals(x.grad!), [2.1547, -1.8660], 1e-4);
    expect(wg.tensor([3, 0, -4]).norm(0).item()).toBe(2);
  });
  test("var with correction and unbiased", () => {
    const x = wg.tensor([[1, 2], [3, 4]]);
    close(vals(x.var(1, { keepdim: true })), [0.5, 0.5]);
    close(vals(x.var(null, false)), [1.25]);
    close(vals(x.std(null, { correction: 0 })), [Math.sqrt(1.25)]);
  });
  test("reductions of a transposed view read it through its strides", () => {
    const x = wg.tensor([[1, 2, 3], [4, 5, 6]]).t();
    expect(vals(x.prod(1))).toEqual([4, 10, 18]);
    expect(vals(x.cumsum(1))).toEqual([1, 5, 2, 7, 3, 9]);
    expect(x.argmax(0).toArray()).toEqual([2, 2]);
  });
  test("logsumexp over non-adjacent dims", () => {
    const x = wg.arange(24).reshape([2, 3, 4]).div(10);
    const r = x.logsumexp([0, 2]);
    const ref = x.exp().sum([0, 2]).log();
    close(vals(r), vals(ref), 1e-6);
  });
});

describe("second derivatives", () => {
  test("logSoftmax twice matches finite differences of its gradient", () => {
    const x = wg.tensor([0.5, -1, 2], { dtype: "float64", requiresGrad: true });
    const c = wg.tensor([1, -2, 0.5], { dtype: "float64" });
    const [g] = wg.autograd.grad(x.logSoftmax(0).mul(c).sum(), [x], { createGraph: true });
    const [gg] = wg.autograd.grad(g!.mul(c).sum(), [x]);
    const h = 1e-6, base = [0.5, -1, 2];
    const f = (v: number[]) => {
      const t = wg.tensor(v, { dtype: "float64", requiresGrad: true });
      const [d] = wg.autograd.grad(t.logSoftmax(0).mul(c).sum(), [t]);
      return vals(d!.mul(c).sum())[0];
    };
    const fd = base.map((_, i) => {
      const p = base.slice(), m = base.slice();
      p[i] += h; m[i] -= h;
      return (f(p) - f(m)) / (2 * h);
    });
    close(vals(gg!), fd, 1e-5);
  });
});

test("no leak", () => {
  const before = wg.memory().tensors;
  wg.tidy(() => {
    const x = wg.randn([4, 5], { requiresGrad: true });
    x.softmax(1).mul(x.max(1, true).values).sum().add(x.norm()).add(x.var(0).sum()).add(x.prod(1).sum()).backward();
  });
  expect(wg.memory().tensors).toBe(before);
});
