// Multi-layer, optionally bidirectional recurrent layers (torch.nn.RNN, GRU, LSTM) over padded
// [T, B, I] input or a PackedSequence, with torch's parameter names and registration order
// (weight_ih_l{k}{_reverse}, weight_hh_..., bias_ih_..., bias_hh_...) and initialisation.

import { Tensor } from "../tensor.js";
import { empty, zeros } from "../ops/creation.js";
import { cat, stack } from "../ops/indexing.js";
import { DTypeError, ShapeError, WasmgradError, formatShape } from "../errors.js";
import { show as describe, floatIn } from "./show.js";
import { Module, Parameter } from "./module.js";
import { uniform_ } from "./init.js";
import { linear, dropout as dropoutF } from "./functional.js";
import { PackedSequence, batchSizesOf } from "./packing.js";
import { type Kind, gateCount, step, kindOf } from "./rnnCells.js";
import { checkShape } from "../shape.js";
import { boolArg, floatDtypeArg, intArg, named, optsArg, probArg, sizeArg } from "../validate.js";

/** Most layers a recurrent module may stack (each is separate parameters and steps). */
const MAX_LAYERS = 1024;

export interface RNNOptions {
  numLayers?: number; bias?: boolean; batchFirst?: boolean; dropout?: number; bidirectional?: boolean;
  dtype?: "float32" | "float64";
}

/**
 * One direction of one layer. gi is the input projection, [T, B, G] (padded) or [sum(len), G]
 * (packed, with batch sizes bs). Returns the outputs in gi's layout and the final state, [B, H]
 * each; packed sequences that end early keep the state of their last step, as torch.
 */
function runDirection(kind: Kind, gi: Tensor, bs: number[] | null, h0: Tensor[], whh: Tensor, bhh: Tensor | null,
  reverse: boolean): { out: Tensor; final: Tensor[] } {
  const T = bs ? bs.length : gi._shape[0];
  const B = h0[0]._shape[0];
  const offs: number[] = [];
  if (bs) { let o = 0; for (const b of bs) { offs.push(o); o += b; } }
  const input = (t: number): Tensor => (bs ? gi.narrow(0, offs[t], bs[t]) : gi.select(0, t));
  const size = (t: number): number => (bs ? bs[t] : B);
  const outs: Tensor[] = new Array<Tensor>(T);
  let st = h0;
  if (!reverse) {
    const done: Tensor[][] = [];
    for (let t = 0; t < T; t++) {
      const b = size(t), rows = st[0]._shape[0];
      if (b < rows) {
        done.push(st.map((s) => s.narrow(0, b, rows - b)));
        st = st.map((s) => s.narrow(0, 0, b));
      }
      st = step(kind, input(t), st, whh, bhh);
      outs[t] = st[0];
    }
    // rows that stopped later sit before rows that stopped earlier
    const final = done.length === 0 ? st : st.map((s, k) => cat([s, ...done.map((d) => d[k]).reverse()], 0));
    return { out: bs ? cat(outs, 0) : stack(outs, 0), final };
  }
  if (T > 0 && size(T - 1) < B) st = st.map((s) => s.narrow(0, 0, size(T - 1)));
  for (let t = T - 1; t >= 0; t--) {
    const b = size(t), rows = st[0]._shape[0];
    if (b > rows) st = st.map((s, k) => cat([s, h0[k].narrow(0, rows, b - rows)], 0));
    st = step(kind, input(t), st, whh, bhh);
    outs[t] = st[0];
  }
  return { out: bs ? cat(outs, 0) : stack(outs, 0), final: st };
}

/** torch's RNNBase: the parameters, their order and names, and the layer loop. */
abstract class RNNBase extends Module {
  mode: Kind;
  inputSize: number;
  hiddenSize: number;
  numLayers: number;
  bias: boolean;
  batchFirst: boolean;
  dropout: number;
  bidirectional: boolean;

  constructor(op: string, mode: Kind, inputSize: number, hiddenSize: number, numLayersOrOpts: number | RNNOptions | undefined, rest: RNNOptions) {
    super();
    const opts = rnnOpts(numLayersOrOpts, rest, op);
    this.mode = mode;
    this.inputSize = sizeArg(inputSize, "inputSize", op, 0);
    this.hiddenSize = sizeArg(hiddenSize, "hiddenSize", op, 1);
    this.numLayers = intArg(opts.numLayers ?? 1, "numLayers", op, 1, MAX_LAYERS);
    this.bias = boolArg(opts.bias ?? true, "bias", op);
    this.batchFirst = boolArg(opts.batchFirst ?? false, "batchFirst", op);
    this.bidirectional = boolArg(opts.bidirectional ?? false, "bidirectional", op);
    this.dropout = probArg(opts.dropout ?? 0, "dropout", op);
    const G = gateCount(mode) * hiddenSize, D = this.bidirectional ? 2 : 1, dtype = floatDtypeArg(opts.dtype, op);
    checkShape([G, Math.max(inputSize, hiddenSize * D)], op);
    named(op, () => this.makeParameters(G, D, dtype));
  }

