// One time step of the Elman RNN, GRU and LSTM with PyTorch's gate order and arithmetic, and the
// cell modules (torch.nn.RNNCell, GRUCell, LSTMCell). A step takes the input projection
// gi = x W_ih^T + b_ih (computed for the whole sequence at once by the layer modules) and the state.

import { Tensor } from "../tensor.js";
import { empty, zeros } from "../ops/creation.js";
import { DTypeError, ShapeError, WasmgradError, formatShape } from "../errors.js";
import { show as describe, floatIn } from "./show.js";
import { checkShape } from "../shape.js";
import { boolArg, floatDtypeArg, named, optsArg, sizeArg } from "../validate.js";
import { Module, Parameter } from "./module.js";
import { uniform_ } from "./init.js";
import { linear } from "./functional.js";

export type Kind = "RNN_TANH" | "RNN_RELU" | "GRU" | "LSTM";
export const gateCount = (k: Kind): number => (k === "GRU" ? 3 : k === "LSTM" ? 4 : 1);

/** The state after one step: [h] or, for the LSTM, [h, c]. */
export function step(kind: Kind, gi: Tensor, state: Tensor[], whh: Tensor, bhh: Tensor | null): Tensor[] {
  const hPrev = state[0];
  const gh = linear(hPrev, whh, bhh);
  switch (kind) {
    case "RNN_TANH": return [gh.add(gi).tanh()];
    case "RNN_RELU": return [gh.add(gi).relu()];
    case "GRU": {
      // r, z, n; n = tanh(W_in x + b_in + r * (W_hn h + b_hn)); h' = (h - n) * z + n = (1 - z) * n + z * h
      const [ir, iz, inn] = gi.chunk(3, 1);
      const [hr, hz, hn] = gh.chunk(3, 1);
      const r = hr.add(ir).sigmoid();
      const z = hz.add(iz).sigmoid();
      const n = inn.add(hn.mul(r)).tanh();
      return [hPrev.sub(n).mul(z).add(n)];
    }
    case "LSTM": {
      // i, f, g, o; c' = f * c + i * g; h' = o * tanh(c')
      const [i, f, g, o] = gh.add(gi).chunk(4, 1);
      const c = f.sigmoid().mul(state[1]).add(i.sigmoid().mul(g.tanh()));
      return [o.sigmoid().mul(c.tanh()), c];
    }
  }
}



export function kindOf(nonlinearity: unknown, op: string): Kind {
  if (nonlinearity === undefined || nonlinearity === "tanh") return "RNN_TANH";
  if (nonlinearity === "relu") return "RNN_RELU";
  throw new WasmgradError(`${op}: Unknown nonlinearity ${typeof nonlinearity === "string" ? `'${nonlinearity.slice(0, 40)}'` : describe(nonlinearity)}. Select from 'tanh' or 'relu'.`);
}

export interface CellOptions { bias?: boolean; dtype?: "float32" | "float64" }

function cellOpts<E = object>(opts: unknown, op: string): CellOptions & Partial<E> {
  return optsArg<CellOptions & E>(opts, op, "{ bias?: boolean, dtype?: \"float32\" | \"float64\" }");
}

/** torch's RNNCellBase: weight_ih [G*H, I], weight_hh [G*H, H], bias_ih, bias_hh, all U(±1/sqrt(H)). */
abstract class CellBase extends Module {
  inputSize: number;
  hiddenSize: number;
  bias: boolean;
  protected kind: Kind;
  declare weight_ih: Parameter;
  declare weight_hh: Parameter;
  declare bias_ih: Parameter | null;
  declare bias_hh: Parameter | null;

  constructor(op: string, kind: Kind, inputSize: number, hiddenSize: number, opts: CellOptions) {
    super();
    this.inputSize = sizeArg(inputSize, "inputSize", op, 0);
    this.hiddenSize = sizeArg(hiddenSize, "hiddenSize", op, 0);
    this.bias = boolArg(opts.bias ?? true, "bias", op);
    this.kind = kind;
    const G = gateCount(kind) * hiddenSize, dtype = floatDtypeArg(opts.dtype, op);
    checkShape([G, Math.max(inputSize, hiddenSize)], op);
    named(op, () => {
      this.registerParameter("weight_ih", new Parameter(empty([G, inputSize], { dtype })));
      this.registerParameter("weight_hh", new Parameter(empty([G, hiddenSize], { dtype })));
      this.registerParameter("bias_ih", this.bias ? new Parameter(empty([G], { dtype })) : null);
      this.registerParameter("bias_hh", this.bias ? new Parameter(empty([G], { dtype })) : null);
      this.resetParameters();
    });
  }

