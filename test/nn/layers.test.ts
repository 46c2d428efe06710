// Convolution, pooling, normalisation and embedding modules against PyTorch 1.13
// (test/fixtures/nn/layers.json from test/fixtures/make_layers.py).

import { test, expect, describe } from "vitest";
import * as wg from "../../src/index.js";
import { fixture, runCase, close, makeTensor, type ModuleCase } from "./layers.golden";

const { nn } = wg;
const F = wg.nn.functional;
const cases = fixture<ModuleCase[]>("layers.json");

type T = wg.Tensor;
const single = (m: wg.nn.Module, [x]: T[]): T[] => [m.forward(x) as T];
const bnSteps = (m: wg.nn.Module, [x]: T[]): T[] => {
  const y1 = m.forward(x) as T;
  const y2 = m.forward(x.mul(2).add(1)) as T;
  m.eval();
  const y3 = m.forward(x) as T;
  m.train();
  return [y1, y2, y3];
};

const build: Record<string, [() => wg.nn.Module, typeof single]> = {
  "Conv2d 3-4 k3 pad1": [() => new nn.Conv2d(3, 4, 3, { padding: 1 }), single],
  "Conv2d stride dilation groups nobias": [() => new nn.Conv2d(4, 6, [3, 2], { stride: [2, 1], padding: [1, 0], dilation: [1, 2], groups: 2, bias: false }), single],
  "Conv2d same": [() => new nn.Conv2d(2, 3, 4, { padding: "same" }), single],
  "Conv2d unbatched": [() => new nn.Conv2d(2, 2, 2), single],
  "Conv1d": [() => new nn.Conv1d(3, 5, 3, { stride: 2, padding: 1 }), single],
  "Conv1d groups dilation": [() => new nn.Conv1d(4, 4, 2, { dilation: 2, groups: 4 }), single],
  "MaxPool2d 2": [() => new nn.MaxPool2d(2), single],
  "MaxPool2d 3 s2 p1 ceil": [() => new nn.MaxPool2d(3, { stride: 2, padding: 1, ceilMode: true }), single],
  "AvgPool2d 2": [() => new nn.AvgPool2d(2), single],
  "AvgPool2d 3 s2 p1 noIncludePad": [() => new nn.AvgPool2d(3, { stride: 2, padding: 1, countIncludePad: false }), single],
  "AdaptiveAvgPool2d [3, 2]": [() => new nn.AdaptiveAvgPool2d([3, 2]), single],
  "AdaptiveAvgPool2d 1": [() => new nn.AdaptiveAvgPool2d(1), single],
  "Flatten": [() => new nn.Flatten(), single],
  "BatchNorm1d [N, C]": [() => new nn.BatchNorm1d(3), bnSteps],
  "BatchNorm1d [N, C, L]": [() => new nn.BatchNorm1d(3), bnSteps],
  "BatchNorm2d": [() => new nn.BatchNorm2d(3), bnSteps],
  "BatchNorm2d momentum None eps": [() => new nn.BatchNorm2d(3, { momentum: null, eps: 1e-3 }), bnSteps],
  "BatchNorm2d noAffine noTrack": [() => new nn.BatchNorm2d(3, { affine: false, trackRunningStats: false }), bnSteps],
  "LayerNorm [3, 4]": [() => new nn.LayerNorm([3, 4]), single],
  "LayerNorm 4 noAffine": [() => new nn.LayerNorm(4, { elementwiseAffine: false, eps: 1e-3 }), single],
  "Embedding 6x3": [() => new nn.Embedding(6, 3), single],
  "Embedding paddingIdx 1": [() => new nn.Embedding(6, 3, { paddingIdx: 1 }), single],
  "Embedding paddingIdx -1": [() => new nn.Embedding(6, 3, { paddingIdx: -1 }), single],
};

// float32: im2col GEMM and the normalisations sum in another order than torch (a few ulp)
const TOL = { out: { atol: 5e-7, rtol: 1e-6 }, grad: { atol: 1e-6, rtol: 1e-6 } };

describe("layers vs torch 1.13", () => {
  test("every fixture case has a builder", () => {
    expect(cases.map((c) => c.name).sort()).toEqual(Object.keys(build).sort());
  });
  for (const c of cases) {
    test(c.name, () => {
      const [make, call] = build[c.name];
      runCase(c, make, call, TOL);
    });
  }
});