  private makeParameters(G: number, D: number, dtype: "float32" | "float64"): void {
    const { inputSize, hiddenSize } = this;
    for (let l = 0; l < this.numLayers; l++) {
      for (let d = 0; d < D; d++) {
        const inSize = l === 0 ? inputSize : hiddenSize * D;
        const sfx = `_l${l}${d === 1 ? "_reverse" : ""}`;
        this.registerParameter(`weight_ih${sfx}`, new Parameter(empty([G, inSize], { dtype })));
        this.registerParameter(`weight_hh${sfx}`, new Parameter(empty([G, hiddenSize], { dtype })));
        if (this.bias) {
          this.registerParameter(`bias_ih${sfx}`, new Parameter(empty([G], { dtype })));
          this.registerParameter(`bias_hh${sfx}`, new Parameter(empty([G], { dtype })));
        }
      }
    }
    this.resetParameters();
  }

  /** Every parameter ~ U(±1/sqrt(hiddenSize)), in registration order, as torch. */
  resetParameters(): void {
    const stdv = 1 / Math.sqrt(this.hiddenSize);
    for (const p of this.parameters()) uniform_(p, -stdv, stdv);
  }

  private param(name: string): Tensor | null { return this._parameters.get(name) ?? null; }

  /** Returns `[output, states]`: states `[h_n]` or, for the LSTM, `[h_n, c_n]`, each of shape `[layers * directions, B, H]`. */
  protected run(input: Tensor | PackedSequence, hx: Tensor[] | null): [Tensor | PackedSequence, Tensor[]] {
    const op = this.constructor.name;
    const D = this.bidirectional ? 2 : 1, H = this.hiddenSize, L = this.numLayers;
    const packed = input instanceof PackedSequence;
    let x: Tensor, bs: number[] | null = null, unbatched = false;
    if (packed) {
      x = floatIn(input.data, op, "input.data");
      bs = batchSizesOf(input);
      if (x.ndim !== 2) throw new ShapeError(`${op}: packed input data must be 2-D [sum(lengths), input_size], got ${formatShape(x._shape)}`);
    } else {
      x = floatIn(input, op, "input");
      if (x.ndim !== 2 && x.ndim !== 3) throw new ShapeError(`${op}: input must have 3 dimensions (or 2 unbatched), got ${x.ndim} (shape ${formatShape(x._shape)})`);
      unbatched = x.ndim === 2;
      if (unbatched) x = x.unsqueeze(1);
      else if (this.batchFirst) x = x.transpose(0, 1);
    }
    if (x._shape[x.ndim - 1] !== this.inputSize) throw new ShapeError(`${op}: input.size(-1) must be equal to input_size. Expected ${this.inputSize}, got ${x._shape[x.ndim - 1]}`);
    const B = bs ? (bs[0] ?? 0) : x._shape[1];
    const nState = this.mode === "LSTM" ? 2 : 1;
    const want = [L * D, B, H];
    let states: Tensor[];
    if (hx === null) {
      states = Array.from({ length: nState }, () => zeros(want, { dtype: x.dtype as "float32" | "float64" }));
    } else {
      states = hx.map((t, i) => {
        floatIn(t, op, nState === 2 ? (i === 0 ? "h0" : "c0") : "hx");
        const tb = unbatched ? t.unsqueeze(1) : t;
        if (tb.ndim !== 3 || tb._shape.some((d, j) => d !== want[j])) {
          throw new ShapeError(`${op}: Expected hidden${nState === 2 ? `[${i}]` : ""} size ${formatShape(unbatched ? [L * D, H] : want)}, got ${formatShape(t._shape)}`);
        }
        return packed && input.sortedIndices ? tb.indexSelect(1, input.sortedIndices) : tb;
      });
    }
    let layerIn = x;
    const finals: Tensor[][] = Array.from({ length: nState }, () => []);
    for (let l = 0; l < L; l++) {
      const outs: Tensor[] = [];
      for (let d = 0; d < D; d++) {
        const sfx = `_l${l}${d === 1 ? "_reverse" : ""}`;
        const gi = linear(layerIn, this.param(`weight_ih${sfx}`)!, this.param(`bias_ih${sfx}`));
        const h0 = states.map((s) => s.select(0, l * D + d));
        const r = runDirection(this.mode, gi, bs, h0, this.param(`weight_hh${sfx}`)!, this.param(`bias_hh${sfx}`), d === 1);
        outs.push(r.out);
        r.final.forEach((f, k) => finals[k].push(f));
      }
      layerIn = D === 1 ? outs[0] : cat(outs, -1);
      if (this.dropout > 0 && this.training && l < L - 1) layerIn = dropoutF(layerIn, this.dropout, true);
    }
    let hn = finals.map((f) => stack(f, 0));
    if (packed) {
      if (input.unsortedIndices) hn = hn.map((t) => t.indexSelect(1, input.unsortedIndices!));
      return [input.withData(layerIn), hn];
    }
    let out = layerIn;
    if (unbatched) { out = out.squeeze(1); hn = hn.map((t) => t.squeeze(1)); }
    else if (this.batchFirst) out = out.transpose(0, 1);
    return [out, hn];
  }

