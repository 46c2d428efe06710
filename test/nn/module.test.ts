// Module registration, names and state dicts against PyTorch 1.13 (test/fixtures/nn/modules.json).

import { test, expect } from "vitest";
import * as wg from "../../src/index.js";
import { fixture } from "./util";

const { nn } = wg;

interface ModelRec { name: string; namedParameters: [string, number[]][]; stateDict: [string, number[]][]; namedBuffers: string[]; namedModules: string[]; namedChildren: string[] }
const models = fixture<ModelRec[]>("modules.json");

class Norm extends nn.Module {
  weight: wg.nn.Parameter;
  declare running_mean: wg.Tensor;
  bias: wg.nn.Parameter;
  constructor(n: number) {
    super();
    this.weight = new nn.Parameter(wg.ones(n));
    this.registerBuffer("running_mean", wg.zeros(n));
    this.registerBuffer("scratch", wg.zeros(n), { persistent: false });
    this.bias = new nn.Parameter(wg.zeros(n));
  }
}

// class fields (defined, not assigned) register in order too
class Net extends nn.Module {
  fc1 = new nn.Linear(2, 3);
  scale = new nn.Parameter(wg.ones(1));
  bn = new Norm(3);
  blocks = new nn.ModuleList([new nn.Linear(3, 3), new nn.ReLU(), new nn.Linear(3, 3, { bias: false })]);
  head = new nn.Sequential(new nn.Linear(3, 4), new nn.Tanh(), new nn.Linear(4, 1));
  shared = this.fc1;
  forward(x: wg.Tensor): wg.Tensor { return this.head.forward(this.fc1.forward(x)) as wg.Tensor; }
}

const build: Record<string, () => wg.nn.Module> = {
  Sequential: () => new nn.Sequential(new nn.Linear(3, 4), new nn.ReLU(), new nn.Linear(4, 2)),
  Net: () => new Net(),
  "CrossEntropyLoss weight": () => new nn.CrossEntropyLoss({ weight: wg.ones(3) }),
  "BCEWithLogitsLoss posWeight": () => new nn.BCEWithLogitsLoss({ posWeight: wg.ones(3) }),
};

for (const rec of models) {
  test(`names as torch: ${rec.name}`, () => {
    const m = build[rec.name]();
    expect(m.namedParameters().map(([k, p]) => [k, p.shape])).toEqual(rec.namedParameters);
    expect(Object.entries(m.stateDict()).map(([k, t]) => [k, t.shape])).toEqual(rec.stateDict);
    expect(m.namedBuffers().map(([k]) => k)).toEqual(rec.namedBuffers);
    expect(m.namedModules().map(([k]) => k)).toEqual(rec.namedModules);
    expect(m.namedChildren().map(([k]) => k)).toEqual(rec.namedChildren);
    expect(m.parameters().length).toBe(rec.namedParameters.length);
    expect(m.children().length).toBe(rec.namedChildren.length);
    expect(m.modules().length).toBe(rec.namedModules.length);
  });
}

test("assignment in the constructor registers in assignment order; reassigning keeps the place", () => {
  class M extends nn.Module {
    declare b: wg.nn.Parameter; declare a: wg.nn.Linear; declare c: wg.nn.Parameter | null;
    constructor() {
      super();
      this.b = new nn.Parameter(wg.zeros(2));
      this.a = new nn.Linear(1, 1);
      this.c = new nn.Parameter(wg.zeros(1));
      this.b = new nn.Parameter(wg.ones(2));
    }
  }
  const m = new M();
  expect(m.namedParameters().map(([k]) => k)).toEqual(["b", "c", "a.weight", "a.bias"]);
  expect(m.b.toArray()).toEqual([1, 1]);
  m.c = null;
  expect(Object.keys(m.stateDict())).toEqual(["b", "a.weight", "a.bias"]);
  delete (m as { a?: unknown }).a;
  expect(m.namedChildren()).toEqual([]);
});

