// Every kind of graph node that a public op records has a backward rule that is right to first and
// second order: for each OpCode a small float64 graph whose output is a node of exactly that kind,
// checked with gradcheck and gradgradcheck. A public op whose node kind has no builder here fails
// the first test, so each new op brings its builder.
import { describe, test, expect } from "vitest";
import * as wg from "wasmgrad";
import { autograd, tensor, manualSeed, Tensor } from "wasmgrad";
import { OpCode } from "../../assembly/abi";
import { NODES } from "../../src/ops/spec";
import { W } from "../../src/wasm/load";
import { mulberry32 } from "../helpers/random";

interface Case {
  /** Fresh inputs (float64 leaves requiring grad, index tensors, numbers). */
  inputs: () => unknown[];
  /** Produces a node of the case's kind as its output. */
  f: (...xs: any[]) => Tensor;
  /** The public op records other node kinds (it is composed of them): checked, but not for its kind. */
  composite?: boolean;
  /** Looser settings where the forward loses precision (a float32 round trip). */
  opts?: { eps?: number; atol?: number; rtol?: number };
  /** A known defect (core-defects.md) makes this case fail: it runs as test.fails. */
  fails?: string;
  /** Only first derivatives (the kind's rule is written with ops that have no second derivative here). */
  firstOnly?: boolean;
}

let seed = 1;
/** float64 leaf with values in [lo, hi), kept at least `gap` away from each point in `avoid`. */
function r(shape: number[], lo = -1.5, hi = 1.5, avoid: number[] = [], gap = 0.05): Tensor {
  const next = mulberry32(seed++);
  const n = shape.reduce((a, b) => a * b, 1);
  const v = Float64Array.from({ length: n }, () => {
    let x = lo + (hi - lo) * next();
    for (const p of avoid) if (Math.abs(x - p) < gap) x = p + (x < p ? -gap : gap);
    return x;
  });
  return tensor(v, { dtype: "float64" }).reshape(shape).requiresGrad_(true);
}
const pos = (shape: number[]) => r(shape, 0.3, 2);
const nz = (shape: number[]) => r(shape, -2, 2, [0], 0.3);
const i32 = (v: number[] | number[][]) => tensor(v as number[], { dtype: "int32" });
const cst = (shape: number[]) => r(shape).detach();
const bools = (v: boolean[] | boolean[][]) => tensor(v as boolean[]);
/** Distinct values (ties make max/min and friends non-differentiable). */
function distinct(shape: number[]): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const next = mulberry32(seed++);
  const perm = Array.from({ length: n }, (_, i) => i).sort(() => next() - 0.5);
  return tensor(Float64Array.from(perm, (k) => 0.3 * k - 1 + 0.01 * next()), { dtype: "float64" }).reshape(shape).requiresGrad_(true);
}
/**
 * Inputs x and c, and the gradient of sum(f(x) * c) w.r.t. x with createGraph: its output is f's
 * backward node, a function of both x and c.
 */
function backwardOf(f: (x: Tensor) => Tensor, make: () => Tensor = () => r([2, 3])): Case {
  return {
    inputs: () => { const x = make(); return [x, noGradShape(f, x)]; },
    f: (x: Tensor, c: Tensor) => autograd.grad(f(x), [x], { gradOutputs: c, createGraph: true, allowUnused: true })[0]!,
  };
}
/** A float64 leaf of f(x)'s shape. */
function noGradShape(f: (x: Tensor) => Tensor, x: Tensor): Tensor {
  return r(wg.noGrad(() => f(x.detach())).shape);
}
const F = () => (wg as any).nn.functional;

const un = (f: (x: Tensor) => Tensor, make: () => Tensor = () => r([2, 3])): Case => ({ inputs: () => [make()], f });

