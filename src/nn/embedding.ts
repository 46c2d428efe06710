// F.embedding and nn.Embedding: rows of a weight table picked by integer indices.

import { Tensor } from "../tensor.js";
import { noGrad } from "../gradMode.js";
import { empty } from "../ops/creation.js";
import { indexSelect } from "../ops/indexing.js";
import { where } from "../ops/binary.js";
import { DTypeError, IndexError, ShapeError, WasmgradError, formatShape } from "../errors.js";
import { h } from "../ops/util.js";
import { show as describe } from "./show.js";
import { boolArg, floatDtypeArg, named, optsArg, sizeArg, tensorArg } from "../validate.js";
import { Module, Parameter } from "./module.js";
import { normal_ } from "./init.js";

function paddingIndex(p: unknown, n: number, op: string): number | null {
  if (p === null || p === undefined) return null;
  if (typeof p !== "number" || !Number.isInteger(p) || p >= n || p < -n) throw new WasmgradError(`${op}: paddingIdx must be within num_embeddings (${n}), got ${describe(p)}`);
  return p < 0 ? p + n : p;
}

/**
 * weight[input] with the index shape kept: out shape [...input.shape, embeddingDim]
 * (torch.nn.functional.embedding). Rows at paddingIdx get no gradient, as torch.
 */
export function embedding(input: Tensor, weight: Tensor, paddingIdx?: number | null): Tensor {
  const op = "embedding";
  if (!(input instanceof Tensor)) throw new DTypeError(`${op}: expected a Tensor of indices, got ${describe(input)}`);
  if (!(weight instanceof Tensor)) throw new DTypeError(`${op}: expected a Tensor as weight, got ${describe(weight)}`);
  h(input, op); h(weight, op);
  if (input.dtype !== "int32") throw new DTypeError(`${op}: Expected tensor for argument #1 'indices' to have an integer dtype (int32); but got ${input.dtype} instead`);
  if (weight.ndim !== 2) throw new ShapeError(`${op}: 'weight' must be 2-D, got ${formatShape(weight._shape)}`);
  const n = weight._shape[0];
  const pad = paddingIndex(paddingIdx, n, op);
  const flat = input.reshape([-1]);
  const vals = flat.dataSync() as Int32Array;
  for (const v of vals) if (v < 0 || v >= n) throw new IndexError(`${op}: index ${v} is out of range for an embedding of ${n} rows`);
  let out = indexSelect(weight, 0, flat);
  if (pad !== null && out.requiresGrad) {
    // same values, but the padding rows take their gradient from a detached copy
    const keep = flat.ne(pad).unsqueeze(1);
    out = where(keep, out, out.detach());
  }
  return out.reshape([...input._shape, weight._shape[1]]);
}

/** A lookup table of numEmbeddings vectors of size embeddingDim, initialised N(0, 1) (torch.nn.Embedding). */
export class Embedding extends Module {
  numEmbeddings: number;
  embeddingDim: number;
  paddingIdx: number | null;
  weight!: Parameter;
  constructor(numEmbeddings: number, embeddingDim: number,
    opts: { paddingIdx?: number | null; weight?: Tensor; freeze?: boolean; dtype?: "float32" | "float64" } = {}) {
    super();
    const op = "Embedding";
    this.numEmbeddings = sizeArg(numEmbeddings, "numEmbeddings", op);
    this.embeddingDim = sizeArg(embeddingDim, "embeddingDim", op);
    const o = optsArg<{ paddingIdx: number | null; weight: Tensor; freeze: boolean; dtype: string }>(opts, op, "{ paddingIdx?, weight?, freeze?, dtype? }");
    this.paddingIdx = paddingIndex(o.paddingIdx, numEmbeddings, op);
    const freeze = boolArg(o.freeze ?? false, "freeze", op);
    const dtype = floatDtypeArg(o.dtype, op);
    if (o.weight !== undefined) {
      const w = tensorArg(o.weight, "weight", op);
      if (w.ndim !== 2 || w._shape[0] !== numEmbeddings || w._shape[1] !== embeddingDim) {
        throw new ShapeError(`${op}: Shape of weight ${formatShape(w._shape)} does not match num_embeddings and embedding_dim [${numEmbeddings}, ${embeddingDim}]`);
      }
      this.weight = named(op, () => new Parameter(w, !freeze));
    } else {
      named(op, () => {
        this.weight = new Parameter(empty([numEmbeddings, embeddingDim], { dtype }));
        this.resetParameters();
      });
    }
  }

  /** An Embedding over the given [n, dim] table (frozen unless freeze: false), as torch's from_pretrained. */
  static fromPretrained(embeddings: Tensor, opts: { freeze?: boolean; paddingIdx?: number | null } = {}): Embedding {
    const op = "Embedding.fromPretrained";
    tensorArg(embeddings, "embeddings", op);
    if (embeddings.ndim !== 2) throw new ShapeError(`${op}: Embeddings parameter is expected to be 2-dimensional, got ${formatShape(embeddings._shape)}`);
    const o = optsArg<{ freeze: boolean; paddingIdx: number | null }>(opts, op, "{ freeze?, paddingIdx? }");
    const [n, d] = embeddings._shape;
    return named(op, () => new Embedding(n, d, { weight: embeddings, freeze: boolArg(o.freeze ?? true, "freeze", op), paddingIdx: o.paddingIdx }));
  }

  /** Draws the weight again from N(0, 1) (the padding row zeroed), as torch's reset_parameters(). */
  resetParameters(): void {
    normal_(this.weight);
    if (this.paddingIdx !== null) noGrad(() => this.weight.select(0, this.paddingIdx!).fill_(0));
  }

  forward(x: Tensor): Tensor { return embedding(x, this.weight, this.paddingIdx); }
  extraRepr(): string { return `${this.numEmbeddings}, ${this.embeddingDim}${this.paddingIdx !== null ? `, padding_idx=${this.paddingIdx}` : ""}`; }
}
