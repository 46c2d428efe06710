// Recurrent modules, cells and packed sequences against PyTorch 1.13
// (test/fixtures/nn/rnn.json from test/fixtures/make_layers.py).

import { test, expect, describe } from "vitest";
import * as wg from "../../src/index.js";
import { fixture, runCase, close, makeTensor, type ModuleCase, type TensorRec } from "./layers.golden";

const { nn } = wg;
const R = wg.nn.utils.rnn;
type T = wg.Tensor;
type Packed = InstanceType<typeof R.PackedSequence>;

interface PackRec {
  name: string; x: TensorRec; lengths: number[] | TensorRec; batchFirst: boolean; enforceSorted: boolean;
  data: TensorRec; batchSizes: TensorRec; sortedIndices: TensorRec | null; unsortedIndices: TensorRec | null;
  padded: TensorRec; lens: TensorRec; padded7: TensorRec;
}
const fx = fixture<{ modules: ModuleCase[]; packing: { sequences: TensorRec[]; padSequence: TensorRec; "padSequence batchFirst -1": TensorRec; packs: PackRec[] } }>("rnn.json");

type AnyRNN = wg.nn.RNN | wg.nn.GRU | wg.nn.LSTM;
function rnnOuts(m: wg.nn.Module, [x, ...h]: (T | Packed)[]): (T | Packed)[] {
  if (m instanceof nn.LSTM) {
    const [out, [hn, cn]] = m.forward(x, h.length ? [h[0] as T, h[1] as T] : undefined);
    return [out, hn, cn];
  }
  const [out, hn] = (m as wg.nn.RNN).forward(x, h.length ? h[0] as T : undefined);
  return [out, hn];
}
const tensorsOnly = (m: wg.nn.Module, xs: T[]): T[] => rnnOuts(m, xs) as T[];
function cellOuts(m: wg.nn.Module, [x, ...h]: T[]): T[] {
  if (m instanceof nn.LSTMCell) return m.forward(x, h.length ? [h[0], h[1]] : undefined);
  return [(m as wg.nn.GRUCell).forward(x, h[0])];
}
function packed(m: wg.nn.Module, [x, ...h]: T[]): T[] {
  const p = R.packPaddedSequence(x, [2, 5, 4], { enforceSorted: false });
  const [o, ...rest] = rnnOuts(m, [p, ...h]);
  const po = o as Packed;
  expect(po).toBeInstanceOf(R.PackedSequence);
  expect(po.batchSizes.toArray()).toEqual([3, 3, 2, 2, 1]);
  const [padded] = R.padPackedSequence(po);
  return [po.data, ...(rest as T[]), padded];
}

const build: Record<string, [() => wg.nn.Module, (m: wg.nn.Module, xs: T[]) => T[]]> = {
  "RNN": [() => new nn.RNN(3, 4), tensorsOnly],
  "RNN relu 2 layers h0": [() => new nn.RNN(3, 4, 2, { nonlinearity: "relu" }), tensorsOnly],
  "RNN bidirectional batchFirst": [() => new nn.RNN(3, 4, { batchFirst: true, bidirectional: true }), tensorsOnly],
  "RNN unbatched": [() => new nn.RNN(3, 4), tensorsOnly],
  "GRU 2 layers": [() => new nn.GRU(3, 4, { numLayers: 2 }), tensorsOnly],
  "GRU bidirectional nobias h0": [() => new nn.GRU(3, 4, { bidirectional: true, bias: false }), tensorsOnly],
  "LSTM": [() => new nn.LSTM(3, 4), tensorsOnly],
  "LSTM 2 layers bidirectional batchFirst h0 c0": [() => new nn.LSTM(3, 4, 2, { batchFirst: true, bidirectional: true }), tensorsOnly],
  "LSTM dropout": [() => new nn.LSTM(3, 4, 2, { dropout: 0.5 }), tensorsOnly],
  "RNNCell": [() => new nn.RNNCell(3, 4), cellOuts],
  "RNNCell relu nobias hx": [() => new nn.RNNCell(3, 4, { bias: false, nonlinearity: "relu" }), cellOuts],
  "GRUCell hx": [() => new nn.GRUCell(3, 4), cellOuts],
  "LSTMCell": [() => new nn.LSTMCell(3, 4), cellOuts],
  "LSTMCell hx cx": [() => new nn.LSTMCell(3, 4), cellOuts],
  "GRUCell unbatched": [() => new nn.GRUCell(3, 4), cellOuts],
  "RNN packed": [() => new nn.RNN(3, 4), packed],
  "RNN packed bidirectional 2 layers h0": [() => new nn.RNN(3, 4, 2, { bidirectional: true }), packed],
  "GRU packed bidirectional": [() => new nn.GRU(3, 4, { bidirectional: true }), packed],
  "LSTM packed 2 layers bidirectional h0 c0": [() => new nn.LSTM(3, 4, 2, { bidirectional: true }), packed],
};

