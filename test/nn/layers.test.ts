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

describe("arguments are checked as torch checks them", () => {
  const { nn } = wg;
  const fake = Object.create(wg.Tensor.prototype) as wg.Tensor;
  test.each([
    [() => new nn.Linear(-1, 3), /^Linear: inFeatures must be a non-negative integer, got -1$/],
    [() => new nn.Linear(2, 2 ** 31), /^Linear: outFeatures must be a non-negative integer, got 2147483648$/],
    [() => new nn.Linear(2, 3, null as never), /^Linear: options must be an object/],
    [() => new nn.Linear(2, 3, wg.ones([2]) as never), /^Linear: options must be an object .* got Tensor$/],
    [() => new nn.Linear(2, 3, { bias: 1 as never }), /^Linear: bias must be a boolean, got 1$/],
    [() => new nn.Linear(2, 3, { dtype: "int32" as never }), /^Linear: dtype must be one of "float32", "float64", got "int32"$/],
    [() => new nn.Linear(65536, 65536), /^Linear: .*65536, 65536/],
    [() => new nn.Dropout(1.5), /^Dropout: dropout probability has to be between 0 and 1, but got 1.5$/],
    [() => new nn.Dropout(Symbol() as never), /^Dropout: dropout probability has to be between 0 and 1, but got Symbol\(\)$/],
    [() => new nn.Softmax(0.5), /^Softmax: dim must be an integer dim, got 0.5$/],
    [() => new nn.Flatten(1, "x" as never), /^Flatten: endDim must be an integer dim, got "x"$/],
    [() => new nn.GELU({ approximate: "erf" as never }), /^GELU: approximate must be one of "none", "tanh", got "erf"$/],
    [() => new nn.LeakyReLU(NaN), /^LeakyReLU: negativeSlope must be a number, got NaN$/],
    [() => new nn.Softplus(5 as never), /^Softplus: options must be an object/],
    [() => new nn.Sequential({ a: 1 as never }), /^Sequential: "a" is not a Module/],
    [() => new nn.Sequential({ "a.b": new nn.ReLU() }), /^Sequential: registerModule: module name can't contain "."/],
    [() => new nn.ModuleList(5 as never), /^ModuleList: modules must be an array or an iterable, got 5$/],
    [() => new nn.Sequential(new nn.ReLU()).at(Symbol() as never), /^Sequential: index symbol is out of range for 1 modules$/],
    [() => new nn.Parameter(fake), /^Parameter: expected a Tensor, got an object that is not a tensor made by wasmgrad$/],
    [() => new nn.Parameter(wg.ones([2]), "yes" as never), /^Parameter: requiresGrad must be a boolean/],
    [() => new nn.Parameter(wg.ones([2], { dtype: "int32" })), /^Parameter: only Tensors of floating point dtype can require gradients, got int32$/],
    [() => new nn.Conv2d(1, 2, [3, 0]), /^Conv2d: kernelSize must be an integer >= 1 or 2 of them, got \[3, 0\]$/],
    [() => new nn.Conv2d(1, 2, 3, { groups: 1.5 }), /^Conv2d: groups must be a positive integer, got 1.5$/],
    [() => new nn.Conv1d(1, 2, 3, [1] as never), /^Conv1d: options must be an object/],
    [() => new nn.MaxPool2d(0), /^MaxPool2d: kernelSize must be an integer >= 1 or 2 of them, got 0$/],
    [() => new nn.MaxPool2d(2, { ceilMode: 1 as never }), /^MaxPool2d: ceilMode must be a boolean/],
    [() => new nn.AvgPool2d(2, { divisorOverride: 0 }), /^AvgPool2d: divisorOverride must be a nonzero integer, got 0$/],
    [() => new nn.AdaptiveAvgPool2d([2, -1] as never), /^AdaptiveAvgPool2d: outputSize must be a non-negative integer or a pair/],
    [() => new nn.BatchNorm1d(0), /^BatchNorm1d: numFeatures must be a positive integer, got 0$/],
    [() => new nn.BatchNorm2d(3, { eps: -1 }), /^BatchNorm2d: eps must be >= 0, got -1$/],
    [() => new nn.BatchNorm2d(3, wg.ones([1]) as never), /^BatchNorm2d: options must be an object/],
    [() => new nn.LayerNorm({} as never), /^LayerNorm: normalizedShape must be a non-negative integer or a list of them, got Object$/],
    [() => new nn.LayerNorm([2, 1.5]), /^LayerNorm: normalizedShape must be a non-negative integer or a list of them, got \[2, 1.5\]$/],
    [() => new nn.Embedding(-2, 3), /^Embedding: numEmbeddings must be a non-negative integer, got -2$/],
    [() => new nn.Embedding(2, 3, { weight: 5 as never }), /^Embedding: expected a Tensor as weight, got 5$/],
    [() => nn.Embedding.fromPretrained(null as never), /^Embedding.fromPretrained: expected a Tensor as embeddings, got null$/],
    [() => nn.Embedding.fromPretrained(wg.ones([2, 2]), { freeze: "no" as never }), /^Embedding.fromPretrained: freeze must be a boolean/],
    [() => nn.init.zeros_(null as never), /^zeros_: expected a Tensor as tensor, got null$/],
    [() => nn.init.constant_(wg.ones([2], { dtype: "int32" }), 2 ** 31), /^constant_: fill_: value 2147483648 cannot be converted to type int32/],
    [() => nn.init.normal_(wg.ones([2]), 0, -1), /^normal_: std must be >= 0, got -1$/],
    [() => nn.init.kaimingUniform_(wg.ones([3])), /^kaimingUniform_: fan in and fan out can not be computed for tensor with fewer than 2 dimensions/],
    [() => nn.init.kaimingUniform_(wg.ones([3, 3]), { mode: "fan" as never }), /^kaimingUniform_: mode must be one of "fan_in", "fan_out", got "fan"$/],
    [() => nn.init.xavierUniform_(wg.ones([3, 3], { dtype: "int32" })), /^xavierUniform_: tensor must be float32 or float64, got int32$/],
    [() => nn.init.calculateGain("swish"), /^calculateGain: nonlinearity must be one of .* got "swish"$/],
    [() => nn.init.calculateFanInAndFanOut(fake), /^calculateFanInAndFanOut: expected a Tensor/],
  ])("%#", (f, msg) => {
    expect(f).toThrow(wg.WasmgradError);
    expect(f).toThrow(msg);
  });
  test("valid arguments still work, and zero-element weights are a no-op to initialise", () => {
    expect(new nn.Linear(0, 3).weight.shape).toEqual([3, 0]);
    expect(new nn.MaxPool2d([2, 3], 1).stride).toBe(1);
    expect(new nn.LayerNorm(4).normalizedShape).toEqual([4]);
    expect(new nn.BatchNorm1d(2, { momentum: null }).momentum).toBeNull();
    const w = wg.zeros([0, 3]);
    expect(nn.init.kaimingUniform_(w)).toBe(w);
  });
});
