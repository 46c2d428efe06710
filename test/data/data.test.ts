// Datasets, default_collate and DataLoader against PyTorch 1.13 (test/fixtures/nn/collate.json,
// seeded.json).

import { test, expect } from "vitest";
import * as wg from "../../src/index.js";
import { fixture, makeTensor, needing, torchGenerator, type TensorRec } from "../nn/util";

const { data } = wg;

type Enc = number | boolean | string | { tensor: TensorRec } | { dict: Record<string, Enc> } | Enc[];
const decode = (v: Enc): unknown => {
  if (Array.isArray(v)) return v.map(decode);
  if (v !== null && typeof v === "object") {
    if ("tensor" in v) return makeTensor(v.tensor);
    return Object.fromEntries(Object.entries(v.dict).map(([k, x]) => [k, decode(x)]));
  }
  return v;
};

function expectSame(actual: unknown, expected: Enc, path = "batch"): void {
  if (Array.isArray(expected)) {
    expect(Array.isArray(actual), path).toBe(true);
    expect((actual as unknown[]).length, path).toBe(expected.length);
    expected.forEach((e, i) => expectSame((actual as unknown[])[i], e, `${path}[${i}]`));
  } else if (expected !== null && typeof expected === "object" && "tensor" in expected) {
    const t = actual as wg.Tensor;
    expect(t, path).toBeInstanceOf(wg.Tensor);
    expect(t.shape, path).toEqual(expected.tensor.shape);
    expect(t.dtype, path).toBe(expected.tensor.dtype);
    const vals = Array.from(t.dataSync(), Number);
    expected.tensor.values.forEach((v, i) => expect(vals[i], `${path} value ${i}`).toBeCloseTo(Number(v), 6));
  } else if (expected !== null && typeof expected === "object") {
    expect(Object.keys(actual as object), path).toEqual(Object.keys(expected.dict));
    for (const [k, e] of Object.entries(expected.dict)) expectSame((actual as Record<string, unknown>)[k], e, `${path}.${k}`);
  } else {
    expect(actual, path).toEqual(expected);
  }
}

interface CollateCase { name: string; batch: Enc; out: Enc }
const collates = fixture<CollateCase[]>("collate.json");
const stackNeeds = needing(["stack"]);
for (const c of collates) {
  const usesTensors = JSON.stringify(c.batch).includes('"tensor"');
  const ok = !usesTensors || stackNeeds.run;
  (ok ? test : test.todo)(`defaultCollate: ${c.name}${usesTensors ? stackNeeds.why : ""}`, () => {
    expectSame(data.defaultCollate(decode(c.batch) as unknown[]), c.out);
  });
}

test("defaultCollate refuses ragged lists and unknown values", () => {
  expect(() => data.defaultCollate([[1, 2], [3]])).toThrow(/^defaultCollate: each element in list of batch should be of equal size/);
  expect(() => data.defaultCollate([new Date()])).toThrow(/^defaultCollate: batch must contain tensors, numbers/);
});

class Squares extends data.Dataset<[number, number]> {
  constructor(private n: number) { super(); }
  getItem(i: number): [number, number] { return [i, i * i + 0.5]; }
  len(): number { return this.n; }
}

test("DataLoader: batches in order, the last one short unless dropLast; length", () => {
  const dl = new data.DataLoader(new Squares(7), { batchSize: 3 });
  expect(dl.length).toBe(3);
  const batches = [...dl] as [wg.Tensor, wg.Tensor][];
  expect(batches.map(([i]) => i.toArray())).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
  expect(batches[0][0].dtype).toBe("int32");
  expect(batches[0][1].dtype).toBe("float32");
  expect(batches[2][1].toArray()).toEqual([36.5]);
  const dropped = new data.DataLoader(new Squares(7), { batchSize: 3, dropLast: true });
  expect(dropped.length).toBe(2);
  expect([...dropped].length).toBe(2);
  const custom = new data.DataLoader(new Squares(4), { batchSize: 2, collateFn: (s) => s.map(([i]) => i) });
  expect([...custom]).toEqual([[0, 1], [2, 3]]);
  expect(() => new data.DataLoader(new Squares(4), { batchSize: 0 })).toThrow(/^DataLoader: batchSize should be a positive integer value/);
});