test("nn.functional has the layer functions", () => {
  for (const f of ["conv1d", "conv2d", "maxPool2d", "avgPool2d", "adaptiveAvgPool2d", "batchNorm", "layerNorm", "embedding"]) {
    expect(typeof (F as Record<string, unknown>)[f], f).toBe("function");
  }
});

test("F.batchNorm in eval mode uses the running stats and leaves them alone", () => {
  const x = wg.tensor([[1, 2], [3, 6]]);
  const rm = wg.tensor([1, 2]), rv = wg.tensor([4, 1]);
  const y = F.batchNorm(x, rm, rv, wg.tensor([2, 1]), wg.tensor([0, 1]), false, 0.1, 0);
  close(y, { shape: [2, 2], dtype: "float32", values: [0, 1, 2, 5] }, { atol: 1e-6, rtol: 0 }, "y");
  expect(rm.toArray()).toEqual([1, 2]);
  expect(rv.toArray()).toEqual([4, 1]);
});

test("BatchNorm: num_batches_tracked is int32 and counts training batches", () => {
  const bn = new nn.BatchNorm1d(2);
  expect(bn.stateDict().num_batches_tracked.dtype).toBe("int32");
  bn.forward(wg.randn([4, 2]));
  bn.forward(wg.randn([4, 2]));
  bn.eval();
  bn.forward(wg.randn([4, 2]));
  expect(bn.stateDict().num_batches_tracked.item()).toBe(2);
});

test("layer errors", () => {
  expect(() => new nn.BatchNorm2d(3).forward(wg.randn([2, 3, 4]))).toThrow(/^BatchNorm2d: expected 4D input \(got 3D input\)/);
  expect(() => new nn.BatchNorm1d(3).forward(wg.randn([1, 3]))).toThrow(/^batchNorm: Expected more than 1 value per channel when training, got input size \[1, 3\]/);
  expect(() => new nn.LayerNorm([3, 4]).forward(wg.randn([2, 3, 5]))).toThrow(/^layerNorm: Given normalized_shape=\[3, 4\], expected input with shape \[\*, 3, 4\], but got input of size \[2, 3, 5\]/);
  expect(() => new nn.Embedding(4, 2).forward(wg.tensor(Int32Array.from([0, 4])))).toThrow(/^embedding: index 4 is out of range/);
  expect(() => new nn.Embedding(4, 2).forward(wg.tensor([0, 1]))).toThrow(/^embedding: .*integer dtype/);
  expect(() => new nn.Conv2d(3, 4, 3, { groups: 2 })).toThrow(/^Conv2d: in_channels must be divisible by groups/);
  expect(() => new nn.Conv2d(2, 4, 3).forward(wg.randn([1, 3, 5, 5]))).toThrow(/^conv2d: expected input \[1, 3, 5, 5\] to have 2 channels/);
});

test("layers give grads of grads (createGraph)", () => {
  wg.manualSeed(3);
  const cases: [wg.nn.Module, number[]][] = [
    [new nn.BatchNorm1d(3), [4, 3]], [new nn.LayerNorm(3), [2, 3]], [new nn.Conv1d(2, 2, 2), [1, 2, 4]],
  ];
  for (const [m, shape] of cases) {
    const x = wg.randn(shape, { requiresGrad: true });
    const y = (m.forward(x) as T).tanh().sum();
    const [g] = wg.autograd.grad([y], [x], { createGraph: true }) as T[];
    const [gg] = wg.autograd.grad([g.square().sum()], [x]) as T[];
    expect(gg.shape).toEqual(shape);
    expect(Number.isFinite(gg.abs().sum().item())).toBe(true);
  }
});

test("Embedding.fromPretrained is frozen by default", () => {
  const w = makeTensor({ shape: [3, 2], dtype: "float32", values: [1, 2, 3, 4, 5, 6] });
  const e = nn.Embedding.fromPretrained(w);
  expect(e.weight.requiresGrad).toBe(false);
  expect(e.forward(wg.tensor(Int32Array.from([2, 0]))).toArray()).toEqual([[5, 6], [1, 2]]);
});
