// torch.utils.data's default_collate: a batch (list of samples) becomes one sample-shaped structure
// of batched tensors. Tensors are stacked on a new dim 0; numbers become a tensor (int32 if every
// value is an integer, else float32; booleans bool); strings stay a list; arrays and plain objects
// are collated field by field, so samples that are [x, y] pairs give [xs, ys].

import { Tensor } from "../tensor.js";
import { tensor } from "../ops/creation.js";
import { DTypeError, ShapeError } from "../errors.js";
import { show as describe } from "../nn/show.js";
import { stack } from "../ops/indexing.js";
import { named, tensorArg } from "../validate.js";

const INT32_MIN = -(2 ** 31), INT32_MAX = 2 ** 31 - 1;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== "object") return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * The batch type defaultCollate makes from samples of type T: tensors, numbers, booleans and
 * typed arrays become one Tensor, strings a string[], and arrays, tuples, Maps and plain objects
 * are collated field by field (so `[Tensor, number]` samples give `[Tensor, Tensor]` batches).
 */
export type Collated<T> =
  T extends Tensor | number | boolean | ArrayBufferView ? Tensor
  : T extends string ? string[]
  : T extends ReadonlyMap<infer K, infer V> ? Map<K, Collated<V>>
  : T extends readonly unknown[] ? { -readonly [K in keyof T]: Collated<T[K]> }
  : T extends object ? { -readonly [K in keyof T]: Collated<T[K]> }
  : unknown;

const OP = "defaultCollate";
/** Samples nest at most this deep (deeper, or containing themselves, is refused). */
const MAX_DEPTH = 32;

/** Stacks a list of samples into a batch as torch's default_collate: tensors and numbers are stacked, arrays and objects collated field by field. */
export function defaultCollate(batch: readonly unknown[]): unknown {
  if (!Array.isArray(batch) || batch.length === 0) throw new DTypeError(`${OP}: expected a non-empty array of samples, got ${describe(batch)}`);
  return collate(batch, 0);
}

function collate(batch: readonly unknown[], depth: number): unknown {
  if (depth > MAX_DEPTH) throw new DTypeError(`${OP}: samples nested deeper than ${MAX_DEPTH} levels (or containing themselves)`);
  const elem = batch[0];
  if (elem instanceof Tensor) {
    batch.forEach((t, i) => tensorArg(t, `sample ${i}`, OP));
    return named(OP, () => stack(batch as Tensor[], 0));
  }
  if (ArrayBuffer.isView(elem) && !(elem instanceof DataView)) {
    return named(OP, () => stack(batch.map((a) => tensor(a as Float32Array)), 0));
  }
  if (typeof elem === "number") {
    const nums = batch as number[];
    if (nums.some((v) => typeof v !== "number")) throw new DTypeError(`${OP}: a batch mixes numbers and other values`);
    const ints = nums.every((v) => Number.isInteger(v) && v >= INT32_MIN && v <= INT32_MAX);
    return tensor(nums, { dtype: ints ? "int32" : "float32" });
  }
  if (typeof elem === "boolean") {
    if (batch.some((v) => typeof v !== "boolean")) throw new DTypeError(`${OP}: a batch mixes booleans and other values`);
    return tensor(batch as boolean[], { dtype: "bool" });
  }
  if (typeof elem === "string") return batch.slice();
  if (Array.isArray(elem)) {
    const n = elem.length;
    if (batch.some((s) => !Array.isArray(s) || s.length !== n)) throw new ShapeError(`${OP}: each element in list of batch should be of equal size`);
    if (n === 0) return [];
    const out: unknown[] = [];
    for (let i = 0; i < n; i++) out.push(collate(batch.map((s) => (s as unknown[])[i]), depth + 1));
    return out;
  }
  if (elem instanceof Map) {
    const out = new Map<unknown, unknown>();
    if (batch.some((s) => !(s instanceof Map))) throw new DTypeError(`${OP}: a batch mixes Maps and other values`);
    for (const k of elem.keys()) out.set(k, collate(batch.map((s) => (s as Map<unknown, unknown>).get(k)), depth + 1));
    return out;
  }
  if (isPlainObject(elem)) {
    const out: Record<string, unknown> = {};
    if (batch.some((s) => !isPlainObject(s))) throw new DTypeError(`${OP}: a batch mixes objects and other values`);
    for (const k of Object.keys(elem)) out[k] = collate(batch.map((s) => (s as Record<string, unknown>)[k]), depth + 1);
    return out;
  }
  throw new DTypeError(`${OP}: batch must contain tensors, numbers, booleans, strings, arrays or objects; found ${describe(elem)}`);
}
