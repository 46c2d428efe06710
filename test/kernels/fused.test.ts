// The fused linear layer and softmax cross-entropy against the compositions they replace: linear
// must give the matmul-then-add values bit for bit (the bias is added in the GEMM's store, after
// the sum), and its gradients those of the composition; cross-entropy must match a float64
// reference of torch's formula to float32 rounding, for every reduction, ignoreIndex and
// labelSmoothing, with the gradient (softmax - smoothed onehot) / N of one backward kernel.
import { describe, test, expect } from "vitest";
import * as wg from "wasmgrad";
import { tensor, randn, manualSeed, Tensor } from "wasmgrad";

const F = wg.nn.functional;
const bits = (t: Tensor) => Array.from(new Uint32Array(new Float32Array(t.dataSync() as Float32Array).buffer));

describe("linear with a bias: one GEMM", () => {
  const shapes: [number, number, number][] = [[1, 1, 1], [1, 7, 9], [5, 3, 1], [4, 8, 8], [13, 17, 11], [37, 300, 21], [128, 784, 10], [3, 0, 4], [0, 5, 3]];
  test("values and gradients equal matmul(x, w^T) + b bit for bit, and grad_fn is AddmmBackward0", () => {
    manualSeed(3);
    for (const [M, K, N] of shapes) {
      const x = randn([M, K]).requiresGrad_(), w = randn([N, K]).requiresGrad_(), b = randn([N]).requiresGrad_();
      const y = F.linear(x, w, b);
      expect(y.shape).toEqual([M, N]);
      if (M * N > 0) expect(y.gradFn!.name).toBe("AddmmBackward0");
      const x2 = x.detach().requiresGrad_(), w2 = w.detach().requiresGrad_(), b2 = b.detach().requiresGrad_();
      const y2 = x2.matmul(w2.t()).add(b2);
      expect(bits(y)).toEqual(bits(y2));
      const g = randn([M, N]);
      y.backward(g); y2.backward(g);
      expect(bits(x.grad!)).toEqual(bits(x2.grad!));
      expect(bits(w.grad!)).toEqual(bits(w2.grad!));
      expect(bits(b.grad!)).toEqual(bits(b2.grad!));
    }
  });

  test("strided operands (a transposed x, a transposed weight, a sliced bias) are read in place", () => {
    manualSeed(4);
    const xt = randn([20, 6]), wt = randn([20, 9]), bb = randn([18]);
    const x = xt.t(), w = wt.t(), b = bb.slice(0, 0, 18, 2);
    const y = F.linear(x, w, b), y2 = x.contiguous().matmul(w.contiguous().t()).add(b.contiguous());
    expect(bits(y)).toEqual(bits(y2));
  });

  test("float64, the cases that take the composed path (no bias, 3-D input), and misuse", () => {
    manualSeed(5);
    const x = randn([4, 3], { dtype: "float64" }), w = randn([2, 3], { dtype: "float64" }), b = randn([2], { dtype: "float64" });
    const y = F.linear(x, w, b);
    expect(y.dtype).toBe("float64");
    expect(Array.from(y.dataSync())).toEqual(Array.from(x.matmul(w.t()).add(b).dataSync()));
    const x3 = randn([2, 4, 3]), w3 = randn([5, 3]), b3 = randn([5]);
    expect(F.linear(x3, w3, b3).shape).toEqual([2, 4, 5]);
    expect(F.linear(randn([4, 3]), w3).shape).toEqual([4, 5]);
    expect(() => F.linear(randn([4, 3]), w3, b3.double())).toThrow(/^linear: expected bias of dtype float32/);
    expect(() => F.linear(randn([4, 2]), w3, b3)).toThrow(/^linear: mat1 and mat2 shapes cannot be multiplied/);
  });
});

/** torch 1.13's cross_entropy with class indices, in float64: (1 - ls) nll + ls/C * sum(-log p). */
function ceRef(x: number[][], t: number[], ignore: number, ls: number, red: "none" | "mean" | "sum") {
  const C = x[0]?.length ?? 0;
  const losses: number[] = [], grads: number[][] = [];
  let count = 0;
  for (let i = 0; i < x.length; i++) {
    const m = Math.max(...x[i]);
    const lse = m + Math.log(x[i].reduce((s, v) => s + Math.exp(v - m), 0));
    if (t[i] === ignore) { losses.push(0); grads.push(new Array(C).fill(0)); continue; }
    count++;
    const smooth = x[i].reduce((s, v) => s + (lse - v), 0);
    losses.push((1 - ls) * (lse - x[i][t[i]]) + (ls / C) * smooth);
    grads.push(x[i].map((v, j) => Math.exp(v - lse) - (j === t[i] ? 1 - ls : 0) - ls / C));
  }
  const scale = red === "mean" ? 1 / count : 1;
  const total = losses.reduce((a, b) => a + b, 0);
  return { value: red === "none" ? losses : [red === "sum" ? total : total / count], grads: grads.map((r) => r.map((v) => v * scale)) };
}

