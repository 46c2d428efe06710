// nn.utils.rnn: PackedSequence, padSequence, packPaddedSequence, padPackedSequence, packSequence,
// with torch's layout: data holds the time steps one after another, each with the batch entries
// still running at that step (batchSizes[t] of them, longest sequences first).

import { Tensor } from "../tensor.js";
import { tensor, full } from "../ops/creation.js";
import { cat, stack, pad } from "../ops/indexing.js";
import { DTypeError, ShapeError, WasmgradError, formatShape } from "../errors.js";
import { h } from "../ops/util.js";
import { show as describe } from "./show.js";
import { MAX_SIZE, boolArg, listArg, named, numberArg, optsArg } from "../validate.js";

/** A batch of variable-length sequences packed by time step (torch.nn.utils.rnn.PackedSequence). */
export class PackedSequence {
  constructor(
    readonly data: Tensor,
    /** int32 [maxLength]: how many sequences are still running at each time step. */
    readonly batchSizes: Tensor,
    /** int32 [batch]: the original index of each sorted entry, or null when the input was sorted. */
    readonly sortedIndices: Tensor | null = null,
    /** int32 [batch]: the inverse permutation of sortedIndices. */
    readonly unsortedIndices: Tensor | null = null,
  ) {
    const op = "PackedSequence";
    tensorIn(data, op, "data");
    for (const [t, what] of [[batchSizes, "batchSizes"], [sortedIndices, "sortedIndices"], [unsortedIndices, "unsortedIndices"]] as const) {
      if (t === null && what !== "batchSizes") continue;
      tensorIn(t, op, what);
      if (t!.ndim !== 1 || t!.dtype !== "int32") throw new DTypeError(`${op}: ${what} must be a 1-D int32 tensor, got a ${t!.dtype} tensor of shape ${formatShape(t!._shape)}`);
    }
  }
  /** Unpacks as torch's namedtuple: `const [data, batchSizes] = packed`. */
  *[Symbol.iterator](): Iterator<Tensor | null> { yield this.data; yield this.batchSizes; yield this.sortedIndices; yield this.unsortedIndices; }
  /** The same sequence with data replaced (as torch's _replace(data=...)). */
  withData(data: Tensor): PackedSequence { return new PackedSequence(data, this.batchSizes, this.sortedIndices, this.unsortedIndices); }
  toString(): string { return `PackedSequence(data=${this.data.toString()}, batch_sizes=${this.batchSizes.toString()})`; }
}

/** The batch sizes of a packed sequence as numbers. */
export function batchSizesOf(p: PackedSequence): number[] { return Array.from(p.batchSizes.dataSync() as Int32Array); }

function tensorIn(x: unknown, op: string, what: string): Tensor {
  if (!(x instanceof Tensor)) throw new DTypeError(`${op}: expected a Tensor as ${what}, got ${describe(x)}`);
  h(x, op);
  return x;
}

/**
 * Stacks sequences of shape [L_i, *] into [maxL, B, *] (or [B, maxL, *] with batchFirst), padding
 * with paddingValue (torch.nn.utils.rnn.pad_sequence). `padSequence(seqs, true, 0)` is accepted too.
 */
export function padSequence(sequences: readonly Tensor[], opts: { batchFirst?: boolean; paddingValue?: number } | boolean = {},
  paddingValue?: number): Tensor {
  const op = "padSequence";
  const o = typeof opts === "boolean" ? { batchFirst: opts, paddingValue } : optsArg<{ batchFirst: boolean; paddingValue: number }>(opts, op, "{ batchFirst?, paddingValue? }");
  boolArg(o.batchFirst ?? false, "batchFirst", op);
  numberArg(o.paddingValue ?? 0, "paddingValue", op, { finite: false });
  if (!Array.isArray(sequences)) throw new DTypeError(`${op}: sequences must be an array of tensors, got ${describe(sequences)}`);
  if (sequences.length === 0) throw new WasmgradError(`${op}: received an empty list of sequences`);
  sequences.forEach((s, i) => tensorIn(s, op, `sequence ${i}`));
  const trail = sequences[0]._shape.slice(1);
  for (const s of sequences) {
    if (s.ndim < 1 || s.ndim - 1 !== trail.length || s._shape.slice(1).some((d: number, i: number) => d !== trail[i])) {
      throw new ShapeError(`${op}: every sequence must have shape [L, ${trail.join(", ")}], got ${formatShape(s._shape)}`);
    }
  }
  const maxLen = Math.max(...sequences.map((s) => s._shape[0]));
  const v = o.paddingValue ?? 0;
  if (sequences.some((s) => s._dt !== sequences[0]._dt)) throw new DTypeError(`${op}: every sequence must have the dtype of the first, ${sequences[0].dtype}`);
  const padded = named(op, () => sequences.map((s) => {
    const extra = maxLen - s._shape[0];
    return extra === 0 ? s : pad(s, [...trail.flatMap(() => [0, 0]), 0, extra], v);
  }));
  return named(op, () => stack(padded, o.batchFirst ? 0 : 1));
}