const tdNeeds = needing(["t.select", "stack"]);
(tdNeeds.run ? test : test.todo)(`TensorDataset + DataLoader give stacked rows${tdNeeds.why}`, () => {
  const x = wg.arange(12).reshape(6, 2), y = wg.arange(6);
  const ds = new data.TensorDataset(x, y);
  expect(ds.len()).toBe(6);
  expect(ds.getItem(1).map((t) => t.toArray())).toEqual([[2, 3], 1]);
  const [xb, yb] = [...new data.DataLoader(ds, { batchSize: 4 })][0] as wg.Tensor[];
  expect(xb.toArray()).toEqual([[0, 1], [2, 3], [4, 5], [6, 7]]);
  expect(yb.toArray()).toEqual([0, 1, 2, 3]);
  expect(() => new data.TensorDataset(wg.zeros(3), wg.zeros(4))).toThrow(/^TensorDataset: Size mismatch between tensors/);
});

interface LoaderRec { shuffle: boolean; generatorSeed: number | null; seed: number; epochs: number[][][]; randAfter: number[] }
const seeded = fixture<{ loaders: LoaderRec[] }>("seeded.json");
const gen = torchGenerator();
for (const L of seeded.loaders) {
  const n = needing(["randperm", "Generator", "t.select", "stack"], gen ? [] : ["PyTorch's generator"]);
  (n.run ? test : test.todo)(`DataLoader order and draws as torch: shuffle=${L.shuffle} generator=${L.generatorSeed}${n.why}`, () => {
    wg.manualSeed(L.seed);
    const G = (wg as unknown as { Generator: new () => { manualSeed(s: number): unknown } }).Generator;
    const g = L.generatorSeed === null ? undefined : new G().manualSeed(L.generatorSeed);
    const dl = new data.DataLoader(new data.TensorDataset(wg.arange(10, undefined, 1, { dtype: "int32" })), { batchSize: 3, shuffle: L.shuffle, generator: g });
    const epochs = [0, 1].map(() => [...dl].map((b) => (b as wg.Tensor[])[0].toArray()));
    expect(epochs).toEqual(L.epochs);
    expect(Array.from(wg.rand(2).toFloat32Array())).toEqual(L.randAfter.map(Math.fround));
  });
}

test("datasets, loaders and collation check their arguments", () => {
  const { data } = wg;
  const cyclic: unknown[] = [];
  cyclic.push(cyclic, cyclic);
  const cases: [() => unknown, RegExp][] = [
    [() => data.defaultCollate(cyclic), /^defaultCollate: samples nested deeper than 32 levels \(or containing themselves\)$/],
    [() => data.defaultCollate([wg.ones([2]), wg.ones([3])]), /^defaultCollate: stack: /],
    [() => data.defaultCollate([true, 1]), /^defaultCollate: a batch mixes booleans and other values$/],
    [() => data.defaultCollate([{ a: 1 }, 5]), /^defaultCollate: a batch mixes objects and other values$/],
    [() => new data.TensorDataset(Object.create(wg.Tensor.prototype)), /^TensorDataset: expected a Tensor/],
    [() => new data.TensorDataset(wg.ones([2])).getItem(Symbol() as never), /^TensorDataset: index symbol is out of range/],
    [() => new data.DataLoader(new data.TensorDataset(wg.ones([2])), 5 as never), /^DataLoader: options must be an object/],
    [() => new data.DataLoader(new data.TensorDataset(wg.ones([2])), { shuffle: 1 as never }), /^DataLoader: shuffle must be a boolean, got 1$/],
    [() => new data.DataLoader(new data.TensorDataset(wg.ones([2])), { collateFn: {} as never }), /^DataLoader: collateFn must be a function/],
    [() => new data.DataLoader(new data.TensorDataset(wg.ones([2])), { generator: {} as never }), /^DataLoader: generator must be a Generator/],
    [() => new data.DataLoader({ getItem: () => 1, len: () => -1 }).length, /^DataLoader: dataset.len\(\) must be a non-negative integer, got -1$/],
  ];
  for (const [f, msg] of cases) {
    expect(f).toThrow(wg.WasmgradError);
    expect(f).toThrow(msg);
  }
});