  /** Draws every weight again from U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)), as torch's reset_parameters(). */
  resetParameters(): void {
    const stdv = this.hiddenSize > 0 ? 1 / Math.sqrt(this.hiddenSize) : 0;
    for (const p of this.parameters()) uniform_(p, -stdv, stdv);
  }

  /** The next state for x [B, I] (or [I]) from hx (zeros when absent). */
  protected run(x: Tensor, hx: Tensor[] | null): Tensor[] {
    const op = this.constructor.name;
    floatIn(x, op, "input");
    if (x.ndim !== 1 && x.ndim !== 2) throw new ShapeError(`${op}: Expected input to be 1D or 2D, got ${x.ndim}D instead`);
    const unbatched = x.ndim === 1;
    const xb = unbatched ? x.unsqueeze(0) : x;
    if (xb._shape[1] !== this.inputSize) throw new ShapeError(`${op}: input has inconsistent input_size: got ${xb._shape[1]} expected ${this.inputSize}`);
    const B = xb._shape[0];
    const n = this.kind === "LSTM" ? 2 : 1;
    const state = hx === null
      ? Array.from({ length: n }, () => zeros([B, this.hiddenSize], { dtype: x.dtype as "float32" | "float64" }))
      : hx.map((t, i) => {
        floatIn(t, op, i === 0 ? "hx" : "cx");
        const tb = unbatched ? t.unsqueeze(0) : t;
        if (tb.ndim !== 2 || tb._shape[0] !== B || tb._shape[1] !== this.hiddenSize) {
          throw new ShapeError(`${op}: Expected hidden of shape ${formatShape(unbatched ? [this.hiddenSize] : [B, this.hiddenSize])}, got ${formatShape(t._shape)}`);
        }
        return tb;
      });
    const gi = linear(xb, this.weight_ih, this.bias_ih);
    const out = step(this.kind, gi, state, this.weight_hh, this.bias_hh);
    return unbatched ? out.map((t) => t.squeeze(0)) : out;
  }

  /** The constructor arguments shown when the module is printed (torch's extra_repr()). */
  extraRepr(): string {
    let s = `${this.inputSize}, ${this.hiddenSize}`;
    if (!this.bias) s += ", bias=False";
    if (this.kind === "RNN_RELU") s += ", nonlinearity=relu";
    return s;
  }
}

/** h' = tanh(W_ih x + b_ih + W_hh h + b_hh) (or relu) (torch.nn.RNNCell). */
export class RNNCell extends CellBase {
  nonlinearity: "tanh" | "relu";
  constructor(inputSize: number, hiddenSize: number, opts: CellOptions & { nonlinearity?: "tanh" | "relu" } = {}) {
    const o = cellOpts<{ nonlinearity: "tanh" | "relu" }>(opts, "RNNCell");
    super("RNNCell", kindOf(o.nonlinearity, "RNNCell"), inputSize, hiddenSize, o);
    this.nonlinearity = o.nonlinearity ?? "tanh";
  }
  forward(x: Tensor, hx?: Tensor | null): Tensor { return this.run(x, hx ? [hx] : null)[0]; }
}

/** One GRU step, gates r, z, n (torch.nn.GRUCell). */
export class GRUCell extends CellBase {
  constructor(inputSize: number, hiddenSize: number, opts: CellOptions = {}) { super("GRUCell", "GRU", inputSize, hiddenSize, cellOpts(opts, "GRUCell")); }
  forward(x: Tensor, hx?: Tensor | null): Tensor { return this.run(x, hx ? [hx] : null)[0]; }
}

/** One LSTM step, gates i, f, g, o; `const [h, c] = cell.forward(x, [h0, c0])` (torch.nn.LSTMCell). */
export class LSTMCell extends CellBase {
  constructor(inputSize: number, hiddenSize: number, opts: CellOptions = {}) { super("LSTMCell", "LSTM", inputSize, hiddenSize, cellOpts(opts, "LSTMCell")); }
  forward(x: Tensor, hx?: readonly [Tensor, Tensor] | null): [Tensor, Tensor] {
    if (hx !== undefined && hx !== null && (!Array.isArray(hx) || hx.length !== 2)) throw new DTypeError(`LSTMCell: hx must be a pair [h, c], got ${describe(hx)}`);
    const [h, c] = this.run(x, hx ? [hx[0], hx[1]] : null);
    return [h, c];
  }
}
