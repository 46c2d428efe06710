// Out-of-memory at every allocation of an op: the core is made to fail its k-th allocation (and
// every later one), for k = 0, 1, 2, ... until the op succeeds. Each failure must be an
// OutOfMemoryError, and afterwards every tensor must be exactly as before: values, .grad,
// history (grad_fn) and the in-place version seen by backward. Then the library must work on.
import { describe, test, expect } from "vitest";
import * as wg from "../../src/index.js";
import { W } from "../../src/wasm/load.js";

const core = W as unknown as { setAllocFailure(n: number): void };

interface Snapshot { values: number[]; grad: number[] | null; fn: string | null }
function snap(t: wg.Tensor): Snapshot {
  return { values: Array.from(t.toFloat32Array()), grad: t.grad ? Array.from(t.grad.toFloat32Array()) : null, fn: t.gradFn?.name ?? null };
}

/** Runs op with allocation k failing, for every k until it succeeds; returns the number of failures seen. */
function everyFailure(make: () => wg.Tensor[], op: (ts: wg.Tensor[]) => unknown): number {
  for (let k = 0; k < 400; k++) {
    const ts = make();
    const before = ts.map(snap);
    let err: unknown = null;
    core.setAllocFailure(k);
    try { op(ts); } catch (e) { err = e; } finally { core.setAllocFailure(-1); }
    if (err === null) return k;
    expect(err).toBeInstanceOf(wg.OutOfMemoryError);
    ts.forEach((t, i) => expect(snap(t), `tensor ${i} after a failure at allocation ${k}`).toEqual(before[i]));
    // the inputs still work: a fresh computation through them gives the right gradient
    const x = wg.tensor([1, 2, 3], { requiresGrad: true });
    x.mul(x).sum().backward();
    expect(Array.from(x.grad!.toFloat32Array())).toEqual([2, 4, 6]);
  }
  throw new Error("the op never succeeded");
}

const leaf = (v: number[], shape?: number[]) => {
  const t = wg.tensor(v);
  return (shape ? t.reshape(shape) : t).requiresGrad_(true);
};

describe("every allocation of an op may fail, and nothing changes", () => {
  const cases: [string, () => wg.Tensor[], (ts: wg.Tensor[]) => unknown][] = [
    ["mul with broadcasting", () => [leaf([1, 2, 3, 4, 5, 6], [2, 3]), leaf([1, 2, 3])], ([a, b]) => a.mul(b)],
    ["add with alpha", () => [leaf([1, 2, 3]), leaf([4, 5, 6])], ([a, b]) => a.add(b, { alpha: 2 })],
    ["float32 + float64", () => [leaf([1, 2]), wg.tensor([1, 2], { dtype: "float64" })], ([a, b]) => a.add(b)],
    ["exp", () => [leaf([1, 2, 3])], ([a]) => a.exp()],
    ["sum over a dim", () => [leaf([1, 2, 3, 4], [2, 2])], ([a]) => a.sum(0)],
    ["matmul of a transposed view", () => [leaf([1, 2, 3, 4, 5, 6], [2, 3]), leaf([1, 2, 3, 4, 5, 6], [2, 3])], ([a, b]) => a.matmul(b.t())],
    ["reshape of a strided view", () => [leaf([1, 2, 3, 4, 5, 6], [2, 3])], ([a]) => a.t().reshape(6)],
    ["backward", () => [leaf([1, 2, 3]), leaf([4, 5, 6])], ([a, b]) => a.mul(b).sum().backward()],
    ["backward accumulating into an existing .grad", () => {
      const a = leaf([1, 2, 3]);
      a.mul(2).sum().backward();
      return [a];
    }, ([a]) => a.mul(a).sum().backward()],
    ["backward with createGraph", () => [leaf([1, 2, 3])], ([a]) => a.pow(3).sum().backward(undefined, { createGraph: true })],
    ["autograd.grad", () => [leaf([1, 2, 3])], ([a]) => wg.autograd.grad(a.tanh().sum(), [a], { createGraph: true })],
    ["mul_ on a non-leaf", () => [leaf([1, 2, 3]), leaf([2, 2, 2])], ([a, b]) => { const c = a.mul(1); c.mul_(b); return c; }],
    ["add_ through a strided view under noGrad", () => [wg.tensor([1, 2, 3, 4, 5, 6]).reshape(2, 3)], ([a]) => wg.noGrad(() => a.t().add_(1))],
    ["copy_ with broadcasting", () => [wg.zeros([2, 3]), wg.tensor([1, 2, 3])], ([a, b]) => a.copy_(b)],
    ["cast to float64", () => [leaf([1, 2, 3])], ([a]) => a.double()],
  ];
  test.each(cases)("%s", (_name, make, op) => {
    const failures = everyFailure(make, op);
    expect(failures).toBeGreaterThan(0);
  });

  test("fill_ through a strided view writes in place without allocating", () => {
    const a = wg.tensor([1, 2, 3, 4, 5, 6]).reshape(2, 3);
    const v = a.t();
    core.setAllocFailure(0);
    try { v.fill_(7); } finally { core.setAllocFailure(-1); }
    expect(Array.from(a.toFloat32Array())).toEqual([7, 7, 7, 7, 7, 7]);
  });

  test("an in-place op that fails keeps the tensor's history", () => {
    const a = leaf([1, 2, 3]);
    const y = a.mul(2);
    core.setAllocFailure(0);
    try { expect(() => y.mul_(a)).toThrow(wg.OutOfMemoryError); } finally { core.setAllocFailure(-1); }
    expect(y.gradFn?.name).toBe("MulBackward0");
    y.sum().backward();
    expect(Array.from(a.grad!.toFloat32Array())).toEqual([2, 2, 2]);
  });
});
