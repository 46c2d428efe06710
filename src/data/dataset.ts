// torch.utils.data datasets: Dataset (subclass with getItem and len) and TensorDataset.

import { Tensor } from "../tensor.js";
import { DTypeError, IndexError, ShapeError, WasmgradError } from "../errors.js";
import { show as describe } from "../nn/show.js";
import { select } from "../ops/slice.js";
import { tensorArg } from "../validate.js";

/** A map-style dataset: subclasses define getItem(index) and len(). */
export abstract class Dataset<T = unknown> {
  /** The sample at index (Python's `dataset[index]`). */
  abstract getItem(index: number): T;
  /** The number of samples (Python's `len(dataset)`). */
  abstract len(): number;
}

/** Something a DataLoader can read: a Dataset or any object with getItem and len. */
export interface DatasetLike<T = unknown> {
  /** The sample at index (Python's `dataset[index]`). */
  getItem(index: number): T;
  /** The number of samples (Python's `len(dataset)`). */
  len(): number;
}

/** Samples are the index-th rows of each tensor (tensors share their first dim), as an array. */
export class TensorDataset extends Dataset<Tensor[]> {
  tensors: Tensor[];
  constructor(...tensors: Tensor[]) {
    super();
    if (tensors.length === 0) throw new WasmgradError("TensorDataset: expected at least one tensor");
    for (const t of tensors) {
      if (!(t instanceof Tensor)) throw new DTypeError(`TensorDataset: expected tensors, got ${describe(t)}`);
      tensorArg(t, "a tensor", "TensorDataset");
      if (t.ndim === 0) throw new ShapeError("TensorDataset: tensors must have at least one dim (the sample dim)");
    }
    const n = tensors[0]._shape[0];
    if (tensors.some((t) => t._shape[0] !== n)) {
      throw new ShapeError(`TensorDataset: Size mismatch between tensors: first dims ${tensors.map((t) => t._shape[0]).join(", ")}`);
    }
    this.tensors = tensors;
  }
  /** The sample at index (Python's `dataset[index]`). */
  getItem(index: number): Tensor[] {
    const n = this.len();
    if (typeof index !== "number" || !Number.isInteger(index) || index < -n || index >= n) throw new IndexError(`TensorDataset: index ${describe(index)} is out of range for ${n} samples`);
    return this.tensors.map((t) => select(t, 0, index));
  }
  /** The number of samples (Python's `len(dataset)`). */
  len(): number { return this.tensors[0]._shape[0]; }
}