// float32 over 5 steps and 2 layers: matmul then add rounds differently from torch's addmm (a few ulp)
// The gates' float32 sigmoid and tanh are within 1-2 ulp of the float64 values (as torch's are, by
// other roundings); through a bidirectional GRU's backward that came to 1.67e-6 on a gradient of
// 0.66, hence rtol 2e-6 for gradients.
const TOL = { out: { atol: 5e-7, rtol: 1e-6 }, grad: { atol: 1e-6, rtol: 2e-6 } };

describe("recurrent modules vs torch 1.13", () => {
  test("every fixture case has a builder", () => {
    expect(fx.modules.map((c) => c.name).sort()).toEqual(Object.keys(build).sort());
  });
  for (const c of fx.modules) {
    test(c.name, () => {
      const [make, call] = build[c.name];
      runCase(c, make, call, TOL);
    });
  }
});

describe("packing vs torch 1.13", () => {
  const exact = { atol: 0, rtol: 0 };
  test("padSequence", () => {
    const seqs = fx.packing.sequences.map((r) => makeTensor(r));
    close(R.padSequence(seqs), fx.packing.padSequence, exact, "padSequence");
    close(R.padSequence(seqs, { batchFirst: true, paddingValue: -1 }), fx.packing["padSequence batchFirst -1"], exact, "batchFirst");
    close(R.padSequence(seqs, true, -1), fx.packing["padSequence batchFirst -1"], exact, "positional");
  });
  for (const p of fx.packing.packs) {
    test(`packPaddedSequence / padPackedSequence ${p.name}`, () => {
      const x = makeTensor(p.x);
      const lengths = Array.isArray(p.lengths) ? p.lengths : makeTensor(p.lengths);
      const pk = R.packPaddedSequence(x, lengths, { batchFirst: p.batchFirst, enforceSorted: p.enforceSorted });
      close(pk.data, p.data, exact, "data");
      close(pk.batchSizes, p.batchSizes, exact, "batchSizes");
      if (p.sortedIndices === null) expect(pk.sortedIndices).toBeNull();
      else close(pk.sortedIndices!, p.sortedIndices, exact, "sortedIndices");
      if (p.unsortedIndices === null) expect(pk.unsortedIndices).toBeNull();
      else close(pk.unsortedIndices!, p.unsortedIndices, exact, "unsortedIndices");
      const [padded, lens] = R.padPackedSequence(pk, { batchFirst: p.batchFirst });
      close(padded, p.padded, exact, "padded");
      close(lens, p.lens, exact, "lengths");
      const [padded7] = R.padPackedSequence(pk, { batchFirst: p.batchFirst, paddingValue: 7, totalLength: 6 });
      close(padded7, p.padded7, exact, "padded7");
    });
  }
  test("a PackedSequence unpacks as torch's namedtuple", () => {
    const pk = R.packSequence([wg.ones([3, 2]), wg.ones([1, 2])]);
    const [data, batchSizes, sortedIndices] = pk;
    expect(data!.shape).toEqual([4, 2]);
    expect(batchSizes!.toArray()).toEqual([2, 1, 1]);
    expect(sortedIndices).toBeNull();
  });
});

test("packing errors", () => {
  const x = wg.zeros([4, 3, 2]);
  expect(() => R.packPaddedSequence(x, [1, 3, 2])).toThrow(/^packPaddedSequence: `lengths` array must be sorted in decreasing order/);
  expect(() => R.packPaddedSequence(x, [3, 2])).toThrow(/^packPaddedSequence: Expected `len\(lengths\)` to be equal to batch_size, but got 2 \(batch_size=3\)/);
  expect(() => R.packPaddedSequence(x, [3, 2, 0])).toThrow(/^packPaddedSequence: Length of all samples has to be greater than 0/);
  const pk = R.packPaddedSequence(x, [4, 2, 1]);
  expect(() => R.padPackedSequence(pk, { totalLength: 3 })).toThrow(/^padPackedSequence: Expected total_length to be at least the length of the longest sequence in input, but got total_length=3 and max sequence length being 4/);
});