const BUILDERS: Partial<Record<OpCode, Case>> = {
  [OpCode.Add]: { inputs: () => [r([2, 3]), r([3])], f: (a, b) => a.add(b, { alpha: 2 }) },
  [OpCode.AddScalar]: un((x) => x.add(1.5)),
  [OpCode.Sub]: { inputs: () => [r([2, 1]), r([3])], f: (a, b) => a.sub(b, { alpha: 0.5 }) },
  [OpCode.SubScalar]: un((x) => x.sub(2)),
  [OpCode.RSubScalar]: un((x) => wg.sub(2, x)),
  [OpCode.Mul]: { inputs: () => [r([2, 3]), r([2, 1])], f: (a, b) => a.mul(b) },
  [OpCode.MulScalar]: un((x) => x.mul(-1.5)),
  [OpCode.Div]: { inputs: () => [r([2, 3]), nz([3])], f: (a, b) => a.div(b) },
  [OpCode.DivScalar]: un((x) => x.div(4)),
  [OpCode.Pow]: { inputs: () => [pos([2, 3]), r([3])], f: (a, b) => a.pow(b) },
  [OpCode.PowScalar]: un((x) => x.pow(2.5), () => pos([2, 3])),
  [OpCode.RPowScalar]: un((x) => wg.pow(1.7, x)),
  [OpCode.Maximum]: { inputs: () => { const a = distinct([2, 3]); return [a, a.detach().add(cst([2, 3]).sign().mul(0.2)).requiresGrad_(true)]; }, f: (a, b) => a.maximum(b) },
  [OpCode.Minimum]: { inputs: () => { const a = distinct([2, 3]); return [a, a.detach().add(cst([2, 3]).sign().mul(0.2)).requiresGrad_(true)]; }, f: (a, b) => a.minimum(b) },
  [OpCode.Where]: { inputs: () => [bools([[true, false, true], [false, false, true]]), r([2, 3]), r([3])], f: (c, a, b) => wg.where(c, a, b) },
  [OpCode.MaskedFill]: { inputs: () => [r([2, 3]), bools([true, false, true])], f: (x, m) => x.maskedFill(m, 0.5) },
  [OpCode.MaskedFillTensor]: { inputs: () => [r([2, 3]), bools([true, false, true]), r([])], f: (x, m, v) => x.maskedFill(m, v) },
  [OpCode.Lerp]: { inputs: () => [r([2, 3]), r([2, 3])], f: (a, b) => a.lerp(b, 0.3) },
  [OpCode.LerpTensor]: { inputs: () => [r([2, 3]), r([3]), r([2, 1])], f: (a, b, w) => a.lerp(b, w) },
  [OpCode.Atan2]: { inputs: () => [r([2, 3]), nz([2, 3])], f: (a, b) => wg.atan2(a, b) },
  [OpCode.Neg]: un((x) => x.neg()),
  [OpCode.Exp]: un((x) => x.exp()),
  [OpCode.Log]: un((x) => x.log(), () => pos([2, 3])),
  [OpCode.Sqrt]: un((x) => x.sqrt(), () => pos([2, 3])),
  [OpCode.Abs]: un((x) => x.abs(), () => nz([2, 3])),
  [OpCode.Relu]: un((x) => x.relu(), () => nz([2, 3])),
  [OpCode.Sigmoid]: un((x) => x.sigmoid()),
  [OpCode.Tanh]: un((x) => x.tanh()),
  [OpCode.Reciprocal]: un((x) => x.reciprocal(), () => nz([2, 3])),
  [OpCode.Rsqrt]: un((x) => x.rsqrt(), () => pos([2, 3])),
  [OpCode.Log1p]: un((x) => (x as any).log1p(), () => r([2, 3], -0.6, 2)),
  [OpCode.Expm1]: un((x) => (x as any).expm1()),
  [OpCode.Sign]: un((x) => x.sign(), () => nz([2, 3])),
  [OpCode.Sin]: un((x) => (x as any).sin()),
  [OpCode.Cos]: un((x) => (x as any).cos()),
  [OpCode.Gelu]: un((x) => (x as any).gelu()),
  [OpCode.Silu]: un((x) => (x as any).silu()),
  [OpCode.LeakyRelu]: un((x) => (x as any).leakyRelu(0.1), () => nz([2, 3])),
  [OpCode.Softplus]: un((x) => (x as any).softplus()),
  [OpCode.Clamp]: un((x) => x.clamp(-0.5, 0.7), () => r([2, 3], -1.5, 1.5, [-0.5, 0.7])),
  [OpCode.ClampMin]: un((x) => x.clamp(-0.5), () => r([2, 3], -1.5, 1.5, [-0.5])),
  [OpCode.ClampMax]: un((x) => x.clamp(null as never, 0.7), () => r([2, 3], -1.5, 1.5, [0.7])),
  [OpCode.ClampTensor]: {
    inputs: () => [r([2, 3], -1.5, 1.5, [-0.5, 0.5], 0.15), r([3], -0.55, -0.45), r([2, 1], 0.45, 0.55)],
    f: (x, lo, hi) => x.clamp(lo, hi),
  },
  [OpCode.Square]: { ...un((x) => x.square()), composite: true }, // recorded as PowScalar (torch: PowBackward0)
  // fused backward ops: the createGraph gradient of their forward op
  [OpCode.TanhBackward]: backwardOf((t) => t.tanh()),
  [OpCode.SigmoidBackward]: backwardOf((t) => t.sigmoid()),
  [OpCode.ThresholdBackward]: backwardOf((t) => t.relu(), () => nz([2, 3])),
  [OpCode.GeluBackward]: backwardOf((t) => (t as any).gelu()),
  [OpCode.SiluBackward]: { ...backwardOf((t) => (t as any).silu()), composite: true }, // silu's rule is written with mul/sigmoid
  [OpCode.LeakyReluBackward]: backwardOf((t) => (t as any).leakyRelu(0.1), () => nz([2, 3])),
  [OpCode.SoftplusBackward]: backwardOf((t) => (t as any).softplus()),
  [OpCode.SoftmaxBackward]: backwardOf((t) => (t as any).softmax(1)),
  [OpCode.LogSoftmaxBackward]: backwardOf((t) => (t as any).logSoftmax(1)),
  // reductions
  [OpCode.SumAll]: un((x) => x.sum()),
  [OpCode.SumDim]: un((x) => x.sum(0, true), () => r([2, 3, 2])),
  [OpCode.MeanAll]: un((x) => x.mean()),
  [OpCode.MeanDim]: un((x) => x.mean([0, 2]), () => r([2, 3, 2])),
  [OpCode.ProdAll]: un((x) => (x as any).prod(), () => nz([2, 3])),
  [OpCode.ProdDim]: un((x) => (x as any).prod(1), () => nz([2, 3])),
  [OpCode.MaxAll]: un((x) => (x as any).max(), () => distinct([2, 3])),
  [OpCode.MaxDim]: un((x) => (x as any).max(1).values, () => distinct([2, 3])),
  [OpCode.MinAll]: un((x) => (x as any).min(), () => distinct([2, 3])),
  [OpCode.MinDim]: un((x) => (x as any).min(0, true).values, () => distinct([2, 3])),
  [OpCode.Var]: un((x) => (x as any).var(1), () => r([2, 4])),
  [OpCode.Std]: un((x) => (x as any).std(0), () => r([3, 2])),
  [OpCode.NormAll]: un((x) => (x as any).norm(), () => nz([2, 3])),
  [OpCode.NormDim]: un((x) => (x as any).norm(2, 1), () => nz([2, 3])),
  [OpCode.Logsumexp]: un((x) => (x as any).logsumexp(1)),
  [OpCode.Softmax]: un((x) => (x as any).softmax(1)),
  [OpCode.LogSoftmax]: un((x) => (x as any).logSoftmax(0)),
  [OpCode.Cumsum]: un((x) => (x as any).cumsum(1)),
  // views and shape
  [OpCode.View]: un((x) => x.view(3, 2)),
  [OpCode.Reshape]: un((x) => x.reshape(6)),
  [OpCode.UnsafeView]: un((x) => x.t().reshape(6)),
  [OpCode.Transpose]: un((x) => x.transpose(0, 2), () => r([2, 3, 2])),
  [OpCode.T]: un((x) => x.t()),
  [OpCode.Permute]: un((x) => x.permute(2, 0, 1), () => r([2, 3, 2])),
  [OpCode.Expand]: un((x) => x.expand(2, 4, 3), () => r([4, 1])),
  [OpCode.Unsqueeze]: un((x) => x.unsqueeze(1)),
  [OpCode.Squeeze]: un((x) => x.squeeze(), () => r([2, 1, 3])),
  [OpCode.SqueezeDim]: un((x) => x.squeeze(1), () => r([2, 1, 3])),
  [OpCode.Slice]: un((x) => (x as any).slice(1, 0, 3, 2), () => r([2, 4])),
  [OpCode.Select]: un((x) => (x as any).select(0, 1), () => r([3, 2])),
  [OpCode.Clone]: un((x) => x.clone()),
  [OpCode.Split]: un((x) => (x as any).split(2, 1)[1], () => r([2, 5])),
  [OpCode.Unbind]: un((x) => (x as any).unbind(0)[1], () => r([3, 2])),
  [OpCode.SplitWithSizes]: un((x) => (x as any).split([1, 3], 1)[1], () => r([2, 4])),
  [OpCode.SliceBackward]: backwardOf((t) => (t as any).slice(1, 1, 3), () => r([2, 4])),
  [OpCode.SelectBackward]: backwardOf((t) => (t as any).select(1, 2), () => r([2, 4])),
  // copying shape ops and indexing
  [OpCode.Cat]: { inputs: () => [r([2, 3]), r([1, 3]), r([2, 3])], f: (a, b, c) => wg.cat([a, b, c], 0) },
  [OpCode.Stack]: { inputs: () => [r([2, 3]), r([2, 3])], f: (a, b) => wg.stack([a, b], 1) },
  [OpCode.IndexSelect]: { inputs: () => [r([3, 4]), i32([2, 0, 2])], f: (x, i) => x.indexSelect(1, i) },
  [OpCode.Gather]: { inputs: () => [r([3, 4]), i32([[0, 3], [1, 1], [2, 0]])], f: (x, i) => x.gather(1, i) },
  [OpCode.ScatterAdd]: { inputs: () => [r([3, 4]), i32([[0, 3], [1, 1], [2, 0]]), r([3, 2])], f: (x, i, s) => x.scatterAdd(1, i, s) },
  [OpCode.IndexAdd]: { inputs: () => [r([3, 4]), i32([2, 0, 2]), r([3, 3])], f: (x, i, s) => x.indexAdd(1, i, s) },
  [OpCode.Flip]: un((x) => x.flip([0, 1])),
  [OpCode.Repeat]: un((x) => x.repeat(2, 1, 2)),
  [OpCode.Tril]: un((x) => x.tril(), () => r([3, 3])),
  [OpCode.Triu]: un((x) => x.triu(1), () => r([3, 4])),
  [OpCode.Pad]: un((x) => wg.pad(x, [1, 2, 0, 1], 0.5)),
  [OpCode.Index]: { ...un((x) => (x as any).index(1, 0), () => r([2, 3, 2])), composite: true }, // integer indices are selects
  // linear algebra
  [OpCode.Mm]: { inputs: () => [r([2, 3]), r([3, 4])], f: (a, b) => a.mm(b) },
  [OpCode.Mv]: { inputs: () => [r([2, 3]), r([3])], f: (a, b) => a.matmul(b) },
  [OpCode.Dot]: { inputs: () => [r([4]), r([4])], f: (a, b) => a.dot(b) },
  [OpCode.Bmm]: { inputs: () => [r([2, 2, 3]), r([2, 3, 2])], f: (a, b) => a.bmm(b) },
  [OpCode.Matmul]: { inputs: () => [r([2, 1, 2, 3]), r([3, 3, 2])], f: (a, b) => a.matmul(b) },
  [OpCode.Outer]: { inputs: () => [r([3]), r([2])], f: (a, b) => a.outer(b), composite: true }, // a broadcast mul, as torch's MulBackward0
  [OpCode.Addmm]: { inputs: () => [r([2, 3]), r([4, 3]), r([4])], f: (x, w, b) => F().linear(x, w, b), composite: true }, // recorded as Linear
  [OpCode.Linear]: { inputs: () => [r([2, 3]), r([4, 3]), r([4])], f: (x, w, b) => F().linear(x, w, b) },
  [OpCode.Vm]: { inputs: () => [r([3]), r([3, 2])], f: (a, b) => a.matmul(b) },
  // dtype conversion and in-place writes on non-leaves
  [OpCode.ToCopy]: { inputs: () => [r([2, 3])], f: (x) => x.to("float32").to("float64"), opts: { eps: 1e-3, atol: 1e-4, rtol: 1e-3 } },
  [OpCode.Fill]: un((x) => { const y = x.mul(1); y.fill_(2); return y; }),
  [OpCode.Zero]: un((x) => { const y = x.mul(1); y.zero_(); return y; }),
  [OpCode.Copy]: { inputs: () => [r([2, 3]), r([3])], f: (x, s) => { const y = x.mul(2); y.copy_(s); return y; } },
  [OpCode.CopySlices]: {
    inputs: () => [r([2, 3]), r([2])], f: (x, s) => { const y = x.mul(2); (y as any).select(1, 1).copy_(s); return y; },
  },
  // the regenerated history of a view whose base was written in place, and the window write its rule records
  [OpCode.AsStrided]: {
    inputs: () => [r([2, 3]), r([3])], f: (x, s) => { const y = x.mul(x); const v = y.t(); y.select(0, 1).mul_(s); return v; },
  },
  [OpCode.AsStridedScatter]: {
    inputs: () => [r([2, 3]), r([2]), r([2, 3])],
    f: (x, s, c) => {
      const y = x.mul(x);
      y.select(1, 2).mul_(s);
      return autograd.grad(y, [x], { gradOutputs: c, createGraph: true })[0]!;
    },
    composite: true, // the gradient ends in a mul (x's own rule); asStridedScatter sits inside
  },
  // nn
  [OpCode.Conv2d]: { inputs: () => [r([1, 2, 3, 3]), r([2, 2, 2, 2]), r([2])], f: (x, w, b) => (wg as any).conv2d(x, w, b, { stride: [1, 2], padding: 1 }) },
  [OpCode.Conv1d]: { inputs: () => [r([2, 2, 5]), r([3, 2, 2]), r([3])], f: (x, w, b) => (wg as any).conv1d(x, w, b, { stride: 2, padding: 1 }), composite: true }, // conv2d on an unsqueezed input
  [OpCode.MaxPool2d]: un((x) => (wg as any).maxPool2d(x, 2), () => distinct([1, 2, 4, 4])),
  [OpCode.AvgPool2d]: un((x) => (wg as any).avgPool2d(x, 2, { stride: 1, padding: 1 }), () => r([1, 2, 3, 3])),
  [OpCode.AdaptiveAvgPool2d]: un((x) => (wg as any).adaptiveAvgPool2d(x, [3, 2]), () => r([1, 2, 5, 4])),
  [OpCode.MaxPool2dBackward]: backwardOf((t) => (wg as any).maxPool2d(t, 2), () => distinct([1, 1, 4, 4])),
  [OpCode.AvgPool2dBackward]: backwardOf((t) => (wg as any).avgPool2d(t, 2), () => r([1, 1, 4, 4])),
  [OpCode.ConvBackwardInput]: {
    inputs: () => [r([1, 2, 3, 3]), r([2, 2, 2, 2]), r([1, 2, 2, 2])],
    f: (x, w, c) => autograd.grad((wg as any).conv2d(x, w), [x], { gradOutputs: c, createGraph: true })[0]!,
  },
  [OpCode.ConvBackwardWeight]: {
    inputs: () => [r([1, 2, 3, 3]), r([2, 2, 2, 2]), r([1, 2, 2, 2])],
    f: (x, w, c) => autograd.grad((wg as any).conv2d(x, w), [w], { gradOutputs: c, createGraph: true })[0]!,
  },
  [OpCode.NllLoss]: { inputs: () => [r([3, 4]), i32([1, 0, 3])], f: (x, t) => F().nllLoss(x, t), composite: true },
  [OpCode.CrossEntropy]: {
    inputs: () => [r([3, 4]), i32([1, 0, 3])], f: (x, t) => F().crossEntropy(x, t, { ignoreIndex: 0, labelSmoothing: 0.1 }),
  },
  [OpCode.CrossEntropyBackward]: {
    inputs: () => [r([3, 4]), i32([1, 2, 3]), r([3])],
    f: (x, t, c) => autograd.grad(F().crossEntropy(x, t, { reduction: "none", labelSmoothing: 0.2 }), [x], { gradOutputs: c, createGraph: true })[0]!,
  },
  [OpCode.MseLoss]: { inputs: () => [r([2, 3]), r([2, 3])], f: (a, b) => F().mseLoss(a, b), composite: true },
  [OpCode.BinaryCrossEntropy]: {
    inputs: () => [r([2, 3], 0.1, 0.9), cst([2, 3]).abs().clamp(0, 1)], f: (p, t) => F().binaryCrossEntropy(p, t), composite: true,
  },
  [OpCode.Dropout]: { inputs: () => [r([2, 4])], f: (x) => { manualSeed(7); return F().dropout(x, 0.5, true); }, composite: true },
  // composed of indexSelect and the reductions' ops (torch records one fused node for each)
  [OpCode.Embedding]: {
    inputs: () => [r([5, 3])], f: (w) => F().embedding(wg.tensor([[0, 2], [4, 2]], { dtype: "int32" }), w), composite: true,
  },
  [OpCode.NativeBatchNorm]: {
    inputs: () => [r([4, 3]), r([3], 0.5, 1.5), r([3])],
    f: (x, w, b) => F().batchNorm(x, null, null, w, b, true, 0.1, 1e-5), composite: true,
  },
  [OpCode.NativeLayerNorm]: {
    inputs: () => [r([2, 4]), r([4], 0.5, 1.5), r([4])], f: (x, w, b) => F().layerNorm(x, [4], w, b, 1e-5), composite: true,
  },
};