describe("crossEntropy with class indices: one kernel each way", () => {
  const cases: { N: number; C: number; ignore?: number; ls?: number; red: "none" | "mean" | "sum" }[] = [
    { N: 6, C: 5, red: "mean" }, { N: 6, C: 5, red: "sum" }, { N: 6, C: 5, red: "none" },
    { N: 7, C: 3, ignore: 1, red: "mean" }, { N: 7, C: 3, ignore: 2, ls: 0.1, red: "sum" }, { N: 9, C: 10, ls: 0.25, red: "mean" },
    { N: 4, C: 1, red: "mean" }, { N: 128, C: 10, ls: 0.05, ignore: 3, red: "none" }, { N: 0, C: 4, red: "sum" },
  ];
  test("value and gradient against a float64 reference of torch's formula", () => {
    manualSeed(6);
    for (const c of cases) {
      const x = randn([c.N, c.C]).mul(3).detach().requiresGrad_();
      const tv = Array.from({ length: c.N }, (_, i) => (i * 7 + 3) % c.C);
      const t = tensor(tv, { dtype: "int32" });
      const opts = { reduction: c.red, ignoreIndex: c.ignore, labelSmoothing: c.ls };
      const loss = F.crossEntropy(x, t, opts);
      const ref = ceRef(x.toArray() as number[][], tv, c.ignore ?? -100, c.ls ?? 0, c.red);
      const got = Array.from(loss.dataSync());
      got.forEach((v, i) => expect(Math.abs(v - ref.value[i])).toBeLessThanOrEqual(3e-7 * Math.abs(ref.value[i]) + 1e-7));
      const cot = c.red === "none" ? wg.linspace(0.5, 1.5, c.N) : tensor(1);
      loss.mul(cot).sum().backward();
      const cv = Array.from(cot.dataSync());
      const gx = x.grad!.toArray() as number[][];
      gx.forEach((row, i) => row.forEach((v, j) => {
        const want = ref.grads[i][j] * (c.red === "none" ? cv[i] : 1);
        expect(Math.abs(v - want)).toBeLessThanOrEqual(2e-7 * Math.abs(want) + 2e-8);
      }));
      if (c.N > 0) expect(loss.gradFn!.name).toBe("NllLossBackward0");
    }
  });

  test("every row ignored: mean is NaN (0 / 0, as torch), sum 0, gradients 0", () => {
    const x = randn([3, 4]).requiresGrad_(), t = tensor([2, 2, 2], { dtype: "int32" });
    expect(Number.isNaN(F.crossEntropy(x, t, { ignoreIndex: 2 }).item())).toBe(true);
    const s = F.crossEntropy(x, t, { ignoreIndex: 2, reduction: "sum" });
    expect(s.item()).toBe(0);
    s.backward();
    expect(Array.from(x.grad!.dataSync()).every((v) => v === 0)).toBe(true);
  });

  test("the same logits give the same bits twice, and float64 logits a float64 loss", () => {
    manualSeed(8);
    const x = randn([50, 13]), t = tensor(Array.from({ length: 50 }, (_, i) => i % 13), { dtype: "int32" });
    expect(bits(F.crossEntropy(x, t, { reduction: "none", labelSmoothing: 0.3 }))).toEqual(bits(F.crossEntropy(x, t, { reduction: "none", labelSmoothing: 0.3 })));
    const l64 = F.crossEntropy(x.double(), t);
    expect(l64.dtype).toBe("float64");
    expect(Math.abs(l64.item() - F.crossEntropy(x, t).item())).toBeLessThan(1e-6);
  });

  test("misuse still throws the checks' errors: targets out of range, wrong shape, wrong dtype", () => {
    const x = randn([3, 4]);
    expect(() => F.crossEntropy(x, tensor([0, 4, 1], { dtype: "int32" }))).toThrow(/^crossEntropy: Target 4 is out of bounds/);
    expect(() => F.crossEntropy(x, tensor([0, 1], { dtype: "int32" }))).toThrow(/^crossEntropy: expected target of shape \[3\]/);
    expect(() => F.crossEntropy(x, tensor([0, 1, 2], { dtype: "int32" }), { labelSmoothing: 2 })).toThrow(/^crossEntropy: labelSmoothing/);
  });
});
