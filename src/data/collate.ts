// torch.utils.data's default_collate: a batch (list of samples) becomes one sample-shaped structure
// of batched tensors. Tensors are stacked on a new dim 0; numbers become a tensor (int32 if every
// value is an integer, else float32; booleans bool); strings stay a list; arrays and plain objects
// are collated field by field, so samples that are [x, y] pairs give [xs, ys].

import { Tensor } from "../tensor.js";
import { tensor } from "../ops/creation.js";
import { DTypeError, ShapeError } from "../errors.js";
import { show as describe } from "../nn/show.js";
import { stack } from "../ops/indexing.js";

const INT32_MIN = -(2 ** 31), INT32_MAX = 2 ** 31 - 1;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== "object") return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

export function defaultCollate(batch: readonly unknown[]): unknown {
  if (!Array.isArray(batch) || batch.length === 0) throw new DTypeError(`defaultCollate: expected a non-empty array of samples, got ${describe(batch)}`);
  const elem = batch[0];
  if (elem instanceof Tensor) return stack(batch as Tensor[], 0);
  if (ArrayBuffer.isView(elem) && !(elem instanceof DataView)) {
    return stack(batch.map((a) => tensor(a as Float32Array)), 0);
  }
  if (typeof elem === "number") {
    const nums = batch as number[];
    if (nums.some((v) => typeof v !== "number")) throw new DTypeError("defaultCollate: a batch mixes numbers and other values");
    const ints = nums.every((v) => Number.isInteger(v) && v >= INT32_MIN && v <= INT32_MAX);
    return tensor(nums, { dtype: ints ? "int32" : "float32" });
  }
  if (typeof elem === "boolean") return tensor(batch as boolean[], { dtype: "bool" });
  if (typeof elem === "string") return batch.slice();
  if (Array.isArray(elem)) {
    const n = elem.length;
    if (batch.some((s) => !Array.isArray(s) || s.length !== n)) throw new ShapeError("defaultCollate: each element in list of batch should be of equal size");
    const out: unknown[] = [];
    for (let i = 0; i < n; i++) out.push(defaultCollate(batch.map((s) => (s as unknown[])[i])));
    return out;
  }
  if (elem instanceof Map) {
    const out = new Map<unknown, unknown>();
    for (const k of elem.keys()) out.set(k, defaultCollate(batch.map((s) => (s as Map<unknown, unknown>).get(k))));
    return out;
  }
  if (isPlainObject(elem)) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(elem)) out[k] = defaultCollate(batch.map((s) => (s as Record<string, unknown>)[k]));
    return out;
  }
  throw new DTypeError(`defaultCollate: batch must contain tensors, numbers, booleans, strings, arrays or objects; found ${describe(elem)}`);
}