/** Whether users can call the op that records this node kind. */
function isPublic(op: string): boolean {
  const proto = Tensor.prototype as unknown as Record<string, unknown>;
  return typeof proto[op] === "function" || typeof (wg as Record<string, unknown>)[op] === "function" ||
    typeof F()?.[op] === "function";
}

const codes = Object.keys(NODES).map(Number).filter((c) => c !== OpCode.None) as OpCode[];
const name = (c: OpCode) => `${OpCode[c]} (${NODES[c].op}, ${NODES[c].gradFn})`;

describe("every differentiable node kind has a backward rule", () => {
  test("each node kind of a public op has a builder here", () => {
    const missing = codes.filter((c) => isPublic(NODES[c].op) && !BUILDERS[c]).map(name);
    expect(missing).toEqual([]);
  });

  const cases = codes.filter((c) => BUILDERS[c]).map((c) => [name(c), c] as const);
  const run = (_n: string, code: OpCode) => {
    const k = BUILDERS[code]!;
    const xs = k.inputs();
    const out = k.f(...xs);
    const got = W.gradFnOf(out._h);
    if (k.composite) expect(got, `${OpCode[code]} now records its own node kind: drop "composite"`).not.toBe(code);
    else expect(OpCode[got]).toBe(OpCode[code]);
    expect(autograd.gradcheck(k.f, xs, k.opts)).toBe(true);
    if (!k.firstOnly) expect(autograd.gradgradcheck(k.f, xs, k.opts)).toBe(true);
  };
  test.each(cases.filter(([, c]) => !BUILDERS[c]!.fails))("%s", run);
  const failing = cases.filter(([, c]) => BUILDERS[c]!.fails);
  if (failing.length) test.fails.each(failing)("%s (known defect)", run);
});