function lengthsOf(lengths: unknown, op: string): number[] {
  let out: number[];
  if (lengths instanceof Tensor) {
    h(lengths, op);
    if (lengths.ndim !== 1 || lengths.dtype !== "int32") throw new DTypeError(`${op}: lengths must be a 1-D int32 tensor or an array of numbers, got a ${lengths.dtype} tensor of shape ${formatShape(lengths._shape)}`);
    out = Array.from(lengths.dataSync() as Int32Array);
  } else if (Array.isArray(lengths)) out = lengths.slice();
  else throw new DTypeError(`${op}: lengths must be an array of numbers or an int32 tensor, got ${describe(lengths)}`);
  for (const l of out) if (typeof l !== "number" || !Number.isInteger(l)) throw new DTypeError(`${op}: lengths must be integers, got ${describe(l)}`);
  return out;
}

/**
 * Packs a padded batch [T, B, *] ([B, T, *] with batchFirst) of sequences with the given lengths
 * (torch.nn.utils.rnn.pack_padded_sequence). With enforceSorted (the default) the lengths must be
 * decreasing; otherwise the batch is sorted by length (stably, longest first) and the permutation
 * is kept in sortedIndices / unsortedIndices.
 */
export function packPaddedSequence(input: Tensor, lengths: readonly number[] | Tensor,
  opts: { batchFirst?: boolean; enforceSorted?: boolean } = {}): PackedSequence {
  const op = "packPaddedSequence";
  tensorIn(input, op, "input");
  const lens = lengthsOf(lengths, op);
  const o = optsArg<{ batchFirst: boolean; enforceSorted: boolean }>(opts, op, "{ batchFirst?, enforceSorted? }");
  const batchFirst = boolArg(o.batchFirst ?? false, "batchFirst", op), enforceSorted = boolArg(o.enforceSorted ?? true, "enforceSorted", op);
  if (input.ndim < 2) throw new ShapeError(`${op}: input must have at least 2 dims ([T, B, *]), got ${formatShape(input._shape)}`);
  const bDim = batchFirst ? 0 : 1;
  const B = input._shape[bDim], T = input._shape[1 - bDim];
  if (B === 0) throw new ShapeError(`${op}: cannot pack an empty batch (input of shape ${formatShape(input._shape)})`);
  if (lens.length !== B) throw new ShapeError(`${op}: Expected \`len(lengths)\` to be equal to batch_size, but got ${lens.length} (batch_size=${B})`);
  let order = lens.map((_, i) => i);
  let sortedIndices: Tensor | null = null, unsortedIndices: Tensor | null = null;
  if (enforceSorted) {
    for (let i = 1; i < lens.length; i++) {
      if (lens[i] > lens[i - 1]) {
        throw new WasmgradError(`${op}: \`lengths\` array must be sorted in decreasing order when \`enforceSorted\` is true. You can pass \`enforceSorted: false\` to packPaddedSequence and/or packSequence to sidestep this requirement if you do not need ONNX exportability.`);
      }
    }
  } else {
    order = order.sort((a, b) => lens[b] - lens[a]);
    const inv = new Int32Array(B);
    order.forEach((o, i) => { inv[o] = i; });
    sortedIndices = tensor(Int32Array.from(order));
    unsortedIndices = tensor(inv);
  }
  const sorted = order.map((i) => lens[i]);
  if (sorted[B - 1] <= 0) throw new WasmgradError(`${op}: Length of all samples has to be greater than 0, but found an element in 'lengths' that is <= 0`);
  if (sorted[0] > T) throw new ShapeError(`${op}: a length of ${sorted[0]} is longer than the input's ${T} time steps (shape ${formatShape(input._shape)})`);
  let x = sortedIndices ? input.indexSelect(bDim, sortedIndices) : input;
  if (batchFirst) x = x.transpose(0, 1);
  const bs: number[] = [];
  for (let t = 0; t < sorted[0]; t++) bs.push(sorted.filter((l) => l > t).length);
  return named(op, () => {
    const data = cat(bs.map((b, t) => x.select(0, t).narrow(0, 0, b)), 0);
    return new PackedSequence(data, tensor(Int32Array.from(bs)), sortedIndices, unsortedIndices);
  });
}