test("wrong kinds of values for registered names throw as torch", () => {
  const m = new nn.Linear(2, 2);
  expect(() => { (m as unknown as { weight: unknown }).weight = wg.zeros(2, 2); }).toThrow(/^Linear: cannot assign Tensor \(float32\) as parameter 'weight' \(nn.Parameter or null expected\)/);
  const s = new nn.Sequential(new nn.ReLU());
  expect(() => { (s as unknown as Record<string, unknown>)["0"] = 3; }).toThrow(/cannot assign number as child module '0'/);
  expect(() => m.registerParameter("a.b", null)).toThrow(/^registerParameter: parameter name can't contain "."/);
  expect(() => m.registerBuffer("weight", wg.zeros(1))).toThrow(/^registerBuffer: attribute 'weight' already exists/);
});

test("Parameter shares storage, is a leaf that requires grad", () => {
  const t = wg.tensor([1, 2, 3]);
  const p = new nn.Parameter(t);
  expect(p).toBeInstanceOf(wg.Tensor);
  expect(p.requiresGrad).toBe(true);
  expect(p.isLeaf).toBe(true);
  wg.noGrad(() => p.mul_(2));
  expect(t.toArray()).toEqual([2, 4, 6]);
  expect(new nn.Parameter(t, false).requiresGrad).toBe(false);
  expect(p.toString()).toMatch(/^Parameter containing:\ntensor\(\[2\., 4\., 6\.\], requires_grad=True\)/);
});

test("train/eval propagate; apply visits children first", () => {
  const m = new Net();
  m.eval();
  expect(m.modules().every((x) => !x.training)).toBe(true);
  m.train();
  expect(m.modules().every((x) => x.training)).toBe(true);
  const seen: string[] = [];
  new nn.Sequential(new nn.ReLU(), new nn.Sequential(new nn.Tanh())).apply((x) => seen.push(x.constructor.name));
  expect(seen).toEqual(["ReLU", "Tanh", "Sequential", "Sequential"]);
});

test("zeroGrad: to null by default, to zeros with setToNone: false", () => {
  const m = new nn.Linear(3, 2);
  m.forward(wg.ones(4, 3)).sum().backward();
  expect(m.weight.grad).not.toBeNull();
  m.zeroGrad({ setToNone: false });
  expect(m.weight.grad!.toArray()).toEqual([[0, 0, 0], [0, 0, 0]]);
  m.zeroGrad();
  expect(m.weight.grad).toBeNull();
  expect(m.bias!.grad).toBeNull();
});

test("stateDict is detached and shares storage; loadStateDict copies values", () => {
  const a = new Net(), b = new Net();
  const sd = a.stateDict();
  expect(sd["fc1.weight"].requiresGrad).toBe(false);
  wg.noGrad(() => sd["bn.running_mean"].fill_(5));
  expect(a.bn.running_mean.toArray()).toEqual([5, 5, 5]);
  const r = b.loadStateDict(sd);
  expect(r).toEqual({ missingKeys: [], unexpectedKeys: [] });
  for (const [k, t] of Object.entries(b.stateDict())) expect(t.toArray()).toEqual(sd[k].toArray());
  expect(b.fc1.weight.requiresGrad).toBe(true);
});

test("loadStateDict reports missing, unexpected and size mismatches like torch, and changes nothing on error", () => {
  const m = new nn.Sequential(new nn.Linear(2, 3));
  const before = m.at(0).stateDict()["weight"].toArray();
  const sd = { "0.weight": wg.zeros(3, 2), "0.extra": wg.zeros(1), foo: wg.zeros(1) };
  expect(() => m.loadStateDict(sd)).toThrow(
    'loadStateDict: Error(s) in loading state_dict for Sequential:\n\tMissing key(s) in state_dict: "0.bias". \n\tUnexpected key(s) in state_dict: "foo", "0.extra". ');
  expect(m.stateDict()["0.weight"].toArray()).toEqual(before);
  expect(m.loadStateDict(sd, { strict: false })).toEqual({ missingKeys: ["0.bias"], unexpectedKeys: ["foo", "0.extra"] });
  expect(m.stateDict()["0.weight"].toArray()).toEqual([[0, 0], [0, 0], [0, 0]]);
  expect(() => m.loadStateDict({ "0.weight": wg.zeros(2, 2), "0.bias": wg.zeros(3) }, { strict: false })).toThrow(
    /size mismatch for 0.weight: copying a param with shape \[2, 2\] from checkpoint, the shape in current model is \[3, 2\]\./);
});

test("Sequential and ModuleList: indexing, iteration, append", () => {
  const s = new nn.Sequential(new nn.Linear(2, 2), new nn.ReLU());
  expect(s.length).toBe(2);
  expect(s.at(-1)).toBeInstanceOf(nn.ReLU);
  s.append(new nn.Tanh());
  expect([...s].map((x) => x.constructor.name)).toEqual(["Linear", "ReLU", "Tanh"]);
  const l = new nn.ModuleList([new nn.Linear(1, 1)]);
  l.append(new nn.Linear(1, 2)).extend([new nn.ReLU()]);
  expect(l.namedParameters().map(([k]) => k)).toEqual(["0.weight", "0.bias", "1.weight", "1.bias"]);
  expect(() => l.at(3)).toThrow(/^ModuleList: index 3 is out of range/);
  const named = new nn.Sequential({ enc: new nn.Linear(2, 2), act: new nn.ReLU() });
  expect(Object.keys(named.stateDict())).toEqual(["enc.weight", "enc.bias"]);
  expect(String(new nn.Sequential(new nn.Linear(2, 3)))).toBe("Sequential(\n  (0): Linear(in_features=2, out_features=3, bias=True)\n)");
});

test("Linear: shapes, forward = x W^T + b, init bound 1/sqrt(in)", () => {
  const l = new nn.Linear(16, 8);
  for (const v of l.weight.toFloat32Array()) expect(Math.abs(v)).toBeLessThanOrEqual(0.25);
  for (const v of l.bias!.toFloat32Array()) expect(Math.abs(v)).toBeLessThanOrEqual(0.25);
  const x = wg.randn(5, 16);
  const y = l.forward(x);
  expect(y.shape).toEqual([5, 8]);
  const ref = x.matmul(l.weight.t()).add(l.bias!);
  expect(y.toArray()).toEqual(ref.toArray());
  expect(new nn.Linear(3, 2, { bias: false }).namedParameters().map(([k]) => k)).toEqual(["weight"]);
});

test("requiresGrad_ freezes and unfreezes every parameter", () => {
  const m = new nn.Sequential(new nn.Linear(2, 2), new nn.Linear(2, 1));
  m.requiresGrad_(false);
  expect(m.parameters().every((p) => !p.requiresGrad)).toBe(true);
  m.at(1).requiresGrad_();
  expect(m.parameters().map((p) => p.requiresGrad)).toEqual([false, false, true, true]);
});

test("a setter defined by a subclass runs when assigned; Object.assign registers", () => {
  class M extends nn.Module {
    log: string[] = [];
    set width(v: number) { this.log.push(`width=${v}`); }
  }
  const m = new M();
  m.width = 3;
  expect(m.log).toEqual(["width=3"]);
  Object.assign(m, { fc: new nn.Linear(1, 1) });
  expect(m.namedParameters().map(([k]) => k)).toEqual(["fc.weight", "fc.bias"]);
});

test("Module methods check their options and callbacks", () => {
  const m = new wg.nn.Linear(2, 3);
  expect(() => m.namedParameters(null as never)).toThrow(/^namedParameters: options must be an object/);
  expect(() => m.namedBuffers({ prefix: 5 as never })).toThrow(/^namedBuffers: prefix must be a string, got number$/);
  expect(() => m.parameters({ recurse: "no" as never })).toThrow(/^namedParameters: recurse must be a boolean/);
  expect(() => m.stateDict(wg.ones([1]) as never)).toThrow(/^stateDict: options must be an object/);
  expect(() => m.loadStateDict("abc" as never)).toThrow(/^loadStateDict: expected a state dict/);
  expect(() => m.loadStateDict(m.stateDict(), { strict: 1 as never })).toThrow(/^loadStateDict: strict must be a boolean/);
  expect(() => m.apply(3 as never)).toThrow(/^apply: fn must be a function, got 3$/);
  expect(() => m.requiresGrad_("x" as never)).toThrow(/^requiresGrad_: requiresGrad must be a boolean/);
  expect(() => m.zeroGrad(null as never)).toThrow(/^zeroGrad: options must be an object/);
  expect(() => m.registerBuffer("b", null, null as never)).toThrow(/^registerBuffer: options must be an object/);
  expect(m.parameters().length).toBe(2);
});