  /** The constructor arguments shown when the module is printed (torch's extra_repr()). */
  extraRepr(): string {
    let s = `${this.inputSize}, ${this.hiddenSize}`;
    if (this.numLayers !== 1) s += `, num_layers=${this.numLayers}`;
    if (!this.bias) s += ", bias=False";
    if (this.batchFirst) s += ", batch_first=True";
    if (this.dropout) s += `, dropout=${this.dropout}`;
    if (this.bidirectional) s += ", bidirectional=True";
    return s;
  }
}

/** The options of a recurrent module: its third argument (numLayers or the options), or the fourth. */
function rnnOpts(numLayersOrOpts: unknown, rest: unknown, op: string): RNNOptions & { nonlinearity?: "tanh" | "relu" } {
  const like = "{ numLayers?, bias?, batchFirst?, dropout?, bidirectional?, dtype? }";
  if (numLayersOrOpts === undefined) return optsArg<RNNOptions>(rest, op, like);
  if (typeof numLayersOrOpts === "number") {
    return { ...optsArg<RNNOptions>(rest, op, like), numLayers: intArg(numLayersOrOpts, "numLayers", op, 1, MAX_LAYERS) };
  }
  return optsArg<RNNOptions>(numLayersOrOpts, op, like);
}

const nonlinearityOf = (a: unknown, b: unknown): unknown => rnnOpts(a, b, "RNN").nonlinearity;

type Out<T> = T extends PackedSequence ? PackedSequence : Tensor;

/** Elman RNN, tanh or relu (torch.nn.RNN): `const [out, hN] = rnn.forward(x, h0)`. */
export class RNN extends RNNBase {
  nonlinearity: "tanh" | "relu";
  constructor(inputSize: number, hiddenSize: number, numLayersOrOpts?: number | (RNNOptions & { nonlinearity?: "tanh" | "relu" }),
    opts: RNNOptions & { nonlinearity?: "tanh" | "relu" } = {}) {
    super("RNN", kindOf(nonlinearityOf(numLayersOrOpts, opts), "RNN"), inputSize, hiddenSize, numLayersOrOpts, opts);
    this.nonlinearity = this.mode === "RNN_RELU" ? "relu" : "tanh";
  }
  forward<T extends Tensor | PackedSequence>(x: T, hx?: Tensor | null): [Out<T>, Tensor] {
    const [out, [hn]] = this.run(x, hx ? [hx] : null);
    return [out as Out<T>, hn];
  }
  /** The constructor arguments shown when the module is printed (torch's extra_repr()). */
  extraRepr(): string { return super.extraRepr() + (this.nonlinearity === "relu" ? ", nonlinearity=relu" : ""); }
}

/** Gated recurrent unit, gates r, z, n (torch.nn.GRU): `const [out, hN] = gru.forward(x, h0)`. */
export class GRU extends RNNBase {
  constructor(inputSize: number, hiddenSize: number, numLayersOrOpts?: number | RNNOptions, opts: RNNOptions = {}) {
    super("GRU", "GRU", inputSize, hiddenSize, numLayersOrOpts, opts);
  }
  forward<T extends Tensor | PackedSequence>(x: T, hx?: Tensor | null): [Out<T>, Tensor] {
    const [out, [hn]] = this.run(x, hx ? [hx] : null);
    return [out as Out<T>, hn];
  }
}

/** Long short-term memory, gates i, f, g, o (torch.nn.LSTM): `const [out, [hN, cN]] = lstm.forward(x)`. */
export class LSTM extends RNNBase {
  constructor(inputSize: number, hiddenSize: number, numLayersOrOpts?: number | RNNOptions, opts: RNNOptions = {}) {
    super("LSTM", "LSTM", inputSize, hiddenSize, numLayersOrOpts, opts);
  }
  forward<T extends Tensor | PackedSequence>(x: T, hx?: readonly [Tensor, Tensor] | null): [Out<T>, [Tensor, Tensor]] {
    if (hx !== undefined && hx !== null && (!Array.isArray(hx) || hx.length !== 2)) throw new DTypeError(`LSTM: hx must be a pair [h0, c0], got ${describe(hx)}`);
    const [out, [hn, cn]] = this.run(x, hx ? [hx[0], hx[1]] : null);
    return [out as Out<T>, [hn, cn]];
  }
}
