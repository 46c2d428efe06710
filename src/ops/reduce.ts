// Sum and mean over all elements or over dims (torch.sum / torch.mean).

import { W } from "../wasm/load.js";
import { Tensor, h, wrap, checkFloat } from "../tensor.js";
import { dimsMask } from "../shape.js";

function reduce(a: Tensor, dim: number | number[] | null | undefined, keepdim: boolean, mean: boolean, name: string): Tensor {
  const ha = h(a, name);
  checkFloat(a, name);
  const nd = a.shape.length;
  const dimGiven = dim !== undefined && dim !== null;
  // torch: an empty dim list reduces over every dim
  const mask = dimGiven && !(Array.isArray(dim) && dim.length === 0) ? dimsMask(dim, nd, name) : (1 << nd) - 1;
  const shape: number[] = [];
  for (let d = 0; d < nd; d++) {
    if (mask & (1 << d)) { if (keepdim) shape.push(1); }
    else shape.push(a.shape[d]);
  }
  return wrap(W.sumOp(ha, mask, keepdim ? 1 : 0, mean ? 1 : 0, dimGiven ? 1 : 0), shape, 0, name);
}

/** Sum of all elements, or over `dim` (a dim or a list), keeping reduced dims as 1 if keepdim. */
export function sum(a: Tensor, dim?: number | number[] | null, keepdim = false): Tensor {
  return reduce(a, dim, keepdim, false, "sum");
}

/** Mean of all elements, or over `dim`, keeping reduced dims as 1 if keepdim. */
export function mean(a: Tensor, dim?: number | number[] | null, keepdim = false): Tensor {
  return reduce(a, dim, keepdim, true, "mean");
}