/**
 * The inverse of packPaddedSequence: [padded, lengths], padded [T, B, *] (or [B, T, *]) in the
 * original batch order, T = totalLength when given (torch.nn.utils.rnn.pad_packed_sequence).
 */
export function padPackedSequence(sequence: PackedSequence,
  opts: { batchFirst?: boolean; paddingValue?: number; totalLength?: number } = {}): [Tensor, Tensor] {
  const op = "padPackedSequence";
  if (!(sequence instanceof PackedSequence)) throw new DTypeError(`${op}: expected a PackedSequence, got ${describe(sequence)}`);
  const o = optsArg<{ batchFirst: boolean; paddingValue: number; totalLength: number }>(opts, op, "{ batchFirst?, paddingValue?, totalLength? }");
  const bs = batchSizesOf(sequence);
  const T = bs.length;
  const v = numberArg(o.paddingValue ?? 0, "paddingValue", op, { finite: false });
  const batchFirst = boolArg(o.batchFirst ?? false, "batchFirst", op);
  const total = o.totalLength ?? T;
  if (typeof total !== "number" || !Number.isInteger(total) || total < T || total > MAX_SIZE) {
    throw new WasmgradError(`${op}: Expected total_length to be at least the length of the longest sequence in input, but got total_length=${describe(o.totalLength)} and max sequence length being ${T}`);
  }
  return named(op, () => unpack(sequence, bs, v, total, batchFirst));
}

function unpack(sequence: PackedSequence, bs: number[], v: number, total: number, batchFirst: boolean): [Tensor, Tensor] {
  const T = bs.length, B = bs[0];
  const data = sequence.data;
  const trail = data._shape.slice(1);
  const steps: Tensor[] = [];
  let off = 0;
  for (const b of bs) {
    const piece = data.narrow(0, off, b);
    steps.push(b === B ? piece : pad(piece, [...trail.flatMap(() => [0, 0]), 0, B - b], v));
    off += b;
  }
  let padded = stack(steps, 0);
  if (total > T) padded = cat([padded, full([total - T, B, ...trail], v, { dtype: data.dtype })], 0);
  const lens = new Int32Array(B);
  for (const b of bs) for (let j = 0; j < b; j++) lens[j]++;
  let lengths = tensor(lens);
  if (sequence.unsortedIndices) {
    padded = padded.indexSelect(1, sequence.unsortedIndices);
    lengths = lengths.indexSelect(0, sequence.unsortedIndices);
  }
  return [batchFirst ? padded.transpose(0, 1) : padded, lengths];
}

/** Packs a list of sequences [L_i, *] (torch.nn.utils.rnn.pack_sequence). */
export function packSequence(sequences: readonly Tensor[], opts: { enforceSorted?: boolean } = {}): PackedSequence {
  const op = "packSequence";
  const o = optsArg<{ enforceSorted: boolean }>(opts, op, "{ enforceSorted? }");
  const enforceSorted = boolArg(o.enforceSorted ?? true, "enforceSorted", op);
  const seqs = listArg(sequences, "sequences", op) as Tensor[];
  const lengths = seqs.map((s, i) => {
    tensorIn(s, op, `sequence ${i}`);
    if (s.ndim < 1) throw new ShapeError(`${op}: sequence ${i} must have at least 1 dim, got a 0-dim tensor`);
    return s._shape[0];
  });
  return named(op, () => packPaddedSequence(padSequence(seqs), lengths, { enforceSorted }));
}