test("recurrent errors", () => {
  expect(() => new nn.LSTM(3, 4).forward(wg.zeros([5, 2, 2]))).toThrow(/^LSTM: input.size\(-1\) must be equal to input_size. Expected 3, got 2/);
  expect(() => new nn.GRU(3, 4, 2).forward(wg.zeros([5, 2, 3]), wg.zeros([1, 2, 4]))).toThrow(/^GRU: Expected hidden size \[2, 2, 4\], got \[1, 2, 4\]/);
  expect(() => new nn.RNN(3, 4, { nonlinearity: "gelu" as "relu" })).toThrow(/^RNN: Unknown nonlinearity 'gelu'/);
  expect(() => new nn.LSTMCell(3, 4).forward(wg.zeros([2, 5]))).toThrow(/^LSTMCell: input has inconsistent input_size: got 5 expected 3/);
});

test("stateDict keys of a 2-layer bidirectional LSTM are torch's", () => {
  const keys = Object.keys(new nn.LSTM(3, 4, 2, { bidirectional: true }).stateDict());
  const want: string[] = [];
  for (const l of [0, 1]) for (const s of ["", "_reverse"]) for (const n of ["weight_ih", "weight_hh", "bias_ih", "bias_hh"]) want.push(`${n}_l${l}${s}`);
  expect(keys).toEqual(want);
});

test("an LSTM gives grads of grads (createGraph)", () => {
  wg.manualSeed(5);
  const m: AnyRNN = new nn.LSTM(2, 3);
  const x = wg.randn([4, 1, 2], { requiresGrad: true });
  const [out] = m.forward(x);
  const [g] = wg.autograd.grad([out.sum()], [x], { createGraph: true }) as T[];
  const [gg] = wg.autograd.grad([g.square().sum()], [x]) as T[];
  expect(gg.shape).toEqual([4, 1, 2]);
  expect(gg.abs().sum().item()).toBeGreaterThan(0);
});

test("recurrent modules check their arguments at once", () => {
  const { nn } = wg;
  const t0 = performance.now();
  expect(() => new nn.GRU(0, 3, 1e300)).toThrow(/^GRU: numLayers must be an integer in \[1, 1024\], got 1e\+300$/);
  expect(performance.now() - t0).toBeLessThan(1000);
  expect(() => new nn.LSTM(2, 3, { numLayers: 2 ** 31 })).toThrow(/^LSTM: numLayers must be an integer in \[1, 1024\]/);
  expect(() => new nn.RNN(2, 3, wg.ones([1]) as never)).toThrow(/^RNN: options must be an object/);
  expect(() => new nn.RNN(2, 3, { nonlinearity: Symbol() as never })).toThrow(/^RNN: Unknown nonlinearity symbol\. Select/);
  expect(() => new nn.GRU(2, 3, { dropout: 2 })).toThrow(/^GRU: dropout has to be between 0 and 1, but got 2$/);
  expect(() => new nn.GRU(2, 3, { bidirectional: "yes" as never })).toThrow(/^GRU: bidirectional must be a boolean/);
  expect(() => new nn.LSTM(2, 2 ** 30)).toThrow(/^LSTM: shape \[4294967296, 1073741824\]/);
  expect(() => new nn.GRUCell(2, 3, null as never)).toThrow(/^GRUCell: options must be an object/);
  expect(() => new nn.LSTMCell(2, 3, { dtype: "bool" as never })).toThrow(/^LSTMCell: dtype must be one of/);
  expect(() => new nn.utils.rnn.PackedSequence(1 as never, wg.ones([1]))).toThrow(/^PackedSequence: expected a Tensor as data, got 1$/);
  expect(() => new nn.utils.rnn.PackedSequence(wg.ones([1, 2]), wg.ones([1]))).toThrow(/^PackedSequence: batchSizes must be a 1-D int32 tensor/);
  expect(() => nn.utils.rnn.packSequence(3 as never)).toThrow(/^packSequence: sequences must be an array or an iterable, got 3$/);
  expect(() => nn.utils.rnn.packSequence([wg.ones([2]), wg.ones([])])).toThrow(/^packSequence: sequence 1 must have at least 1 dim/);
  expect(() => nn.utils.rnn.padSequence([wg.ones([2]), wg.ones([3], { dtype: "int32" })])).toThrow(/^padSequence: every sequence must have the dtype of the first/);
  expect(() => nn.utils.rnn.packPaddedSequence(wg.ones([3, 0]), [])).toThrow(/^packPaddedSequence: cannot pack an empty batch/);
  expect(new nn.GRU(2, 3, 2).numLayers).toBe(2);
});
